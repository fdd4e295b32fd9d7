//! `as_of`: the data as it stood at an instant, for a source that keeps history (team mode).
//!
//! An instant names the state whose last change was at or before it. The state the store serves
//! answers every instant at or after its own latest change at once (what a recent `as_of` costs is
//! what a current answer costs), and so does the state a reload replaced, kept as it was served
//! ([`Kept::replaced`]): an instant between the last two edits. An earlier state is rebuilt by its
//! source, validated like any load, and kept — the last [`PAST_KEPT`] states, built or replaced,
//! each as large as a snapshot. One is built at a time:
//! requests for the state being built wait for it, a request for another past state meanwhile is
//! told to retry (429), so no client can make the server build states faster than one after
//! another. Where an instant falls is asked of the
//! source once and kept (up to [`PLACED_KEPT`] instants), so a kept past state costs what the
//! current one does.

use super::{Snapshot, SourceError, Store};
use crate::geo::shared_gazetteer::SharedGazetteer;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Past states kept, built or replaced by a reload (each holds a whole snapshot's memory).
pub const PAST_KEPT: usize = 2;

/// Where an instant falls in a source's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// In the state whose last change was at this time.
    After(OffsetDateTime),
    /// Before the first change the history holds (at this time; `None`: it holds none).
    Before(Option<OffsetDateTime>),
}

/// Why an `as_of` cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsOfError {
    /// The source keeps no history (files without a journal).
    #[error("this server keeps no history of its data, so it cannot answer as_of (team mode keeps one; over files, serve --data DIR --history FILE)")]
    NoHistory,
    /// The instant is later than now.
    #[error("{0} is in the future")]
    Future(String),
    /// The instant is before the first change the history holds.
    #[error("the history begins at {0}")]
    BeforeHistory(String),
    /// Another past state is being built.
    #[error("another past state is being built")]
    Busy,
    /// The data as it stood then did not validate (the replicas served the state before it then).
    #[error("the data as it stood then did not validate: {0}")]
    Invalid(String),
    /// The source could not be read.
    #[error("the history could not be read: {0}")]
    Unavailable(String),
}

/// Instants placed in the history (an instant's place does not change), at most this many.
pub const PLACED_KEPT: usize = 4096;

/// Past states built so far, the most recently used last, and the instants placed so far.
#[derive(Debug, Default)]
pub struct Kept {
    states: Mutex<Vec<(OffsetDateTime, Arc<Snapshot>)>>,
    building: Mutex<()>,
    /// The state being built, if one is.
    which: Mutex<Option<OffsetDateTime>>,
    placed: Mutex<std::collections::HashMap<OffsetDateTime, Placed>>,
    /// Past states built from the source since start.
    built: std::sync::atomic::AtomicU64,
}

impl Kept {
    fn placed(&self, at: OffsetDateTime) -> Option<Placed> {
        let p = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        p.get(&at).copied()
    }

    fn place(&self, at: OffsetDateTime, placed: Placed) {
        let mut p = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        if p.len() >= PLACED_KEPT {
            p.clear();
        }
        p.insert(at, placed);
    }

    fn get(&self, last: OffsetDateTime) -> Option<Arc<Snapshot>> {
        let mut s = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let i = s.iter().position(|(t, _)| *t == last)?;
        let hit = s.remove(i);
        let snap = hit.1.clone();
        s.push(hit);
        Some(snap)
    }

    fn put(&self, last: OffsetDateTime, snap: Arc<Snapshot>) {
        let mut s = self.states.lock().unwrap_or_else(|p| p.into_inner());
        s.retain(|(t, _)| *t != last);
        s.push((last, snap));
        while s.len() > PAST_KEPT {
            s.remove(0);
        }
    }

    /// Keeps `snap` as the least recently used state, only while fewer than [`PAST_KEPT`] are held:
    /// a state nobody asked for yet never pushes out one a reader is browsing.
    fn put_if_room(&self, last: OffsetDateTime, snap: Arc<Snapshot>) {
        let mut s = self.states.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() < PAST_KEPT && s.iter().all(|(t, _)| *t != last) {
            s.insert(0, (last, snap));
        }
    }

