//! The catalog: records, their R-tree, pre-serialised GeoJSON features, and filtered queries.
//!
//! Records are kept sorted by date then id; a record's position in that order is its index (`u32`),
//! and every query answers indices in ascending order, so paging with `offset` is stable. The R-tree
//! is bulk-loaded once (`rstar` STR packing) over points rounded to the 6 decimals the API serves.

use crate::dates::DayRange;
use crate::feature::record_feature;
use crate::model::{Claim, GeoPrecision, Kind, Record, Source};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use std::collections::HashMap;

/// A point in the record R-tree, carrying the record index.
pub type IndexedPoint = GeomWithData<[f64; 2], u32>;

/// A lon/lat box. `minx > maxx` means the box crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    /// West edge.
    pub minx: f64,
    /// South edge.
    pub miny: f64,
    /// East edge.
    pub maxx: f64,
    /// North edge.
    pub maxy: f64,
}

impl Bbox {
    /// The one or two plain boxes that make up this box (two when it crosses the antimeridian).
    pub fn envelopes(&self) -> Vec<AABB<[f64; 2]>> {
        if self.minx <= self.maxx {
            vec![AABB::from_corners(
                [self.minx, self.miny],
                [self.maxx, self.maxy],
            )]
        } else {
            vec![
                AABB::from_corners([self.minx, self.miny], [180.0, self.maxy]),
                AABB::from_corners([-180.0, self.miny], [self.maxx, self.maxy]),
            ]
        }
    }

    /// Whether the point lies in the box (edges included).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let in_x = if self.minx <= self.maxx {
            lon >= self.minx && lon <= self.maxx
        } else {
            lon >= self.minx || lon <= self.maxx
        };
        in_x && lat >= self.miny && lat <= self.maxy
    }
}

/// What a query selects. Every field narrows the result; `None` means no restriction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Spatial box.
    pub bbox: Option<Bbox>,
    /// Days the record's interval must intersect.
    pub days: Option<DayRange>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Country, ISO alpha-3.
    pub country: Option<String>,
    /// Province id.
    pub admin1_id: Option<String>,
    /// Claim status.
    pub claim: Option<Claim>,
    /// Geographic precision.
    pub geo_precision: Option<GeoPrecision>,
}

/// The records of one snapshot, indexed.
pub struct Catalog {
    records: Vec<Record>,
    sources: Vec<Source>,
    features: Vec<Box<str>>,
    spans: Vec<(i32, i32)>,
    tree: RTree<IndexedPoint>,
    by_id: HashMap<String, u32>,
    extents: Vec<Option<Extent>>,
}

/// Spatial and temporal extent of a set of records: `[minLon, minLat, maxLon, maxLat]` and the first
/// and last Julian day.
pub type Extent = ([f64; 4], (i32, i32));

fn widen(e: &mut Option<Extent>, lon: f64, lat: f64, span: (i32, i32)) {
    match e {
        None => *e = Some(([lon, lat, lon, lat], span)),
        Some((b, t)) => {
            *b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
            *t = (t.0.min(span.0), t.1.max(span.1));
        }
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Catalog({} records)", self.records.len())
    }
}

impl Catalog {
    /// Indexes records (already sorted by date and id) and serialises each feature once.
    pub fn new(records: Vec<Record>, sources: Vec<Source>) -> Self {
        let features = records
            .iter()
            .map(|r| record_feature(r, &sources).into_boxed_str())
            .collect();
        let spans: Vec<(i32, i32)> = records
            .iter()
            .map(|r| (r.date.to_julian_day(), r.last_day().to_julian_day()))
            .collect();
        let points = records
            .iter()
            .enumerate()
            .map(|(i, r)| GeomWithData::new([r.lon, r.lat], i as u32))
            .collect();
        let by_id = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i as u32))
            .collect();
        let mut extents = vec![None; Kind::ALL.len() + 1];
        for (r, &span) in records.iter().zip(&spans) {
            widen(&mut extents[0], r.lon, r.lat, span);
            widen(&mut extents[r.kind as usize + 1], r.lon, r.lat, span);
        }
        Catalog {
            tree: RTree::bulk_load(points),
            records,
            sources,
            features,
            spans,
            by_id,
            extents,
        }
    }

    /// Extent of all records (`None`) or of one kind; `None` when there are no such records.
    pub fn kind_extent(&self, kind: Option<Kind>) -> Option<Extent> {
        self.extents[kind.map_or(0, |k| k as usize + 1)]
    }

    /// All records, in index order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The documents the records cite.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The pre-serialised GeoJSON Feature of a record.
    pub fn feature(&self, i: u32) -> &str {
        &self.features[i as usize]
    }

    /// The record at an index.
    pub fn record(&self, i: u32) -> &Record {
        &self.records[i as usize]
    }

    /// Index of the record with this id.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// First and last day (Julian) of a record.
    pub fn span(&self, i: u32) -> (i32, i32) {
        self.spans[i as usize]
    }

    fn keep(&self, i: u32, f: &Filter) -> bool {
        let r = &self.records[i as usize];
        let (s, e) = self.spans[i as usize];
        f.kind.is_none_or(|k| r.kind == k)
            && f.days.is_none_or(|d| d.intersects(s, e))
            && f.claim.is_none_or(|c| r.claim == c)
            && f.geo_precision.is_none_or(|p| r.geo_precision == p)
            && f.country.as_deref().is_none_or(|c| r.country == c)
            && f.admin1_id
                .as_deref()
                .is_none_or(|a| r.admin1_id.as_deref() == Some(a))
    }

    /// Indices of the records that pass the filter, ascending.
    pub fn matching(&self, f: &Filter) -> Vec<u32> {
        match &f.bbox {
            None => (0..self.records.len() as u32)
                .filter(|&i| self.keep(i, f))
                .collect(),
            Some(b) => {
                let mut v: Vec<u32> = Vec::new();
                for env in b.envelopes() {
                    v.extend(
                        self.tree
                            .locate_in_envelope(&env)
                            .map(|p| p.data)
                            .filter(|&i| self.keep(i, f)),
                    );
                }
                v.sort_unstable();
                v.dedup();
                v
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn antimeridian_boxes_split_in_two() {
        let b = Bbox {
            minx: 170.0,
            miny: -20.0,
            maxx: -170.0,
            maxy: 20.0,
        };
        assert_eq!(b.envelopes().len(), 2);
        assert!(b.contains(179.9, 0.0) && b.contains(-179.9, 0.0) && b.contains(-170.0, 20.0));
        assert!(!b.contains(0.0, 0.0) && !b.contains(179.0, 21.0));
        let plain = Bbox {
            minx: 60.0,
            miny: 29.0,
            maxx: 75.0,
            maxy: 39.0,
        };
        assert_eq!(plain.envelopes().len(), 1);
        assert!(plain.contains(69.2, 34.5));
    }
}
