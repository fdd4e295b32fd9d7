//! [`FileSource`]: snapshots loaded from the files of a data directory (`geodata/` by default).

use super::{DataSource, Snapshot, SourceError};
use crate::geo::gazetteer::Gazetteer;
use crate::geo::jurisdictions::Jurisdictions;
use crate::load::error::{read_file, LoadError};
use crate::load::{cache, read_cached, read_inputs, Dataset, GeoMemo, VersionHash, FILES};
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
        if let Some(dir) = &self.cache {
            if let Some(d) = self.read_cached(dir)? {
                return Ok(d);
            }
        }
        let (texts, changed_at) = self.texts()?;
        let what = self.dir.display().to_string();
        // The image was looked for above.
        read_inputs(&texts, changed_at, None, Some(&self.memo), &what)
    }

    /// The data from the catalog image of these files, if there is one: the four files of the
    /// boundaries and the gazetteer are read, the other four (the records and citations: nearly
    /// all the bytes at scale) only hashed as they stream, since the image is of exactly the data
    /// their hash names. Without an image, `None`, and [`FileSource::read`] reads every file.
    fn read_cached(&self, dir: &Path) -> Result<Option<Dataset>, LoadError> {
        const GEO: [&str; 4] = [
            "countries.geojson",
            "provinces.geojson",
            "cities.csv",
            "places.csv",
        ];
        let mut changed_at = OffsetDateTime::UNIX_EPOCH;
        let mut hash = VersionHash::default();
        let mut geo = Vec::with_capacity(GEO.len());
        for f in FILES {
            let p = self.dir.join(f);
            changed_at = changed_at.max(modified(&p));
            if GEO.contains(f) {
                let text = read_file(&p)?;
                hash.part(text.as_bytes());
                geo.push((p.display().to_string(), text));
            } else {
                let io = |source| LoadError::Io {
                    path: p.display().to_string(),
                    source,
                };
                hash.part_from(std::fs::File::open(&p).map_err(io)?)
                    .map_err(io)?;
            }
        }
        let [countries, provinces, cities, places] = &geo[..] else {
            return Ok(None); // not four: read every file instead
        };
        let what = self.dir.display().to_string();
        let geo = [countries, provinces, cities, places];
        read_cached(
            geo,
            &hash.finish(),
            changed_at,
            dir,
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
                changed_at = changed_at.max(modified(&p));
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
        let (Some(dir), Some(key)) = (&self.cache, &snap.image_key) else {
            return;
        };
        if cache::path(dir, key).exists() {
            return;
        }
        let t = std::time::Instant::now();
        match cache::write(dir, key, &snap.catalog) {
            Ok(()) => {
                tracing::info!(elapsed = ?t.elapsed(), "wrote the catalog cache in {}", dir.display())
            }
            Err(e) => tracing::warn!("catalog cache {}: {e}; not cached", dir.display()),
        }
    }
}

/// When the file at `p` was last modified (the epoch when that cannot be read): the data's change
/// time is the newest of its files'.
fn modified(p: &Path) -> OffsetDateTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .map_or(OffsetDateTime::UNIX_EPOCH, OffsetDateTime::from)
}
