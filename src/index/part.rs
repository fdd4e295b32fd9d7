//! Building a catalog in parts: each loader thread serialises its records into a [`Part`], and the
//! parts are joined into one catalog without copying their text.
//!
//! A record becomes an [`Entry`] (64 bytes of everything a query filters on) and its Feature head in
//! the part's text. Countries, provinces and citations are interned: per part while loading, then
//! renumbered once when the parts are joined.

use crate::index::feature::write_head;
use crate::model::{Claim, GeoPrecision, Kind, Record};
use rustc_hash::FxHashMap;

/// `admin1` of a record with no province.
pub const NO_PROVINCE: u32 = u32::MAX;

/// `country` of a record known only to several countries.
pub const NO_COUNTRY: u16 = u16::MAX;

/// `area` of a record located to a point.
pub const NO_AREA: u32 = u32::MAX;

/// `split` of a record whose count shares no stated time split.
pub const NO_SPLIT: u16 = u16::MAX;

/// The length of `{"type":"Feature","id":"`, where every head's id starts.
const ID_AT: usize = 24;

/// What the catalog keeps of one record besides its Feature text.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Longitude, rounded to 6 decimals (for a record known only to an area: the middle of the
    /// area's box, used for nothing served).
    pub lon: f64,
    /// Latitude, as `lon`.
    pub lat: f64,
    /// First day covered (Julian day).
    pub first_day: i32,
    /// Last day covered (Julian day).
    pub last_day: i32,
    /// How many events the record stands for.
    pub count: u32,
    /// Part (top 24 bits) and byte offset in it (low 40 bits) of the Feature head.
    pub(super) text: u64,
    /// Length of the head in bytes.
    pub(super) len: u32,
    /// First citation in the catalog's citation list.
    pub(super) cites: u32,
    /// Province, index into the catalog's province table, or [`NO_PROVINCE`].
    pub(super) admin1: u32,
    /// Area, index into the catalog's area table, or [`NO_AREA`] for a point.
    pub(super) area: u32,
    /// Country, index into the catalog's country table, or [`NO_COUNTRY`].
    pub(super) country: u16,
    /// Time split, index into the catalog's split table, or [`NO_SPLIT`].
    pub(super) split: u16,
    /// Number of citations.
    pub(super) ncites: u16,
    /// Length of the (JSON) id.
    pub(super) id_len: u16,
    /// What happened.
    pub kind: Kind,
    /// Claim status.
    pub claim: Claim,
    /// How precisely the point is known.
    pub geo_precision: GeoPrecision,
}

impl Entry {
    pub(super) fn part(&self) -> usize {
        (self.text >> 40) as usize
    }

    pub(super) fn offset(&self) -> usize {
        (self.text & ((1 << 40) - 1)) as usize
    }
}

/// Values numbered in the order first seen.
#[derive(Debug)]
pub(super) struct Interner<K> {
    pub(super) index: FxHashMap<K, u32>,
    pub(super) values: Vec<K>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            index: FxHashMap::default(),
            values: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Interner<K> {
    pub(super) fn get_or_insert<Q>(&mut self, key: &Q, owned: impl FnOnce() -> K) -> u32
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.values.len() as u32;
        let k = owned();
        self.index.insert(k.clone(), i);
        self.values.push(k);
        i
    }
}

/// Records serialised by one loader thread, in the order they were read.
#[derive(Debug, Default)]
pub struct Part {
    pub(super) text: String,
    pub(super) entries: Vec<Entry>,
    pub(super) cite_list: Vec<u32>,
    /// Country code → name.
    pub(super) countries: Interner<String>,
    pub(super) country_names: Vec<String>,
    /// Province id → name.
    pub(super) provinces: Interner<String>,
    pub(super) province_names: Vec<String>,
    /// Area key → its box.
    pub(super) areas: Interner<String>,
    pub(super) area_boxes: Vec<[f64; 4]>,
    /// Split id.
    pub(super) splits: Interner<String>,
    /// Each record's content hash ([`crate::index::version::record_hash`]), when every record
    /// was pushed with one.
    pub(super) hashes: Vec<u64>,
    buf: Vec<u8>,
}

/// Why a record does not fit a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartError {
    /// The record cites more documents than an entry can count.
    TooManyCitations(usize),
    /// The id is longer than an entry can hold.
    IdTooLong(usize),
    /// More distinct countries than an entry can number.
    TooManyCountries,
    /// More distinct time splits than an entry can number.
    TooManySplits,
    /// Two records share an id.
    DuplicateId(String),
}

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartError::TooManyCitations(n) => {
                write!(f, "{n} citations; a record can cite at most 65535")
            }
            PartError::IdTooLong(n) => write!(f, "id of {n} bytes; at most 65535"),
            PartError::TooManyCountries => write!(f, "more than 65534 countries"),
            PartError::TooManySplits => write!(f, "more than 65534 time splits"),
            PartError::DuplicateId(id) => write!(f, "{id:?} is used by more than one record"),
        }
    }
}

