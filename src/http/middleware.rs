//! The service's cross-cutting layers, outermost first: a panic becomes a JSON 500; tracing and the
//! log of server faults; `nosniff`; the URI limit; methods (other than GET and HEAD refused with
//! 405, a plain `OPTIONS` answered 204 with `Allow`); the in-flight limit and the response
//! timeout; CORS (any origin, and its preflight); compression (gzip or brotli, over 1 KiB).

use super::error::{ApiError, ServerFault};
use super::server::Limits;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The answer for paths no route serves.
pub async fn not_found(req: Request<Body>) -> ApiError {
    let shown = shown_path(&req);
    ApiError::NotFound(format!("nothing at {shown}; the API starts at /api"))
}

/// A request's path made safe to echo or log: control characters dropped, at most 200 characters.
fn shown_path(req: &Request<Body>) -> String {
    req.uri()
        .path()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
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
    tracing::error!(panic = %what, "a handler panicked");
    ApiError::Internal("a handler panicked".into()).into_response()
}

/// Answers a request the limit layers refused: 503 when too many are in flight (never queued), 408
/// when the response took too long.
async fn refused(err: BoxError) -> ApiError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        ApiError::Overloaded
    } else if err.is::<tower::timeout::error::Elapsed>() {
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

/// Logs the detail of every server fault (a 5xx made from an [`ApiError::Internal`]): the one place
/// errors are logged.
async fn log_faults(req: Request<Body>, next: Next) -> Response {
    let path = shown_path(&req);
    let mut resp = next.run(req).await;
    if let Some(ServerFault(detail)) = resp.extensions_mut().remove::<ServerFault>() {
        tracing::error!(%detail, %path, status = resp.status().as_u16(), "server fault");
    }
    resp
}

/// Wraps any router in the service's cross-cutting layers (see the module documentation).
pub fn harden(routes: Router, limits: &Limits) -> Router {
    let compress = SizeAbove::new(1024).and(NotForContentType::IMAGES);
    let max_uri = limits.max_uri_bytes;
    let inner = routes
        .layer(CompressionLayer::new().compress_when(compress))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
                .expose_headers([header::ETAG]),
        );
    // One in-flight limit and timeout around the whole router (Router::layer would give every route
    // its own semaphore).
    let limited = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(refused))
        .load_shed()
        .concurrency_limit(limits.max_in_flight)
        .timeout(limits.request_timeout)
        .service(inner);
    Router::new()
        .fallback_service(limited)
        .layer(middleware::from_fn(options_and_methods))
        .layer(middleware::from_fn(move |req, next| {
            uri_limit(max_uri, req, next)
        }))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(log_faults))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
}
