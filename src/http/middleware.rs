//! The service's cross-cutting layers, outermost first:
//!
//! 1. [`observe`]: metrics (route pattern, status, time to the head) and the request log — one
//!    bounded line per request (method, at most 120 characters of path, the query's length, status,
//!    time), at most [`Limits::log_lines_per_second`] lines a second with the rest counted, at
//!    `INFO` for answers, `DEBUG` for a client's errors (4xx), `ERROR` with the detail for server
//!    faults;
//! 2. `nosniff` on every answer;
//! 3. a panic becomes a JSON 500 (logged by [`observe`] as a server fault);
//! 4. per-client fairness ([`super::clients`]): 429 with `Retry-After`;
//! 5. the in-flight limit, which counts a request until its body is sent: 503, never queued;
//! 6. the URI limit (414); methods (other than GET and HEAD refused with 405, a plain `OPTIONS`
//!    answered 204 with `Allow`);
//! 7. the response timeout (408), which holds for CPU-bound work too since that runs on the
//!    [`super::work`] pool;
//! 8. the public base URL of the links ([`BaseUrl`]);
//! 9. CORS (any origin, and its preflight); compression (gzip or brotli, over 1 KiB).

use super::clients::{client_of, Fairness};
use super::error::{ApiError, ServerFault};
use super::server::Limits;
use super::Config;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::MatchedPath;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use axum::Router;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The address of the peer of a connection, put on each of its requests by the server loop.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

/// The public base URL the answers' links are written with (`http://127.0.0.1:8080`), decided once
/// per request: `--public-url` when given, else the request's `:authority` (h2) or `Host` (h1.1),
/// with `https` only when a trusted proxy says so in `X-Forwarded-Proto`.
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

/// The route pattern that answered, carried from the router to [`observe`] on the response.
#[derive(Debug, Clone)]
struct Route(String);

/// Keeps `guard` alive until the response's body has been sent (or dropped): in-flight counts,
/// per-client counts and connection activity cover streamed bodies, not only handlers.
pub fn hold<G: Send + Unpin + 'static>(resp: Response, guard: G) -> Response {
    resp.map(|body| {
        Body::new(Held {
            body,
            _guard: guard,
        })
    })
}

/// A body and what it keeps alive; its length, when known, stays known (`Content-Length`).
struct Held<G> {
    body: Body,
    _guard: G,
}

impl<G: Send + Unpin + 'static> http_body::Body for Held<G> {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The answer for paths no route serves.
pub async fn not_found(req: Request<Body>) -> ApiError {
    let shown = shown_path(req.uri().path(), 200);
    ApiError::NotFound(format!("nothing at {shown}; the API starts at /api"))
}

/// A path made safe to echo or log: control characters dropped, at most `max` characters.
fn shown_path(path: &str, max: usize) -> String {
    let mut s: String = path.chars().filter(|c| !c.is_control()).take(max).collect();
    if s.len() < path.len() && path.chars().filter(|c| !c.is_control()).nth(max).is_some() {
        s.push('…');
    }
    s
}

async fn options_and_methods(req: Request<Body>, next: Next) -> Response {
    match *req.method() {
        Method::GET | Method::HEAD => next.run(req).await,
        Method::OPTIONS
            if req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) =>
        {
            next.run(req).await
        }
        Method::OPTIONS => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
            r
        }
        _ => ApiError::MethodNotAllowed.into_response(),
    }
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ApiError::Internal(format!("a handler panicked: {what}")).into_response()
}

/// Answers a request the timeout refused: 408.
async fn refused(err: BoxError) -> ApiError {
    if err.is::<tower::timeout::error::Elapsed>() {
        super::metrics::rejected("timeout");
        ApiError::Timeout
    } else {
        ApiError::Internal(err.to_string())
    }
}

/// Refuses request targets longer than the limit with 414.
async fn uri_limit(max: usize, req: Request<Body>, next: Next) -> Response {
    if req.uri().path().len() + req.uri().query().map_or(0, str::len) > max {
        return ApiError::UriTooLong(max).into_response();
    }
    next.run(req).await
}

