//! The catalog: records as compact entries, their R-tree, pre-serialised GeoJSON, and filtered
//! queries.
//!
//! Records are kept sorted by date then id; a record's position in that order is its index (`u32`),
//! and every query answers indices in ascending order, so paging with `offset` is stable. The R-tree
//! is bulk-loaded (`rstar` STR packing) over points rounded to the 6 decimals the API serves; an edit
//! applied to a catalog ([`Catalog::patch`]) changes it leaf by leaf unless the edit is large.
//!
//! Memory: a record costs one 64-byte [`Entry`], its Feature head (the only copy of its text, see
//! [`crate::index::feature`]), a 32-byte R-tree leaf (56 bytes or more as an `rstar` node) and a 4-byte id-index slot. Citations, countries and
//! provinces are shared.

mod cites;
pub mod cql;
pub mod days;
pub mod feature;
mod image;
pub mod memory;
mod part;
mod patch;
pub mod predicate;
mod text;
pub mod version;
pub mod window;

pub use cites::CiteTable;
pub use part::{Entry, Part, PartError, NO_AREA, NO_COUNTRY, NO_PROVINCE, NO_SPLIT};
pub use patch::PatchError;

use crate::index::feature::parse_head;
use crate::model::dates::{DayMatch, DayRange};
use crate::model::{Claim, Document, GeoPrecision, Kind, Link, Record};
use part::Interner;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
/// A point in the record R-tree, carrying the record index.
pub type IndexedPoint = GeomWithData<[f64; 2], Leaf>;

/// The record R-tree's nodes: up to 16 children rather than rstar's default 6. The tree is
/// bulk-loaded at a full load, changed point by point by an edit ([`Catalog::patch`]) and
/// searched by box; over 1 000 000 points (`cargo bench --bench nodes`) these
/// nodes made both faster: a bulk load 0.85-0.92x as long, 200 box queries 0.59-0.67x (32 children
/// queried faster still but loaded no faster than 6).
#[derive(Clone, Copy, Debug)]
pub struct PointParams;

impl rstar::RTreeParams for PointParams {
    const MIN_SIZE: usize = 6;
    const MAX_SIZE: usize = 16;
    const REINSERTION_COUNT: usize = 2;
    type DefaultInsertionStrategy = rstar::RStarInsertionStrategy;
}

/// What an R-tree leaf carries besides its point: the record index and the fields most queries
/// filter on, so that candidates a bbox finds are mostly accepted or rejected without a look at
/// their entries (which lie far apart in memory, in date order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leaf {
    /// The record index.
    pub index: u32,
    /// First day covered (Julian).
    pub first_day: i32,
    /// Last day covered (Julian).
    pub last_day: i32,
    /// What happened.
    pub kind: Kind,
}

impl Leaf {
    /// The point R-tree's leaf of entry `index` (which must have a point: `area == NO_AREA`).
    fn point(index: u32, e: &Entry) -> IndexedPoint {
        GeomWithData::new(
            [e.lon, e.lat],
            Leaf {
                index,
                first_day: e.first_day,
                last_day: e.last_day,
                kind: e.kind,
            },
        )
    }
}

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
    /// Days the record's interval must intersect (or, with [`DayMatch::Within`], lie inside).
    pub days: Option<DayRange>,
    /// How the record's interval must relate to `days`.
    pub day_match: DayMatch,
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
    /// Operational link (read from the catalog's lazy [`predicate::Columns`]).
    pub link: Option<Link>,
    /// Fatalities from the first to the second number (inclusive); a record that states none does
    /// not match. Read from the lazy columns, like `link`.
    pub fatalities: Option<(u32, u32)>,
    /// The normalised words of a free-text search (see `views::search`), all of which a record
    /// must hold; empty: no search. Applied by the snapshot (`store::Snapshot::matching`, from
    /// the index it builds on first need); [`Catalog::matching`] ignores it.
    pub text: Vec<String>,
    /// A CQL2 `filter`, checked against the queryables ([`cql::parse`]).
    pub predicate: Option<std::sync::Arc<predicate::Predicate>>,
}

impl Filter {
    /// Whether it asks for a free-text search, which the snapshot applies, not the catalog.
    pub fn has_text(&self) -> bool {
        !self.text.is_empty()
    }
}

