//! [`DbSource`]: snapshots loaded from the database, with an exported data directory to fall back
//! on when the database cannot be read at start.

use super::{tables, Db};
use crate::load::{cache, read_inputs, GeoMemo};
use crate::store::changes::{ChangeLog, History};
use crate::store::past::Placed;
use crate::store::{DataSource, Snapshot};
use crate::store::{FileSource, SourceError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// What the loader and the listener ([`super::follow`]) share about one database.
#[derive(Debug)]
pub struct Shared {
    /// The database.
    pub db: Db,
    /// `iskp.state.change_seq` of the snapshot served; -1 before the first load from the database.
    seq: AtomicI64,
    /// Set while serving the fallback files instead of the database's data.
    fallback: Mutex<Option<(OffsetDateTime, String)>>,
    /// Set while the listener has no connection.
    link: Mutex<Option<(OffsetDateTime, String)>>,
}

impl Shared {
    /// The change counter of the data served, if it came from the database.
    pub fn loaded_seq(&self) -> Option<i64> {
        Some(self.seq.load(Ordering::Acquire)).filter(|s| *s >= 0)
    }

    /// Records that the listener lost (`Some`) or regained (`None`) its connection. The time of a
    /// loss is kept from the first failure on, so readiness says since when.
    pub fn set_link_problem(&self, problem: Option<String>) {
        let mut link = self.link.lock().unwrap_or_else(|p| p.into_inner());
        *link = match (link.take(), problem) {
            (_, None) => None,
            (Some((since, _)), Some(p)) => Some((since, p)),
            (None, Some(p)) => Some((OffsetDateTime::now_utc(), p)),
        };
    }

    fn status(&self) -> Option<(OffsetDateTime, String)> {
        let lock = |m: &Mutex<Option<(OffsetDateTime, String)>>| {
            m.lock().unwrap_or_else(|p| p.into_inner()).clone()
        };
        match (lock(&self.fallback), lock(&self.link)) {
            (Some((t, a)), Some((_, b))) => Some((t, format!("{a}; {b}"))),
            (a, b) => a.or(b),
        }
    }
}

/// Loads snapshots from the database's tables, validated by the same loader as files.
pub struct DbSource {
    shared: Arc<Shared>,
    fallback: Option<FileSource>,
    cache: Option<PathBuf>,
    memo: GeoMemo,
    kept: tables::Kept,
    /// Every change read from `iskp.history` so far, shared by the snapshots.
    log: Arc<ChangeLog>,
}

impl DbSource {
    /// A source over `db`. `fallback` is a data directory (a `db export`) served when the first
    /// load from the database fails; `cache` keeps catalog images as for files.
    pub fn new(db: Db, fallback: Option<PathBuf>, cache: Option<PathBuf>) -> Self {
        DbSource {
            shared: Arc::new(Shared {
                db,
                seq: AtomicI64::new(-1),
                fallback: Mutex::new(None),
                link: Mutex::new(None),
            }),
            fallback: fallback.map(FileSource::new),
            cache,
            memo: GeoMemo::default(),
            kept: tables::Kept::default(),
            log: Arc::new(ChangeLog::default()),
        }
    }

    /// The state the listener needs.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    fn load_db(&self) -> Result<(Snapshot, i64), SourceError> {
        let db = &self.shared.db;
        let mut client = db.connect()?;
        let (after, keep) = (self.log.last_seq(), self.log.keep());
        let (contents, changes) =
            tables::read_all_with(db, &mut client, Some(&self.kept), |db, tx| {
                super::history::read_after(db, tx, after, keep)
            })?;
        drop(client);
        let d = read_inputs(
            &contents.texts,
            contents.changed_at,
            self.cache.as_deref(),
            Some(&self.memo),
            db.target(),
        )?;
        // The log grows only once the data validated: a refused edit's changes wait for the next
        // good read, which reads them again.
        let upto = self.log.extend(changes);
        let snap = Snapshot::from_dataset(d).with_history(History::new(self.log.clone(), upto));
        Ok((snap, contents.seq))
    }
}

