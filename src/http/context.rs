//! Request context and cacheable responses: absolute links, `ETag` and `If-None-Match`.
//!
//! An answer depends only on the data version, the public base URL and the request path and query,
//! so its `ETag` is a hash of those four; a client or a CDN revalidating gets a `304` without the body
//! being built, and every replica holding the same data answers the same tag. [`Fresh`] is the one
//! place that takes the snapshot, makes the tag and answers the `304`.

use super::error::ApiError;
use super::middleware::{from_request, BaseUrl};
use super::query::{self, Encoding, Params};
use super::AppState;
use crate::store::answers::Answer;
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
    /// Whether `Accept-Encoding` takes gzip (q > 0).
    pub accepts_gzip: bool,
    if_none_match: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let base = match parts.extensions.get::<BaseUrl>() {
            Some(BaseUrl(b)) => b.clone(),
            None => from_request(
                parts.uri.authority().map(|a| a.as_str()),
                &parts.headers,
                true,
            ),
        };
        Ok(Ctx {
            base,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            accepts_html: prefers_html(&parts.headers),
            accepts_gzip: takes_gzip(&parts.headers),
            if_none_match: parts
                .headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// Whether the `Accept` header prefers `text/html` to JSON (browsers do; GDAL, QGIS and `curl` do
/// not). `text/html` must be named, with a q-value above 0, and rank above the best JSON type
/// (`application/json`, `application/geo+json`, or a wildcard that covers them); at equal
/// q-values, an explicit JSON type listed first wins.
pub fn prefers_html(h: &HeaderMap) -> bool {
    let accept: Vec<&str> = h
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ranges = media_ranges(&accept.join(","));
    // (specificity, q, position) of the range that governs `ty`: the most specific one.
    let governing = |ty: &str| {
        let (main, _) = ty.split_once('/').unwrap_or((ty, ""));
        ranges
            .iter()
            .filter_map(|(range, q, pos)| {
                let spec = if range == ty {
                    2
                } else if range.strip_suffix("/*") == Some(main) {
                    1
                } else if range == "*/*" {
                    0
                } else {
                    return None;
                };
                Some((spec, *q, *pos))
            })
            .max_by_key(|(spec, _, pos)| (*spec, std::cmp::Reverse(*pos)))
    };
    let Some((2, hq, hpos)) = governing("text/html") else {
        return false;
    };
    if hq <= 0.0 {
        return false;
    }
    let json = [
        governing("application/json"),
        governing("application/geo+json"),
    ]
    .into_iter()
    .flatten()
    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)));
    match json {
        None => true,
        Some((_, jq, _)) if hq != jq => hq > jq,
        Some((jspec, _, jpos)) => jspec < 2 || hpos < jpos,
    }
}

/// Whether `Accept-Encoding` takes gzip: `gzip` (or `*`) listed with a q-value above 0.
pub fn takes_gzip(h: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for v in h
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in v.split(',').take(32) {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| v.trim().parse::<f32>().unwrap_or(0.0))
                })
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => any = Some(q),
                _ => {}
            }
        }
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

/// Answers larger than this are gzip-compressed by [`ok`] where they are made — on the
/// [`work`](super::work) pool, for every handler whose answers can be that large — and smaller
/// ones by the compression layer on the async workers.
pub const COMPRESS_HERE_ABOVE: usize = 256 * 1024;

/// The media ranges of an `Accept` value: (range in lower case, q-value, position). A range with a
/// malformed q-value is left out.
fn media_ranges(accept: &str) -> Vec<(String, f32, usize)> {
    accept
        .split(',')
        .enumerate()
        .filter_map(|(pos, item)| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim().to_ascii_lowercase();
            if range.is_empty() || !range.contains('/') {
                return None;
            }
            let mut q = 1.0f32;
            for p in parts {
                if let Some((k, v)) = p.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v
                            .trim()
                            .parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))?;
                    }
                }
            }
            Some((range, q, pos))
        })
        .take(64)
        .collect()
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
        // An `as_of` answer is tagged as the answer of its state was: the state's version, not
        // the instant that named it.
        let query = self.query.as_deref().unwrap_or("");
        let undated;
        let query = if query.contains("as_of=") {
            undated = query
                .split('&')
                .filter(|p| !p.starts_with("as_of="))
                .collect::<Vec<_>>()
                .join("&");
            undated.as_str()
        } else {
            query
        };
        for part in [version, &self.base, &self.path, query] {
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
        let snap = match as_of(&ctx)? {
            None => state.store.current(),
            // The state served or a kept one is at hand; only reading the source leaves for
            // the blocking pool.
            Some(at) => match state.store.as_of_at_hand(at) {
                Some(answer) => answer.map_err(as_of_error)?,
                None => {
                    let store = state.store.clone();
                    tokio::task::spawn_blocking(move || store.as_of(at))
                        .await
                        .map_err(|e| ApiError::Internal(format!("as_of: {e}")))?
                        .map_err(as_of_error)?
                }
            },
        };
        let tag = ctx.etag(&snap.tag);
        Ok(Fresh { ctx, snap, tag })
    }
}

/// Whether the answers of `path` can be dated with `as_of`: records (items, one item, clusters,
/// downloads), the polygon layers' items, statistics and citation manifests. Elsewhere `as_of` is
/// an unknown parameter, refused by the handler.
fn takes_as_of(path: &str) -> bool {
    if matches!(path, "/api/stats" | "/api/citation") {
        return true;
    }
    let Some(rest) = path.strip_prefix("/api/collections/") else {
        return false;
    };
    let mut parts = rest.split('/');
    let _collection = parts.next();
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("items" | "clusters" | "download"), None, None) | (Some("items"), Some(_), None)
    )
}

