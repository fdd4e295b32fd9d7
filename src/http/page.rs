//! `GET /`: the map page ([`super::assets`] says where its files come from). Nothing is fetched
//! from any other origin: the Content-Security-Policy forbids it, and inline scripts. Without a
//! page, `/` is a plain HTML index of the data.

use super::context::{ok, Ctx};
use super::error::ApiError;
use super::html::{html_escape, secured};
use super::AppState;
use crate::model::Kind;
use crate::views::totals::{per_country, tally, Tally};
use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;

fn page(html: String, tag: &str) -> Response {
    secured(ok("text/html; charset=utf-8", tag, html))
}

/// `GET /`: the map page, or a plain index of the data when no page is installed. The query string
/// is ignored: the page keeps its state in the fragment, and links shared on social sites arrive
/// with `utm_source`, `fbclid` and the like.
pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    if let Some(assets) = &st.page {
        let html = assets.index_html().await?;
        let tag = format!(
            "W/\"page-{}\"",
            crate::load::content_version(std::iter::once(&*html))
        );
        if ctx.holds(&tag) {
            return Err(ApiError::NotModified(tag));
        }
        return Ok(page(html.into_owned(), &tag));
    }
    let snap = st.store.current();
    let tag = ctx.etag(&snap.version);
    if ctx.holds(&tag) {
        return Err(ApiError::NotModified(tag));
    }
    // By name: two codes of one name (none today) share a row.
    let mut per_name: BTreeMap<&str, Tally> = BTreeMap::new();
    let cat = &snap.catalog;
    for ((_, name), t) in cat.country_table().iter().zip(per_country(cat)) {
        per_name.entry(&**name).or_default().merge(&t);
    }
    let several = tally(cat, 1, |i| cat.country_slot(i).is_none().then_some(0))[0];
    if several.records.iter().any(|&n| n > 0) {
        per_name.insert("(several countries)", several);
    }
    let head: String = Kind::ALL
        .iter()
        .map(|k| format!("<th>{}</th>", k.collection()))
        .collect();
    let rows: String = per_name
        .iter()
        .map(|(c, t)| {
            let cells: String = t.count.iter().map(|v| format!("<td>{v}</td>")).collect();
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
    Ok(page(html, &tag))
}