/// Requests in flight at once, each counted until its body is sent.
async fn in_flight(gate: Arc<Semaphore>, req: Request<Body>, next: Next) -> Response {
    let Ok(permit) = gate.try_acquire_owned() else {
        super::metrics::rejected("overloaded");
        return ApiError::Overloaded.into_response();
    };
    let gauge = super::metrics::in_flight();
    let resp = next.run(req).await;
    hold(resp, (permit, gauge))
}

/// Paths the per-client limits leave alone.
fn unlimited(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

async fn fairness(fair: Arc<Fairness>, req: Request<Body>, next: Next) -> Response {
    let Some(Peer(peer)) = req.extensions().get::<Peer>().copied() else {
        return next.run(req).await;
    };
    if unlimited(req.uri().path()) {
        return next.run(req).await;
    }
    let client = client_of(peer, req.headers(), &fair.limits().trusted_proxies);
    match fair.admit(client) {
        Ok(guard) => {
            let resp = next.run(req).await;
            hold(resp, guard)
        }
        Err(e) => e.into_response(),
    }
}

/// Decides the public base URL of a request (see [`BaseUrl`]).
async fn base_url(config: Arc<Config>, mut req: Request<Body>, next: Next) -> Response {
    let base = match &config.public_url {
        Some(u) => u.clone(),
        None => {
            let trusted = req
                .extensions()
                .get::<Peer>()
                .is_none_or(|Peer(p)| config.clients.trusted_proxies.contains(p));
            from_request(
                req.uri().authority().map(|a| a.as_str()),
                req.headers(),
                trusted,
            )
        }
    };
    req.extensions_mut().insert(BaseUrl(base));
    next.run(req).await
}

/// `scheme://host[:port]` from the request: the URI's authority (h2's `:authority`, or an absolute
/// h1.1 target), else `Host`, else `localhost`; a value that is no host name is ignored.
pub fn from_request(authority: Option<&str>, h: &HeaderMap, trust_proto: bool) -> String {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 255
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    };
    let host = authority
        .filter(|s| ok(s))
        .or_else(|| {
            h.get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .filter(|s| ok(s))
        })
        .unwrap_or("localhost");
    let proto = match h.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("https") if trust_proto => "https",
        _ => "http",
    };
    format!("{proto}://{host}")
}

/// Copies the route pattern that matched onto the response, for [`observe`].
async fn tag_route(req: Request<Body>, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| route_label(m.as_str()));
    let mut resp = next.run(req).await;
    if let Some(r) = route {
        resp.extensions_mut().insert(Route(r));
    }
    resp
}

fn route_label(pattern: &str) -> String {
    for prefix in ["/static", "/vendor"] {
        if pattern.starts_with(prefix) {
            return format!("{prefix}/…");
        }
    }
    pattern.to_string()
}

/// The request log's budget: a number of lines a second, and how many were left out since the
/// last line written.
struct LogBudget {
    lines: Option<DefaultDirectRateLimiter>,
    dropped: AtomicU64,
}

