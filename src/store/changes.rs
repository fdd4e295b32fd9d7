//! The changes a snapshot's data went through, as a data source with history knows them (team
//! mode: `iskp.history`): what `/api/changes` serves.
//!
//! The log is shared by every snapshot of a source and only grows; a snapshot sees the entries
//! that were committed when its data was read ([`History::len`]), so two replicas serving the same
//! data version answer the same changes.

use std::sync::{Arc, RwLock};
use time::OffsetDateTime;

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    /// Inserted.
    Created,
    /// Updated (at least one field changed).
    Updated,
    /// Deleted.
    Deleted,
}

impl ChangeOp {
    /// The word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Created => "created",
            ChangeOp::Updated => "updated",
            ChangeOp::Deleted => "deleted",
        }
    }
}

/// The table a change is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeTable {
    /// `records`.
    Records,
    /// `citations` (filed under the record cited).
    Citations,
    /// `sources`.
    Sources,
}

impl ChangeTable {
    /// The table's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeTable::Records => "records",
            ChangeTable::Citations => "citations",
            ChangeTable::Sources => "sources",
        }
    }

    /// The table of a name, if it is one with history.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeTable::Records,
            ChangeTable::Citations,
            ChangeTable::Sources,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// One committed change of one row. Kept small: a database imported whole files every row, and a
/// replica holds every change (roles are shared, the fields of an insert or delete are none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its place in the history (ascending in commit order).
    pub seq: i64,
    /// The transaction's time.
    pub at: OffsetDateTime,
    /// The database role that made it.
    pub role: Arc<str>,
    /// The table.
    pub table: ChangeTable,
    /// What happened.
    pub op: ChangeOp,
    /// The record id (for a citation, its record's) or the source id.
    pub key: Box<str>,
    /// For an update, the fields whose value changed, sorted; otherwise empty.
    pub fields: Box<[Box<str>]>,
}

/// How many changes a replica keeps in memory: the latest ones. A database imported whole files
/// every row (a re-import at a million records files four million), so the whole history would
/// cost a replica hundreds of megabytes per import; the window costs at most about 30 MB, and
/// older changes stay in `iskp.history` for SQL.
pub const KEEP: usize = 250_000;

/// The log of a source's latest changes ([`KEEP`] of them), in seq order.
#[derive(Debug)]
pub struct ChangeLog {
    entries: RwLock<Vec<Change>>,
    keep: usize,
    /// The highest seq dropped from the front of the window (0: none dropped yet).
    dropped: std::sync::atomic::AtomicI64,
}

impl Default for ChangeLog {
    fn default() -> Self {
        ChangeLog::keeping(KEEP)
    }
}

impl ChangeLog {
    /// A log that keeps the latest `keep` changes (at least one).
    pub fn keeping(keep: usize) -> Self {
        ChangeLog {
            entries: RwLock::new(Vec::new()),
            keep: keep.max(1),
            dropped: Default::default(),
        }
    }

    /// How many changes it keeps.
    pub fn keep(&self) -> usize {
        self.keep
    }

    /// The seq of the last entry (0 when empty).
    pub fn last_seq(&self) -> i64 {
        self.read().last().map_or(0, |c| c.seq)
    }