/// An id used by more than one record: where it was first used and where again, each as (part,
/// position in the part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The id.
    pub id: String,
    /// First use.
    pub first: (usize, usize),
    /// A later use.
    pub again: (usize, usize),
}

/// A stated time split of a total (`splits.csv`): its periods, each as first and last day (Julian)
/// and the count the document gives it. A record that shares the split has its count spread over
/// the periods in proportion to their counts, and it matches a time window when one of its
/// periods does.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The split's id.
    pub id: String,
    /// `(first day, last day, count)` per period.
    pub periods: Vec<(i32, i32, u32)>,
    /// Where it is stated: `(document id, section)`, each once, in file order.
    pub cited: Vec<(String, String)>,
}

impl Split {
    /// The sum of the periods' counts.
    pub fn total(&self) -> u64 {
        self.periods.iter().map(|p| u64::from(p.2)).sum()
    }
}

/// An area the records known only to it lie in: its key (`country:AFG`, `province:AFG-1762`,
/// `region:Kunar and Badakhshan`) and box.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaSlot {
    /// `precision:id`.
    pub key: Box<str>,
    /// `[minLon, minLat, maxLon, maxLat]`.
    pub bbox: [f64; 4],
}

/// An area's box in the area R-tree, carrying its slot.
pub type IndexedArea = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The records of one snapshot, indexed.
pub struct Catalog {
    entries: Vec<Entry>,
    texts: Vec<text::Text>,
    cite_list: Vec<u32>,
    cites: CiteTable,
    /// Each citation's JSON object, by number.
    cite_json: Vec<Box<str>>,
    /// Country code and name.
    countries: Vec<(Box<str>, Box<str>)>,
    /// Province id and name.
    provinces: Vec<(Box<str>, Box<str>)>,
    /// The areas of the records known only to an area, by slot.
    areas: Vec<AreaSlot>,
    /// Record indices (ascending) of each area slot.
    area_records: Vec<Vec<u32>>,
    /// The areas' boxes.
    area_tree: RTree<IndexedArea>,
    /// The time splits, by slot.
    splits: Vec<Split>,
    documents: Vec<Document>,
    /// The points of the records located to a district or better.
    tree: RTree<IndexedPoint, PointParams>,
    /// Record indices sorted by id.
    by_id: Vec<u32>,
    /// Each record's content hash ([`version::record_hash`]), by index; empty for a
    /// catalog built from records rather than rows (tests, `generate`).
    hashes: Vec<u64>,
    /// [`version::inputs_hash`] of the inputs it was loaded with (set by the loader).
    inputs: u64,
    /// Bytes of text no entry points to ([`Catalog::dead_bytes`]).
    dead: u64,
    extents: Vec<Option<Extent>>,
    /// The time index, with the entries' order by first day: the records covering more than
    /// [`SHORT_DAYS`] days, ascending. Any other record meeting a window starts inside it or at
    /// most `SHORT_DAYS` before, a range of indices found by binary search.
    long: Vec<u32>,
    /// Columns read from the Feature heads on first use (filters and sorts on them).
    columns: std::sync::OnceLock<predicate::Columns>,
    /// The day indexes, by [`days::Grouping`], built on first need.
    day_indexes: [std::sync::OnceLock<days::DayIndex>; 3],
    /// The records the day indexes do not hold, ascending ([`days::others`]).
    others: std::sync::OnceLock<Vec<u32>>,
}

/// Spatial and temporal extent of a set of records: `[minLon, minLat, maxLon, maxLat]` and the first
/// and last Julian day.
pub type Extent = ([f64; 4], (i32, i32));

/// Records covering at most this many days are "short" for the time index ([`Catalog::matching`]
/// of a `datetime` window reads the short ones starting from this many days before the window).
pub const SHORT_DAYS: i32 = 92;

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
        write!(f, "Catalog({} records)", self.entries.len())
    }
}

