//! `GET /api/splits`: the stated time splits of totals, so a client can share a record's count
//! out over a time window the way `/api/stats` does.

use super::context::{Fresh, JSON};
use super::error::ApiError;
use super::query;
use crate::model::dates::format_julian;
use axum::response::Response;
use serde_json::json;

/// `GET /api/splits`: each time split with its periods (first and last day, count), where it is
/// stated, and the ids of the records whose counts share it. A record sharing a split has its
/// count spread over the periods in proportion to their counts (and by days within a period).
pub async fn splits(fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(&["f"])?;
    query::format(p.get("f"))?;
    fresh.revalidate()?;
    let cat = &fresh.snap.catalog;
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
    Ok(fresh.ok(JSON, json!({ "splits": splits }).to_string()))
}
