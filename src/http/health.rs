//! `GET /healthz` (liveness) and `GET /readyz` (readiness), for load balancers and orchestrators in
//! front of one or several replicas.
//!
//! A server listens only once its first snapshot has loaded, so a server that answers is ready; it
//! is *degraded* when its last reload failed and it is still serving the older snapshot, or when
//! its source is in trouble (team mode: the database unreachable, or the fallback files served).
//! A degraded server still answers 200: what it serves is a whole, validated snapshot, and taking
//! every replica out of a load balancer because the database is down would serve nothing at all.
//! Both answers are JSON, never cached, and take no parameters.

use super::context::Ctx;
use super::error::ApiError;
use super::AppState;
use crate::model::dates::rfc3339;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

fn json(v: serde_json::Value) -> Response {
    let mut r = v.to_string().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /healthz`: the process is up and answering.
pub async fn healthz(ctx: Ctx) -> Result<Response, ApiError> {
    ctx.params(&[])?;
    Ok(json(serde_json::json!({ "status": "alive" })))
}

/// `GET /readyz`: the data served (version, records, where from, when loaded and how long ago) and
/// whether the last reload failed.
pub async fn readyz(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    ctx.params(&[])?;
    let snap = st.store.current();
    let age = (OffsetDateTime::now_utc() - snap.loaded_at)
        .whole_seconds()
        .max(0);
    let failed = st.store.last_error();
    let trouble = st.store.source_status();
    let degraded = failed.is_some() || trouble.is_some();
    Ok(json(serde_json::json!({
        "status": if degraded { "degraded" } else { "ready" },
        "version": snap.version,
        "records": snap.catalog.len(),
        "source": st.store.describe(),
        "changed_at": rfc3339(snap.changed_at),
        "loaded_at": rfc3339(snap.loaded_at),
        "age_seconds": age,
        "reloads": st.store.reloads(),
        "built_by": if snap.from_edit { "edit" } else { "load" },
        "last_reload_error": failed.map(|(at, e)| serde_json::json!({ "at": rfc3339(at), "error": e })),
        "source_error": trouble.map(|(since, e)| serde_json::json!({ "since": rfc3339(since), "error": e })),
    })))
}
