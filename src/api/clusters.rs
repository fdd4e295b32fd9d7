//! `GET /api/collections/{id}/clusters`: the records of a query gathered into grid cells for a zoom
//! level (see [`crate::cluster`]), for maps that show more records than a browser can draw.

use super::collections::Collection;
use super::error::ApiError;
use super::ogc::record_filter;
use super::params::{self, Params};
use super::respond::{ok, Ctx, GEOJSON};
use super::AppState;
use crate::cluster;
use axum::extract::{Path, State};
use axum::response::Response;

/// Query parameters of the clusters endpoint: the record filters and `zoom`.
pub const PARAMS: &[&str] = super::params::record_filter_params!["zoom", "f"];

/// `GET /api/collections/{id}/clusters?zoom=Z&bbox=…&datetime=…`.
pub async fn clusters(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let Collection::Records(kind) = c else {
        return Err(ApiError::NotFound(format!(
            "collection {} has no clusters: clusters gather records (incidents, attacks, …)",
            c.id()
        )));
    };
    let p = Params::parse(ctx.query.as_deref(), PARAMS)?;
    params::format(p.get("f"))?;
    let zoom = params::zoom(p.get("zoom"))?;
    let f = record_filter(kind, &p)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    // A world view over a million records takes tens of milliseconds: off the async workers, so
    // that other requests are not held up behind it.
    let body = tokio::task::spawn_blocking(move || {
        let ids = snap.matching(&f);
        let cs = cluster::clusters(&snap.catalog, &ids, zoom);
        cluster::feature_collection(&cs, ids.len(), zoom).to_string()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("clusters: {e}")))?;
    Ok(ok(GEOJSON, &tag, body))
}
