//! Immutable snapshots, where they come from, and the store that swaps them.
//!
//! Every request reads one [`Snapshot`] through [`Store::current`]; a reload builds a complete new
//! snapshot off to the side from a [`DataSource`] and swaps the pointer only when it validated
//! whole. A failed reload leaves the previous snapshot serving and returns every error.

pub mod answers;
pub mod background;
pub mod bundled;
pub mod changes;
pub mod collections;
pub mod files;
pub mod journal;
pub mod past;
pub mod snapshot;
pub mod source;

pub use bundled::BundledSource;
pub use files::FileSource;
pub use journal::JournalSource;
pub use snapshot::{Ids, Snapshot};
pub use source::{DataSource, SourceError};

use arc_swap::ArcSwap;
use std::sync::Arc;
use time::OffsetDateTime;

/// The current snapshot and the source that refreshes it.
pub struct Store {
    current: ArcSwap<Snapshot>,
    source: Box<dyn DataSource>,
    reload_lock: std::sync::Mutex<()>,
    last_error: std::sync::Mutex<Option<(OffsetDateTime, String)>>,
    reloads: std::sync::atomic::AtomicU64,
    rejected: std::sync::atomic::AtomicU64,
    /// Past states built for `as_of`.
    past: past::Kept,
}

impl Store {
    /// Loads the first snapshot; fails if it does not validate.
    pub fn open(source: Box<dyn DataSource>) -> Result<Self, SourceError> {
        let first = Arc::new(source.load()?);
        crate::index::memory::release_freed_memory();
        source.installed(&first);
        background::warm_up(&first);
        Ok(Store {
            current: ArcSwap::new(first),
            source,
            reload_lock: std::sync::Mutex::new(()),
            last_error: std::sync::Mutex::new(None),
            reloads: Default::default(),
            rejected: Default::default(),
            past: Default::default(),
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
            rejected: Default::default(),
            past: Default::default(),
        }
    }

    /// The snapshot to answer one request from. Hold it for the whole request.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Reloads from the source. On success the new snapshot replaces the old atomically and its
    /// version is returned (data identical to what is served, to its change time, is not swapped);
    /// on failure nothing changes. Concurrent reloads run one at a time.
    pub fn reload(&self) -> Result<String, SourceError> {
        let _guard = self.reload_lock.lock().unwrap_or_else(|e| e.into_inner());
        let next = match self.source.load_after(&self.current.load_full()) {
            Ok(n) => n,
            Err(e) => {
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((OffsetDateTime::now_utc(), e.to_string()));
                self.rejected
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
        };
        let version = next.version.clone();
        let now = self.current.load();
        if now.version != next.version || now.changed_at != next.changed_at {
            drop(now);
            let next = Arc::new(next);
            let old = self.current.swap(next.clone());
            self.reloads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.source.installed(&next);
            background::warm_up(&next);
            self.replaced(old, &next);
        }
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        crate::index::memory::release_freed_memory();
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

    /// How many reloads have been refused (the data did not validate or could not be read).
    pub fn rejected_reloads(&self) -> u64 {
        self.rejected.load(std::sync::atomic::Ordering::Relaxed)
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
