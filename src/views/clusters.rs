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
    let mut cells = gather(cat, ids, cell_degrees(zoom));
    cells.sort_unstable_by_key(|(_, first, _)| *first);
    cells.into_iter().map(|(_, _, c)| c).collect()
}

/// A cell's position in the grid of cells `size` degrees square.
type Key = (i64, i64);

fn key(lon: f64, lat: f64, size: f64) -> Key {
    ((lon / size).floor() as i64, (lat / size).floor() as i64)
}

/// The cells of the records `ids` (ascending) that have a point: key, first record, cluster.
fn gather(cat: &Catalog, ids: &[u32], size: f64) -> Vec<(Key, u32, Cluster)> {
    let mut cells: FxHashMap<Key, Acc> = FxHashMap::default();
    let ids: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|&i| cat.area_slot(i).is_none())
        .collect();
    for &i in &ids {
        let e = cat.entry(i);
        let a = cells.entry(key(e.lon, e.lat, size)).or_insert_with(|| Acc {
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
        if let Some(a) = cells.get_mut(&key(e.lon, e.lat, size)) {
            let d = (e.lon - a.sum[0]).powi(2) + (e.lat - a.sum[1]).powi(2);
            if d < a.best.0 {
                a.best = (d, e.lon, e.lat);
            }
        }
    }
    cells
        .into_iter()
        .map(|(k, a)| {
            (
                k,
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
        .collect()
}

/// Deepest zoom whose cells a [`Pyramid`] keeps; deeper views are small enough to gather. At a
/// million records all kinds' cells to zoom 7 took 41 MB, zooms 8 and 9 another 45 MB.
pub const PYRAMID_MAX_ZOOM: u8 = 7;

/// The cells of every record of a kind (or of all kinds) at one zoom, by key.
#[derive(Debug)]
struct Grid {
    size: f64,
    cells: FxHashMap<Key, (u32, Cluster)>,
}

/// Clusters of whole kinds, per zoom, made on first need and kept with the snapshot. The
/// clusters of a box are then the kept cells that lie in it whole, plus the cells its edges cut,
/// gathered again from the records of the box that fall in them: the same answer as
/// [`clusters`] of the records in the box, with only the cells on the box's edges to gather
/// (a world view at a million records was a pass over every one of them).
#[derive(Debug)]
pub struct Pyramid {
    /// By kind slot (all kinds, then [`Kind::ALL`]), then zoom.
    grids: Vec<Vec<std::sync::OnceLock<Grid>>>,
}

impl Default for Pyramid {
    fn default() -> Self {
        Pyramid {
            grids: (0..=Kind::COUNT)
                .map(|_| {
                    (0..=PYRAMID_MAX_ZOOM)
                        .map(|_| std::sync::OnceLock::new())
                        .collect()
                })
                .collect(),
        }
    }
}

impl Pyramid {
    /// The clusters of every record of `kind` (all kinds: `None`) in `bbox` (everywhere: `None`)
    /// at `zoom`, as [`clusters`] would gather them; `None` when `zoom` is deeper than the pyramid
    /// keeps. `all` are the records of `kind`, ascending (to build a zoom's cells the first time).
    pub fn clusters(
        &self,
        cat: &Catalog,
        all: &[u32],
        kind: Option<Kind>,
        bbox: Option<&crate::index::Bbox>,
        zoom: u8,
    ) -> Option<Vec<Cluster>> {
        let slot = kind.map_or(0, |k| k as usize + 1);
        let grid = self
            .grids
            .get(slot)?
            .get(usize::from(zoom))?
            .get_or_init(|| {
                let size = cell_degrees(zoom);
                let cells = gather(cat, all, size)
                    .into_iter()
                    .map(|(k, first, c)| (k, (first, c)))
                    .collect();
                Grid { size, cells }
            });
        let mut out: Vec<(u32, Cluster)> = Vec::new();
        let Some(bbox) = bbox else {
            out.extend(grid.cells.values().cloned());
            out.sort_unstable_by_key(|(first, _)| *first);
            return Some(out.into_iter().map(|(_, c)| c).collect());
        };
        for env in bbox.envelopes() {
            let (lo, hi) = (env.lower(), env.upper());
            let (k0, k1) = (key(lo[0], lo[1], grid.size), key(hi[0], hi[1], grid.size));
            let span = (k1.0 - k0.0 + 1).saturating_mul(k1.1 - k0.1 + 1);
            let mut add = |k: &Key, first: u32, c: &Cluster| {
                let inside = |x: f64, y: f64| x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1];
                if inside(c.bbox[0], c.bbox[1]) && inside(c.bbox[2], c.bbox[3]) {
                    out.push((first, c.clone()));
                } else if c.bbox[0] <= hi[0]
                    && c.bbox[2] >= lo[0]
                    && c.bbox[1] <= hi[1]
                    && c.bbox[3] >= lo[1]
                {
                    // A cell the box's edge cuts: gather the records of the cell in the box.
                    let cut = rstar::AABB::from_corners(
                        [c.bbox[0].max(lo[0]), c.bbox[1].max(lo[1])],
                        [c.bbox[2].min(hi[0]), c.bbox[3].min(hi[1])],
                    );
                    let mut ids: Vec<u32> = cat
                        .points_in(&cut)
                        .filter(|&i| {
                            let e = cat.entry(i);
                            kind.is_none_or(|k| e.kind == k) && key(e.lon, e.lat, grid.size) == *k
                        })
                        .collect();
                    ids.sort_unstable();
                    out.extend(
                        gather(cat, &ids, grid.size)
                            .into_iter()
                            .map(|(_, first, c)| (first, c)),
                    );
                }
            };
            if span > 0 && (span as u64) < grid.cells.len() as u64 {
                for x in k0.0..=k1.0 {
                    for y in k0.1..=k1.1 {
                        if let Some((first, c)) = grid.cells.get(&(x, y)) {
                            add(&(x, y), *first, c);
                        }
                    }
                }
            } else {
                for (k, (first, c)) in &grid.cells {
                    if k.0 >= k0.0 && k.0 <= k1.0 && k.1 >= k0.1 && k.1 <= k1.1 {
                        add(k, *first, c);
                    }
                }
            }
        }
        out.sort_unstable_by_key(|(first, _)| *first);
        Some(out.into_iter().map(|(_, c)| c).collect())
    }
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

    /// The pyramid gives what gathering the records in the box gives, cell for cell and in the
    /// same order: boxes anywhere, of any size, across the antimeridian, around everything.
    #[test]
    fn the_pyramid_answers_as_gathering_does() {
        use crate::index::{Bbox, Filter};
        let cat = Catalog::new(synth::records(30_000, 11), vec![synth::document()]).expect("fits");
        let pyramid = Pyramid::default();
        let mut seed: u64 = 7;
        let mut next = |lo: f64, hi: f64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            lo + (hi - lo) * ((seed >> 11) as f64 / (1u64 << 53) as f64)
        };
        let mut boxes: Vec<Option<Bbox>> = vec![
            None,
            Some(Bbox {
                minx: -180.0,
                miny: -90.0,
                maxx: 180.0,
                maxy: 90.0,
            }),
            Some(Bbox {
                minx: 170.0,
                miny: -50.0,
                maxx: -170.0,
                maxy: 50.0,
            }),
            Some(Bbox {
                minx: 60.0,
                miny: 29.0,
                maxx: 75.0,
                maxy: 39.0,
            }),
        ];
        for _ in 0..40 {
            let (x, y) = (next(-180.0, 180.0), next(-90.0, 90.0));
            let (w, h) = (next(0.01, 200.0), next(0.01, 90.0));
            boxes.push(Some(Bbox {
                minx: x,
                miny: y,
                maxx: if x + w > 180.0 { x + w - 360.0 } else { x + w },
                maxy: (y + h).min(90.0),
            }));
        }
        for (n, bbox) in boxes.iter().enumerate() {
            let kind = [None, Some(Kind::Attack), Some(Kind::Plot)][n % 3];
            let zoom = (n % (usize::from(PYRAMID_MAX_ZOOM) + 1)) as u8;
            let all: Vec<u32> = (0..cat.len() as u32)
                .filter(|&i| kind.is_none_or(|k| cat.entry(i).kind == k))
                .collect();
            let f = Filter {
                bbox: *bbox,
                kind,
                ..Filter::default()
            };
            let direct = clusters(&cat, &cat.matching(&f), zoom);
            let kept = pyramid
                .clusters(&cat, &all, kind, bbox.as_ref(), zoom)
                .expect("kept zoom");
            assert_eq!(kept, direct, "box {bbox:?}, kind {kind:?}, zoom {zoom}");
        }
        assert!(pyramid
            .clusters(&cat, &[], None, None, PYRAMID_MAX_ZOOM + 1)
            .is_none());
    }
}