impl DbSource {
    /// The snapshot of `current` with the edit committed since applied to it, when that can be
    /// done: `current` was loaded from this database, it knows every record's content hash, the
    /// edit is of records and citations alone, within [`super::delta::Limits`], and the texts of
    /// the records replaced since the last full load are at most a quarter of all. `None` when
    /// it cannot (the caller then loads everything), or when the edit's rows do not validate on
    /// their own or together with the rest: the full load that follows reports them with the
    /// lines of `db export`, as for any load.
    fn patch(&self, current: &Snapshot) -> Option<Result<(Snapshot, i64), SourceError>> {
        let (Some(seq), Some(history)) = (self.shared.loaded_seq(), current.history.as_ref())
        else {
            return None;
        };
        let cat = &current.catalog;
        let fallback = self
            .shared
            .fallback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if fallback || !cat.has_hashes() || cat.dead_bytes() * 4 > cat.text_bytes() {
            return None;
        }
        let t = std::time::Instant::now();
        let db = &self.shared.db;
        let limits = super::delta::Limits {
            changes: (cat.len() as i64 / 4).max(1_000),
        };
        let read = db.connect().and_then(|mut client| {
            super::delta::read(
                db,
                &mut client,
                history.upto(),
                seq,
                limits,
                self.log.keep(),
            )
        });
        let delta = match read {
            Ok(Some(d)) => d,
            Ok(None) => return None,
            Err(e) => return Some(Err(e.into())),
        };
        let t_read = t.elapsed();
        let mut errors = crate::load::error::Errors::default();
        let splits = crate::load::records::Splits {
            list: cat.splits().to_vec(),
            lines: vec![0; cat.splits().len()],
        };
        let resolver = crate::load::records::Resolver {
            jurisdictions: &current.jurisdictions,
            gazetteer: &current.gazetteer,
            splits: &splits,
        };
        let cites = crate::load::records::read_citations(
            "iskp.citations",
            &delta.citations,
            cat.documents().to_vec(),
            &mut errors,
        );
        let edit = crate::load::records::read_records(
            "iskp.records",
            &delta.records,
            "iskp.citations",
            cites,
            "iskp.splits",
            &resolver,
            1,
            false,
            &mut errors,
        );
        let edit = match edit {
            Some(e) if errors.is_empty() => e,
            _ => {
                tracing::info!(
                    "an edit of {} records does not validate on its own; loading everything",
                    delta.ids.len()
                );
                return None;
            }
        };
        let ids: Vec<&str> = delta.ids.iter().map(String::as_str).collect();
        let patched = match cat.patch(&ids, edit) {
            Ok(p) => p,
            Err(e) => {
                tracing::info!("an edit of {} records: {e}; loading everything", ids.len());
                return None;
            }
        };
        let version = patched.data_version().id();
        let upto = self.log.extend(delta.changes);
        let mut snap = Snapshot::build(
            patched,
            current.jurisdictions.clone(),
            current.gazetteer.clone(),
            version,
            delta.changed_at,
        )
        .with_history(History::new(self.log.clone(), upto));
        snap.from_edit = true;
        tracing::info!(
            records = ids.len(),
            read = ?t_read,
            elapsed = ?t.elapsed(),
            "applied an edit to the snapshot"
        );
        Some(Ok((snap, delta.seq)))
    }

    /// Marks `seq` as the change counter served, from the database.
    fn served(&self, seq: i64) {
        self.shared.seq.store(seq, Ordering::Release);
        *self
            .shared
            .fallback
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl DataSource for DbSource {
    fn load_after(&self, current: &Arc<Snapshot>) -> Result<Snapshot, SourceError> {
        match self.patch(current) {
            Some(Ok((snap, seq))) => {
                self.served(seq);
                Ok(snap)
            }
            Some(Err(e)) => Err(e),
            None => self.load(),
        }
    }

    fn describe(&self) -> String {
        match &self.fallback {
            Some(f) => format!(
                "PostgreSQL {} (fallback: files in {})",
                self.shared.db.target(),
                f.dir().display()
            ),
            None => format!("PostgreSQL {}", self.shared.db.target()),
        }
    }

    fn load(&self) -> Result<Snapshot, SourceError> {
        let first = self.shared.loaded_seq().is_none();
        match self.load_db() {
            Ok((snap, seq)) => {
                self.served(seq);
                Ok(snap)
            }
            Err(e) => match (&self.fallback, first) {
                (Some(files), true) => {
                    tracing::warn!(
                        "cannot load from the database, serving the files in {} instead: {e}",
                        files.dir().display()
                    );
                    // A fallback that does not load either changes nothing: the database's error
                    // decides (an unreachable database is waited for).
                    let snap = match files.load() {
                        Ok(snap) => snap,
                        Err(f) => {
                            tracing::error!(
                                "the fallback files in {} do not load either:\n{f}",
                                files.dir().display()
                            );
                            return Err(e);
                        }
                    };
                    *self
                        .shared
                        .fallback
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some((
                        OffsetDateTime::now_utc(),
                        format!(
                            "serving the fallback files in {}: the database could not be loaded ({})",
                            files.dir().display(),
                            first_line(&e.to_string())
                        ),
                    ));
                    Ok(snap)
                }
                _ => Err(e),
            },
        }
    }

    fn installed(&self, snap: &Arc<Snapshot>) {
        if let (Some(dir), Some(key)) = (self.cache.clone(), snap.image_key.clone()) {
            let snap = snap.clone();
            std::thread::spawn(move || {
                if !cache::path(&dir, &key).exists() {
                    if let Err(e) = cache::write(&dir, &key, &snap.catalog) {
                        tracing::warn!("catalog cache {}: {e}; not cached", dir.display());
                    }
                }
            });
        }
    }

    fn status(&self) -> Option<(OffsetDateTime, String)> {
        self.shared.status()
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn place(&self, at: OffsetDateTime) -> Result<Placed, SourceError> {
        let db = &self.shared.db;
        let mut client = db.connect()?;
        Ok(super::past::place(db, &mut client, at)?)
    }

    fn load_as_of(&self, last: OffsetDateTime) -> Result<Snapshot, SourceError> {
        let db = &self.shared.db;
        let mut client = db.connect()?;
        let texts = super::past::read_as_of(db, &mut client, last)?;
        drop(client);
        let what = format!("{} as of {last}", db.target());
        let d = read_inputs(&texts, last, None, Some(&self.memo), &what)?;
        Ok(Snapshot::from_dataset(d))
    }

    /// A rebuilt state's change time is its last change's (to the second), where a load's is
    /// `iskp.state.changed_at` — the same unless a later transaction touched only tables without
    /// history.
    fn rebuilds_alike(&self, snap: &Snapshot, last: OffsetDateTime) -> bool {
        snap.changed_at == last.replace_nanosecond(0).unwrap_or(last)
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}
