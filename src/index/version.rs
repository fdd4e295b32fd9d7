//! The data version: a hash of what the data says, not of how its files are written — of the six
//! smaller inputs whole, and of the records as a set, each record's fields hashed with its
//! citations' in order. Row order, quoting and column order do not change it, so files and the
//! database give the same version for the same data however either was written, and a catalog an
//! edit is applied to ([`super::Catalog::patch`]) has the version a full load of the edited data
//! computes: the hashes of the records replaced go out, those of their new rows come in. The loader
//! computes the hashes ([`crate::load`]); the catalog keeps one per record.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed, Xxh3};

/// What a data version is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion {
    /// [`inputs_hash`] of the inputs besides the records and citations.
    pub inputs: u64,
    /// How many records.
    pub count: u64,
    /// The wrapping sum of the records' [`record_hash`]es.
    pub rows: u64,
}

impl DataVersion {
    /// The version as served: 16 hex digits.
    pub fn id(&self) -> String {
        let mut h = Xxh3::new();
        h.update(b"iskp-map data version 2\0");
        for v in [self.inputs, self.count, self.rows] {
            h.update(&v.to_le_bytes());
        }
        format!("{:016x}", h.digest())
    }
}

/// The hash of the inputs other than the records and citations (boundaries, cities, places,
/// sources, splits), each whole.
pub fn inputs_hash<'a>(texts: impl Iterator<Item = &'a str>) -> u64 {
    let mut h = Xxh3::new();
    for t in texts {
        h.update(&(t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    h.digest()
}

/// The hash of one CSV row's fields, given in the file's canonical column order: each field's
/// length, then its bytes (so no byte inside a field can be taken for a boundary).
pub fn row_hash<'a>(fields: impl Iterator<Item = &'a [u8]>) -> u64 {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|b| {
        let mut b = b.borrow_mut();
        b.clear();
        for f in fields {
            b.extend_from_slice(&(f.len() as u32).to_le_bytes());
            b.extend_from_slice(f);
        }
        xxh3_64(&b)
    })
}

/// The citations of one record so far, `chain` (0 before the first), followed by one more, the
/// [`row_hash`] `cite`: the order of a record's citations counts, since it is the order served.
pub fn cite_chain(chain: u64, cite: u64) -> u64 {
    xxh3_64_with_seed(&cite.to_le_bytes(), chain)
}

/// A record's hash: its row's [`row_hash`] with the [`cite_chain`] of its citations.
pub fn record_hash(row: u64, cites: u64) -> u64 {
    xxh3_64_with_seed(&row.to_le_bytes(), cites ^ 0x9e37_79b9_7f4a_7c15)
}
