//! `iskp-map serve`: load the data (files or, in team mode, the database), then serve the map and
//! the API until `SIGINT`/`SIGTERM`, reloading on `SIGHUP`.

use super::DataDir;
use super::{CliError, Failure};
use crate::db::source::DbSource;
use crate::http::assets::Assets;
use crate::http::clients::ClientLimits;
use crate::http::server::Limits;
use crate::http::AppState;
use crate::store::{BundledSource, DataSource, FileSource, JournalSource, Store};
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
    /// Limits, per-client fairness, public URL and metrics.
    pub config: crate::http::Config,
    /// Catalog cache directory.
    pub cache: Option<PathBuf>,
    /// File mode's journal (`--history`).
    pub history: Option<PathBuf>,
}

/// Runs the server.
pub fn run(o: Options) -> Result<(), CliError> {
    let source = match o.db {
        None => match (o.data, o.history) {
            (DataDir::Files(dir), None) => Loader::Files(FileSource::new(dir).with_cache(o.cache)),
            (DataDir::Files(dir), Some(journal)) => {
                let files = FileSource::new(dir).with_cache(o.cache);
                let j = JournalSource::open(files, &journal).map_err(|e| {
                    CliError::new(
                        Failure::InvalidData,
                        format!(
                            "{e}\nnot serving: the journal {} could not be read",
                            journal.display()
                        ),
                    )
                })?;
                Loader::Journal(j)
            }
            (DataDir::Bundled, None) => Loader::Bundled(BundledSource::new()),
            (DataDir::Bundled, Some(_)) => {
                return Err(CliError::new(
                    Failure::Io,
                    "--history journals a data directory: give it with --data DIR".to_string(),
                ))
            }
        },
        Some(url) => {
            let db = crate::db::Db::parse(&url)
                .map_err(|e| CliError::new(Failure::Database, e.to_string()))?;
            Loader::Db(DbSource::new(db, o.fallback, o.cache))
        }
    };
    serve(o.addr, source, o.web, o.config)
}

/// `serve`'s flags for limits, fairness, the public URL and metrics (README, "Limits and
/// guarantees").
#[derive(clap::Args, Debug, Clone)]
pub struct Tuning {
    /// The public base URL of the links in answers (e.g. https://map.example.org), instead of the
    /// request's Host or :authority; set it behind a proxy or a shared cache.
    #[arg(long, env = "ISKP_MAP_PUBLIC_URL")]
    public_url: Option<String>,
    /// Serve /metrics (Prometheus text format).
    #[arg(long, env = "ISKP_MAP_METRICS")]
    metrics: bool,
    /// Requests served at once (until their bodies are sent); more are refused with 503.
    #[arg(long, default_value_t = Limits::default().max_in_flight)]
    max_in_flight: usize,
    /// Connections open at once [default: 3/4 of the file-descriptor limit, at most 10 000]; at
    /// the cap the idlest connection is closed to admit a new one.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    max_connections: usize,
    /// Seconds a new connection has to send its first byte.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().handshake_timeout.as_secs_f64())]
    handshake_timeout: f64,
    /// Seconds a connection with no request in flight may stay silent.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().idle_timeout.as_secs_f64())]
    idle_timeout: f64,
    /// Seconds a response may go without writing a byte (a client that stopped reading).
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().send_timeout.as_secs_f64())]
    send_timeout: f64,
    /// Seconds allowed to produce a response head; longer gets 408.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().request_timeout.as_secs_f64())]
    request_timeout: f64,
    /// Threads for work whose cost grows with the request (filters, clusters, statistics,
    /// downloads, geocoding) [default: one per core].
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    work_threads: usize,
    /// Such jobs waiting at most; beyond them a request gets 503.
    #[arg(long, default_value_t = Limits::default().work_queue)]
    work_queue: usize,
    /// FlatGeobuf downloads in flight at once (each holds a temporary file while its client
    /// reads); more get 503.
    #[arg(long, default_value_t = Limits::default().max_spooled_downloads)]
    max_spooled_downloads: usize,
    /// Request log lines a second at most (the rest are counted in /metrics).
    #[arg(long, default_value_t = Limits::default().log_lines_per_second)]
    log_lines: u32,
    /// Requests a second one client may sustain (0: no rate limit).
    #[arg(long, env = "ISKP_MAP_CLIENT_RATE", default_value_t = ClientLimits::default().rate)]
    client_rate: u32,
    /// Requests one client may send at once above its rate.
    #[arg(long, env = "ISKP_MAP_CLIENT_BURST", default_value_t = ClientLimits::default().burst)]
    client_burst: u32,
    /// Requests of one client in flight at once (0: no limit).
    #[arg(long, env = "ISKP_MAP_CLIENT_CONCURRENCY", default_value_t = ClientLimits::default().concurrency)]
    client_concurrency: usize,
    /// A reverse proxy whose X-Forwarded-For names the client (repeat, or comma-separate in the
    /// environment variable).
    #[arg(long, env = "ISKP_MAP_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
}

