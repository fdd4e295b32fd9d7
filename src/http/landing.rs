//! OGC API – Features: the landing page (`/api`) and the conformance classes.

use super::context::{link, Fresh, JSON};
use super::error::ApiError;
use super::html::{self, answer, html_escape};
use axum::response::Response;
use serde_json::json;

/// Conformance classes that are implemented (HTML included: every resource has an HTML view).
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

/// `GET /api`: the landing page.
pub async fn landing(fresh: Fresh) -> Result<Response, ApiError> {
    let ctx = &fresh.ctx;
    let enc = ctx.encoding_only()?;
    fresh.revalidate()?;
    let mut body = json!({
        "title": "iskp-map",
        "description": "Activity of the Islamic State's Khorasan Province (ISKP) by jurisdiction: attacks, interdicted plots, arrests, sanctions designations, counter-terrorism raids and other signs of presence, each with its sources.",
        "links": [
            link(&ctx.url("/api"), "self", JSON, "This document"),
            link(&ctx.url("/api?f=html"), "alternate", "text/html", "This document as HTML"),
            link(&ctx.url("/api/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
            link(&ctx.url("/api/docs"), "service-doc", "text/html", "The API documentation"),
            link(&ctx.url("/api/conformance"), "conformance", JSON, "Conformance classes implemented"),
            link(&ctx.url("/api/collections"), "data", JSON, "The collections"),
            link(&ctx.url("/api/tileMatrixSets"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON, "Tile matrix sets of the vector tiles"),
            link(&ctx.url("/api/stats"), "http://www.opengis.net/def/rel/ogc/1.0/statistics", JSON, "Totals per jurisdiction and period"),
            link(&ctx.url("/"), "alternate", "text/html", "The map"),
        ],
    });
    // Where the data keeps a history (team mode, or files with a journal): the change feed, and
    // `as_of` on the answers about records.
    if fresh.snap.history.is_some() {
        if let Some(links) = body["links"].as_array_mut() {
            links.push(link(
                &ctx.url("/api/changes"),
                "version-history",
                JSON,
                "What changed, in order (as_of dates the answers about records)",
            ));
        }
    }
    Ok(answer(&fresh, enc, JSON, "iskp-map API", &body, || {
        format!(
            "<p>{}</p>{}",
            html_escape(body["description"].as_str().unwrap_or("")),
            html::links(ctx, &body["links"])
        )
    }))
}

/// `GET /api/conformance`.
pub async fn conformance(fresh: Fresh) -> Result<Response, ApiError> {
    let enc = fresh.ctx.encoding_only()?;
    fresh.revalidate()?;
    let all: Vec<&str> = CONFORMANCE
        .iter()
        .chain(super::filter::CONFORMANCE)
        .chain(super::tiles::CONFORMANCE)
        .copied()
        .collect();
    let body = json!({ "conformsTo": all });
    Ok(answer(&fresh, enc, JSON, "Conformance", &body, || {
        html::value(&body["conformsTo"])
    }))
}
