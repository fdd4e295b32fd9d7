//! `GET /api/collections/{id}/clusters`: the records of a query gathered into grid cells for a zoom
//! level (see [`crate::views::clusters`]), for maps that show more records than a browser can draw.
//!
//! An answer holds at most [`MAX_CELLS`] cells, as a page of `items` holds at most
//! [`MAX_LIMIT`](super::query::MAX_LIMIT) features: a deep zoom over a wide box would otherwise be
//! one cell per record, a gigabyte of JSON at a few hundred thousand records. A map asks for the
//! cells of its view, a few hundred; a query past the bound gets a 400 that says to zoom out or
//! narrow `bbox`. The work runs on the [`work`](super::work) pool, and the answer is kept with the
//! snapshot for the next request that asks the same.

use super::context::{ApiPath, Fresh, GEOJSON};
use super::error::ApiError;
use super::query::{self, record_filter};
use super::AppState;
use crate::store::collections::Collection;
use crate::views::clusters as cluster;
use axum::extract::State;
use axum::response::Response;

/// Query parameters of the clusters endpoint: the record filters and `zoom`.
pub const PARAMS: &[&str] = super::query::record_filter_params!["zoom", "f", "as_of"];

/// Most cells in one answer.
pub const MAX_CELLS: usize = 10_000;

/// `GET /api/collections/{id}/clusters?zoom=Z&bbox=…&datetime=…`.
pub async fn clusters(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
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
    if let Some(r) = fresh.kept() {
        return Ok(r);
    }
    st.work
        .run(move || {
            fresh.remember(GEOJSON, || {
                let snap = &fresh.snap;
                let cs = snap.clusters(&f, zoom);
                if cs.len() > MAX_CELLS {
                    return Err(ApiError::bad(
                        "zoom",
                        format!(
                        "this query gives {} cells at zoom {zoom}, more than the {MAX_CELLS} an \
                         answer holds; zoom out or narrow bbox",
                        cs.len()
                    ),
                    ));
                }
                // Records known only to an area are not in any cell: count the ones that are.
                let gathered = cs.iter().map(|c| c.records as usize).sum();
                Ok(cluster::feature_collection(&cs, gathered, zoom).to_string())
            })
        })
        .await?
}
