//! `GET /api/sources`: the documents the records cite.

use super::context::{Fresh, JSON};
use super::error::ApiError;
use super::query;
use axum::response::Response;
use serde_json::json;

/// `GET /api/sources`: the documents the records cite.
pub async fn sources(fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(&["f"])?;
    query::format(p.get("f"))?;
    fresh.revalidate()?;
    let body = json!({ "sources": fresh.snap.catalog.documents() });
    Ok(fresh.ok(JSON, body.to_string()))
}
