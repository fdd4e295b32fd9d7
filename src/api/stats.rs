//! Non-OGC endpoints: statistics for the choropleth and timeline, the geocoder, the source list.

use super::error::ApiError;
use super::ogc::record_filter;
use super::params::{self, Params};
use super::respond::{ok, Ctx, GEOJSON, JSON};
use super::AppState;
use crate::aggregate::{stats as compute, GroupBy, Period};
use crate::geocode::gazetteer::GeocodeError;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;

/// Parameters of `/api/stats`.
pub const STATS_PARAMS: &[&str] = super::params::record_filter_params!["by", "period", "f"];

/// `GET /api/stats?by=country|province&period=year|month&…`: totals (sum of `count`) per
/// jurisdiction and per period over the records that pass the same filters as `items`.
pub async fn stats(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let p = Params::parse(ctx.query.as_deref(), STATS_PARAMS)?;
    params::format(p.get("f"))?;
    let by = match p.get("by") {
        None | Some("country") => GroupBy::Country,
        Some("province") => GroupBy::Province,
        Some(other) => {
            return Err(ApiError::bad(
                "by",
                format!("{other:?} is not one of country, province"),
            ))
        }
    };
    let period = match p.get("period") {
        None | Some("year") => Period::Year,
        Some("month") => Period::Month,
        Some(other) => {
            return Err(ApiError::bad(
                "period",
                format!("{other:?} is not one of year, month"),
            ))
        }
    };
    let filter = record_filter(None, &p)?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let ids = snap.matching(&filter);
    let s = compute(
        &snap.catalog,
        &snap.jurisdictions,
        &ids,
        by,
        period,
        filter.days.as_ref(),
    );
    let body = json!({
        "by": if by == GroupBy::Country { "country" } else { "province" },
        "period": if period == Period::Year { "year" } else { "month" },
        "numberMatched": ids.len(),
        "all": s.all,
        "all_window": s.all_window,
        "unassigned": s.unassigned,
        "unassigned_window": s.unassigned_window,
        "groups": s.groups,
        "timeline": s.timeline,
    });
    Ok(ok(JSON, &tag, body.to_string()))
}

/// `GET /api/geocode?q=NAME[&country=AFG][&limit=10][&exact=true]`: gazetteer entries whose name
/// starts with `q`, as GeoJSON points; with `exact=true`, the single entry the data loader would
/// resolve `q` to (or a 404 that lists the closest names).
pub async fn geocode(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let p = Params::parse(
        ctx.query.as_deref(),
        &["q", "country", "limit", "exact", "f"],
    )?;
    params::format(p.get("f"))?;
    let q = p
        .get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad("q", "is required"))?;
    let country = p.get("country").map(params::country).transpose()?;
    let limit = params::limit(p.get("limit").or(Some("10")))?.min(100);
    let exact = match p.get("exact") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad(
                "exact",
                format!("{other:?} is not true or false"),
            ))
        }
    };
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let places = if exact {
        match snap.gazetteer.resolve(q, country.as_deref(), None) {
            Ok(pl) => vec![pl],
            Err(e @ (GeocodeError::Unresolved { .. } | GeocodeError::Ambiguous { .. })) => {
                return Err(ApiError::NotFound(e.to_string()))
            }
            Err(GeocodeError::Empty) => {
                return Err(ApiError::bad("q", "holds no letters or digits"))
            }
        }
    } else {
        snap.gazetteer.search(q, country.as_deref(), limit)
    };
    let features: Vec<_> = places
        .iter()
        .map(|pl| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [pl.lon, pl.lat] },
                "properties": {
                    "name": pl.name,
                    "country": pl.country,
                    "country_name": snap.jurisdictions.country(&pl.country).map(|c| c.name.as_str()),
                    "level": pl.level.as_str(),
                    "geo_precision": pl.level.precision().as_str(),
                    "population": pl.population,
                    "source": pl.origin.describe(),
                },
            })
        })
        .collect();
    let body = json!({ "type": "FeatureCollection", "numberReturned": features.len(), "features": features });
    Ok(ok(GEOJSON, &tag, body.to_string()))
}

/// `GET /api/sources`: the documents the records cite.
pub async fn sources(State(st): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let p = Params::parse(ctx.query.as_deref(), &["f"])?;
    params::format(p.get("f"))?;
    let snap = st.store.current();
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let body = json!({ "sources": snap.catalog.sources() });
    Ok(ok(JSON, &tag, body.to_string()))
}