    /// After a reload replaced `old` by `new`: `old` is kept as the past state of its last change
    /// — the very snapshot served until now, so an `as_of` between that change and the next costs
    /// what a current answer does, where it cost a rebuild (seconds at a million records) — when it
    /// is what a rebuild would give: `new` adds only changes made after it, read the tables
    /// without history (boundaries, places, splits, which a rebuild reads as they are now) as `old`
    /// did, and the source would give it the same change time (`alike`). A change `new` adds with
    /// an earlier time (a transaction that began before another and committed after it) is missing
    /// from the states kept, and may move the instants placed, at or after its time: those are
    /// dropped (all of them when the log no longer tells).
    fn replaced(
        &self,
        old: Arc<Snapshot>,
        new: &Snapshot,
        alike: impl Fn(&Snapshot, OffsetDateTime) -> bool,
    ) {
        let (Some(was), Some(now)) = (old.history.as_ref(), new.history.as_ref()) else {
            return;
        };
        let earliest = now.earliest_after(was.upto());
        let stale = |t: OffsetDateTime| match earliest {
            None => true,
            Some(None) => false,
            Some(Some(e)) => t >= e,
        };
        self.states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(t, _)| !stale(*t));
        self.placed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|at, _| !stale(*at));
        let same_rest = Arc::ptr_eq(&old.jurisdictions, &new.jurisdictions)
            && SharedGazetteer::same(&old.gazetteer, &new.gazetteer)
            && old.catalog.splits() == new.catalog.splits();
        if let (Some(last), Some(Some(e)), true) = (was.latest(), earliest, same_rest) {
            if last < e && alike(&old, last) {
                self.put_if_room(last, old);
            }
        }
    }

    /// How many past states are held.
    pub fn len(&self) -> usize {
        self.states.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn before_history(first: Option<OffsetDateTime>) -> AsOfError {
    AsOfError::BeforeHistory(
        first.map_or_else(|| "its first change (it holds none yet)".into(), rfc3339),
    )
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

impl Store {
    /// The snapshot of the data as it stood at `at` (see the module). Blocking: it may read the
    /// source and build a snapshot, so call it off the async threads.
    pub fn as_of(&self, at: OffsetDateTime) -> Result<Arc<Snapshot>, AsOfError> {
        if let Some(answer) = self.as_of_at_hand(at) {
            return answer;
        }
        // An instant's place is asked of the source once (a query of the database), then kept.
        let placed = match self.past.placed(at) {
            Some(p) => Ok(p),
            None => self.source.place(at).inspect(|p| self.past.place(at, *p)),
        };
        let last = match placed {
            Ok(Placed::After(t)) => t,
            Ok(Placed::Before(first)) => return Err(before_history(first)),
            Err(e) => return Err(AsOfError::Unavailable(e.to_string())),
        };
        if let Some(s) = self.past.get(last) {
            return Ok(s);
        }
        // One build at a time: a request for the state being built waits for it (a page asks
        // for a dozen answers of one state at once); one for another state is told to retry.
        let which = || self.past.which.lock().unwrap_or_else(|p| p.into_inner());
        let _one_at_a_time = match self.past.building.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if *which() == Some(last) => {
                self.past.building.lock().unwrap_or_else(|p| p.into_inner())
            }
            Err(std::sync::TryLockError::WouldBlock) => return Err(AsOfError::Busy),
        };
        if let Some(s) = self.past.get(last) {
            return Ok(s);
        }
        *which() = Some(last);
        let built = self.source.load_as_of(last);
        *which() = None;
        let snap = match built {
            Ok(s) => Arc::new(s),
            Err(e @ SourceError::Data(_)) => {
                let text = e.to_string();
                let first: Vec<&str> = text.lines().take(3).collect();
                return Err(AsOfError::Invalid(first.join("; ")));
            }
            Err(e) => return Err(AsOfError::Unavailable(e.to_string())),
        };
        self.past.put(last, snap.clone());
        self.past
            .built
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::index::memory::release_freed_memory();
        Ok(snap)
    }

    /// [`Store::as_of`] when it needs no reading of the source — the state served, a kept past
    /// state of an instant placed before, or a refusal — without blocking (the server answers
    /// these on its async threads); `None` when the source must be read.
    pub fn as_of_at_hand(&self, at: OffsetDateTime) -> Option<Result<Arc<Snapshot>, AsOfError>> {
        if !self.source.keeps_history() {
            return Some(Err(AsOfError::NoHistory));
        }
        if at > OffsetDateTime::now_utc() {
            return Some(Err(AsOfError::Future(rfc3339(at))));
        }
        let current = self.current();
        if current
            .history
            .as_ref()
            .and_then(|h| h.latest())
            .is_some_and(|l| l <= at)
        {
            return Some(Ok(current));
        }
        match self.past.placed(at)? {
            Placed::After(last) => self.past.get(last).map(Ok),
            Placed::Before(first) => Some(Err(before_history(first))),
        }
    }

    /// The past states held (`/metrics`).
    pub fn past_states(&self) -> usize {
        self.past.len()
    }

    /// The past states built from the source since start (`/metrics`; a state a reload replaced
    /// and kept was not built).
    pub fn past_states_built(&self) -> u64 {
        self.past.built.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps the snapshot a reload replaced when it can answer `as_of` ([`Kept::replaced`]).
    pub(super) fn replaced(&self, old: Arc<Snapshot>, new: &Snapshot) {
        if self.source.keeps_history() {
            self.past.replaced(old, new, |snap, last| {
                self.source.rebuilds_alike(snap, last)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap() -> Arc<Snapshot> {
        Arc::new(crate::store::DataSource::load(&crate::store::BundledSource::new()).unwrap())
    }

    #[test]
    fn the_last_states_used_are_kept_and_the_oldest_goes() {
        let kept = Kept::default();
        let s = snap();
        let t = |n| OffsetDateTime::from_unix_timestamp(n).unwrap();
        kept.put(t(1), s.clone());
        kept.put(t(2), s.clone());
        assert!(kept.get(t(1)).is_some(), "1 used last");
        kept.put(t(3), s.clone());
        assert_eq!(kept.len(), PAST_KEPT);
        assert!(kept.get(t(2)).is_none(), "the least recently used went");
        assert!(kept.get(t(1)).is_some() && kept.get(t(3)).is_some());
    }
}
