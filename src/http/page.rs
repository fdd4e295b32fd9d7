//! The page at `/` and its assets.
//!
//! With a `web/` directory (the default of `serve`), `/` is the bundled Leaflet map, `/static/…` its
//! own scripts and styles, and `/vendor/NAME/…` the folders of the npm packages installed in
//! `web/node_modules` (pinned by `web/package-lock.json`) that `web/vendor.json` lists as
//! `{"NAME": "package/folder"}` (`leaflet` → `leaflet/dist`, …). Nothing is fetched from any other
//! origin: the Content-Security-Policy forbids it, and inline scripts.
//! Without `web/`, `/` is a plain HTML index of the data.

use super::context::{ok, Ctx};
use super::error::ApiError;
use super::html::{html_escape, secured};
use super::AppState;
use crate::model::Kind;
use crate::views::totals::{per_country, Tally};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;
use std::collections::BTreeMap;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Routes for the page's assets under `web_dir` (none when there is no `web/`).
pub fn assets(web_dir: Option<&Path>) -> Router<AppState> {
    let Some(dir) = web_dir else {
        return Router::new();
    };
    let serve = |p: std::path::PathBuf| ServeDir::new(p).append_index_html_on_directories(false);
    let mut router = Router::new().nest_service("/static", serve(dir.join("static")));
    for (name, folder) in vendor_folders(dir) {
        router = router.nest_service(
            &format!("/vendor/{name}"),
            serve(dir.join("node_modules").join(folder)),
        );
    }
    router.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}

/// The `/vendor/NAME` folders that `web/vendor.json` lists: names of letters, digits, `-`, `_` and
/// `.`, folders inside `node_modules` (no `..`). A missing or unreadable manifest serves none and
/// says so in the log.
fn vendor_folders(dir: &Path) -> Vec<(String, String)> {
    let path = dir.join("vendor.json");
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| {
            serde_json::from_str::<BTreeMap<String, String>>(&t).map_err(|e| e.to_string())
        });
    let map = match parsed {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!("{}: {e}; no /vendor/ folders served", path.display());
            return Vec::new();
        }
    };
    let safe_name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s != "."
            && s != ".."
    };
    map.into_iter()
        .filter(|(name, folder)| {
            let ok = safe_name(name)
                && !folder.is_empty()
                && folder
                    .split('/')
                    .all(|seg| safe_name(seg) || seg.starts_with('@') && safe_name(&seg[1..]));
            if !ok {
                tracing::warn!(
                    "{}: {name:?} → {folder:?} is not a safe folder; skipped",
                    path.display()
                );
            }
            ok
        })
        .collect()
}

fn page(html: String, tag: &str) -> Response {
    secured(ok("text/html; charset=utf-8", tag, html))
}

/// `GET /`: the map page, or a plain index of the data when no page is installed. The query string
/// is ignored: the page keeps its state in the fragment, and links shared on social sites arrive
/// with `utm_source`, `fbclid` and the like.
pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    if let Some(dir) = &st.web_dir {
        let path = dir.join("index.html");
        return match tokio::fs::read_to_string(&path).await {
            Ok(html) => {
                let tag = format!(
                    "W/\"page-{}\"",
                    crate::load::content_version(std::iter::once(html.as_str()))
                );
                if ctx.holds(&tag) {
                    return Err(ApiError::NotModified(tag));
                }
                Ok(page(html, &tag))
            }
            Err(e) => Err(ApiError::Internal(format!("{}: {e}", path.display()))),
        };
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
