//! The day index: what a `datetime` window holds of the records that cover one day, found by
//! binary searches instead of a pass over the window's records.
//!
//! Most records of a large set are single events of one day. For each group (every record, or one
//! slot of the country or province table, or no slot) and each kind, the index keeps the days of
//! its single-day records ascending, with running sums of their `count`: the records of one run
//! that a window `[first, last]` holds are the range between two binary searches, their count the
//! difference of two running sums. Such a record lies wholly inside any window it meets, so its
//! share of the window is whole and its time matches with either [`DayMatch`](super::DayMatch).
//!
//! Every other record (covering more than one day, or sharing a time split) is listed apart,
//! ascending, in [`others`], and read one by one. Built on first need, per grouping (the server
//! builds the two a reader's first window asks in the background once a snapshot is installed:
//! `store::background::warm_up`).

use super::{Catalog, Entry, NO_COUNTRY, NO_PROVINCE, NO_SPLIT};
use crate::model::Kind;

/// How the index groups records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One group: every record.
    All,
    /// By slot of the catalog's country table, then one group for records with no country.
    Country,
    /// By slot of the catalog's province table, then one group for records with no province.
    Province,
}

impl Grouping {
    /// Position among [`Catalog`]'s lazily built indexes.
    pub(super) fn slot(self) -> usize {
        self as usize
    }
}

/// The single-day records of one group and kind.
#[derive(Debug, Default)]
struct Run {
    /// Their days, ascending.
    days: Vec<i32>,
    /// `sums[j]`: the sum of `count` of the first `j` of them (one more than `days`).
    sums: Vec<u64>,
}

/// Single-day records by group and kind, in day order, with running sums of `count`.
#[derive(Debug)]
pub struct DayIndex {
    /// Group `g`, kind `k` at `g * Kind::COUNT + k`.
    runs: Vec<Run>,
    groups: usize,
}

/// Whether the day index holds a record: it covers one day and shares no time split.
pub fn is_single_day(e: &Entry) -> bool {
    e.first_day == e.last_day && e.split == NO_SPLIT
}

/// The records the day index does not hold, ascending.
pub fn others(catalog: &Catalog) -> Vec<u32> {
    (0..catalog.entries.len() as u32)
        .filter(|&i| !is_single_day(&catalog.entries[i as usize]))
        .collect()
}

impl DayIndex {
    /// Indexes the catalog's single-day records by `grouping`.
    pub fn build(catalog: &Catalog, grouping: Grouping) -> Self {
        let groups = match grouping {
            Grouping::All => 1,
            Grouping::Country => catalog.countries.len() + 1,
            Grouping::Province => catalog.provinces.len() + 1,
        };
        let mut runs: Vec<Run> = (0..groups * Kind::COUNT).map(|_| Run::default()).collect();
        // Entries ascend by first day, so each run is filled in day order.
        for e in catalog.entries.iter().filter(|e| is_single_day(e)) {
            let g = match grouping {
                Grouping::All => 0,
                Grouping::Country if e.country == NO_COUNTRY => groups - 1,
                Grouping::Country => usize::from(e.country),
                Grouping::Province if e.admin1 == NO_PROVINCE => groups - 1,
                Grouping::Province => e.admin1 as usize,
            };
            let run = &mut runs[g * Kind::COUNT + e.kind as usize];
            if run.sums.is_empty() {
                run.sums.push(0);
            }
            let last = run.sums.last().copied().unwrap_or(0);
            run.days.push(e.first_day);
            run.sums.push(last + u64::from(e.count));
        }
        for r in &mut runs {
            r.days.shrink_to_fit();
            r.sums.shrink_to_fit();
        }
        DayIndex { runs, groups }
    }

    /// Number of groups (for [`Grouping::Country`] and [`Grouping::Province`], the last one is
    /// the records with no slot).
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The number of single-day records of group `g` and `kind` on the days `first..=last`, and
    /// the sum of their `count`.
    pub fn tally(&self, g: usize, kind: Kind, first: i32, last: i32) -> (u64, u64) {
        let Some(run) = self.runs.get(g * Kind::COUNT + kind as usize) else {
            return (0, 0);
        };
        if run.days.is_empty() || first > last {
            return (0, 0);
        }
        let a = run.days.partition_point(|&d| d < first);
        let b = run.days.partition_point(|&d| d <= last);
        ((b - a) as u64, run.sums[b] - run.sums[a])
    }
}
