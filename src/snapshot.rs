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
    /// When the data last changed, to the second: the `timeStamp` of every response from it.
    pub changed_at: OffsetDateTime,
    /// When this snapshot was built (readiness reports its age).
    pub loaded_at: OffsetDateTime,
    /// Record indices, ascending: every record, then every record of each kind in
    /// [`crate::model::Kind::ALL`] order. A page of an unfiltered collection is a slice of these.
    pub by_kind: Vec<Arc<[u32]>>,
    /// What entity tags are made from: the version and the change time, since both show in
    /// answers. Replicas holding the same data at the same change time tag alike.
    pub tag: String,
}

impl Snapshot {
    /// Builds a snapshot from validated parts.
    pub fn build(
        catalog: Catalog,
        jurisdictions: Arc<Jurisdictions>,
        gazetteer: Arc<Gazetteer>,
        version: String,
        changed_at: OffsetDateTime,
    ) -> Self {
        let countries = PolygonLayer::new(&catalog, &jurisdictions, Level::Country);
        let provinces = PolygonLayer::new(&catalog, &jurisdictions, Level::Province);
        let by_kind = by_kind(&catalog);
        let loaded_at = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        Snapshot {
            catalog,
            jurisdictions,
            gazetteer,
            countries,
            provinces,
            tag: format!("{version}.{:x}", changed_at.unix_timestamp()),
            by_kind,
            version,
            changed_at,
            loaded_at,
        }
    }

    /// The records a filter selects, ascending. A filter that restricts nothing but the kind is
    /// answered with one of [`Snapshot::by_kind`], shared and not computed (a page of it then costs
    /// its own length); any other asks [`Catalog::matching`].
    pub fn matching(&self, f: &crate::index::Filter) -> Ids {
        if self.catalog.restricts_only_kind(f) {
            let slot = match f.kind {
                None => Some(0),
                Some(k) => crate::model::Kind::ALL
                    .iter()
                    .position(|x| *x == k)
                    .map(|p| p + 1),
            };
            if let Some(list) = slot.and_then(|s| self.by_kind.get(s)) {
                return Ids::Shared(list.clone());
            }
        }
        Ids::List(self.catalog.matching(f))
    }

    /// Builds the snapshot of a validated data set.
    pub fn from_dataset(d: crate::load::Dataset) -> Self {
        Snapshot::build(
            d.catalog,
            d.jurisdictions,
            d.gazetteer,
            d.version,
            d.changed_at,
        )
    }
}

/// Selected record indices, ascending: computed for one request, or shared with the snapshot.
#[derive(Debug, Clone)]
pub enum Ids {
    /// Computed by [`Catalog::matching`].
    List(Vec<u32>),
    /// One of [`Snapshot::by_kind`].
    Shared(Arc<[u32]>),
}

impl std::ops::Deref for Ids {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        match self {
            Ids::List(v) => v,
            Ids::Shared(a) => a,
        }
    }
}

/// All record indices, then those of each kind.
fn by_kind(catalog: &Catalog) -> Vec<Arc<[u32]>> {
    let kinds = crate::model::Kind::ALL;
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); kinds.len()];
    for (i, e) in catalog.entries().iter().enumerate() {
        if let Some(k) = kinds.iter().position(|x| *x == e.kind) {
            lists[k].push(i as u32);
        }
    }
    let all: Arc<[u32]> = (0..catalog.len() as u32).collect();
    std::iter::once(all)
        .chain(lists.into_iter().map(Arc::from))
        .collect()
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
    /// Since when and why the source is not what it should be (the database unreachable, a
    /// fallback served), if it is not.
    fn status(&self) -> Option<(OffsetDateTime, String)> {
        None
    }
}

/// A shared source is a source (the server keeps one handle to describe it while loading).
impl<T: DataSource + ?Sized> DataSource for Arc<T> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn load(&self) -> Result<Snapshot, LoadError> {
        (**self).load()
    }
    fn installed(&self, snap: &Arc<Snapshot>) {
        (**self).installed(snap)
    }
    fn status(&self) -> Option<(OffsetDateTime, String)> {
        (**self).status()
    }
}

/// The current snapshot and the source that refreshes it.
pub struct Store {
    current: ArcSwap<Snapshot>,
    source: Box<dyn DataSource>,
    reload_lock: std::sync::Mutex<()>,
    last_error: std::sync::Mutex<Option<(OffsetDateTime, String)>>,
    reloads: std::sync::atomic::AtomicU64,
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
            reloads: Default::default(),
        })
    }

    /// A store over a ready snapshot (tests, benchmarks).
    pub fn with_snapshot(snapshot: Snapshot, source: Box<dyn DataSource>) -> Self {
        Store {
            current: ArcSwap::from_pointee(snapshot),
            source,
            reload_lock: std::sync::Mutex::new(()),
            last_error: std::sync::Mutex::new(None),
            reloads: Default::default(),
        }
    }

    /// The snapshot to answer one request from. Hold it for the whole request.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Reloads from the source. On success the new snapshot replaces the old atomically and its
    /// version is returned (data identical to what is served, to its change time, is not swapped);
    /// on failure nothing changes. Concurrent reloads run one at a time.
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
        let now = self.current.load();
        if now.version != next.version || now.changed_at != next.changed_at {
            drop(now);
            let next = Arc::new(next);
            self.current.store(next.clone());
            self.reloads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.source.installed(&next);
        }
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

    /// How many reloads have swapped in a new snapshot since start.
    pub fn reloads(&self) -> u64 {
        self.reloads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The source's own trouble, if any (see [`DataSource::status`]).
    pub fn source_status(&self) -> Option<(OffsetDateTime, String)> {
        self.source.status()
    }

    /// What the store loads from.
    pub fn describe(&self) -> String {
        self.source.describe()
    }
}
