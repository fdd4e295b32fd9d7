//! [`BundledSource`]: the data directory built into the binary (`geodata/` as it was at build time),
//! so that an installed `iskp-map` serves the full map from any working directory.

use super::{DataSource, Snapshot, SourceError};
use crate::load::error::LoadError;
use crate::load::{read_inputs, GeoMemo, FILES};
use time::OffsetDateTime;

#[derive(rust_embed::Embed)]
#[folder = "geodata/"]
#[include = "*.csv"]
#[include = "*.geojson"]
struct Files;

/// The embedded copy of `geodata/`.
#[derive(Debug, Default)]
pub struct BundledSource {
    memo: GeoMemo,
}

impl BundledSource {
    /// The bundled data.
    pub fn new() -> Self {
        BundledSource::default()
    }

    /// The eight files as `(name, text)` in [`FILES`] order (named `bundled geodata/FILE` in
    /// messages).
    pub fn texts() -> Result<Vec<(String, String)>, LoadError> {
        FILES
            .iter()
            .map(|f| {
                let name = format!("bundled geodata/{f}");
                let file = Files::get(f).ok_or_else(|| LoadError::Io {
                    path: name.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not built into this binary",
                    ),
                })?;
                let text = crate::load::error::utf8_text(&name, file.data.into_owned())?;
                Ok((name, text))
            })
            .collect()
    }

    /// When the bundled data last changed: the newest modification time of the files at build time.
    pub fn changed_at() -> OffsetDateTime {
        let secs: i64 = env!("ISKP_MAP_BUNDLED_CHANGED_AT").parse().unwrap_or(0);
        OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl DataSource for BundledSource {
    fn describe(&self) -> String {
        "the data built into this binary".into()
    }

    fn load(&self) -> Result<Snapshot, SourceError> {
        let texts = Self::texts()?;
        let d = read_inputs(
            &texts,
            Self::changed_at(),
            None,
            Some(&self.memo),
            "bundled data",
        )?;
        Ok(Snapshot::from_dataset(d))
    }
}
