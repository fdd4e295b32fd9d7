//! Server-side clustering: the records a query selects, gathered into grid cells sized for a map
//! zoom level, so that a browser showing a million records receives a few hundred points.
//!
//! A cell at zoom `z` is `360 / 2^z / 4` degrees square: a quarter of a web-map tile, 64 screen
//! pixels at that zoom. Each cell becomes one point at the position of its record nearest to the
//! mean of its records (so a cell of two coastal towns is drawn on one of them, never in the sea
//! between), with their number, the sum of their `count`s per kind, and their bounding box (for
//! zooming in).

use crate::index::Catalog;
use crate::model::Kind;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Deepest zoom clustered; deeper views show records one by one.
pub const MAX_ZOOM: u8 = 22;

/// Records gathered in one cell.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cluster {
    /// Longitude of the record nearest to the records' mean.
    pub lon: f64,
    /// Latitude of the record nearest to the records' mean.
    pub lat: f64,
    /// How many records.
    pub records: u64,
    /// Sum of `count` per kind, in [`Kind::ALL`] order.
    pub totals: [u64; Kind::COUNT],
    /// `[minLon, minLat, maxLon, maxLat]` of the records.
    pub bbox: [f64; 4],
    /// Id of the record, when the cell holds exactly one.
    pub record: Option<String>,
}

/// Size in degrees of a cell at `zoom`.
pub fn cell_degrees(zoom: u8) -> f64 {
    360.0 / f64::from(1u32 << zoom.min(MAX_ZOOM)) / 4.0
}

#[derive(Default)]
struct Acc {
    sum: [f64; 2],
    records: u64,
    totals: [u64; Kind::COUNT],
    bbox: [f64; 4],
    first: u32,
    /// Squared distance to the mean, and position, of the nearest record so far.
    best: (f64, f64, f64),
}

/// Gathers the records `ids` (ascending indices) into cells of [`cell_degrees`]`(zoom)`. Records
/// known only to an area have no point and are left out. Cells come out ordered by their first
/// record, so the answer is the same on every call and replica.
pub fn clusters(cat: &Catalog, ids: &[u32], zoom: u8) -> Vec<Cluster> {
    let size = cell_degrees(zoom);
    let mut cells: FxHashMap<(i64, i64), Acc> = FxHashMap::default();
    let ids: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|&i| cat.area_slot(i).is_none())
        .collect();
    for &i in &ids {
        let e = cat.entry(i);
        let key = ((e.lon / size).floor() as i64, (e.lat / size).floor() as i64);
        let a = cells.entry(key).or_insert_with(|| Acc {
            bbox: [e.lon, e.lat, e.lon, e.lat],
            first: i,
            ..Acc::default()
        });
        a.sum[0] += e.lon;
        a.sum[1] += e.lat;
        a.records += 1;
        a.totals[e.kind as usize] += u64::from(e.count);
        a.bbox = [
            a.bbox[0].min(e.lon),
            a.bbox[1].min(e.lat),
            a.bbox[2].max(e.lon),
            a.bbox[3].max(e.lat),
        ];
    }
    // A second pass puts each cell on its record nearest to the mean (ties: the first record).
    for a in cells.values_mut() {
        let n = a.records as f64;
        a.sum = [a.sum[0] / n, a.sum[1] / n];
        a.best = (f64::INFINITY, 0.0, 0.0);
    }
    for &i in &ids {
        let e = cat.entry(i);
        let key = ((e.lon / size).floor() as i64, (e.lat / size).floor() as i64);
        if let Some(a) = cells.get_mut(&key) {
            let d = (e.lon - a.sum[0]).powi(2) + (e.lat - a.sum[1]).powi(2);
            if d < a.best.0 {
                a.best = (d, e.lon, e.lat);
            }
        }
    }
    let mut out: Vec<(u32, Cluster)> = cells
        .into_values()
        .map(|a| {
            (
                a.first,
                Cluster {
                    lon: a.best.1,
                    lat: a.best.2,
                    records: a.records,
                    totals: a.totals,
                    bbox: a.bbox,
                    record: (a.records == 1).then(|| cat.id(a.first).to_string()),
                },
            )
        })
        .collect();
    out.sort_unstable_by_key(|(first, _)| *first);
    out.into_iter().map(|(_, c)| c).collect()
}

/// The GeoJSON FeatureCollection of clusters, with `numberMatched` the number of records gathered
/// (those with a point).
pub fn feature_collection(clusters: &[Cluster], matched: usize, zoom: u8) -> serde_json::Value {
    let features: Vec<serde_json::Value> = clusters
        .iter()
        .map(|c| {
            let totals: serde_json::Map<String, serde_json::Value> = Kind::ALL
                .iter()
                .zip(c.totals)
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| (k.as_str().to_string(), n.into()))
                .collect();
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "records": c.records,
                    "total": c.totals.iter().sum::<u64>(),
                    "totals": totals,
                    "bbox": c.bbox,
                    "record": c.record,
                }
            })
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "zoom": zoom,
        "cellDegrees": cell_degrees(zoom),
        "features": features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    /// Every selected record is in exactly one cluster, its point inside the cluster's box, and
    /// the cells shrink as the zoom grows.
    #[test]
    fn clusters_partition_the_records() {
        let cat = Catalog::new(synth::records(20_000, 5), vec![synth::document()]).expect("fits");
        let ids: Vec<u32> = (0..cat.len() as u32).collect();
        let mut last = 0;
        for zoom in [0u8, 3, 6, 10] {
            let cs = clusters(&cat, &ids, zoom);
            assert_eq!(cs.iter().map(|c| c.records).sum::<u64>(), 20_000);
            let total: u64 = cat.entries().iter().map(|e| u64::from(e.count)).sum();
            assert_eq!(cs.iter().flat_map(|c| c.totals).sum::<u64>(), total);
            for c in &cs {
                assert!(c.bbox[0] <= c.lon && c.lon <= c.bbox[2] + 1e-6);
                assert!(c.bbox[1] <= c.lat && c.lat <= c.bbox[3] + 1e-6);
                assert!(c.bbox[2] - c.bbox[0] <= cell_degrees(zoom));
                assert_eq!(c.record.is_some(), c.records == 1);
            }
            assert!(cs.len() >= last, "zoom {zoom}: {} cells", cs.len());
            last = cs.len();
        }
        assert_eq!(clusters(&cat, &ids, 4), clusters(&cat, &ids, 4));
    }

    /// A cluster sits on one of its records, never at an average position between them (which
    /// can fall in the sea between two coasts).
    #[test]
    fn clusters_sit_on_a_record_of_their_cell() {
        let cat = Catalog::new(synth::records(5_000, 9), vec![synth::document()]).expect("fits");
        let ids: Vec<u32> = (0..cat.len() as u32).collect();
        let points: std::collections::HashSet<(u64, u64)> = cat
            .entries()
            .iter()
            .map(|e| (e.lon.to_bits(), e.lat.to_bits()))
            .collect();
        for zoom in [0u8, 2, 5, 9] {
            for c in clusters(&cat, &ids, zoom) {
                assert!(
                    points.contains(&(c.lon.to_bits(), c.lat.to_bits())),
                    "zoom {zoom}: ({}, {}) is no record's point",
                    c.lon,
                    c.lat
                );
            }
        }
    }
}
