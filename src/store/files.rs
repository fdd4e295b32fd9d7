//! [`FileSource`]: snapshots loaded from the files of a data directory (`geodata/` by default).

use super::{DataSource, Snapshot, SourceError};
use crate::geo::gazetteer::Gazetteer;
use crate::geo::jurisdictions::Jurisdictions;
use crate::load::error::{read_file, LoadError};
use crate::load::{cache, read_inputs, Dataset, GeoMemo, FILES};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::OffsetDateTime;

/// Loads snapshots from the files of a directory.
#[derive(Debug, Clone)]
pub struct FileSource {
    dir: PathBuf,
    cache: Option<PathBuf>,
    memo: Arc<GeoMemo>,
}

impl FileSource {
    /// A source over `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileSource {
            dir: dir.into(),
            cache: None,
            memo: Arc::default(),
        }
    }

    /// Keeps catalog images in `cache` (see [`cache`]): loads of unchanged data read the image.
    pub fn with_cache(mut self, cache: Option<PathBuf>) -> Self {
        self.cache = cache;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalog cache directory, if any.
    pub fn cache(&self) -> Option<&Path> {
        self.cache.as_deref()
    }

    /// The boundaries and gazetteer kept between loads.
    pub fn memo(&self) -> &GeoMemo {
        &self.memo
    }

    /// Reads only the boundaries and the gazetteer (for `iskp-map geocode`).
    pub fn read_geo(&self) -> Result<(Jurisdictions, Gazetteer), LoadError> {
        let text = |f: &str| {
            let p = self.dir.join(f);
            read_file(&p).map(|t| (p.display().to_string(), t))
        };
        let (countries, provinces) = (text("countries.geojson")?, text("provinces.geojson")?);
        let (cities, places) = (text("cities.csv")?, text("places.csv")?);
        crate::load::read_geo(&countries, &provinces, &cities, &places)
    }

    /// Reads and validates every file.
    pub fn read(&self) -> Result<Dataset, LoadError> {
        let (texts, changed_at) = self.texts()?;
        let what = self.dir.display().to_string();
        read_inputs(
            &texts,
            changed_at,
            self.cache.as_deref(),
            Some(&self.memo),
            &what,
        )
    }

    /// The eight files as `(path, text)` in [`FILES`] order, and the newest modification time
    /// among them.
    pub fn texts(&self) -> Result<(Vec<(String, String)>, OffsetDateTime), LoadError> {
        let mut changed_at = OffsetDateTime::UNIX_EPOCH;
        let texts = FILES
            .iter()
            .map(|f| {
                let p = self.dir.join(f);
                if let Ok(m) = std::fs::metadata(&p).and_then(|m| m.modified()) {
                    changed_at = changed_at.max(OffsetDateTime::from(m));
                }
                read_file(&p).map(|t| (p.display().to_string(), t))
            })
            .collect::<Result<_, _>>()?;
        Ok((texts, changed_at))
    }
}

impl DataSource for FileSource {
    fn describe(&self) -> String {
        format!("files in {}", self.dir.display())
    }

    fn load(&self) -> Result<Snapshot, SourceError> {
        let d = self.read()?;
        Ok(Snapshot::from_dataset(d))
    }

    /// Writes the catalog image in the background, so that serving starts at once.
    fn installed(&self, snap: &Arc<Snapshot>) {
        if self.cache.is_some() {
            let (this, snap) = (self.clone(), snap.clone());
            std::thread::spawn(move || this.write_cache(&snap));
        }
    }
}

impl FileSource {
    /// Writes the catalog image of `snap` to the cache directory, unless it is already there.
    pub fn write_cache(&self, snap: &Snapshot) {
        let Some(dir) = &self.cache else { return };
        if cache::path(dir, &snap.version).exists() {
            return;
        }
        let t = std::time::Instant::now();
        match cache::write(dir, &snap.version, &snap.catalog) {
            Ok(()) => {
                tracing::info!(elapsed = ?t.elapsed(), "wrote the catalog cache in {}", dir.display())
            }
            Err(e) => tracing::warn!("catalog cache {}: {e}; not cached", dir.display()),
        }
    }
}
