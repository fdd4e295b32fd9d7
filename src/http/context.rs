//! Request context and cacheable responses: absolute links, `ETag` and `If-None-Match`.
//!
//! An answer depends only on the data version, the public base URL and the request path and query,
//! so its `ETag` is a hash of those four; a client or a CDN revalidating gets a `304` without the body
//! being built, and every replica holding the same data answers the same tag. [`Fresh`] is the one
//! place that takes the snapshot, makes the tag and answers the `304`.

use super::error::ApiError;
use super::query::{self, Encoding, Params};
use super::AppState;
use crate::store::Snapshot;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `application/geo+json`.
pub const GEOJSON: &str = "application/geo+json";
/// `application/json`.
pub const JSON: &str = "application/json";

/// What every handler needs to know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Public base URL, e.g. `http://127.0.0.1:8080`.
    pub base: String,
    /// Path as requested.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Whether `Accept` prefers `text/html` to JSON (a browser).
    pub accepts_html: bool,
    if_none_match: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            base: base_url(&parts.headers),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            accepts_html: prefers_html(&parts.headers),
            if_none_match: parts
                .headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// Whether the `Accept` header lists `text/html` before any JSON type (browsers do; GDAL, QGIS and
/// `curl` do not).
fn prefers_html(h: &HeaderMap) -> bool {
    let Some(accept) = h.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let pos = |t: &str| accept.find(t);
    match (
        pos("text/html"),
        [pos("application/json"), pos("application/geo+json")]
            .into_iter()
            .flatten()
            .min(),
    ) {
        (Some(h), Some(j)) => h < j,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The public base URL from `Host` (and `X-Forwarded-Proto`), falling back to `http://localhost`
/// when the header is missing or holds characters no host name has.
fn base_url(h: &HeaderMap) -> String {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 255
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    };
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|s| ok(s))
        .unwrap_or("localhost");
    let proto = match h.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{proto}://{host}")
}

impl Ctx {
    /// The query string, checked: only the names in `allowed`, each at most once.
    pub fn params(&self, allowed: &[&'static str]) -> Result<Params, ApiError> {
        Params::parse(self.query.as_deref(), allowed)
    }

    /// The encoding of a resource whose only parameter is `f` (JSON, or HTML for browsers).
    pub fn encoding_only(&self) -> Result<Encoding, ApiError> {
        let p = self.params(&["f"])?;
        query::encoding(p.get("f"), self.accepts_html)
    }

    /// The absolute URL of a path under the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The absolute URL of this request's path with another query string.
    pub fn with_query(&self, query: &str) -> String {
        if query.is_empty() {
            self.url(&self.path)
        } else {
            format!("{}{}?{}", self.base, self.path, query)
        }
    }

    /// The weak entity tag of this request's answer under data `version` (a snapshot's `tag`).
    pub fn etag(&self, version: &str) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [
            version,
            &self.base,
            &self.path,
            self.query.as_deref().unwrap_or(""),
        ] {
            for b in part.as_bytes().iter().chain(&[0u8]) {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("W/\"{version}-{h:016x}\"")
    }

    /// Whether the client already holds the answer tagged `tag` (`If-None-Match`).
    pub fn holds(&self, tag: &str) -> bool {
        let Some(inm) = self.if_none_match.as_deref() else {
            return false;
        };
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        inm.split(',')
            .any(|t| t.trim() == "*" || bare(t) == bare(tag))
    }
}

/// The snapshot a request is answered from, with the request's context and the entity tag of its
/// answer: the preamble every cacheable handler shares.
pub struct Fresh {
    /// The request.
    pub ctx: Ctx,
    /// The snapshot, held for the whole request.
    pub snap: Arc<Snapshot>,
    /// The entity tag of the answer.
    pub tag: String,
}

impl FromRequestParts<AppState> for Fresh {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let snap = state.store.current();
        let tag = ctx.etag(&snap.tag);
        Ok(Fresh { ctx, snap, tag })
    }
}

impl Fresh {
    /// Answers `304 Not Modified` (as the error) when the client already holds this answer. Call it
    /// once the request is known to be valid, so that a bad request is a 400 whatever the client
    /// holds.
    pub fn revalidate(&self) -> Result<(), ApiError> {
        if self.ctx.holds(&self.tag) {
            Err(ApiError::NotModified(self.tag.clone()))
        } else {
            Ok(())
        }
    }

    /// A 200 answer tagged with this request's tag.
    pub fn ok(&self, content_type: &'static str, body: String) -> Response {
        ok(content_type, &self.tag, body)
    }
}

/// Sets a header, unless the value cannot be one.
pub fn set(r: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// A 200 answer with its content type, entity tag and caching policy (revalidate every time).
pub fn ok(content_type: &'static str, tag: &str, body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    set(&mut r, header::ETAG, tag);
    r
}

/// One link object of OGC API responses.
pub fn link(href: &str, rel: &str, media: &str, title: &str) -> serde_json::Value {
    serde_json::json!({ "href": href, "rel": rel, "type": media, "title": title })
}
