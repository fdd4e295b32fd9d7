//! `GET /api/collections/{id}/clusters`: the records of a query gathered into grid cells for a zoom
//! level (see [`crate::views::clusters`]), for maps that show more records than a browser can draw.

use super::context::{Fresh, GEOJSON};
use super::error::ApiError;
use super::query::{self, record_filter};
use crate::store::collections::Collection;
use crate::views::clusters as cluster;
use axum::extract::Path;
use axum::response::Response;

/// Query parameters of the clusters endpoint: the record filters and `zoom`.
pub const PARAMS: &[&str] = super::query::record_filter_params!["zoom", "f"];

/// `GET /api/collections/{id}/clusters?zoom=Z&bbox=…&datetime=…`.
pub async fn clusters(Path(id): Path<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    let Collection::Records(kind) = c else {
        return Err(ApiError::NotFound(format!(
            "collection {} has no clusters: clusters gather records (incidents, attacks, …)",
            c.id()
        )));
    };
    let p = fresh.ctx.params(PARAMS)?;
    query::format(p.get("f"))?;
    let zoom = query::zoom(p.get("zoom"))?;
    let f = record_filter(kind, &p)?;
    fresh.revalidate()?;
    let snap = fresh.snap.clone();
    // A world view over a million records takes tens of milliseconds: off the async workers, so
    // that other requests are not held up behind it.
    let body = tokio::task::spawn_blocking(move || {
        let ids = snap.matching(&f);
        let cs = cluster::clusters(&snap.catalog, &ids, zoom);
        // Records known only to an area are not in any cell: count the ones that are.
        let gathered = cs.iter().map(|c| c.records as usize).sum();
        cluster::feature_collection(&cs, gathered, zoom).to_string()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("clusters: {e}")))?;
    Ok(fresh.ok(GEOJSON, body))
}