impl Part {
    /// An empty part with room for `text` bytes of Feature heads and `records` entries.
    pub fn with_capacity(text: usize, records: usize) -> Self {
        let text = String::with_capacity(text);
        // The spare capacity is not touched yet: advise before the first write, so pages arrive huge.
        crate::index::memory::advise_huge_pages(text.as_ptr(), text.capacity());
        Part {
            text,
            entries: Vec::with_capacity(records),
            hashes: Vec::with_capacity(records),
            ..Part::default()
        }
    }

    /// Number of records in the part.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the part holds no record.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id of the `k`-th record of the part, as JSON writes it.
    pub fn id(&self, k: usize) -> &str {
        let e = &self.entries[k];
        let at = e.offset() + ID_AT;
        &self.text[at..at + usize::from(e.id_len)]
    }

    /// As [`Part::push`], with the record's content hash ([`crate::index::version::record_hash`]),
    /// which the catalog keeps so that an edit can be applied to it ([`super::Catalog::patch`]).
    pub fn push_hashed(&mut self, r: &Record, cites: &[u32], hash: u64) -> Result<(), PartError> {
        self.push(r, cites)?;
        self.hashes.push(hash);
        Ok(())
    }

    /// Serialises a record into the part, with its citations as numbers in the catalog's
    /// [`CiteTable`](super::CiteTable) (`r.citations` is not read).
    pub fn push(&mut self, r: &Record, cites: &[u32]) -> Result<(), PartError> {
        let ncites =
            u16::try_from(cites.len()).map_err(|_| PartError::TooManyCitations(cites.len()))?;
        self.buf.clear();
        write_head(r, &mut self.buf);
        let id_len = json_string_len(&self.buf[ID_AT..]);
        let id_len = u16::try_from(id_len).map_err(|_| PartError::IdTooLong(id_len))?;
        let country = match &r.country {
            Some(c) => {
                let i = self.countries.get_or_insert(c.as_str(), || c.clone());
                if i as usize == self.country_names.len() {
                    self.country_names
                        .push(r.country_name.clone().unwrap_or_else(|| c.clone()));
                }
                u16::try_from(i)
                    .ok()
                    .filter(|&i| i != NO_COUNTRY)
                    .ok_or(PartError::TooManyCountries)?
            }
            None => NO_COUNTRY,
        };
        let area = match &r.area {
            Some(a) => {
                let key = format!("{}:{}", r.geo_precision.as_str(), a.id);
                let i = self.areas.get_or_insert(key.as_str(), || key.clone());
                if i as usize == self.area_boxes.len() {
                    self.area_boxes.push(a.bbox);
                }
                i
            }
            None => NO_AREA,
        };
        let split = match &r.split {
            Some(s) => {
                let i = self.splits.get_or_insert(s.as_str(), || s.clone());
                u16::try_from(i)
                    .ok()
                    .filter(|&i| i != NO_SPLIT)
                    .ok_or(PartError::TooManySplits)?
            }
            None => NO_SPLIT,
        };
        let (lon, lat) = match (r.point, &r.area) {
            (Some([x, y]), _) => (x, y),
            (None, Some(a)) => ((a.bbox[0] + a.bbox[2]) / 2.0, (a.bbox[1] + a.bbox[3]) / 2.0),
            (None, None) => (0.0, 0.0),
        };
        let admin1 = match &r.admin1_id {
            Some(id) => {
                let i = self.provinces.get_or_insert(id.as_str(), || id.clone());
                if i as usize == self.province_names.len() {
                    self.province_names
                        .push(r.admin1.clone().unwrap_or_else(|| id.clone()));
                }
                i
            }
            None => NO_PROVINCE,
        };
        let first_cite = self.cite_list.len() as u32;
        self.cite_list.extend_from_slice(cites);
        let offset = self.text.len() as u64;
        // serde_json writes UTF-8.
        self.text
            .push_str(std::str::from_utf8(&self.buf).unwrap_or_default());
        self.entries.push(Entry {
            lon,
            lat,
            first_day: r.date.to_julian_day(),
            last_day: r.last_day().to_julian_day(),
            count: r.count,
            text: offset,
            len: self.buf.len() as u32,
            cites: first_cite,
            admin1,
            area,
            country,
            split,
            ncites,
            id_len,
            kind: r.kind,
            claim: r.claim,
            geo_precision: r.geo_precision,
        });
        Ok(())
    }
}

/// Length in bytes of the JSON string body starting at `s[0]` (up to the closing quote).
fn json_string_len(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    s.len()
}
