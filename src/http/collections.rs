//! OGC API – Features: the collections (`/api/collections`) and one collection's description.

use super::context::ApiPath;
use super::context::{link, Ctx, Fresh, GEOJSON, JSON};
use super::error::ApiError;
use super::html::{self, answer, html_escape};
use super::query;
use crate::store::collections::Collection;
use crate::store::Snapshot;
use crate::views::totals::interval_strings;
use axum::response::Response;
use serde_json::{json, Value};

/// CRS84, the only CRS served.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// `application/schema+json`.
pub const SCHEMA_JSON: &str = "application/schema+json";

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
    links.push(link(
        &ctx.url(&format!("{base}/tiles")),
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
        JSON,
        "Vector tiles (MVT)",
    ));
    for f in crate::export::FORMATS {
        links.push(link(
            &ctx.url(&format!("{base}/download?format={}", f.key)),
            "enclosure",
            f.media,
            &format!("Download all as {}", f.name),
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
            let list = snap.jurisdictions.of(level);
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
pub async fn collections(fresh: Fresh) -> Result<Response, ApiError> {
    let ctx = &fresh.ctx;
    let enc = ctx.encoding_only()?;
    fresh.revalidate()?;
    let list: Vec<Value> = Collection::all()
        .into_iter()
        .map(|c| collection_json(ctx, &fresh.snap, c))
        .collect();
    let body = json!({
        "links": [
            link(&ctx.url("/api/collections"), "self", JSON, "The collections"),
            link(&ctx.url("/api/collections?f=html"), "alternate", "text/html", "The collections as HTML"),
        ],
        "collections": list,
    });
    Ok(answer(&fresh, enc, JSON, "Collections", &body, || {
        body["collections"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "<section><h2>{}</h2>{}</section>",
                    html_escape(c["title"].as_str().unwrap_or("")),
                    collection_html(ctx, c)
                )
            })
            .collect()
    }))
}

/// `GET /api/collections/{id}`.
pub async fn collection(ApiPath(id): ApiPath<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    let ctx = &fresh.ctx;
    let enc = ctx.encoding_only()?;
    fresh.revalidate()?;
    let v = collection_json(ctx, &fresh.snap, c);
    Ok(answer(&fresh, enc, JSON, c.title(), &v, || {
        collection_html(ctx, &v)
    }))
}
