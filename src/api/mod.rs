//! The HTTP service: [`app`] builds the whole `axum` router over an [`AppState`].
//!
//! Layers, outermost first: a panic becomes a JSON 500; request tracing; methods other than GET and
//! HEAD refused with 405, and a plain `OPTIONS` answered 204 with `Allow`; CORS (any origin, and its
//! preflight); compression (gzip or brotli, for bodies over 1 KiB).

pub mod clusters;
pub mod collections;
pub mod download;
pub mod error;
pub mod flatgeobuf;
pub mod health;
pub mod html;
pub mod ogc;
pub mod openapi;
pub mod params;
pub mod respond;
pub mod schema;
pub mod stats;

use crate::server::Limits;
use crate::snapshot::Store;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::BoxError;
use axum::Router;
use error::ApiError;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The snapshot store.
    pub store: Arc<Store>,
    /// The page's directory (`web/`), if the map page is served.
    pub web_dir: Option<Arc<std::path::PathBuf>>,
}

impl AppState {
    /// State over a store, with no map page (`/` lists the data instead).
    pub fn new(store: Arc<Store>) -> Self {
        AppState {
            store,
            web_dir: None,
        }
    }

    /// State over a store, serving the map page and its assets from `web_dir`.
    pub fn with_web(store: Arc<Store>, web_dir: impl Into<std::path::PathBuf>) -> Self {
        AppState {
            store,
            web_dir: Some(Arc::new(web_dir.into())),
        }
    }
}

async fn not_found(req: Request<Body>) -> ApiError {
    let shown: String = req
        .uri()
        .path()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    ApiError::NotFound(format!("nothing at {shown}; the API starts at /api"))
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

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("a handler panicked".into()).into_response()
}

/// The whole service with the default [`Limits`]: the map page at `/` and the API under `/api`.
pub fn app(state: AppState) -> Router {
    app_with(state, &Limits::default())
}

/// The whole service with the given limits.
pub fn app_with(state: AppState, limits: &Limits) -> Router {
    let assets = crate::web::assets(state.web_dir.as_deref().map(|p| p.as_path()));
    let routes = Router::new()
        .route("/", get(crate::web::index))
        .merge(assets)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api", get(ogc::landing))
        .route("/api/", get(ogc::landing))
        .route("/api/conformance", get(ogc::conformance))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/api", get(openapi::openapi))
        .route("/api/docs", get(openapi::docs))
        .route("/api/collections", get(ogc::collections))
        .route("/api/collections/{id}", get(ogc::collection))
        .route("/api/collections/{id}/items", get(ogc::items))
        .route("/api/collections/{id}/items/{fid}", get(ogc::item))
        .route("/api/collections/{id}/clusters", get(clusters::clusters))
        .route("/api/collections/{id}/queryables", get(schema::queryables))
        .route("/api/collections/{id}/schema", get(schema::schema))
        .route("/api/collections/{id}/download", get(download::download))
        .route("/api/stats", get(stats::stats))
        .route("/api/geocode", get(stats::geocode))
        .route("/api/sources", get(stats::sources))
        .fallback(not_found)
        .with_state(state);
    harden(routes, limits)
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

/// Wraps any router in the service's cross-cutting layers, outermost first: a panic becomes a JSON 500;
/// tracing; `nosniff`; the URI limit; methods; the in-flight limit and the response timeout; CORS;
/// compression.
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
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
}
