//! OGC API – Features Part 1: landing page, conformance, collections, items, single items.

use super::collections::Collection;
use super::error::ApiError;
use super::html;
use super::openapi::html_escape;
use super::params::{self, Encoding, Params};
use super::respond::{link, ok, Ctx, GEOJSON, JSON};
use super::AppState;
use crate::aggregate::interval_strings;
use crate::dates::rfc3339;
use crate::geocode::jurisdictions::Level;
use crate::index::Filter;
use crate::snapshot::{Ids, Snapshot};
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

/// CRS84, the only CRS served.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Conformance classes that are implemented (HTML included: every resource has an HTML view).
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

/// `application/schema+json`.
pub const SCHEMA_JSON: &str = "application/schema+json";

/// Checks a resource's query string (only `f`) and picks its encoding.
fn encoding_only(ctx: &Ctx) -> Result<Encoding, ApiError> {
    let p = Params::parse(ctx.query.as_deref(), &["f"])?;
    params::encoding(p.get("f"), ctx.accepts_html)
}

/// Answers `v` as JSON, or as an HTML page made by `html`.
fn answer(
    enc: Encoding,
    media: &'static str,
    tag: &str,
    title: &str,
    v: &Value,
    html: impl FnOnce() -> String,
) -> Response {
    match enc {
        Encoding::Json => ok(media, tag, v.to_string()),
        Encoding::Html => crate::web::secured(ok(
            "text/html; charset=utf-8",
            tag,
            html::page(title, &html()),
        )),
    }
}

