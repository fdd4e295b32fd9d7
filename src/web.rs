//! The page at `/`.
//!
//! Until the bundled Leaflet map lands (issue 5), `/` is a plain HTML index of the data: the record
//! counts per kind and country of the current snapshot and links into the API. All text is escaped.

use crate::api::error::ApiError;
use crate::api::openapi::html_escape;
use crate::api::respond::{ok, Ctx};
use crate::api::AppState;
use crate::model::Kind;
use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;

/// `GET /`.
pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let mut per_country: BTreeMap<&str, [u64; 6]> = BTreeMap::new();
    for r in snap.catalog.records() {
        per_country.entry(&r.country_name).or_default()[r.kind as usize] += u64::from(r.count);
    }
    let head: String = Kind::ALL
        .iter()
        .map(|k| format!("<th>{}</th>", k.collection()))
        .collect();
    let rows: String = per_country
        .iter()
        .map(|(c, n)| {
            let cells: String = n.iter().map(|v| format!("<td>{v}</td>")).collect();
            format!("<tr><th>{}</th>{cells}</tr>", html_escape(c))
        })
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>iskp-map</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>\
<h1>iskp-map</h1><p>{n} records of ISKP activity. The API: <a href=\"/api\">/api</a> \
(<a href=\"/api/collections\">collections</a>, <a href=\"/api/docs\">documentation</a>).</p>\
<table><caption>Sum of event counts per country and kind</caption><thead><tr><th>Country</th>{head}</tr></thead>\
<tbody>{rows}</tbody></table></body></html>",
        n = snap.catalog.len()
    );
    Ok(ok("text/html; charset=utf-8", &tag, html))
}