impl LogBudget {
    fn new(per_second: u32) -> Self {
        LogBudget {
            lines: NonZeroU32::new(per_second).map(|n| RateLimiter::direct(Quota::per_second(n))),
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether a line may be written now, and how many were left out before it.
    fn take(&self) -> Option<u64> {
        match &self.lines {
            Some(l) if l.check().is_ok() => Some(self.dropped.swap(0, Ordering::Relaxed)),
            _ => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                super::metrics::log_line_dropped();
                None
            }
        }
    }
}

/// Metrics and the bounded request log (see the module documentation).
async fn observe(log: Arc<LogBudget>, req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = shown_path(req.uri().path(), 120);
    let query_bytes = req.uri().query().map_or(0, str::len);
    let mut resp = next.run(req).await;
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    let route = resp
        .extensions()
        .get::<Route>()
        .map_or("unmatched", |r| r.0.as_str());
    super::metrics::request(route, status, elapsed.as_secs_f64());
    let ms = elapsed.as_secs_f64() * 1000.0;
    let fault = resp.extensions_mut().remove::<ServerFault>();
    let level_enabled = match status {
        500.. => tracing::enabled!(tracing::Level::ERROR),
        400..=499 => tracing::enabled!(tracing::Level::DEBUG),
        _ => tracing::enabled!(tracing::Level::INFO),
    };
    if !level_enabled {
        return resp;
    }
    let Some(dropped) = log.take() else {
        return resp;
    };
    match (status, fault) {
        (500.., Some(ServerFault(detail))) => {
            let detail: String = detail.chars().take(1000).collect();
            tracing::error!(%method, %path, query_bytes, status, ms, dropped, %detail, "server fault");
        }
        (500.., None) => {
            tracing::error!(%method, %path, query_bytes, status, ms, dropped, "request")
        }
        (400..=499, _) => {
            tracing::debug!(%method, %path, query_bytes, status, ms, dropped, "request")
        }
        _ => tracing::info!(%method, %path, query_bytes, status, ms, dropped, "request"),
    }
    resp
}

/// Compress only answers whose length is known and at most this many bytes.
#[derive(Debug, Clone, Copy)]
struct KnownSizeAtMost(u64);

impl Predicate for KnownSizeAtMost {
    fn should_compress<B: http_body::Body>(&self, response: &axum::http::Response<B>) -> bool {
        response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n <= self.0)
    }
}

/// Wraps any router in the service's cross-cutting layers with the default configuration.
pub fn harden(routes: Router, limits: &Limits) -> Router {
    harden_with(
        routes,
        &Config {
            limits: limits.clone(),
            ..Config::default()
        },
    )
}

/// Wraps any router in the service's cross-cutting layers (see the module documentation).
pub fn harden_with(routes: Router, config: &Config) -> Router {
    let limits = &config.limits;
    // Larger answers are compressed where they are made, on the work pool (see
    // `context::COMPRESS_HERE_ABOVE`): compressing megabytes here would hold up the async workers.
    let compress = SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(KnownSizeAtMost(super::context::COMPRESS_HERE_ABOVE as u64));
    let max_uri = limits.max_uri_bytes;
    let shared = Arc::new(config.clone());
    let inner = routes
        .layer(middleware::from_fn(tag_route))
        .layer(CompressionLayer::new().compress_when(compress))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .expose_headers([header::ETAG, header::RETRY_AFTER, header::LINK]),
        )
        .layer(middleware::from_fn(move |req, next| {
            base_url(shared.clone(), req, next)
        }));
    // One timeout around the whole router (Router::layer would give every route its own).
    let timed = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(refused))
        .timeout(limits.request_timeout)
        .service(inner);
    let gate = Arc::new(Semaphore::new(limits.max_in_flight.max(1)));
    let fair = Arc::new(Fairness::new(config.clients.clone()));
    let log = Arc::new(LogBudget::new(limits.log_lines_per_second));
    Router::new()
        .fallback_service(timed)
        .layer(middleware::from_fn(options_and_methods))
        .layer(middleware::from_fn(move |req, next| {
            uri_limit(max_uri, req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            in_flight(gate.clone(), req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            fairness(fair.clone(), req, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(move |req, next| {
            observe(log.clone(), req, next)
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_are_bounded_and_printable() {
        assert_eq!(shown_path("/api\u{7}/x", 200), "/api/x");
        let long = format!("/{}", "a".repeat(500));
        let s = shown_path(&long, 120);
        assert_eq!(s.chars().count(), 121, "120 characters and an ellipsis");
        assert!(s.ends_with('…'));
    }

    #[test]
    fn the_base_url_prefers_the_authority_and_trusts_proto_only_from_proxies() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "evil.example".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(
            from_request(Some("127.0.0.1:8080"), &h, false),
            "http://127.0.0.1:8080"
        );
        assert_eq!(from_request(None, &h, true), "https://evil.example");
        h.insert(header::HOST, "bad host/../x".parse().unwrap());
        assert_eq!(from_request(None, &h, false), "http://localhost");
    }
}