/// The first 16 bytes of an id as a big-endian number (zero-padded): comparing these first orders ids
/// as strings (ids hold no NUL), and settles most comparisons without touching the text.
fn prefix(id: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

/// Renumbers one part's interned values into the catalog-wide table.
fn renumber(
    global: &mut Interner<String>,
    names: &mut Vec<(Box<str>, Box<str>)>,
    keys: &[String],
    local_names: &[String],
) -> Vec<u32> {
    keys.iter()
        .zip(local_names)
        .map(|(k, n)| {
            let i = global.get_or_insert(k.as_str(), || k.clone());
            if i as usize == names.len() {
                names.push((k.as_str().into(), n.as_str().into()));
            }
            i
        })
        .collect()
}

impl Catalog {
    /// Indexes records (in any order) on one thread; the loader builds [`Part`]s in parallel and
    /// calls [`Catalog::assemble`] instead. A record that does not fit an entry is an error.
    pub fn new(records: Vec<Record>, sources: Vec<Document>) -> Result<Self, PartError> {
        Catalog::with_splits(records, sources, &[])
    }

    /// As [`Catalog::new`], with the time splits the records may share.
    pub fn with_splits(
        records: Vec<Record>,
        sources: Vec<Document>,
        splits: &[Split],
    ) -> Result<Self, PartError> {
        let mut part = Part::default();
        let mut table = CiteTable::default();
        let mut ids = Vec::new();
        for r in &records {
            ids.clear();
            ids.extend(
                r.citations
                    .iter()
                    .map(|c| table.intern(c.document, &c.section)),
            );
            part.push(r, &ids)?;
        }
        drop(records);
        match Catalog::assemble(vec![part], table, sources, splits) {
            Ok(c) => Ok(c),
            Err(d) => Err(PartError::DuplicateId(d[0].id.clone())),
        }
    }

    /// Joins parts into a catalog: renumbers their shared tables, sorts the records by date and id,
    /// and builds the R-trees and the id index. `splits` are the time splits the records may
    /// share (a record naming another split shares none: the loader checks names first). Ids must
    /// be unique: every id used again is returned instead, with where it was first used and where
    /// again (as part and position in the part, which is file order).
    pub fn assemble(
        parts: Vec<Part>,
        cites: CiteTable,
        sources: Vec<Document>,
        splits: &[Split],
    ) -> Result<Self, Vec<Duplicate>> {
        let n: usize = parts.iter().map(Part::len).sum();
        let mut entries = Vec::with_capacity(n);
        let mut texts = Vec::with_capacity(parts.len());
        let mut cite_list = Vec::with_capacity(parts.iter().map(|p| p.cite_list.len()).sum());
        let (mut country_ix, mut province_ix) = (Interner::default(), Interner::default());
        let (mut countries, mut provinces) = (Vec::new(), Vec::new());
        let mut area_ix: Interner<String> = Interner::default();
        let mut areas: Vec<AreaSlot> = Vec::new();
        let mut starts = Vec::with_capacity(parts.len());
        let hashed = parts.iter().all(|p| p.hashes.len() == p.entries.len());
        let mut hashes = Vec::with_capacity(if hashed { n } else { 0 });
        for (pi, p) in parts.into_iter().enumerate() {
            if hashed {
                hashes.extend_from_slice(&p.hashes);
            }
            let amap: Vec<u32> = p
                .areas
                .values
                .iter()
                .zip(&p.area_boxes)
                .map(|(k, b)| {
                    let i = area_ix.get_or_insert(k.as_str(), || k.clone());
                    if i as usize == areas.len() {
                        areas.push(AreaSlot {
                            key: k.as_str().into(),
                            bbox: *b,
                        });
                    }
                    i
                })
                .collect();
            let smap: Vec<u16> = p
                .splits
                .values
                .iter()
                .map(|name| {
                    splits
                        .iter()
                        .position(|s| &s.id == name)
                        .and_then(|i| u16::try_from(i).ok())
                        .unwrap_or(NO_SPLIT)
                })
                .collect();
            let cmap = renumber(
                &mut country_ix,
                &mut countries,
                &p.countries.values,
                &p.country_names,
            );
            let pmap = renumber(
                &mut province_ix,
                &mut provinces,
                &p.provinces.values,
                &p.province_names,
            );
            let base = cite_list.len() as u32;
            cite_list.extend_from_slice(&p.cite_list);
            starts.push(entries.len());
            for mut e in p.entries {
                e.text |= (pi as u64) << 40;
                if e.country != NO_COUNTRY {
                    e.country = cmap[usize::from(e.country)] as u16;
                }
                if e.area != NO_AREA {
                    e.area = amap[e.area as usize];
                }
                if e.split != NO_SPLIT {
                    e.split = smap[usize::from(e.split)];
                }
                if e.admin1 != NO_PROVINCE {
                    e.admin1 = pmap[e.admin1 as usize];
                }
                e.cites += base;
                entries.push(e);
            }
            let mut text = p.text;
            text.shrink_to_fit();
            texts.push(text.into());
        }
        let mut cat = Catalog {
            entries,
            texts,
            cite_list,
            cite_json: cites.to_json(&sources),
            cites,
            countries,
            provinces,
            areas,
            area_records: Vec::new(),
            area_tree: RTree::new(),
            splits: splits.to_vec(),
            documents: sources,
            tree: RTree::new_with_params(),
            by_id: Vec::new(),
            hashes: Vec::new(),
            inputs: 0,
            dead: 0,
            extents: Vec::new(),
            long: Vec::new(),
            columns: std::sync::OnceLock::new(),
            day_indexes: Default::default(),
            others: std::sync::OnceLock::new(),
        };
        // Sort by (first day, id) and index by id, on two threads; both sort small keys rather than
        // chase each entry's text through the comparisons.
        let (order, by_id, repeats) = std::thread::scope(|sc| {
            let by_date = sc.spawn(|| {
                let mut keys: Vec<(i32, u128, &str, u32)> = cat
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(k, e)| {
                        let id = cat.entry_id(e);
                        (e.first_day, prefix(id), id, k as u32)
                    })
                    .collect();
                keys.sort_unstable();
                keys.into_iter().map(|(.., k)| k).collect::<Vec<u32>>()
            });
            let mut ids: Vec<(u128, &str, u32)> = cat
                .entries
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    let id = cat.entry_id(e);
                    (prefix(id), id, k as u32)
                })
                .collect();
            ids.sort_unstable();
            // Equal ids sort together, the first use (lowest position: file order) first.
            let mut repeats: Vec<(u32, u32)> = Vec::new();
            let mut run = 0;
            for k in 1..ids.len() {
                if ids[k].1 == ids[run].1 {
                    repeats.push((ids[run].2, ids[k].2));
                } else {
                    run = k;
                }
            }
            let by_id: Vec<u32> = ids.into_iter().map(|(.., k)| k).collect();
            let order = by_date
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (order, by_id, repeats)
        });
        if !repeats.is_empty() {
            let at = |k: u32| {
                let p = starts.partition_point(|&s| s <= k as usize) - 1;
                (p, k as usize - starts[p])
            };
            return Err(repeats
                .into_iter()
                .map(|(first, again)| Duplicate {
                    id: cat.entry_id(&cat.entries[first as usize]).to_string(),
                    first: at(first),
                    again: at(again),
                })
                .collect());
        }
        // `by_id` holds positions before sorting; map them to positions after.
        let mut position = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            position[old as usize] = new as u32;
        }
        cat.by_id = by_id.into_iter().map(|k| position[k as usize]).collect();
        drop(position);
        cat.entries = order.iter().map(|&k| cat.entries[k as usize]).collect();
        cat.entries.shrink_to_fit();
        if hashed {
            cat.hashes = order.iter().map(|&k| hashes[k as usize]).collect();
        }
        cat.index_points();
        Ok(cat)
    }

    /// Sets the hash of the inputs besides the records and citations, which the data version
    /// includes ([`Catalog::data_version`]).
    pub fn set_inputs(&mut self, inputs: u64) {
        self.inputs = inputs;
    }

    /// What the data version is computed from: the inputs' hash, the number of records and the
    /// sum of their content hashes.
    pub fn data_version(&self) -> version::DataVersion {
        version::DataVersion {
            inputs: self.inputs,
            count: self.entries.len() as u64,
            rows: self.hashes.iter().fold(0u64, |a, h| a.wrapping_add(*h)),
        }
    }

    /// Whether every record's content hash is known, as an edit needs ([`Catalog::patch`]).
    pub fn has_hashes(&self) -> bool {
        self.hashes.len() == self.entries.len()
    }

    /// The records with a point in `env` (edges included), in no particular order.
    pub fn points_in<'a>(&'a self, env: &AABB<[f64; 2]>) -> impl Iterator<Item = u32> + 'a {
        self.tree.locate_in_envelope(env).map(|p| p.data.index)
    }

    /// Extent of all records (`None`) or of one kind; `None` when there are no such records.
    pub fn kind_extent(&self, kind: Option<Kind>) -> Option<Extent> {
        self.extents[kind.map_or(0, |k| k as usize + 1)]
    }

    /// The documents the records cite.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All entries, in index order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at an index.
    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }

    fn head(&self, e: &Entry) -> &str {
        let at = e.offset();
        &self.texts[e.part()][at..at + e.len as usize]
    }

    fn entry_id(&self, e: &Entry) -> &str {
        let at = e.offset() + 24;
        &self.texts[e.part()][at..at + usize::from(e.id_len)]
    }

    /// The id of a record (as JSON writes it; the loader admits only ids JSON leaves unchanged).
    pub fn id(&self, i: u32) -> &str {
        self.entry_id(&self.entries[i as usize])
    }

    /// ISO alpha-3 code of a record's country (`None` for a record known only to several
    /// countries).
    pub fn country(&self, i: u32) -> Option<&str> {
        self.country_slot(i).map(|s| &*self.countries[s].0)
    }

    /// Name of a record's country.
    pub fn country_name(&self, i: u32) -> Option<&str> {
        self.country_slot(i).map(|s| &*self.countries[s].1)
    }

    /// Slot of a record's country in [`Catalog::country_table`] (for summing per country without
    /// looking its code up record by record), if it has one country.
    pub fn country_slot(&self, i: u32) -> Option<usize> {
        let c = self.entries[i as usize].country;
        (c != NO_COUNTRY).then_some(usize::from(c))
    }

    /// The area a record is known only to, if it is: its slot in [`Catalog::area_table`].
    pub fn area_slot(&self, i: u32) -> Option<usize> {
        let a = self.entries[i as usize].area;
        (a != NO_AREA).then_some(a as usize)
    }

    /// The areas of the records known only to an area, by slot.
    pub fn area_table(&self) -> &[AreaSlot] {
        &self.areas
    }

    /// The time split a record's count shares, if any.
    pub fn split_of(&self, i: u32) -> Option<&Split> {
        let s = self.entries[i as usize].split;
        self.splits.get(usize::from(s))
    }

    /// Slot of the time split a record's count shares, in [`Catalog::splits`], if it shares one.
    pub fn split_slot(&self, i: u32) -> Option<usize> {
        let s = usize::from(self.entries[i as usize].split);
        (s < self.splits.len()).then_some(s)
    }

    /// The time splits the records share, by slot.
    pub fn splits(&self) -> &[Split] {
        &self.splits
    }

    /// The share (0 to 1) of a record's count that falls in the days `window`: by days for a plain
    /// interval; for a record sharing a time split, each period's share of the split's total,
    /// spread by days over the period.
    pub fn share_in(&self, i: u32, window: &DayRange) -> f64 {
        let e = &self.entries[i as usize];
        match self.splits.get(usize::from(e.split)) {
            None => window.share(e.first_day, e.last_day),
            Some(s) => {
                let total = s.total().max(1) as f64;
                s.periods
                    .iter()
                    .map(|&(a, b, n)| f64::from(n) / total * window.share(a, b))
                    .sum()
            }
        }
    }

    /// Whether a record's time matches `days` as `how` asks: its interval, or for a record sharing
    /// a time split, the periods that hold any of its count.
    fn time_matches(&self, e: &Entry, days: &DayRange, how: DayMatch) -> bool {
        match self.splits.get(usize::from(e.split)) {
            None => how.matches(days, e.first_day, e.last_day),
            Some(s) => {
                let mut held = s.periods.iter().filter(|p| p.2 > 0);
                match how {
                    DayMatch::Intersects => held.any(|p| days.intersects(p.0, p.1)),
                    DayMatch::Within => held.all(|p| days.contains(p.0, p.1)),
                }
            }
        }
    }

    /// Slot of a record's province in [`Catalog::province_table`], if it has one.
    pub fn province_slot(&self, i: u32) -> Option<usize> {
        let a = self.entries[i as usize].admin1;
        (a != NO_PROVINCE).then_some(a as usize)
    }

    /// The countries the records use: code and name, by slot.
    pub fn country_table(&self) -> &[(Box<str>, Box<str>)] {
        &self.countries
    }

    /// The provinces the records use: id and name, by slot.
    pub fn province_table(&self) -> &[(Box<str>, Box<str>)] {
        &self.provinces
    }

    /// Id of a record's province, if it has one.
    pub fn admin1_id(&self, i: u32) -> Option<&str> {
        let a = self.entries[i as usize].admin1;
        (a != NO_PROVINCE).then(|| &*self.provinces[a as usize].0)
    }

    /// The citations of a record: source index and section.
    pub fn citations(&self, i: u32) -> impl Iterator<Item = (usize, &str)> {
        let e = &self.entries[i as usize];
        let from = e.cites as usize;
        self.cite_list[from..from + usize::from(e.ncites)]
            .iter()
            .map(|&c| self.cites.entry(c))
    }

    /// Appends the GeoJSON Feature of a record to `out`.
    pub fn write_feature(&self, i: u32, out: &mut String) {
        let e = &self.entries[i as usize];
        out.push_str(self.head(e));
        out.push('[');
        let from = e.cites as usize;
        for (k, &c) in self.cite_list[from..from + usize::from(e.ncites)]
            .iter()
            .enumerate()
        {
            if k > 0 {
                out.push(',');
            }
            out.push_str(&self.cite_json[c as usize]);
        }
        out.push_str("]}}");
    }

    /// The GeoJSON Feature of a record.
    pub fn feature(&self, i: u32) -> String {
        let mut s = String::new();
        self.write_feature(i, &mut s);
        s
    }

    /// The record at an index, read back from its Feature.
    pub fn record(&self, i: u32) -> Record {
        let e = &self.entries[i as usize];
        // The head was written by this program from a valid record; reading it back cannot fail
        // unless memory is corrupt.
        let mut r = parse_head(self.head(e))
            .unwrap_or_else(|err| panic!("record {i}: stored feature does not read back: {err}"));
        r.citations = self
            .citations(i)
            .map(|(document, section)| crate::model::Citation {
                document,
                section: section.to_string(),
            })
            .collect();
        r
    }

    /// Index of the record with this id.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.by_id
            .binary_search_by(|&j| self.id(j).cmp(id))
            .ok()
            .map(|k| self.by_id[k])
    }

    /// First and last day (Julian) of a record.
    pub fn span(&self, i: u32) -> (i32, i32) {
        let e = &self.entries[i as usize];
        (e.first_day, e.last_day)
    }

    /// Index of a country code in this catalog's country table.
    fn country_code_index(&self, code: &str) -> Option<u16> {
        self.countries
            .iter()
            .position(|(c, _)| &**c == code)
            .map(|p| p as u16)
    }

    /// Index of a province id in this catalog's province table.
    fn province_index(&self, id: &str) -> Option<u32> {
        self.provinces
            .iter()
            .position(|(p, _)| &**p == id)
            .map(|p| p as u32)
    }

    /// The filter's box, unless it holds every record (a world view): such a box selects nothing
    /// the other filters do not, so it is better scanned in index order than collected from the tree.
    fn narrowing_bbox(&self, f: &Filter) -> Option<Bbox> {
        f.bbox.filter(|b| {
            self.extents[0].is_some_and(|(e, _)| {
                !(b.contains(e[0], e[1]) && b.contains(e[2], e[3]) && b.minx <= b.maxx)
            })
        })
    }

    /// The filter's `days`, unless they hold every record's days whole (a window from before the
    /// first record to after the last — the page's "all time" — selects what no window does, and
    /// is then answered without looking at a record's dates). A time split none of whose periods
    /// holds events never intersects a window, so while one exists every window is kept.
    fn narrowing_days(&self, f: &Filter) -> Option<DayRange> {
        f.days.filter(|d| {
            let whole = self.extents[0].is_some_and(|(_, (first, last))| d.contains(first, last));
            let splits_held = self
                .splits
                .iter()
                .all(|s| s.periods.iter().any(|p| p.2 > 0));
            !(whole && splits_held)
        })
    }

    /// Whether the filter restricts nothing but the kind: it then selects every record of that
    /// kind (or every record), which a caller may take from a precomputed list instead of
    /// [`Catalog::matching`].
    pub fn restricts_only_kind(&self, f: &Filter) -> bool {
        self.narrowing_days(f).is_none()
            && f.country.is_none()
            && f.admin1_id.is_none()
            && f.claim.is_none()
            && f.geo_precision.is_none()
            && f.link.is_none()
            && f.fatalities.is_none()
            && !f.has_text()
            && f.predicate.is_none()
            && self.narrowing_bbox(f).is_none()
    }

    /// Indices of the records that pass the filter, ascending.
    pub fn matching(&self, f: &Filter) -> Vec<u32> {
        if f.days.is_some() && self.narrowing_days(f).is_none() {
            return self.matching(&Filter {
                days: None,
                ..f.clone()
            });
        }
        // A country or province no record has matches nothing.
        let country = match f.country.as_deref() {
            Some(c) => match self.country_code_index(c) {
                Some(i) => Some(i),
                None => return Vec::new(),
            },
            None => None,
        };
        let admin1 = match f.admin1_id.as_deref() {
            Some(a) => match self.province_index(a) {
                Some(i) => Some(i),
                None => return Vec::new(),
            },
            None => None,
        };
        // The whole span of a record is a superset of its time (a split's periods lie inside
        // it), so it prefilters; `time_matches` then decides.
        let coarse = |kind: Kind, first: i32, last: i32| {
            f.kind.is_none_or(|k| kind == k) && f.days.is_none_or(|d| d.intersects(first, last))
        };
        let exact_time = f.day_match != DayMatch::Intersects || !self.splits.is_empty();
        let eval = f
            .predicate
            .as_deref()
            .map(|p| (p, predicate::Eval::new(self, p)));
        // `link` and `fatalities` live in the lazy columns, read only when a filter names them.
        let columns = (f.link.is_some() || f.fatalities.is_some()).then(|| self.columns());
        let link = f.link.map(|l| {
            Link::ALL
                .iter()
                .position(|x| *x == l)
                .map_or(u8::MAX, |p| p as u8)
        });
        let fine = exact_time
            || eval.is_some()
            || columns.is_some()
            || f.claim.is_some()
            || f.geo_precision.is_some()
            || country.is_some()
            || admin1.is_some();
        let rest = |i: u32| {
            let e = &self.entries[i as usize];
            f.claim.is_none_or(|c| e.claim == c)
                && f.geo_precision.is_none_or(|p| e.geo_precision == p)
                && country.is_none_or(|c| e.country == c)
                && admin1.is_none_or(|a| e.admin1 == a)
                && f.days
                    .is_none_or(|d| !exact_time || self.time_matches(e, &d, f.day_match))
                && eval.as_ref().is_none_or(|(p, ev)| ev.holds(p, i))
                && columns.is_none_or(|c| {
                    link.is_none_or(|l| c.link[i as usize] == l)
                        && f.fatalities.is_none_or(|(lo, hi)| {
                            let n = c.fatalities[i as usize];
                            n != u32::MAX && n >= lo && n <= hi
                        })
                })
        };
        let keep = |i: u32| {
            let e = &self.entries[i as usize];
            coarse(e.kind, e.first_day, e.last_day) && rest(i)
        };
        // The boxes the candidates lie in: `bbox`'s, or else those of a spatial function the
        // filter's conjunction holds (the filter then checks each candidate exactly).
        let envelopes = match self.narrowing_bbox(f) {
            Some(b) => Some(b.envelopes()),
            None => f
                .predicate
                .as_deref()
                .and_then(predicate::Predicate::envelopes),
        };
        match envelopes {
            None => match f.days {
                // Records meeting the window: the short ones start in `lo..hi`; the long ones
                // before `lo` are listed apart (later ones are in the range already).
                Some(d) => {
                    let s = self.day_span(&d);
                    self.long[..s.before]
                        .iter()
                        .copied()
                        .chain(s.lo as u32..s.hi as u32)
                        .filter(|&i| keep(i))
                        .collect()
                }
                None => (0..self.entries.len() as u32)
                    .filter(|&i| keep(i))
                    .collect(),
            },
            Some(envs) => {
                let mut v: Vec<u32> = Vec::new();
                for env in envs {
                    v.extend(
                        self.tree
                            .locate_in_envelope(&env)
                            .filter(|p| coarse(p.data.kind, p.data.first_day, p.data.last_day))
                            .map(|p| p.data.index)
                            .filter(|&i| !fine || rest(i)),
                    );
                    // A record known only to an area is in the box when its whole area is.
                    for a in self.area_tree.locate_in_envelope(&env) {
                        v.extend(
                            self.area_records[a.data as usize]
                                .iter()
                                .copied()
                                .filter(|&i| keep(i)),
                        );
                    }
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

#[cfg(test)]
mod window_tests {
    use super::*;
    use crate::synth;

    /// A window holding every record's days whole selects what no window does, without reading a
    /// date (the precomputed-list path); one day less is a real window again.
    #[test]
    fn a_window_over_all_time_restricts_nothing() {
        let cat = Catalog::new(synth::records(4_000, 7), vec![synth::document()]).expect("fits");
        let (_, (first, last)) = cat.kind_extent(None).expect("records");
        let all = Filter::default();
        for how in [DayMatch::Intersects, DayMatch::Within] {
            let whole = Filter {
                days: Some(DayRange {
                    start: Some(first - 10),
                    end: Some(last),
                }),
                day_match: how,
                ..Filter::default()
            };
            assert!(cat.restricts_only_kind(&whole), "{how:?}");
            assert_eq!(cat.matching(&whole), cat.matching(&all));
            let kind = Filter {
                kind: Some(Kind::Plot),
                ..whole.clone()
            };
            let plots: Vec<u32> = (0..cat.len() as u32)
                .filter(|&i| cat.entry(i).kind == Kind::Plot)
                .collect();
            assert_eq!(cat.matching(&kind), plots);
            let short = Filter {
                days: Some(DayRange {
                    start: Some(first + 1),
                    end: Some(last),
                }),
                ..whole
            };
            assert!(!cat.restricts_only_kind(&short), "{how:?}");
            assert!(cat.matching(&short).len() <= cat.len());
        }
    }

    /// The time index selects what reading every record selects, for windows open or closed,
    /// short or long, either match, over records of one day up to years.
    #[test]
    fn the_time_index_answers_as_a_scan_does() {
        let mut records = synth::records(6_000, 3);
        for (n, r) in records.iter_mut().enumerate() {
            let days = [0i64, 0, 1, 30, 92, 93, 200, 900, 2000][n % 9];
            if days > 0 {
                r.date_end = Some(r.date + time::Duration::days(days));
            }
        }
        let cat = Catalog::new(records, vec![synth::document()]).expect("fits");
        let (_, (first, last)) = cat.kind_extent(None).expect("records");
        let mut seed: u64 = 5;
        let mut next = |n: i32| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % n as u64) as i32
        };
        for round in 0..120 {
            let s = first - 100 + next(last - first + 200);
            let len = [0, 1, 31, 92, 93, 365, 1500][round % 7];
            let days = DayRange {
                start: (round % 11 != 3).then_some(s),
                end: (round % 13 != 5).then_some(s + len),
            };
            let how = if round % 2 == 0 {
                DayMatch::Intersects
            } else {
                DayMatch::Within
            };
            let f = Filter {
                days: Some(days),
                day_match: how,
                kind: (round % 3 == 0).then_some(Kind::Attack),
                ..Filter::default()
            };
            let scan: Vec<u32> = (0..cat.len() as u32)
                .filter(|&i| {
                    let e = cat.entry(i);
                    f.kind.is_none_or(|k| e.kind == k)
                        && how.matches(&days, e.first_day, e.last_day)
                })
                .collect();
            assert_eq!(cat.matching(&f), scan, "{days:?} {how:?}");
        }
    }
}
