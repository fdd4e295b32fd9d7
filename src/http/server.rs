//! The HTTP server loop and its connection limits.
//!
//! `axum::serve` has no header-read timeout, and hyper-util's version sniffing (HTTP/1.1 or h2c)
//! waits for the first bytes with no timer at all, so this loop serves the router with hyper
//! directly and watches every connection itself (see [`super::conn`]):
//!
//! - at most [`Limits::max_connections`] connections at once, kept below the process's file limit;
//!   at the cap, the connection idle longest (no request in flight) is closed to admit the new
//!   one, and if every connection is busy, accepting waits;
//! - a connection must send its first byte within [`Limits::handshake_timeout`], and one with no
//!   request in flight is closed after [`Limits::idle_timeout`] without a byte in either direction
//!   (an h2c preface and nothing more, an unfinished HEADERS block, a keep-alive left open);
//! - a response that cannot write a byte for [`Limits::send_timeout`] (a client that stopped
//!   reading) is cut;
//! - HTTP/1.1 headers must arrive within [`Limits::header_read_timeout`] and fit in
//!   [`Limits::max_header_bytes`] (else 431); h2 connections are pinged every
//!   [`Limits::h2_keep_alive`] and closed when a ping goes unanswered as long;
//! - `accept` errors (out of file descriptors) pause accepting with a back-off and are logged at
//!   most once a minute, with their count;
//! - shutdown lets requests in flight finish for up to [`Limits::shutdown_grace`].
//!
//! The per-request limits (URI length, time, in-flight requests, per-client limits) are tower
//! layers added by [`crate::http::app_with`].

use super::conn::{self, Registry};
use super::middleware::Peer;
use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Every limit of the service, with the defaults that `serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request target (path and query), in bytes; longer gets 414.
    pub max_uri_bytes: usize,
    /// Largest request head; larger gets 431.
    pub max_header_bytes: usize,
    /// Time allowed to send the request headers (slow clients are cut off).
    pub header_read_timeout: Duration,
    /// Time allowed to produce a response head, CPU-bound work included; longer gets 408.
    /// Streamed bodies are not cut (see [`Limits::send_timeout`]).
    pub request_timeout: Duration,
    /// Requests served at once, counted until their body is sent; more are refused at once with
    /// 503, never queued.
    pub max_in_flight: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Connections open at once; `0` picks [`default_max_connections`] from the file limit.
    pub max_connections: usize,
    /// Time a new connection has to send its first byte.
    pub handshake_timeout: Duration,
    /// Time a connection with no request in flight may stay silent in both directions.
    pub idle_timeout: Duration,
    /// Time a response may go without writing a byte (its client stopped reading).
    pub send_timeout: Duration,
    /// Interval of h2 keep-alive pings, and how long one may go unanswered.
    pub h2_keep_alive: Duration,
    /// Concurrent streams of one h2 connection.
    pub h2_max_streams: u32,
    /// Threads of the pool that runs work whose cost grows with the data or the input (filters,
    /// clusters, statistics, downloads, geocoding); `0` means one per core.
    pub work_threads: usize,
    /// Jobs waiting for that pool; beyond them a request gets 503 at once.
    pub work_queue: usize,
    /// Request log lines written a second at most; the rest are counted in the metrics.
    pub log_lines_per_second: u32,
    /// FlatGeobuf downloads in flight at once, each holding a temporary file until its client has
    /// read it; more get 503 at once.
    pub max_spooled_downloads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 32 * 1024,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_in_flight: 2048,
            shutdown_grace: Duration::from_secs(30),
            max_connections: 0,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(60),
            h2_keep_alive: Duration::from_secs(20),
            h2_max_streams: 100,
            work_threads: 0,
            work_queue: 64,
            log_lines_per_second: 20,
            max_spooled_downloads: 16,
        }
    }
}

impl Limits {
    /// The connection cap in force: [`Limits::max_connections`], or the default from the file
    /// limit.
    pub fn connection_cap(&self) -> usize {
        if self.max_connections > 0 {
            self.max_connections
        } else {
            default_max_connections()
        }
    }
}

/// The default connection cap: three quarters of the soft file-descriptor limit, leaving the rest
/// (at least 32) for data files, downloads' temporary files, logs and the database; at most 10 000.
pub fn default_max_connections() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    let files = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
        usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    };
    let reserve = (files / 4).max(32);
    files.saturating_sub(reserve).clamp(16, 10_000)
}

/// Serves `app` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .half_close(true)
        .writev(false)
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.h2_keep_alive)
        .keep_alive_timeout(limits.h2_keep_alive)
        .max_concurrent_streams(limits.h2_max_streams)
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_pending_accept_reset_streams(50)
        .max_local_error_reset_streams(256);
    let registry = Registry::new(limits.connection_cap());
    let timeouts = conn::Timeouts {
        handshake: limits.handshake_timeout,
        idle: limits.idle_timeout,
        send: limits.send_timeout,
    };
    let graceful = GracefulShutdown::new();
    let mut accept_errors = AcceptErrors::default();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = registry.admit() => slot,
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin, do not flood the log.
                let pause = accept_errors.failed(&e);
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        accept_errors.succeeded();
        let _ = stream.set_nodelay(true);
        let activity = slot.activity();
        activity.accepted();
        let io = TokioIo::new(conn::Watched::new(stream, activity.clone()));
        let app = app.clone();
        let counted = activity.clone();
        let service = tower::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(Peer(peer.ip()));
            let guard = counted.request_started();
            let app = app.clone();
            async move {
                let resp = app.oneshot(req.map(Body::new)).await?;
                Ok::<_, Infallible>(super::middleware::hold(resp, guard))
            }
        });
        let conn = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service))
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Errors here are client-side (reset, timeout, malformed request): nothing to do.
            tokio::select! {
                _ = conn => {}
                () = conn::watchdog(&activity, timeouts) => {}
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown grace period over; closing remaining connections");
    }
    Ok(())
}

/// Failed `accept`s: a growing pause (up to a second) and one log line a minute with their count.
#[derive(Default)]
struct AcceptErrors {
    streak: u32,
    unlogged: u64,
    last_log: Option<Instant>,
}

impl AcceptErrors {
    fn failed(&mut self, e: &std::io::Error) -> Duration {
        self.streak = self.streak.saturating_add(1);
        self.unlogged += 1;
        super::metrics::accept_failed();
        if self
            .last_log
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(60))
        {
            tracing::warn!(
                failures = self.unlogged,
                "accept failed: {e} (lower --max-connections or raise the file limit)"
            );
            self.unlogged = 0;
            self.last_log = Some(Instant::now());
        }
        Duration::from_millis(10u64 << self.streak.min(7)).min(Duration::from_secs(1))
    }

    fn succeeded(&mut self) {
        self.streak = 0;
    }
}
