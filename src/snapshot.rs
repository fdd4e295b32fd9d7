//! Immutable snapshots and the store that swaps them (DESIGN.md §7).
//!
//! Every request reads one [`Snapshot`] through [`Store::current`]; a reload builds a complete new
//! snapshot off to the side from a [`DataSource`] and swaps the pointer only when it validated whole.
//! A failed reload leaves the previous snapshot serving and returns every error.

use crate::geocode::gazetteer::Gazetteer;
use crate::geocode::jurisdictions::{Jurisdictions, Level};
use crate::index::Catalog;
use crate::layers::PolygonLayer;
use crate::load::error::LoadError;
use arc_swap::ArcSwap;
use std::sync::Arc;
use time::OffsetDateTime;

/// Everything a query needs, frozen.
#[derive(Debug)]
pub struct Snapshot {
    /// The records, indexed.
    pub catalog: Catalog,
    /// Countries and provinces.
    pub jurisdictions: Arc<Jurisdictions>,
    /// Place names.
    pub gazetteer: Arc<Gazetteer>,
    /// The `countries` layer.
    pub countries: PolygonLayer,
    /// The `provinces` layer.
    pub provinces: PolygonLayer,
    /// Content hash of the input data (hex); the same data gives the same version on every replica.
    pub version: String,
    /// When this snapshot was built; the `timeStamp` of every response from it.
    pub loaded_at: OffsetDateTime,
}

impl Snapshot {
    /// Builds a snapshot from validated parts.
    pub fn build(
        catalog: Catalog,
        jurisdictions: Arc<Jurisdictions>,
        gazetteer: Arc<Gazetteer>,
        version: String,
    ) -> Self {
        let countries = PolygonLayer::new(&catalog, &jurisdictions, Level::Country);
        let provinces = PolygonLayer::new(&catalog, &jurisdictions, Level::Province);
        let loaded_at = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        Snapshot {
            catalog,
            jurisdictions,
            gazetteer,
            countries,
            provinces,
            version,
            loaded_at,
        }
    }
}

/// Where snapshots come from: the files of a data directory, or (team mode) a database.
pub trait DataSource: Send + Sync {
    /// A short description for logs (`files in geodata/`).
    fn describe(&self) -> String;
    /// Loads and validates everything into a new snapshot.
    fn load(&self) -> Result<Snapshot, LoadError>;
    /// Called once a loaded snapshot is being served (a cache can be filled then). Does nothing
    /// unless a source needs it.
    fn installed(&self, _snap: &Arc<Snapshot>) {}
}

/// The current snapshot and the source that refreshes it.
pub struct Store {
    current: ArcSwap<Snapshot>,
    source: Box<dyn DataSource>,
    reload_lock: std::sync::Mutex<()>,
    last_error: std::sync::Mutex<Option<(OffsetDateTime, String)>>,
}

impl Store {
    /// Loads the first snapshot; fails if it does not validate.
    pub fn open(source: Box<dyn DataSource>) -> Result<Self, LoadError> {
        let first = Arc::new(source.load()?);
        crate::memory::release_freed_memory();
        source.installed(&first);
        Ok(Store {
            current: ArcSwap::new(first),
            source,
            reload_lock: std::sync::Mutex::new(()),
            last_error: std::sync::Mutex::new(None),
        })
    }

    /// A store over a ready snapshot (tests, benchmarks).
    pub fn with_snapshot(snapshot: Snapshot, source: Box<dyn DataSource>) -> Self {
        Store {
            current: ArcSwap::from_pointee(snapshot),
            source,
            reload_lock: std::sync::Mutex::new(()),
            last_error: std::sync::Mutex::new(None),
        }
    }

    /// The snapshot to answer one request from. Hold it for the whole request.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Reloads from the source. On success the new snapshot replaces the old atomically and its
    /// version is returned; on failure nothing changes. Concurrent reloads run one at a time.
    pub fn reload(&self) -> Result<String, LoadError> {
        let _guard = self.reload_lock.lock().unwrap_or_else(|e| e.into_inner());
        let next = match self.source.load() {
            Ok(n) => n,
            Err(e) => {
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((OffsetDateTime::now_utc(), e.to_string()));
                return Err(e);
            }
        };
        let version = next.version.clone();
        let next = Arc::new(next);
        self.current.store(next.clone());
        self.source.installed(&next);
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        crate::memory::release_freed_memory();
        Ok(version)
    }

    /// When the last reload failed and why, if it did and none has succeeded since: the store is
    /// then serving an older snapshot than its source holds.
    pub fn last_error(&self) -> Option<(OffsetDateTime, String)> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// What the store loads from.
    pub fn describe(&self) -> String {
        self.source.describe()
    }
}
