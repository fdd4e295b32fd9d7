//! Deterministic synthetic records for benchmarks and scale tests.
//!
//! About 80% of the points fall in city-sized clusters (Gaussian, σ ≈ 5 km) around a fixed set of
//! centres, 20% spread uniformly over the inhabited latitudes; kinds, claims and precisions cycle
//! through every value; dates spread over ten years (2015-2024). The same `(n, seed)` always gives the
//! same records.

pub mod rng;

pub use rng::Rng;

use crate::model::round6;
use crate::model::{
    Citation, Claim, CountBasis, DatePrecision, Document, GeoPrecision, Kind, Record,
};
use time::Date;

/// Number of cluster centres.
pub const CLUSTERS: usize = 500;

/// The cluster centres for a seed (lon, lat).
pub fn centres(seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed ^ 0xc1u64);
    (0..CLUSTERS)
        .map(|_| (rng.range(-170.0, 170.0), rng.range(-50.0, 65.0)))
        .collect()
}

/// One synthetic source for every synthetic record to cite.
pub fn document() -> Document {
    Document {
        id: "SYN".into(),
        title: "Synthetic benchmark data".into(),
        author: "iskp-map generator".into(),
        publisher: None,
        published: None,
        url: None,
    }
}

/// `n` synthetic records, sorted by date then id, citing source index 0.
pub fn records(n: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng::new(seed);
    let centres = centres(seed);
    let day0 = Date::from_calendar_date(2015, time::Month::January, 1)
        .map_or(2_457_024, |d| d.to_julian_day());
    let mut out: Vec<Record> = (0..n)
        .map(|i| {
            let (lon, lat) = if rng.unit() < 0.8 {
                let (cx, cy) = centres[(rng.next_u64() % CLUSTERS as u64) as usize];
                let k = 0.045; // ≈ 5 km in degrees of latitude
                (
                    (cx + rng.normal() * k / cy.to_radians().cos().max(0.2)).clamp(-180.0, 180.0),
                    (cy + rng.normal() * k).clamp(-90.0, 90.0),
                )
            } else {
                (rng.range(-180.0, 180.0), rng.range(-55.0, 70.0))
            };
            let date =
                Date::from_julian_day(day0 + (rng.next_u64() % 3652) as i32).unwrap_or(Date::MIN);
            let kind = Kind::ALL[i % Kind::ALL.len()];
            Record {
                id: format!("syn-{i:08}"),
                kind,
                title: format!("Synthetic {kind} {i}"),
                summary: "Synthetic record for benchmarks; not an event.".into(),
                date,
                date_end: None,
                date_precision: DatePrecision::Day,
                start_precision: None,
                end_precision: None,
                split: None,
                place: "Synthetic".into(),
                admin1: None,
                admin1_id: None,
                country: Some("XXX".into()),
                country_name: Some("Synthetic".into()),
                geo_precision: GeoPrecision::ALL[i % 3],
                point: Some([round6(lon), round6(lat)]),
                area: None,
                count: 1,
                count_basis: CountBasis::Exact,
                fatalities: None,
                injured: None,
                claim: Claim::ALL[i % Claim::ALL.len()],
                link: None,
                denied_by: Vec::new(),
                target: None,
                launch_site: None,
                citations: vec![Citation {
                    document: 0,
                    section: "synthetic".into(),
                }],
            }
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_records() {
        let a = records(1000, 7);
        assert_eq!(a, records(1000, 7));
        assert_ne!(a, records(1000, 8));
        assert!(a.iter().all(|r| r
            .point
            .is_some_and(|[x, y]| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))));
        assert!(a
            .windows(2)
            .all(|w| (w[0].date, &w[0].id) <= (w[1].date, &w[1].id)));
    }
}