impl Tuning {
    /// The service's configuration, or why these flags do not make one.
    pub fn config(self) -> Result<crate::http::Config, CliError> {
        let secs = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 86_400.0 {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(CliError::new(
                    Failure::Server,
                    format!("--{name}: {v} is not a number of seconds from 0 to 86400"),
                ))
            }
        };
        let public_url = self
            .public_url
            .as_deref()
            .map(crate::http::public_url)
            .transpose()
            .map_err(|e| CliError::new(Failure::Server, format!("--public-url: {e}")))?;
        let limits = Limits {
            max_in_flight: self.max_in_flight.max(1),
            max_connections: self.max_connections,
            handshake_timeout: secs("handshake-timeout", self.handshake_timeout)?,
            idle_timeout: secs("idle-timeout", self.idle_timeout)?,
            send_timeout: secs("send-timeout", self.send_timeout)?,
            request_timeout: secs("request-timeout", self.request_timeout)?,
            work_threads: self.work_threads,
            work_queue: self.work_queue.max(1),
            log_lines_per_second: self.log_lines,
            max_spooled_downloads: self.max_spooled_downloads.max(1),
            ..Limits::default()
        };
        Ok(crate::http::Config {
            limits,
            clients: ClientLimits {
                rate: self.client_rate,
                burst: self.client_burst,
                concurrency: self.client_concurrency,
                trusted_proxies: self.trusted_proxy,
            },
            public_url,
            metrics: self.metrics,
        })
    }
}

/// What `serve` loads from.
enum Loader {
    Files(FileSource),
    Journal(JournalSource),
    Bundled(BundledSource),
    Db(DbSource),
}

fn serve(
    addr: SocketAddr,
    source: Loader,
    web: Option<PathBuf>,
    config: crate::http::Config,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Failure::Server, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let (source, follow): (Arc<dyn DataSource>, _) = match source {
            Loader::Files(f) => (Arc::new(f), None),
            Loader::Journal(j) => (Arc::new(j), None),
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
        tracing::info!(
            connections = config.limits.connection_cap(),
            client_rate = config.clients.rate,
            client_concurrency = config.clients.concurrency,
            public_url = config
                .public_url
                .as_deref()
                .unwrap_or("(from each request)"),
            metrics = config.metrics,
            "limits"
        );
        let router = crate::http::app_configured(state, &config);
        crate::http::server::serve(listener, router, &config.limits, shutdown())
            .await
            .map_err(|e| CliError::new(Failure::Server, format!("server error: {e}")))?;
        // A catalog image being written is finished (or removed, past the bound) before exit.
        tokio::task::spawn_blocking(|| {
            crate::load::cache::finish_writes(std::time::Duration::from_secs(30))
        })
        .await
        .ok();
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
