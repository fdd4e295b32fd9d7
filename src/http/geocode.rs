//! `GET /api/geocode`: the gazetteer, for a search box (names equal to, starting with, holding or
//! close to the query) or as the data loader resolves a name.
//!
//! Both walk the gazetteer's name and trigram indexes, whose cost grows with the query, so `q` is
//! bounded ([`MAX_Q_CHARS`] characters, [`MAX_Q_WORDS`] words — the gazetteer's longest name has 65
//! and 9) and the lookup runs on the [`work`](super::work) pool, under the response timeout.

use super::context::{Fresh, GEOJSON};
use super::error::ApiError;
use super::query;
use super::AppState;
use crate::geo::gazetteer::{GeocodeError, Match, Place};
use axum::extract::State;
use axum::response::Response;
use serde_json::json;

/// Longest `q`, in characters.
pub const MAX_Q_CHARS: usize = 100;
/// Most words in `q`.
pub const MAX_Q_WORDS: usize = 12;

/// `GET /api/geocode?q=NAME[&country=AFG][&limit=10][&exact=true]`: gazetteer entries whose name
/// equals, starts with or holds `q`, then close spellings of it, as GeoJSON points with `match`
/// saying which; with `exact=true`, the single entry the data loader would resolve `q` to (or a
/// 404 that lists the closest names).
pub async fn geocode(State(st): State<AppState>, fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(&["q", "country", "limit", "exact", "f"])?;
    query::format(p.get("f"))?;
    let q = p
        .get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad("q", "is required"))?;
    if q.chars().count() > MAX_Q_CHARS {
        return Err(ApiError::bad(
            "q",
            format!("is longer than {MAX_Q_CHARS} characters; no place name is that long"),
        ));
    }
    if q.split_whitespace().count() > MAX_Q_WORDS {
        return Err(ApiError::bad(
            "q",
            format!("has more than {MAX_Q_WORDS} words; no place name has that many"),
        ));
    }
    let country = p.get("country").map(query::country).transpose()?;
    let limit = query::limit(p.get("limit").or(Some("10")))?.min(100);
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
    fresh.revalidate()?;
    let snap = fresh.snap.clone();
    let (q, country) = (q.to_string(), country.clone());
    let hits: Vec<(Place, Match)> = if exact {
        let resolved = st
            .work
            .run(move || {
                snap.gazetteer
                    .resolve(&q, country.as_deref(), None)
                    .cloned()
            })
            .await?;
        match resolved {
            Ok(pl) => vec![(pl, Match::Exact)],
            Err(e @ (GeocodeError::Unresolved { .. } | GeocodeError::Ambiguous { .. })) => {
                return Err(ApiError::NotFound(e.to_string()))
            }
            Err(GeocodeError::Empty) => {
                return Err(ApiError::bad("q", "holds no letters or digits"))
            }
        }
    } else {
        st.work
            .run(move || {
                // Places in the countries that hold records come first.
                let table = snap.catalog.country_table();
                let with_records: std::collections::HashSet<&str> =
                    table.iter().map(|(c, _)| &**c).collect();
                let holds = |p: &Place| with_records.contains(p.country.as_str());
                snap.gazetteer
                    .search(&q, country.as_deref(), limit, &holds)
                    .into_iter()
                    .map(|h| (h.place.clone(), h.matched))
                    .collect()
            })
            .await?
    };
    let snap = &fresh.snap;
    let features: Vec<_> = hits
        .iter()
        .map(|(pl, matched)| {
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
                    "source": pl.provenance.describe(),
                    "match": matched.as_str(),
                },
            })
        })
        .collect();
    let body = json!({ "type": "FeatureCollection", "numberReturned": features.len(), "features": features });
    Ok(fresh.ok(GEOJSON, body.to_string()))
}
