//! `GET /api/splits`: the stated time splits of totals, so a client can share a record's count
//! out over a time window the way `/api/stats` does.

use super::context::{Fresh, JSON};
use super::error::ApiError;
use super::query;
use super::AppState;
use crate::model::dates::format_julian;
use crate::store::Snapshot;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;

/// `GET /api/splits`: each time split with its periods (first and last day, count), where it is
/// stated, and the ids of the records whose counts share it. A record sharing a split has its
/// count spread over the periods in proportion to their counts (and by days within a period).
/// Finding the members is a pass over every record (8 ms at a million, on an async thread before):
/// it is made on the work pool and kept with the snapshot, as the statistics are.
pub async fn splits(State(st): State<AppState>, fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(&["f"])?;
    query::format(p.get("f"))?;
    fresh.revalidate()?;
    if let Some(r) = fresh.kept() {
        return Ok(r);
    }
    st.work
        .run(move || fresh.remember(JSON, || Ok(body(&fresh.snap))))
        .await?
}

/// The answer's text.
fn body(snap: &Snapshot) -> String {
    let cat = &snap.catalog;
    let mut members: Vec<Vec<&str>> = vec![Vec::new(); cat.splits().len()];
    for i in 0..cat.len() as u32 {
        if let Some(k) = cat.split_slot(i) {
            members[k].push(cat.id(i));
        }
    }
    let splits: Vec<_> = cat
        .splits()
        .iter()
        .zip(members)
        .map(|(s, records)| {
            json!({
                "id": s.id,
                "total": s.total(),
                "periods": s.periods.iter().map(|&(a, b, n)| json!({
                    "from": format_julian(a), "to": format_julian(b), "count": n,
                })).collect::<Vec<_>>(),
                "cited": s.cited.iter().map(|(d, section)| json!({
                    "document": d, "section": section,
                })).collect::<Vec<_>>(),
                "records": records,
            })
        })
        .collect();
    json!({ "splits": splits }).to_string()
}