    /// Appends entries read after [`ChangeLog::last_seq`] (older or repeated ones are skipped),
    /// drops the oldest beyond the window, and returns the seq of the last entry.
    pub fn extend(&self, more: Vec<Change>) -> i64 {
        let mut e = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let last = e.last().map_or(0, |c| c.seq);
        // A batch spanning more than the window was read as its latest `keep` seqs (the database's
        // read is capped so): what came before them is not held.
        if let Some(l) = more.last() {
            let unread = l.seq - self.keep as i64;
            if unread > last {
                self.dropped
                    .fetch_max(unread, std::sync::atomic::Ordering::AcqRel);
            }
        }
        e.extend(more.into_iter().filter(|c| c.seq > last));
        // Trimmed in steps of a quarter window, so that appending stays cheap.
        if e.len() > self.keep + self.keep / 4 {
            let cut = e.len() - self.keep;
            self.dropped
                .fetch_max(e[cut - 1].seq, std::sync::atomic::Ordering::AcqRel);
            e.drain(..cut);
        }
        e.last().map_or(last, |c| c.seq)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Change>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The history a snapshot sees: the entries of a shared log up to the last one committed when its
/// data was read.
#[derive(Debug, Clone)]
pub struct History {
    log: Arc<ChangeLog>,
    upto: i64,
    latest: Option<OffsetDateTime>,
}

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePage {
    /// The changes, in order.
    pub changes: Vec<Change>,
    /// Whether more follow.
    pub more: bool,
    /// Whether changes the request asks for are older than the window this replica keeps (they
    /// are in the database, not here).
    pub older_not_kept: bool,
}

impl History {
    /// The entries of `log` up to seq `upto`.
    pub fn new(log: Arc<ChangeLog>, upto: i64) -> Self {
        let latest = {
            let all = log.read();
            all[..all.partition_point(|c| c.seq <= upto)]
                .iter()
                .map(|c| c.at)
                .max()
        };
        History { log, upto, latest }
    }

    /// The history of a state that began at `latest` (file mode's journal: the entry's time, which
    /// its changes share, or none for the data as first served).
    pub fn of_state(log: Arc<ChangeLog>, upto: i64, latest: Option<OffsetDateTime>) -> Self {
        History { log, upto, latest }
    }

    /// The time of the latest change this snapshot holds (transaction time), if it holds any: an
    /// `as_of` at or after it is this snapshot's state ([`super::past`]).
    pub fn latest(&self) -> Option<OffsetDateTime> {
        self.latest
    }

    /// The seq of the last change this snapshot sees.
    pub fn upto(&self) -> i64 {
        self.upto
    }

    /// The earliest transaction time among the changes this snapshot sees after seq `after`:
    /// `Some(None)` if it sees none, `None` if the log no longer holds every change after `after`
    /// (the window dropped some, so it cannot tell). A transaction's time is when it began, so a
    /// change committed after another can be the earlier.
    pub fn earliest_after(&self, after: i64) -> Option<Option<OffsetDateTime>> {
        if self.log.dropped.load(std::sync::atomic::Ordering::Acquire) > after {
            return None;
        }
        let all = self.log.read();
        let seen = &all[..all.partition_point(|c| c.seq <= self.upto)];
        let from = seen.partition_point(|c| c.seq <= after);
        Some(seen[from..].iter().map(|c| c.at).min())
    }

    /// How many changes the log keeps at most.
    pub fn keep(&self) -> usize {
        self.log.keep()
    }

    /// Up to `limit` changes after seq `after` committed at or after `since`, in order.
    pub fn page(&self, after: i64, since: Option<OffsetDateTime>, limit: usize) -> ChangePage {
        let all = self.log.read();
        let seen = &all[..all.partition_point(|c| c.seq <= self.upto)];
        // Entries are in seq order, and so in time order: both bounds are a binary search.
        let from_seq = seen.partition_point(|c| c.seq <= after);
        let from_time = since.map_or(0, |t| seen.partition_point(|c| c.at < t));
        let first = from_seq.max(from_time);
        let rest = &seen[first..];
        // Asked from before the window: the window's first entry is not the first change asked
        // for (seqs have gaps only where a transaction rolled back, so this is a lower bound).
        let older_not_kept = first == 0
            && seen
                .first()
                .is_some_and(|c| c.seq > after + 1 && since.is_none_or(|t| c.at > t));
        ChangePage {
            changes: rest.iter().take(limit).cloned().collect(),
            more: rest.len() > limit,
            older_not_kept,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64, at: i64) -> Change {
        Change {
            seq,
            at: OffsetDateTime::from_unix_timestamp(at).unwrap(),
            role: "r".into(),
            table: ChangeTable::Records,
            op: ChangeOp::Updated,
            key: format!("k{seq}").into(),
            fields: vec!["title".into()].into(),
        }
    }

    #[test]
    fn a_snapshot_sees_its_changes_and_pages_by_seq_and_time() {
        let log = Arc::new(ChangeLog::default());
        let upto = log.extend((1..=5).map(|s| change(s, 100 + s)).collect());
        let old = History::new(log.clone(), 3);
        let upto2 = log.extend(vec![change(4, 0), change(6, 200)]);
        assert_eq!(
            (upto, upto2),
            (5, 6),
            "a repeated seq is not appended twice"
        );
        let now = History::new(log, upto2);
        let seqs = |p: ChangePage| p.changes.iter().map(|c| c.seq).collect::<Vec<_>>();
        assert_eq!(
            seqs(old.page(0, None, 10)),
            [1, 2, 3],
            "an older snapshot sees its own"
        );
        let p = now.page(1, None, 2);
        assert!(p.more && !p.older_not_kept);
        assert_eq!(seqs(p), vec![2, 3]);
        let t = OffsetDateTime::from_unix_timestamp(104).unwrap();
        assert_eq!(seqs(now.page(0, Some(t), 10)), [4, 5, 6]);
        assert_eq!(seqs(now.page(5, Some(t), 10)), [6]);
    }

    #[test]
    fn the_earliest_change_after_a_seq_is_known_while_the_window_holds_it() {
        let t = |s| Some(OffsetDateTime::from_unix_timestamp(s).unwrap());
        let log = Arc::new(ChangeLog::keeping(4));
        let upto = log.extend(vec![change(1, 50), change(2, 40), change(3, 60)]);
        let h = History::new(log.clone(), upto);
        assert_eq!(
            h.earliest_after(1),
            Some(t(40)),
            "a later commit with an earlier time"
        );
        assert_eq!(h.earliest_after(3), Some(None), "none after the last");
        let upto = log.extend((4..=10).map(|s| change(s, 100 + s)).collect());
        let h = History::new(log, upto);
        assert_eq!(h.earliest_after(3), None, "4 to 6 are no longer held");
        assert_eq!(h.earliest_after(6), Some(t(107)));
    }

    #[test]
    fn a_batch_read_capped_to_the_window_says_it_cannot_tell_before_it() {
        let log = Arc::new(ChangeLog::keeping(4));
        let upto = log.extend(vec![change(1, 1)]);
        let old = History::new(log.clone(), upto);
        // Seqs 2 to 6 were committed but only the latest four (7 to 10) read.
        let upto = log.extend((7..=10).map(|s| change(s, s)).collect());
        let now = History::new(log, upto);
        assert_eq!(now.earliest_after(old.upto()), None);
        assert_eq!(
            now.earliest_after(6),
            Some(Some(OffsetDateTime::from_unix_timestamp(7).unwrap()))
        );
    }

    #[test]
    fn the_log_keeps_a_window_and_says_when_a_request_reaches_before_it() {
        let log = Arc::new(ChangeLog::keeping(4));
        let upto = log.extend((1..=10).map(|s| change(s, s)).collect());
        let h = History::new(log.clone(), upto);
        let p = h.page(0, None, 100);
        assert_eq!(
            p.changes.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [7, 8, 9, 10]
        );
        assert!(
            p.older_not_kept,
            "changes 1 to 6 were asked for and are not kept"
        );
        assert!(
            !h.page(6, None, 100).older_not_kept,
            "from the window's start on, all is here"
        );
        assert!(!h.page(10, None, 100).older_not_kept);
        assert!(
            log.read().len() <= 5,
            "trimmed in steps: at most a quarter over"
        );
    }
}
