//! The HTTP service: [`app`] builds the whole `axum` router over an [`AppState`]; [`server`] runs
//! it on a socket with its connection limits.
//!
//! One file per resource: [`landing`] (`/api`, conformance), [`collections`], [`items`],
//! [`schema`] (queryables and schemas), [`clusters`], [`download`], [`stats`], [`geocode`],
//! [`sources`], [`splits`], [`openapi`] (the API definition and its HTML summary), [`health`] and [`page`]
//! (the map). Shared by all: [`context`] (the request, the snapshot and its `ETag`), [`query`]
//! (parameters and the typed query of a collection), [`error`], [`html`] and [`middleware`].

pub mod assets;
pub mod clusters;
pub mod collections;
pub mod context;
pub mod download;
pub mod error;
pub mod geocode;
pub mod health;
pub mod html;
pub mod items;
pub mod landing;
pub mod middleware;
pub mod openapi;
pub mod page;
pub mod query;
pub mod schema;
pub mod server;
pub mod sources;
pub mod splits;
pub mod stats;

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
}

impl AppState {
    /// State over a store, with no map page (`/` lists the data instead).
    pub fn new(store: Arc<Store>) -> Self {
        AppState { store, page: None }
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
        }
    }
}

/// The whole service with the default [`Limits`]: the map page at `/` and the API under `/api`.
pub fn app(state: AppState) -> Router {
    app_with(state, &Limits::default())
}

/// The whole service with the given limits.
pub fn app_with(state: AppState, limits: &Limits) -> Router {
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
        .route("/api/collections/{id}/queryables", get(schema::queryables))
        .route("/api/collections/{id}/schema", get(schema::schema))
        .route("/api/collections/{id}/download", get(download::download))
        .route("/api/stats", get(stats::stats))
        .route("/api/geocode", get(geocode::geocode))
        .route("/api/sources", get(sources::sources))
        .route("/api/splits", get(splits::splits))
        .fallback(middleware::not_found)
        .with_state(state);
    middleware::harden(routes, limits)
}
