//! Where the map page's files come from: a `web/` directory (`--web DIR`, and `make run`), or the
//! copy built into the binary (see `build.rs`), so that an installed `iskp-map` serves the page from
//! any working directory.
//!
//! Both serve the same paths: `/` (`index.html`), `/static/…` and `/vendor/NAME/…` for each npm
//! package folder `web/vendor.json` lists (`NAME` → `node_modules/package/folder` in a directory,
//! `vendor/NAME/` in the binary).

use super::context::ApiPath;
use super::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/web"]
struct Bundled;

/// The page's files.
#[derive(Debug, Clone)]
pub enum Assets {
    /// A `web/` directory with `index.html`, `static/` and `node_modules/`.
    Dir(PathBuf),
    /// The copy built into the binary.
    Bundled,
}

impl Assets {
    /// The page built into the binary, if this build has one (it has none when npm was missing at
    /// build time).
    pub fn bundled() -> Option<Assets> {
        Bundled::get("index.html").map(|_| Assets::Bundled)
    }

    /// A `web/` directory, if it holds the page and every package folder of its `vendor.json`;
    /// otherwise why not.
    pub fn dir(dir: impl Into<PathBuf>) -> Result<Assets, String> {
        let dir = dir.into();
        if !dir.join("index.html").is_file() {
            return Err(format!("{} has no index.html", dir.display()));
        }
        for (name, folder) in vendor_folders(&dir) {
            if !dir.join("node_modules").join(&folder).is_dir() {
                return Err(format!(
                    "{}: /vendor/{name} needs node_modules/{folder} (run npm ci there)",
                    dir.display()
                ));
            }
        }
        Ok(Assets::Dir(dir))
    }

    /// Where the files come from, for the log.
    pub fn describe(&self) -> String {
        match self {
            Assets::Dir(d) => d.display().to_string(),
            Assets::Bundled => "the page built into this binary".into(),
        }
    }

    /// The text of `index.html`.
    pub async fn index_html(&self) -> Result<Cow<'static, str>, ApiError> {
        match self {
            Assets::Dir(d) => {
                let path = d.join("index.html");
                tokio::fs::read_to_string(&path)
                    .await
                    .map(Cow::Owned)
                    .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))
            }
            Assets::Bundled => {
                let f = Bundled::get("index.html")
                    .ok_or_else(|| ApiError::Internal("no bundled index.html".into()))?;
                String::from_utf8(f.data.into_owned())
                    .map(Cow::Owned)
                    .map_err(|_| ApiError::Internal("bundled index.html is not UTF-8".into()))
            }
        }
    }

    /// Routes for `/static/…` and `/vendor/…`.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let router = match self {
            Assets::Dir(dir) => {
                let serve = |p: PathBuf| ServeDir::new(p).append_index_html_on_directories(false);
                let mut router = Router::new().nest_service("/static", serve(dir.join("static")));
                for (name, folder) in vendor_folders(dir) {
                    router = router.nest_service(
                        &format!("/vendor/{name}"),
                        serve(dir.join("node_modules").join(folder)),
                    );
                }
                router
            }
            Assets::Bundled => Router::new()
                .route(
                    "/static/{*path}",
                    axum::routing::get(bundled_file).with_state("static"),
                )
                .route(
                    "/vendor/{*path}",
                    axum::routing::get(bundled_file).with_state("vendor"),
                ),
        };
        router
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .layer(axum::middleware::from_fn(file_errors))
    }
}

/// Longest file name (a path segment) looked up, in bytes: the longest most file systems allow.
const MAX_NAME_BYTES: usize = 255;

/// Gives the page files' errors the API's JSON body: a name no file can have is a 404 before any
/// file system call (a name over 255 bytes made the file system fail, a 500), and the file
/// server's own bodiless 404s, 405s and 416s get a JSON body with their status and headers kept.
async fn file_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.len() > 4 * MAX_NAME_BYTES || path.split('/').any(|s| s.len() > MAX_NAME_BYTES) {
        return ApiError::NotFound(format!(
            "no page file has a name over {MAX_NAME_BYTES} bytes"
        ))
        .into_response();
    }
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let mut with_json = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound("no page file at this path".into()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        s if s.is_server_error() => ApiError::Internal(format!("page file: {s}")),
        s => {
            let (mut parts, _) = resp.into_parts();
            let body = serde_json::json!({
                "code": s.canonical_reason().unwrap_or("ClientError").replace(' ', ""),
                "description": format!("the page file cannot be served as asked ({s})"),
            })
            .to_string();
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::from(body));
        }
    }
    .into_response();
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            with_json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    with_json
}

/// A file of the bundled page, with its media type and a strong `ETag` (its SHA-256).
async fn bundled_file(
    State(folder): State<&'static str>,
    ApiPath(path): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    let key = format!("{folder}/{path}");
    let safe = !path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..");
    let Some(file) = Bundled::get(&key).filter(|_| safe) else {
        return ApiError::NotFound(format!("no page file at /{folder}/…")).into_response();
    };
    let hash: String = file
        .metadata
        .sha256_hash()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let tag = format!("\"{hash}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&tag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        return r;
    }
    let mut r = Body::from(file.data.into_owned()).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(file.metadata.mimetype()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    r
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
