//! `iskp-map serve`: load the data (files or, in team mode, the database), then serve the map and
//! the API until `SIGINT`/`SIGTERM`, reloading on `SIGHUP`.

use super::DataDir;
use super::{CliError, Failure};
use crate::db::source::DbSource;
use crate::http::assets::Assets;
use crate::http::AppState;
use crate::store::{BundledSource, DataSource, FileSource, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Data (files mode).
    pub data: DataDir,
    /// Database URL (team mode).
    pub db: Option<String>,
    /// Files to serve if the database cannot be loaded at start.
    pub fallback: Option<PathBuf>,
    /// The page's directory, if given.
    pub web: Option<PathBuf>,
    /// Requests served at once.
    pub max_in_flight: usize,
    /// Catalog cache directory.
    pub cache: Option<PathBuf>,
}

/// Runs the server.
pub fn run(o: Options) -> Result<(), CliError> {
    let source = match o.db {
        None => match o.data {
            DataDir::Files(dir) => Loader::Files(FileSource::new(dir).with_cache(o.cache)),
            DataDir::Bundled => Loader::Bundled(BundledSource::new()),
        },
        Some(url) => {
            let db = crate::db::Db::parse(&url)
                .map_err(|e| CliError::new(Failure::Database, e.to_string()))?;
            Loader::Db(DbSource::new(db, o.fallback, o.cache))
        }
    };
    serve(o.addr, source, o.web, o.max_in_flight)
}

/// What `serve` loads from.
enum Loader {
    Files(FileSource),
    Bundled(BundledSource),
    Db(DbSource),
}

fn serve(
    addr: SocketAddr,
    source: Loader,
    web: Option<PathBuf>,
    max_in_flight: usize,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Failure::Server, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let (source, follow): (Arc<dyn DataSource>, _) = match source {
            Loader::Files(f) => (Arc::new(f), None),
            Loader::Bundled(b) => (Arc::new(b), None),
            Loader::Db(d) => {
                let shared = d.shared();
                (Arc::new(d), Some(shared))
            }
        };
        let store = Arc::new(open_store(source).await?);
        if let Some(shared) = follow {
            let timing = crate::db::follow::Timing::default();
            crate::db::follow::spawn(store.clone(), shared, timing).map_err(|e| {
                CliError::new(
                    Failure::Database,
                    format!("cannot start the database listener: {e}"),
                )
            })?;
        }
        let snap = store.current();
        tracing::info!(
            records = snap.catalog.len(),
            version = %snap.version,
            ms = started.elapsed().as_millis() as u64,
            "loaded {}",
            store.describe()
        );
        drop(snap);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| CliError::new(Failure::Server, format!("cannot listen on {addr}: {e}")))?;
        tokio::spawn(reload_on_hangup(store.clone()));
        let local = listener.local_addr().unwrap_or(addr);
        tracing::info!("serving http://{local}/ (API at http://{local}/api)");
        let state = match page(web) {
            Some(assets) => {
                tracing::info!("the map page from {}", assets.describe());
                AppState::with_page(store, assets)
            }
            None => AppState::new(store),
        };
        let limits = crate::http::server::Limits {
            max_in_flight: max_in_flight.max(1),
            ..Default::default()
        };
        let router = crate::http::app_with(state, &limits);
        crate::http::server::serve(listener, router, &limits, shutdown())
            .await
            .map_err(|e| CliError::new(Failure::Server, format!("server error: {e}")))?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// The page's files: `--web DIR` if it holds the page, else `./web` if it does, else the page built
/// into the binary. Without any, `/` lists the data (and the log says why).
fn page(web: Option<PathBuf>) -> Option<Assets> {
    let given = web.is_some();
    let dir = web.unwrap_or_else(|| PathBuf::from("web"));
    match Assets::dir(&dir) {
        Ok(a) => return Some(a),
        Err(e) if given => tracing::warn!("{e}; using the page built into this binary"),
        Err(_) => {}
    }
    let bundled = Assets::bundled();
    if bundled.is_none() {
        tracing::warn!("this binary has no page built in (npm was missing at build time); / lists the data instead");
    }
    bundled
}

/// Loads the first snapshot. A database that cannot be reached (down, restarting) is retried with
/// back-off, each failure logged, until it answers; anything else ends the program.
async fn open_store(source: Arc<dyn DataSource>) -> Result<Store, CliError> {
    let mut backoff = std::time::Duration::from_millis(500);
    loop {
        let s = source.clone();
        match tokio::task::spawn_blocking(move || Store::open(Box::new(s))).await {
            Ok(Ok(store)) => return Ok(store),
            Ok(Err(e)) if e.is_transient() => {
                tracing::warn!("{e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(10));
            }
            Ok(Err(e)) => {
                let (failure, what) = if e.rows().is_empty() {
                    (Failure::Io, "could not be read")
                } else {
                    (Failure::InvalidData, "did not validate")
                };
                return Err(CliError::new(
                    failure,
                    format!("{e}\nnot serving: {} {what}", source.describe()),
                ));
            }
            Err(e) => {
                return Err(CliError::new(
                    Failure::Server,
                    format!("loading failed: {e}"),
                ));
            }
        }
    }
}

/// SIGHUP reloads the data; a reload that fails validation changes nothing and logs every error.
async fn reload_on_hangup(store: Arc<Store>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.reload()).await {
                Ok(Ok(v)) => tracing::info!(version = %v, "reloaded"),
                Ok(Err(e)) => tracing::error!("reload rejected, previous data still served:\n{e}"),
                Err(e) => tracing::error!("reload failed: {e}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = store;
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
