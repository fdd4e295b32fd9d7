//! Where snapshots come from: the [`DataSource`] seam (files, the bundled data, or a database).

use super::past::Placed;
use super::Snapshot;
use crate::load::error::{LoadError, RowError};
use std::sync::Arc;
use time::OffsetDateTime;

/// Why a source could not give a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The data was read but does not validate, or a file could not be read.
    #[error(transparent)]
    Data(#[from] LoadError),
    /// The source could not be reached (team mode: the database).
    #[error("{error}")]
    Unavailable {
        /// What went wrong (a [`crate::db::DbError`] in team mode).
        error: Box<dyn std::error::Error + Send + Sync>,
        /// Whether trying again later may succeed (the server down or restarting), as opposed to
        /// a mistake that needs a person (a wrong password, no schema).
        transient: bool,
    },
}

impl SourceError {
    /// The row errors, if the data did not validate.
    pub fn rows(&self) -> &[RowError] {
        match self {
            SourceError::Data(e) => e.rows(),
            SourceError::Unavailable { .. } => &[],
        }
    }

    /// Whether trying again later may succeed: the source was unreachable (data that does not
    /// validate stays invalid until someone mends it).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SourceError::Unavailable {
                transient: true,
                ..
            }
        )
    }
}

/// Where snapshots come from: the files of a data directory, or (team mode) a database.
pub trait DataSource: Send + Sync {
    /// A short description for logs (`files in geodata/`).
    fn describe(&self) -> String;
    /// Loads and validates everything into a new snapshot.
    fn load(&self) -> Result<Snapshot, SourceError>;

    /// Loads the data again, given the snapshot served now: a source that can tell what changed
    /// since (the database) applies only that to it ([`crate::index::Catalog::patch`]); any
    /// other loads everything.
    fn load_after(&self, _current: &Arc<Snapshot>) -> Result<Snapshot, SourceError> {
        self.load()
    }
    /// Called once a loaded snapshot is being served (a cache can be filled then). Does nothing
    /// unless a source needs it.
    fn installed(&self, _snap: &Arc<Snapshot>) {}
    /// Since when and why the source is not what it should be (the database unreachable, a
    /// fallback served), if it is not.
    fn status(&self) -> Option<(OffsetDateTime, String)> {
        None
    }
    /// Whether the source keeps the history of its data, so `as_of` can be answered.
    fn keeps_history(&self) -> bool {
        false
    }
    /// Where the instant `at` falls in the history (only if [`DataSource::keeps_history`]).
    fn place(&self, _at: OffsetDateTime) -> Result<Placed, SourceError> {
        Ok(Placed::Before(None))
    }
    /// The data as it stood after its changes up to `last` (a time [`DataSource::place`] gave),
    /// validated as any load.
    fn load_as_of(&self, _last: OffsetDateTime) -> Result<Snapshot, SourceError> {
        Err(SourceError::Unavailable {
            error: "this source keeps no history".into(),
            transient: false,
        })
    }
    /// Whether [`DataSource::load_as_of`] for `last` would give `snap` — a state this source
    /// loaded, whose last change was at `last` — the change time it was served with (what else
    /// makes a rebuild differ, the store checks). Only then is a state a reload replaced kept to
    /// answer `as_of` instead of being rebuilt.
    fn rebuilds_alike(&self, _snap: &Snapshot, _last: OffsetDateTime) -> bool {
        false
    }
}

/// A shared source is a source (the server keeps one handle to describe it while loading).
impl<T: DataSource + ?Sized> DataSource for Arc<T> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn load(&self) -> Result<Snapshot, SourceError> {
        (**self).load()
    }
    fn load_after(&self, current: &Arc<Snapshot>) -> Result<Snapshot, SourceError> {
        (**self).load_after(current)
    }
    fn installed(&self, snap: &Arc<Snapshot>) {
        (**self).installed(snap)
    }
    fn status(&self) -> Option<(OffsetDateTime, String)> {
        (**self).status()
    }
    fn keeps_history(&self) -> bool {
        (**self).keeps_history()
    }
    fn place(&self, at: OffsetDateTime) -> Result<Placed, SourceError> {
        (**self).place(at)
    }
    fn load_as_of(&self, last: OffsetDateTime) -> Result<Snapshot, SourceError> {
        (**self).load_as_of(last)
    }
    fn rebuilds_alike(&self, snap: &Snapshot, last: OffsetDateTime) -> bool {
        (**self).rebuilds_alike(snap, last)
    }
}
