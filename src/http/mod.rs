//! The HTTP service: [`app`] builds the whole `axum` router over an [`AppState`]; [`server`] runs
//! it on a socket with its connection limits.
//!
//! One file per resource: [`landing`] (`/api`, conformance), [`collections`], [`items`],
//! [`schema`] (queryables and schemas), [`clusters`], [`download`], [`stats`], [`geocode`],
//! [`sources`], [`citation`] (citation manifests), [`splits`], [`tiles`] (vector tiles), [`openapi`] (the API definition and its HTML summary), [`health`] and [`page`]
//! (the map). Shared by all: [`context`] (the request, the snapshot and its `ETag`), [`query`]
//! (parameters and the typed query of a collection), [`error`], [`html`] and [`middleware`]; what
//! keeps one client from starving the others: [`work`] (the pool for work whose cost grows with the
//! request), [`clients`] (per-client rate and concurrency), [`conn`] and [`server`] (connection
//! limits and timeouts); and [`metrics`].

pub mod assets;
pub mod changes;
pub mod citation;
pub mod clients;
pub mod clusters;
pub mod collections;
pub mod conn;
pub mod context;
pub mod download;
pub mod error;
pub mod filter;
pub mod geocode;
pub mod health;
pub mod html;
pub mod items;
pub mod landing;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod page;
pub mod query;
pub mod schema;
pub mod server;
pub mod shape;
pub mod sources;
pub mod splits;
pub mod stats;
pub mod tiles;
pub mod work;

use crate::store::Store;
use axum::routing::get;
use axum::Router;
use server::Limits;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The snapshot store.
    pub store: Arc<Store>,
    /// The map page's files, if the map page is served.
    pub page: Option<Arc<assets::Assets>>,
    /// The pool for work whose cost grows with the data or the request.
    pub work: work::Work,
    /// Places for FlatGeobuf downloads in flight (each holds a temporary file).
    pub spooled: Arc<tokio::sync::Semaphore>,
    /// Tiles already made for the current snapshot.
    pub tiles: Arc<tiles::TileCache>,
}

impl AppState {
    /// State over a store, with no map page (`/` lists the data instead).
    pub fn new(store: Arc<Store>) -> Self {
        AppState {
            store,
            page: None,
            work: default_work(),
            spooled: spool(&Limits::default()),
            tiles: Arc::default(),
        }
    }

    /// State over a store, serving the map page and its assets from `web_dir`.
    pub fn with_web(store: Arc<Store>, web_dir: impl Into<std::path::PathBuf>) -> Self {
        AppState::with_page(store, assets::Assets::Dir(web_dir.into()))
    }

    /// State over a store, serving the map page from `assets`.
    pub fn with_page(store: Arc<Store>, assets: assets::Assets) -> Self {
        AppState {
            store,
            page: Some(Arc::new(assets)),
            work: default_work(),
            spooled: spool(&Limits::default()),
            tiles: Arc::default(),
        }
    }
}

/// The pool of the default [`Limits`], shared by every state made without limits of its own.
fn default_work() -> work::Work {
    static WORK: std::sync::OnceLock<work::Work> = std::sync::OnceLock::new();
    WORK.get_or_init(|| {
        let l = Limits::default();
        work::Work::new(l.work_threads, l.work_queue)
    })
    .clone()
}

fn spool(l: &Limits) -> Arc<tokio::sync::Semaphore> {
    Arc::new(tokio::sync::Semaphore::new(l.max_spooled_downloads.max(1)))
}

/// How the service is run: its limits, the per-client limits, the public URL of its links and
/// whether `/metrics` is served.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Connection and request limits.
    pub limits: Limits,
    /// Per-client rate and concurrency.
    pub clients: clients::ClientLimits,
    /// The base URL links are written with (`--public-url`), e.g. `https://map.example.org`;
    /// without it, the request's `:authority` or `Host`.
    pub public_url: Option<String>,
    /// Whether `/metrics` is served.
    pub metrics: bool,
}

/// Checks a `--public-url`: `http` or `https`, a host, an optional port and path prefix, no query;
/// returned without a trailing slash.
pub fn public_url(s: &str) -> Result<String, String> {
    let uri: axum::http::Uri = s.parse().map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(format!(
                "{s:?}: the public URL must start with http:// or https://"
            ))
        }
    }
    if uri.authority().is_none_or(|a| a.host().is_empty()) {
        return Err(format!("{s:?}: the public URL needs a host"));
    }
    if uri.query().is_some() || s.contains('#') || s.contains('@') {
        return Err(format!(
            "{s:?}: the public URL takes no query, fragment or user"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// The whole service with the default [`Limits`]: the map page at `/` and the API under `/api`.
pub fn app(state: AppState) -> Router {
    app_with(state, &Limits::default())
}

/// The whole service with the given limits.
pub fn app_with(state: AppState, limits: &Limits) -> Router {
    app_configured(
        state,
        &Config {
            limits: limits.clone(),
            ..Config::default()
        },
    )
}

/// The whole service as configured.
pub fn app_configured(mut state: AppState, config: &Config) -> Router {
    let limits = &config.limits;
    let d = Limits::default();
    if (limits.work_threads, limits.work_queue) != (d.work_threads, d.work_queue) {
        state.work = work::Work::new(limits.work_threads, limits.work_queue);
    }
    state.spooled = spool(limits);
    let assets = state
        .page
        .as_deref()
        .map(assets::Assets::routes)
        .unwrap_or_default();
    let routes = Router::new()
        .route("/", get(page::index))
        .merge(assets)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api", get(landing::landing))
        .route("/api/", get(landing::landing))
        .route("/api/conformance", get(landing::conformance))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/api", get(openapi::openapi))
        .route("/api/docs", get(openapi::docs))
        .route("/api/collections", get(collections::collections))
        .route("/api/collections/{id}", get(collections::collection))
        .route("/api/collections/{id}/items", get(items::items))
        .route("/api/collections/{id}/items/{fid}", get(items::item))
        .route("/api/collections/{id}/clusters", get(clusters::clusters))
        .route("/api/collections/{id}/tiles", get(tiles::tilesets))
        .route("/api/collections/{id}/tiles/{tms}", get(tiles::tileset))
        .route(
            "/api/collections/{id}/tiles/{tms}/tilejson.json",
            get(tiles::tilejson),
        )
        .route(
            "/api/collections/{id}/tiles/{tms}/{z}/{y}/{x}",
            get(tiles::tile),
        )
        .route("/api/tileMatrixSets", get(tiles::matrix_sets))
        .route("/api/tileMatrixSets/{tms}", get(tiles::matrix_set_one))
        .route("/api/collections/{id}/queryables", get(schema::queryables))
        .route("/api/collections/{id}/schema", get(schema::schema))
        .route("/api/collections/{id}/download", get(download::download))
        .route("/api/stats", get(stats::stats))
        .route("/api/geocode", get(geocode::geocode))
        .route("/api/sources", get(sources::sources))
        .route("/api/citation", get(citation::citation))
        .route("/api/changes", get(changes::changes))
        .route("/api/splits", get(splits::splits));
    let routes = if config.metrics {
        routes.route("/metrics", get(metrics::metrics))
    } else {
        routes
    };
    let routes = routes.fallback(middleware::not_found).with_state(state);
    middleware::harden_with(routes, config)
}
