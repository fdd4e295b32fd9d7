//! The service's metrics in the Prometheus text format (version 0.0.4), served at `/metrics` when
//! `serve --metrics` asks for it.
//!
//! Counting is always on (a few atomic additions per request); only the endpoint is optional, since
//! it tells whoever can reach it how busy the server is. Routes are the router's patterns
//! (`/api/collections/{id}/items`), never the paths asked for, so the label sets stay few.

use super::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::LazyLock;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Reason {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram>,
    in_flight: Gauge,
    rejected: Family<Reason, Counter>,
    connections: Gauge,
    connection_closes: Family<Reason, Counter>,
    protocol_errors: Family<Reason, Counter>,
    log_lines_dropped: Counter,
    reloads: Family<Outcome, Counter>,
    snapshot_records: Gauge,
    past_states: Gauge,
    past_built: Counter,
    snapshot_age: Gauge<f64, AtomicU64>,
    answers_kept: Family<Outcome, Gauge>,
    resident_bytes: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("iskp");
    let requests = Family::<RouteStatus, Counter>::default();
    let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
    });
    let m = Metrics {
        requests,
        latency,
        in_flight: Gauge::default(),
        rejected: Family::default(),
        connections: Gauge::default(),
        connection_closes: Family::default(),
        protocol_errors: Family::default(),
        log_lines_dropped: Counter::default(),
        reloads: Family::default(),
        snapshot_records: Gauge::default(),
        past_states: Gauge::default(),
        past_built: Counter::default(),
        snapshot_age: Gauge::default(),
        answers_kept: Family::default(),
        resident_bytes: Gauge::default(),
        registry: Registry::default(),
    };
    registry.register(
        "http_requests",
        "Requests answered, by route pattern and status",
        m.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to the response head, by route pattern",
        m.latency.clone(),
    );
    registry.register(
        "http_requests_in_flight",
        "Requests whose response is not yet sent",
        m.in_flight.clone(),
    );
    registry.register(
        "http_requests_rejected",
        "Requests refused before a handler ran: rate (429), client_concurrency (429), overloaded (503), work_queue_full (503), spooled_downloads (503), timeout (408)",
        m.rejected.clone(),
    );
    registry.register(
        "connections_open",
        "Open client connections",
        m.connections.clone(),
    );
    registry.register(
        "connections_closed",
        "Connections closed by the server: timeout (silent too long), evicted (idlest at the connection cap), accept_failed",
        m.connection_closes.clone(),
    );
    registry.register(
        "http_protocol_errors",
        "Requests hyper could not parse, by the status answered",
        m.protocol_errors.clone(),
    );
    registry.register(
        "log_request_lines_dropped",
        "Request log lines not written because the log's rate was exceeded",
        m.log_lines_dropped.clone(),
    );
    registry.register(
        "reloads",
        "Reloads of the data, by outcome (installed, rejected)",
        m.reloads.clone(),
    );
    registry.register(
        "snapshot_records",
        "Records in the snapshot served",
        m.snapshot_records.clone(),
    );
    registry.register(
        "past_states",
        "Past states of the data held for as_of (each a whole snapshot)",
        m.past_states.clone(),
    );
    registry.register(
        "past_states_built",
        "Past states of the data rebuilt from the history for as_of (a state a reload replaced is kept as served, not rebuilt)",
        m.past_built.clone(),
    );
    registry.register(
        "snapshot_age_seconds",
        "Seconds since the snapshot served was loaded",
        m.snapshot_age.clone(),
    );
    registry.register(
        "snapshot_answers",
        "Answers of the snapshot served: served from the kept ones (hit), made (made), and the \
         bytes kept (bytes)",
        m.answers_kept.clone(),
    );
    registry.register(
        "process_resident_memory_bytes",
        "Resident memory of the process",
        m.resident_bytes.clone(),
    );
    Metrics { registry, ..m }
});

/// Counts one answered request and its time to the response head.
pub fn request(route: &str, status: u16, seconds: f64) {
    let m = &*METRICS;
    m.requests
        .get_or_create(&RouteStatus {
            route: route.to_string(),
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabel {
            route: route.to_string(),
        })
        .observe(seconds);
}

/// Counts a request in flight until the returned guard drops (with the response body).
pub fn in_flight() -> InFlightGauge {
    METRICS.in_flight.inc();
    InFlightGauge(())
}

/// Decrements the in-flight gauge when dropped.
#[derive(Debug)]
pub struct InFlightGauge(());

impl Drop for InFlightGauge {
    fn drop(&mut self) {
        METRICS.in_flight.dec();
    }
}

/// Counts a request refused for `reason`.
pub fn rejected(reason: &str) {
    METRICS
        .rejected
        .get_or_create(&Reason {
            reason: reason.to_string(),
        })
        .inc();
}

fn closed(reason: &str) {
    METRICS
        .connection_closes
        .get_or_create(&Reason {
            reason: reason.to_string(),
        })
        .inc();
}

/// Sets the number of open connections.
pub fn connections(n: usize) {
    METRICS
        .connections
        .set(i64::try_from(n).unwrap_or(i64::MAX));
}

/// Counts a connection closed for silence.
pub fn connection_timed_out() {
    closed("timeout");
}

/// Counts a connection closed to admit another at the cap.
pub fn connection_evicted() {
    closed("evicted");
}

/// Counts a failed `accept`.
pub fn accept_failed() {
    closed("accept_failed");
}

/// Counts a request hyper refused to parse.
pub fn protocol_error(status: &str) {
    METRICS
        .protocol_errors
        .get_or_create(&Reason {
            reason: status.to_string(),
        })
        .inc();
}

/// Counts a request log line not written.
pub fn log_line_dropped() {
    METRICS.log_lines_dropped.inc();
}

/// Resident memory of this process in bytes (Linux), or 0.
pub fn resident_bytes() -> u64 {
    let page = 4096;
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * page)
}

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn metrics(State(st): State<AppState>) -> Response {
    let m = &*METRICS;
    let snap = st.store.current();
    m.snapshot_records
        .set(i64::try_from(snap.catalog.len()).unwrap_or(i64::MAX));
    let age = (time::OffsetDateTime::now_utc() - snap.loaded_at).as_seconds_f64();
    m.snapshot_age.set(age.max(0.0));
    let (hits, made) = snap.answers.counts();
    for (outcome, n) in [
        ("hit", hits),
        ("made", made),
        ("bytes", snap.answers.bytes()),
    ] {
        m.answers_kept
            .get_or_create(&Outcome {
                outcome: outcome.into(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    for (outcome, total) in [
        ("installed", st.store.reloads()),
        ("rejected", st.store.rejected_reloads()),
    ] {
        let c = m.reloads.get_or_create(&Outcome {
            outcome: outcome.to_string(),
        });
        c.inc_by(total.saturating_sub(c.get()));
    }
    m.past_states
        .set(i64::try_from(st.store.past_states()).unwrap_or(i64::MAX));
    m.past_built.inc_by(
        st.store
            .past_states_built()
            .saturating_sub(m.past_built.get()),
    );
    m.resident_bytes
        .set(i64::try_from(resident_bytes()).unwrap_or(i64::MAX));
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut text, &m.registry) {
        return super::error::ApiError::Internal(format!("metrics: {e}")).into_response();
    }
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
