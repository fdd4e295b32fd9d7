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

/// The growing log of a source's changes.
#[derive(Debug, Default)]
pub struct ChangeLog {
    entries: RwLock<Vec<Change>>,
}

impl ChangeLog {
    /// The seq of the last entry (0 when empty).
    pub fn last_seq(&self) -> i64 {
        self.read().last().map_or(0, |c| c.seq)
    }

    /// Appends entries read after [`ChangeLog::last_seq`] (older or repeated ones are skipped), and
    /// returns the new length.
    pub fn extend(&self, more: Vec<Change>) -> usize {
        let mut e = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let last = e.last().map_or(0, |c| c.seq);
        e.extend(more.into_iter().filter(|c| c.seq > last));
        e.len()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Change>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The history a snapshot sees: the first `len` entries of a shared log.
#[derive(Debug, Clone)]
pub struct History {
    log: Arc<ChangeLog>,
    len: usize,
}

impl History {
    /// The first `len` entries of `log`.
    pub fn new(log: Arc<ChangeLog>, len: usize) -> Self {
        History { log, len }
    }

    /// How many changes this snapshot sees.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it sees none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Up to `limit` changes after seq `after` committed at or after `since`, in order, and whether
    /// more follow.
    pub fn page(
        &self,
        after: i64,
        since: Option<OffsetDateTime>,
        limit: usize,
    ) -> (Vec<Change>, bool) {
        let all = self.log.read();
        let seen = &all[..self.len.min(all.len())];
        // Entries are in seq order, and so in time order: both bounds are a binary search.
        let from_seq = seen.partition_point(|c| c.seq <= after);
        let from_time = since.map_or(0, |t| seen.partition_point(|c| c.at < t));
        let rest = &seen[from_seq.max(from_time)..];
        (
            rest.iter().take(limit).cloned().collect(),
            rest.len() > limit,
        )
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
    fn a_snapshot_sees_its_prefix_and_pages_by_seq_and_time() {
        let log = Arc::new(ChangeLog::default());
        let n = log.extend((1..=5).map(|s| change(s, 100 + s)).collect());
        let old = History::new(log.clone(), 3);
        let n2 = log.extend(vec![change(4, 0), change(6, 200)]);
        assert_eq!((n, n2), (5, 6), "a repeated seq is not appended twice");
        let now = History::new(log, n2);
        let seqs = |v: Vec<Change>| v.iter().map(|c| c.seq).collect::<Vec<_>>();
        assert_eq!(
            seqs(old.page(0, None, 10).0),
            [1, 2, 3],
            "an older snapshot sees its own"
        );
        let (p, more) = now.page(1, None, 2);
        assert_eq!((seqs(p), more), (vec![2, 3], true));
        let t = OffsetDateTime::from_unix_timestamp(104).unwrap();
        assert_eq!(seqs(now.page(0, Some(t), 10).0), [4, 5, 6]);
        assert_eq!(seqs(now.page(5, Some(t), 10).0), [6]);
    }
}