/// `GET /api`: the landing page.
pub async fn landing(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let enc = encoding_only(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let body = json!({
        "title": "iskp-map",
        "description": "Activity of the Islamic State's Khorasan Province (ISKP) by jurisdiction: attacks, interdicted plots, arrests, sanctions designations, counter-terrorism raids and other signs of presence, each with its sources.",
        "links": [
            link(&ctx.url("/api"), "self", JSON, "This document"),
            link(&ctx.url("/api?f=html"), "alternate", "text/html", "This document as HTML"),
            link(&ctx.url("/api/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
            link(&ctx.url("/api/docs"), "service-doc", "text/html", "The API documentation"),
            link(&ctx.url("/api/conformance"), "conformance", JSON, "Conformance classes implemented"),
            link(&ctx.url("/api/collections"), "data", JSON, "The collections"),
            link(&ctx.url("/api/stats"), "http://www.opengis.net/def/rel/ogc/1.0/statistics", JSON, "Totals per jurisdiction and period"),
            link(&ctx.url("/"), "alternate", "text/html", "The map"),
        ],
    });
    Ok(answer(enc, JSON, &tag, "iskp-map API", &body, || {
        format!(
            "<p>{}</p>{}",
            html_escape(body["description"].as_str().unwrap_or("")),
            html::links(&ctx, &body["links"])
        )
    }))
}

/// `GET /api/conformance`.
pub async fn conformance(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let enc = encoding_only(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let body = json!({ "conformsTo": CONFORMANCE });
    Ok(answer(enc, JSON, &tag, "Conformance", &body, || {
        html::value(&body["conformsTo"])
    }))
}

fn collection_json(ctx: &Ctx, snap: &Snapshot, c: Collection) -> Value {
    let base = format!("/api/collections/{}", c.id());
    let mut links = vec![
        link(&ctx.url(&base), "self", JSON, c.title()),
        link(
            &ctx.url(&format!("{base}?f=html")),
            "alternate",
            "text/html",
            &format!("{} as HTML", c.title()),
        ),
        link(
            &ctx.url(&format!("{base}/items")),
            "items",
            GEOJSON,
            &format!("{} as GeoJSON", c.title()),
        ),
        link(
            &ctx.url(&format!("{base}/items?f=html")),
            "items",
            "text/html",
            &format!("{} as HTML", c.title()),
        ),
        link(
            &ctx.url(&format!("{base}/queryables")),
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            SCHEMA_JSON,
            "Properties to filter on",
        ),
        link(
            &ctx.url(&format!("{base}/schema")),
            "describedby",
            SCHEMA_JSON,
            "Schema of the features",
        ),
        // GDAL up to 3.6 looks for the relation spelt "describedBy": the same link under that name.
        link(
            &ctx.url(&format!("{base}/schema")),
            "describedBy",
            SCHEMA_JSON,
            "Schema of the features",
        ),
    ];
    for (format, media, what) in super::download::FORMATS {
        links.push(link(
            &ctx.url(&format!("{base}/download?format={format}")),
            "enclosure",
            media,
            &format!("Download all as {what}"),
        ));
    }
    let mut v = json!({
        "id": c.id(),
        "title": c.title(),
        "description": c.description(),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": links,
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

fn collection_html(ctx: &Ctx, v: &Value) -> String {
    format!(
        "<p>{}</p><h2>Extent</h2>{}<h2>Links</h2>{}",
        html_escape(v["description"].as_str().unwrap_or("")),
        html::value(&v["extent"]),
        html::links(ctx, &v["links"])
    )
}

/// `GET /api/collections`.
pub async fn collections(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let enc = encoding_only(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let list: Vec<Value> = Collection::all()
        .into_iter()
        .map(|c| collection_json(&ctx, &snap, c))
        .collect();
    let body = json!({
        "links": [
            link(&ctx.url("/api/collections"), "self", JSON, "The collections"),
            link(&ctx.url("/api/collections?f=html"), "alternate", "text/html", "The collections as HTML"),
        ],
        "collections": list,
    });
    Ok(answer(enc, JSON, &tag, "Collections", &body, || {
        body["collections"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "<section><h2>{}</h2>{}</section>",
                    html_escape(c["title"].as_str().unwrap_or("")),
                    collection_html(&ctx, c)
                )
            })
            .collect()
    }))
}

/// `GET /api/collections/{id}`.
pub async fn collection(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let enc = encoding_only(&ctx)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let v = collection_json(&ctx, &snap, c);
    Ok(answer(enc, JSON, &tag, c.title(), &v, || {
        collection_html(&ctx, &v)
    }))
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
    if let Some(v) = p.get("datetime_match") {
        f.day_match = params::datetime_match(v)?;
        if f.days.is_none() {
            return Err(ApiError::bad(
                "datetime_match",
                "needs a datetime window to compare with",
            ));
        }
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

/// What a request selects from a collection, in collection order.
pub enum Selection {
    /// Record indices.
    Records(Ids),
    /// Country or province indices.
    Polygons(Level, Vec<usize>),
}

impl Selection {
    /// How many features.
    pub fn len(&self) -> usize {
        match self {
            Selection::Records(v) => v.len(),
            Selection::Polygons(_, v) => v.len(),
        }
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the pre-serialised GeoJSON of the `k`-th selected feature to `out`.
    pub fn write_feature(&self, snap: &Snapshot, k: usize, out: &mut String) {
        match self {
            Selection::Records(v) => snap.catalog.write_feature(v[k], out),
            Selection::Polygons(Level::Country, v) => out.push_str(&snap.countries.features[v[k]]),
            Selection::Polygons(Level::Province, v) => out.push_str(&snap.provinces.features[v[k]]),
        }
    }
}

/// Applies a collection's filters (`bbox`, `datetime`, property filters) from the query parameters.
pub fn select(snap: &Snapshot, c: Collection, p: &Params) -> Result<Selection, ApiError> {
    match c {
        Collection::Records(kind) => {
            let f = record_filter(kind, p)?;
            Ok(Selection::Records(snap.matching(&f)))
        }
        Collection::Polygons(level) => {
            let bbox = p.get("bbox").map(params::bbox).transpose()?;
            let country = p.get("country").map(params::country).transpose()?;
            let list = match level {
                Level::Country => &snap.jurisdictions.countries,
                Level::Province => &snap.jurisdictions.provinces,
            };
            let mut ids: Vec<usize> = match bbox {
                None => (0..list.len()).collect(),
                Some(b) => {
                    let mut v: Vec<usize> = b
                        .envelopes()
                        .iter()
                        .flat_map(|e| match level {
                            Level::Country => snap.jurisdictions.countries_in(e.lower(), e.upper()),
                            Level::Province => {
                                snap.jurisdictions.provinces_in(e.lower(), e.upper())
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
            Ok(Selection::Polygons(level, ids))
        }
    }
}

/// `GET /api/collections/{id}/items`.
pub async fn items(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let p = Params::parse(ctx.query.as_deref(), c.item_params())?;
    let enc = params::encoding(p.get("f"), ctx.accepts_html)?;
    let limit = params::limit(p.get("limit"))?;
    let offset = params::offset(p.get("offset"))?;
    let snap = st.store.current();
    let sel = select(&snap, c, &p)?;
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let start = offset.min(sel.len());
    let end = start.saturating_add(limit).min(sel.len());
    let page = Page {
        sel: &sel,
        range: start..end,
        offset,
        limit,
    };
    let body = feature_collection(&ctx, &snap, &p, c, &page);
    if enc == Encoding::Html {
        let v: Value =
            serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let columns: &[&str] = match c {
            Collection::Records(_) => &[
                "id",
                "title",
                "kind",
                "date",
                "place",
                "country",
                "geo_precision",
                "count",
            ],
            Collection::Polygons(_) => {
                &["id", "name", "country", "total", "attack", "plot", "arrest"]
            }
        };
        return Ok(answer(enc, GEOJSON, &tag, c.title(), &v, || {
            html::feature_table(&ctx, &v, columns)
        }));
    }
    Ok(ok(GEOJSON, &tag, body))
}

#[allow(clippy::too_many_arguments)]
/// One page of a selection.
struct Page<'a> {
    sel: &'a Selection,
    range: std::ops::Range<usize>,
    offset: usize,
    limit: usize,
}

fn feature_collection(
    ctx: &Ctx,
    snap: &Snapshot,
    p: &Params,
    c: Collection,
    page: &Page,
) -> String {
    let (matched, offset, limit) = (page.sel.len(), page.offset, page.limit);
    let returned = page.range.len();
    let mut links = vec![
        link(&ctx.with_query(&p.encode()), "self", GEOJSON, "This page"),
        link(
            &ctx.with_query(&p.with("f", "html")),
            "alternate",
            "text/html",
            "This page as HTML",
        ),
        link(
            &ctx.url(&format!("/api/collections/{}", c.id())),
            "collection",
            JSON,
            c.title(),
        ),
    ];
    let end = offset.saturating_add(returned);
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
    let mut s = String::with_capacity(1024 + returned * 1024);
    s.push_str("{\"type\":\"FeatureCollection\",\"numberMatched\":");
    s.push_str(&matched.to_string());
    s.push_str(",\"numberReturned\":");
    s.push_str(&returned.to_string());
    s.push_str(",\"timeStamp\":\"");
    s.push_str(&rfc3339(snap.changed_at));
    s.push_str("\",\"links\":");
    s.push_str(&Value::Array(links).to_string());
    s.push_str(",\"features\":[");
    for k in page.range.clone() {
        if k > page.range.start {
            s.push(',');
        }
        page.sel.write_feature(snap, k, &mut s);
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
    let enc = encoding_only(&ctx)?;
    let snap = st.store.current();
    let not_found = || {
        let shown: String = fid.chars().filter(|c| !c.is_control()).take(120).collect();
        ApiError::NotFound(format!("feature {shown:?} is not in collection {}", c.id()))
    };
    let record_feature;
    let feature: &str = match c {
        Collection::Records(kind) => {
            let i = snap.catalog.find(&fid).ok_or_else(not_found)?;
            if kind.is_some_and(|k| snap.catalog.entry(i).kind != k) {
                return Err(not_found());
            }
            record_feature = snap.catalog.feature(i);
            &record_feature
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
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let links = json!([
        link(&ctx.url(&ctx.path), "self", GEOJSON, "This feature"),
        link(
            &format!("{}?f=html", ctx.url(&ctx.path)),
            "alternate",
            "text/html",
            "This feature as HTML"
        ),
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
    if enc == Encoding::Html {
        let v: Value =
            serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let title = v["properties"]["title"]
            .as_str()
            .or(v["properties"]["name"].as_str())
            .unwrap_or(&fid)
            .to_string();
        return Ok(answer(enc, GEOJSON, &tag, &title, &v, || {
            let mut props = v["properties"].clone();
            if let Some(o) = props.as_object_mut() {
                o.remove("title");
            }
            format!(
                "{}<h2>Geometry</h2><p>{}</p>{}",
                html::value(&props),
                html_escape(v["geometry"]["type"].as_str().unwrap_or("")),
                html::links(&ctx, &v["links"])
            )
        }));
    }
    Ok(ok(GEOJSON, &tag, body))
}
