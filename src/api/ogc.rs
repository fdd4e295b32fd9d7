//! OGC API – Features Part 1: landing page, conformance, collections, items, single items.

use super::collections::Collection;
use super::error::ApiError;
use super::params::{self, Params};
use super::respond::{link, ok, Ctx, GEOJSON, JSON};
use super::AppState;
use crate::aggregate::interval_strings;
use crate::dates::rfc3339;
use crate::geocode::jurisdictions::Level;
use crate::index::Filter;
use crate::snapshot::Snapshot;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

/// CRS84, the only CRS served.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Conformance classes that are implemented.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

fn no_params(ctx: &Ctx) -> Result<(), ApiError> {
    let p = Params::parse(ctx.query.as_deref(), &["f"])?;
    params::format(p.get("f"))
}

/// `GET /api`: the landing page.
pub async fn landing(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    no_params(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let body = json!({
        "title": "iskp-map",
        "description": "Activity of the Islamic State's Khorasan Province (ISKP) by jurisdiction: attacks, interdicted plots, arrests, sanctions designations, counter-terrorism raids and other signs of presence, each with its sources.",
        "links": [
            link(&ctx.url("/api"), "self", JSON, "This document"),
            link(&ctx.url("/api/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
            link(&ctx.url("/api/docs"), "service-doc", "text/html", "The API documentation"),
            link(&ctx.url("/api/conformance"), "conformance", JSON, "Conformance classes implemented"),
            link(&ctx.url("/api/collections"), "data", JSON, "The collections"),
            link(&ctx.url("/api/stats"), "http://www.opengis.net/def/rel/ogc/1.0/statistics", JSON, "Totals per jurisdiction and period"),
            link(&ctx.url("/"), "alternate", "text/html", "The map"),
        ],
    });
    Ok(ok(JSON, &tag, body.to_string()))
}

/// `GET /api/conformance`.
pub async fn conformance(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    no_params(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    Ok(ok(
        JSON,
        &tag,
        json!({ "conformsTo": CONFORMANCE }).to_string(),
    ))
}

fn collection_json(ctx: &Ctx, snap: &Snapshot, c: Collection) -> Value {
    let base = format!("/api/collections/{}", c.id());
    let mut v = json!({
        "id": c.id(),
        "title": c.title(),
        "description": c.description(),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            link(&ctx.url(&base), "self", JSON, c.title()),
            link(&ctx.url(&format!("{base}/items")), "items", GEOJSON, &format!("{} as GeoJSON", c.title())),
        ],
    });
    let extent = match c {
        Collection::Records(kind) => snap.catalog.kind_extent(kind).map(|(b, span)| {
            let (a, z) = interval_strings(span);
            json!({
                "spatial": { "bbox": [b], "crs": CRS84 },
                "temporal": { "interval": [[format!("{a}T00:00:00Z"), format!("{z}T23:59:59Z")]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian" },
            })
        }),
        Collection::Polygons(level) => {
            let list = match level {
                Level::Country => &snap.jurisdictions.countries,
                Level::Province => &snap.jurisdictions.provinces,
            };
            let b = list.iter().fold([180.0f64, 90.0f64, -180.0f64, -90.0f64], |b, j| {
                [b[0].min(j.bbox.min().x), b[1].min(j.bbox.min().y), b[2].max(j.bbox.max().x), b[3].max(j.bbox.max().y)]
            });
            Some(json!({ "spatial": { "bbox": [b], "crs": CRS84 } }))
        }
    };
    if let Some(e) = extent {
        v["extent"] = e;
    }
    v
}

/// `GET /api/collections`.
pub async fn collections(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    no_params(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let list: Vec<Value> = Collection::all()
        .into_iter()
        .map(|c| collection_json(&ctx, &snap, c))
        .collect();
    let body = json!({
        "links": [link(&ctx.url("/api/collections"), "self", JSON, "The collections")],
        "collections": list,
    });
    Ok(ok(JSON, &tag, body.to_string()))
}

/// `GET /api/collections/{id}`.
pub async fn collection(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    no_params(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    Ok(ok(JSON, &tag, collection_json(&ctx, &snap, c).to_string()))
}

/// The filter of a records collection from its query parameters.
pub fn record_filter(c: Option<crate::model::Kind>, p: &Params) -> Result<Filter, ApiError> {
    let mut f = Filter {
        kind: c,
        ..Filter::default()
    };
    if let Some(v) = p.get("bbox") {
        f.bbox = Some(params::bbox(v)?);
    }
    if let Some(v) = p.get("datetime") {
        f.days = Some(params::datetime(v)?);
    }
    if let Some(v) = p.get("kind") {
        let k = params::kind(v)?;
        if c.is_some_and(|ck| ck != k) {
            return Err(ApiError::bad(
                "kind",
                format!(
                    "collection {} holds only {}",
                    c.map_or("", |k| k.collection()),
                    c.map_or("", |k| k.as_str())
                ),
            ));
        }
        f.kind = Some(k);
    }
    if let Some(v) = p.get("country") {
        f.country = Some(params::country(v)?);
    }
    if let Some(v) = p.get("province") {
        f.admin1_id = Some(params::province(v)?);
    }
    if let Some(v) = p.get("claim") {
        f.claim = Some(params::claim(v)?);
    }
    if let Some(v) = p.get("geo_precision") {
        f.geo_precision = Some(params::geo_precision(v)?);
    }
    Ok(f)
}

/// `GET /api/collections/{id}/items`.
pub async fn items(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let p = Params::parse(ctx.query.as_deref(), c.item_params())?;
    params::format(p.get("f"))?;
    let limit = params::limit(p.get("limit"))?;
    let offset = params::offset(p.get("offset"))?;
    let snap = st.store.current();
    let (matched, features): (usize, Vec<&str>) = match c {
        Collection::Records(kind) => {
            let f = record_filter(kind, &p)?;
            let tag = ctx.etag(&snap.version);
            if let Some(r) = ctx.not_modified(&tag) {
                return Ok(r);
            }
            let ids = snap.catalog.matching(&f);
            let page = page(&ids, offset, limit);
            (
                ids.len(),
                page.iter().map(|&i| snap.catalog.feature(i)).collect(),
            )
        }
        Collection::Polygons(level) => {
            let bbox = p.get("bbox").map(params::bbox).transpose()?;
            let country = p.get("country").map(params::country).transpose()?;
            let tag = ctx.etag(&snap.version);
            if let Some(r) = ctx.not_modified(&tag) {
                return Ok(r);
            }
            let (list, layer) = match level {
                Level::Country => (&snap.jurisdictions.countries, &snap.countries),
                Level::Province => (&snap.jurisdictions.provinces, &snap.provinces),
            };
            let mut ids: Vec<usize> = match bbox {
                None => (0..list.len()).collect(),
                Some(b) => {
                    let mut v: Vec<usize> = b
                        .envelopes()
                        .iter()
                        .flat_map(|e| {
                            let (lo, hi) = (e.lower(), e.upper());
                            match level {
                                Level::Country => snap.jurisdictions.countries_in(lo, hi),
                                Level::Province => snap.jurisdictions.provinces_in(lo, hi),
                            }
                        })
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
            };
            if let Some(cc) = &country {
                ids.retain(|&i| &list[i].country == cc);
            }
            let page = page(&ids, offset, limit);
            (
                ids.len(),
                page.iter().map(|&i| &*layer.features[i]).collect(),
            )
        }
    };
    let tag = ctx.etag(&snap.version);
    Ok(ok(
        GEOJSON,
        &tag,
        feature_collection(&ctx, &snap, &p, c, matched, &features, offset, limit),
    ))
}

fn page<T: Copy>(ids: &[T], offset: usize, limit: usize) -> &[T] {
    let start = offset.min(ids.len());
    let end = start.saturating_add(limit).min(ids.len());
    &ids[start..end]
}

#[allow(clippy::too_many_arguments)]
fn feature_collection(
    ctx: &Ctx,
    snap: &Snapshot,
    p: &Params,
    c: Collection,
    matched: usize,
    features: &[&str],
    offset: usize,
    limit: usize,
) -> String {
    let mut links = vec![
        link(&ctx.with_query(&p.encode()), "self", GEOJSON, "This page"),
        link(
            &ctx.url(&format!("/api/collections/{}", c.id())),
            "collection",
            JSON,
            c.title(),
        ),
    ];
    let end = offset.saturating_add(features.len());
    if end < matched {
        links.push(link(
            &ctx.with_query(&p.with("offset", &end.to_string())),
            "next",
            GEOJSON,
            "Next page",
        ));
    }
    if offset > 0 {
        let prev = offset
            .saturating_sub(limit)
            .min(matched.saturating_sub(limit));
        let q = if prev == 0 {
            p.with("offset", "0")
        } else {
            p.with("offset", &prev.to_string())
        };
        links.push(link(&ctx.with_query(&q), "prev", GEOJSON, "Previous page"));
    }
    let size: usize = features.iter().map(|f| f.len() + 1).sum::<usize>() + 512;
    let mut s = String::with_capacity(size);
    s.push_str("{\"type\":\"FeatureCollection\",\"numberMatched\":");
    s.push_str(&matched.to_string());
    s.push_str(",\"numberReturned\":");
    s.push_str(&features.len().to_string());
    s.push_str(",\"timeStamp\":\"");
    s.push_str(&rfc3339(snap.loaded_at));
    s.push_str("\",\"links\":");
    s.push_str(&Value::Array(links).to_string());
    s.push_str(",\"features\":[");
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(f);
    }
    s.push_str("]}");
    s
}

/// `GET /api/collections/{id}/items/{featureId}`.
pub async fn item(
    State(st): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    no_params(&ctx)?;
    let snap = st.store.current();
    let not_found = || {
        let shown: String = fid.chars().filter(|c| !c.is_control()).take(120).collect();
        ApiError::NotFound(format!("feature {shown:?} is not in collection {}", c.id()))
    };
    let feature: &str = match c {
        Collection::Records(kind) => {
            let i = snap.catalog.find(&fid).ok_or_else(not_found)?;
            if kind.is_some_and(|k| snap.catalog.record(i).kind != k) {
                return Err(not_found());
            }
            snap.catalog.feature(i)
        }
        Collection::Polygons(Level::Country) => {
            let i = snap
                .jurisdictions
                .country_index(&fid)
                .ok_or_else(not_found)?;
            &snap.countries.features[i]
        }
        Collection::Polygons(Level::Province) => {
            let i = snap
                .jurisdictions
                .province_index(&fid)
                .ok_or_else(not_found)?;
            &snap.provinces.features[i]
        }
    };
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let links = json!([
        link(&ctx.url(&ctx.path), "self", GEOJSON, "This feature"),
        link(
            &ctx.url(&format!("/api/collections/{}", c.id())),
            "collection",
            JSON,
            c.title()
        ),
    ]);
    // The stored feature is a JSON object; add the links before its closing brace.
    let body = match feature.strip_suffix('}') {
        Some(head) => format!("{head},\"links\":{links}}}"),
        None => {
            return Err(ApiError::Internal(format!(
                "feature {fid} is not a JSON object"
            )))
        }
    };
    Ok(ok(GEOJSON, &tag, body))
}
