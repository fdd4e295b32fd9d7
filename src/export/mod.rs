//! Whole selections written as files for analysts: GeoJSON, CSV and FlatGeobuf.

pub mod csv;
pub mod flatgeobuf;

/// A download format: the `format` parameter's value, its media type and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// The value of `format=` (and the file extension).
    pub key: &'static str,
    /// The media type.
    pub media: &'static str,
    /// The name people know it by.
    pub name: &'static str,
}

/// Every download format.
pub const FORMATS: [Format; 3] = [
    Format {
        key: "geojson",
        media: "application/geo+json",
        name: "GeoJSON",
    },
    Format {
        key: "csv",
        media: "text/csv; charset=utf-8",
        name: "CSV",
    },
    Format {
        key: "fgb",
        media: "application/flatgeobuf",
        name: "FlatGeobuf",
    },
];

/// Features per chunk of a streamed download.
pub const CHUNK: usize = 1000;

/// The row ranges of `n` features, [`CHUNK`] at a time.
pub fn chunks(n: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..n.div_ceil(CHUNK)).map(move |k| k * CHUNK..((k + 1) * CHUNK).min(n))
}