/// The request's `as_of` instant (RFC 3339), if it has one and its path takes it.
fn as_of(ctx: &Ctx) -> Result<Option<time::OffsetDateTime>, ApiError> {
    if !takes_as_of(&ctx.path) {
        return Ok(None);
    }
    let Some((_, v)) = form_urlencoded::parse(ctx.query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "as_of")
    else {
        return Ok(None);
    };
    time::OffsetDateTime::parse(&v, &time::format_description::well_known::Rfc3339)
        .map(Some)
        .map_err(|_| {
            ApiError::bad(
                "as_of",
                format!(
                    "{:?} is not an RFC 3339 date-time (2024-03-22T18:00:00Z)",
                    query::printable(&v)
                ),
            )
        })
}

fn as_of_error(e: crate::store::past::AsOfError) -> ApiError {
    use crate::store::past::AsOfError as E;
    match e {
        E::Busy => ApiError::TooManyRequests {
            retry_after: 2,
            why: "another past state (as_of) is being built",
        },
        E::Unavailable(why) => ApiError::Unavailable(format!("as_of: {why}")),
        other => ApiError::bad("as_of", other.to_string()),
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

    /// The 200 answer of this request as `make` builds its body, or as it was built before from
    /// the same snapshot for the same base, path, query and accepted encodings (see
    /// [`crate::store::answers`]); gzip-compressed as [`Fresh::ok`] does. Only for answers that
    /// depend on nothing else: call it on the work pool, since `make` may wait for the same
    /// answer being made by another request.
    pub fn remember(
        &self,
        content_type: &'static str,
        make: impl FnOnce() -> Result<String, ApiError>,
    ) -> Result<Response, ApiError> {
        let c = &self.ctx;
        let key = self.answer_key();
        let a = self.snap.answers.get_or_make(&key, || {
            let body = make()?;
            let gzip = c.accepts_gzip && body.len() > COMPRESS_HERE_ABOVE;
            let bytes = if gzip {
                gzip_bytes(body.as_bytes())
            } else {
                None
            };
            Ok::<_, ApiError>(match bytes {
                Some(b) => Answer {
                    content_type,
                    body: b.into(),
                    gzip: true,
                },
                None => Answer {
                    content_type,
                    body: body.into(),
                    gzip: false,
                },
            })
        })?;
        Ok(self.kept_response(&a))
    }

    /// The answer [`Fresh::remember`] keeps for this request, if it is kept already: to be asked
    /// before the work pool, so that a kept answer is sent from where the request is, without a
    /// turn on the pool (whose threads run at a lower priority and, on a busy core, wait
    /// milliseconds for one).
    pub fn kept(&self) -> Option<Response> {
        let a = self.snap.answers.get(&self.answer_key())?;
        Some(self.kept_response(&a))
    }

    /// The key [`Fresh::remember`] keeps this request's answer under.
    fn answer_key(&self) -> String {
        let c = &self.ctx;
        format!(
            "{}\n{}\n{}\n{}{}",
            c.base,
            c.path,
            c.query.as_deref().unwrap_or(""),
            u8::from(c.accepts_gzip),
            u8::from(c.accepts_html)
        )
    }

    fn kept_response(&self, a: &crate::store::answers::Answer) -> Response {
        let mut r = axum::body::Body::from(a.body.clone()).into_response();
        head(&mut r, a.content_type, &self.tag, a.gzip);
        r
    }

    /// A 200 answer tagged with this request's tag; gzip-compressed here when it is over
    /// [`COMPRESS_HERE_ABOVE`] and the client takes gzip (call it on the work pool for answers
    /// that can be that large).
    pub fn ok(&self, content_type: &'static str, body: String) -> Response {
        if self.ctx.accepts_gzip && body.len() > COMPRESS_HERE_ABOVE {
            if let Some(r) = gzipped(content_type, &self.tag, body.as_bytes()) {
                return r;
            }
        }
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
    head(&mut r, content_type, tag, false);
    r
}

/// The headers of a 200 answer: content type, caching policy (revalidate every time), entity
/// tag, and for a gzip-compressed body its encoding.
fn head(r: &mut Response, content_type: &'static str, tag: &str, gzip: bool) {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    set(r, header::ETAG, tag);
}

/// `body` gzip-compressed.
fn gzip_bytes(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::new(5),
    );
    enc.write_all(body).ok()?;
    enc.finish().ok()
}

/// The answer `ok` would give, with its body gzip-compressed.
fn gzipped(content_type: &'static str, tag: &str, body: &[u8]) -> Option<Response> {
    let mut r = axum::body::Body::from(gzip_bytes(body)?).into_response();
    head(&mut r, content_type, tag, true);
    Some(r)
}

/// One link object of OGC API responses.
pub fn link(href: &str, rel: &str, media: &str, title: &str) -> serde_json::Value {
    serde_json::json!({ "href": href, "rel": rel, "type": media, "title": title })
}

/// Path parameters. A path that cannot be decoded (percent-encoded bytes that are not UTF-8, say)
/// names nothing: a JSON 404, not axum's plain-text rejection.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(ApiError::NotFound(
                "nothing at this path: it does not decode to UTF-8 text; the API starts at /api"
                    .into(),
            )),
        }
    }
}
