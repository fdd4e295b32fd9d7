//! `GET /api/stats`: totals per jurisdiction and per period, for the choropleth and the timeline.

use super::context::{Fresh, JSON};
use super::error::ApiError;
use super::query::{self, record_filter};
use super::AppState;
use crate::views::totals::{
    stats as compute, GroupBy, GroupStat, InWindow, Period, PeriodStat, Totals,
};
use crate::views::windowed;
use axum::extract::State;
use axum::response::Response;

/// Parameters of `/api/stats`.
pub const STATS_PARAMS: &[&str] = super::query::record_filter_params!["by", "period", "f", "as_of"];

/// `GET /api/stats?by=country|province|kind&period=year|month&…`: totals (sum of `count`) per
/// jurisdiction (or per kind) and per period over the records that pass the same filters as `items`.
///
/// The totals run on the [`work`](super::work) pool, their cost growing with the records selected
/// (but for a `datetime` window over the whole map, whose single-day records are summed from the
/// day index, [`windowed::stats`]), and are kept with the snapshot for the next request that asks
/// the same.
pub async fn stats(State(st): State<AppState>, fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(STATS_PARAMS)?;
    query::format(p.get("f"))?;
    let by = match p.get("by") {
        None | Some("country") => GroupBy::Country,
        Some("province") => GroupBy::Province,
        Some("kind") => GroupBy::Kind,
        Some(other) => {
            return Err(ApiError::bad(
                "by",
                format!("{other:?} is not one of country, province, kind"),
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
    fresh.revalidate()?;
    if let Some(r) = fresh.kept() {
        return Ok(r);
    }
    st.work
        .run(move || fresh.remember(JSON, || body(&fresh.snap, &filter, by, period)))
        .await?
}

/// The statistics of the records `filter` selects, as JSON text.
fn body(
    snap: &crate::store::Snapshot,
    filter: &crate::index::Filter,
    by: GroupBy,
    period: Period,
) -> Result<String, ApiError> {
    // A window over the whole map: from the day index, without a pass over what it holds.
    let (s, matched) = match snap.catalog.window(filter) {
        Some(w) => windowed::stats(&snap.catalog, &snap.jurisdictions, &w, by, period),
        None => {
            let ids = snap.matching(filter);
            let s = compute(
                &snap.catalog,
                &snap.jurisdictions,
                &ids,
                by,
                period,
                filter.days.as_ref(),
            );
            (s, ids.len())
        }
    };
    // Written straight from the structs: no `Value` tree built first.
    #[derive(serde::Serialize)]
    struct Body<'a> {
        by: &'static str,
        period: &'static str,
        #[serde(rename = "numberMatched")]
        number_matched: usize,
        all: &'a Totals,
        all_window: &'a InWindow,
        unassigned: &'a Totals,
        unassigned_window: &'a InWindow,
        groups: &'a [GroupStat],
        timeline: &'a [PeriodStat],
    }
    let body = Body {
        by: match by {
            GroupBy::Country => "country",
            GroupBy::Province => "province",
            GroupBy::Kind => "kind",
        },
        period: if period == Period::Year {
            "year"
        } else {
            "month"
        },
        number_matched: matched,
        all: &s.all,
        all_window: &s.all_window,
        unassigned: &s.unassigned,
        unassigned_window: &s.unassigned_window,
        groups: &s.groups,
        timeline: &s.timeline,
    };
    serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))
}
