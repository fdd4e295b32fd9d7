//! The HTTP server loop and its limits.
//!
//! `axum::serve` has no header-read timeout, so a client that sends its headers a byte at a time
//! (slowloris) would hold a connection for ever. This loop serves the router with hyper directly:
//! headers must arrive within [`Limits::header_read_timeout`] and fit in
//! [`Limits::max_header_bytes`] (else 431), and shutdown lets requests in flight finish for up to
//! [`Limits::shutdown_grace`]. The per-request limits (URI length, time, in-flight requests) are tower
//! layers added by [`crate::http::app_with`].

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Every limit of the service, with the defaults that `serve` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request target (path and query), in bytes; longer gets 414.
    pub max_uri_bytes: usize,
    /// Largest request head; larger gets 431.
    pub max_header_bytes: usize,
    /// Time allowed to send the request headers (slow clients are cut off).
    pub header_read_timeout: Duration,
    /// Time allowed to produce a response head; longer gets 408. Streamed bodies are not cut.
    pub request_timeout: Duration,
    /// Requests served at once; more are refused at once with 503, never queued.
    pub max_in_flight: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
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
        }
    }
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
        .max_buf_size(limits.max_header_bytes.max(8192));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, do not spin.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    // Errors here are client-side (reset, timeout, malformed request): nothing to do.
                    let _ = conn.await;
                });
            }
            () = &mut shutdown => break,
        }
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
