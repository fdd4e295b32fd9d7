//! A `datetime` window over the whole map: a filter restricting nothing but the kind and the days,
//! answered with the [day index](super::days) — its count and any page of it without a pass over
//! the records it holds.

use super::days::{self, DayIndex, Grouping};
use super::{Catalog, DayMatch, Filter, SHORT_DAYS};
use crate::model::dates::DayRange;
use crate::model::Kind;

/// A window a [`Filter`] asks over every record (see [`Catalog::window`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// The days asked.
    pub days: DayRange,
    /// Only this kind, if any.
    pub kind: Option<Kind>,
    /// How a record's time must meet the days.
    pub how: DayMatch,
    /// Where its records are among the entries.
    span: DaySpan,
}

/// Where the records meeting some days are among the date-ordered entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DaySpan {
    /// Entries `lo..hi` hold every record of at most [`SHORT_DAYS`] days meeting the days;
    /// those before `start` begin before them (only one covering more days can meet them).
    pub(super) lo: usize,
    pub(super) start: usize,
    pub(super) hi: usize,
    /// `long[..before]`: the longer records starting before entry `lo` (later ones are in the
    /// range already).
    pub(super) before: usize,
}

impl Window {
    /// The first and last day asked, open ends taken as the ends of time.
    pub fn bounds(&self) -> (i32, i32) {
        (
            self.days.start.unwrap_or(i32::MIN),
            self.days.end.unwrap_or(i32::MAX),
        )
    }

    /// The kinds it selects, in [`Kind::ALL`] order.
    pub fn kinds(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL
            .iter()
            .copied()
            .filter(|k| self.kind.is_none_or(|x| x == *k))
    }
}

impl Catalog {
    /// The window `f` asks, when it restricts nothing but the kind and the days, and the days
    /// narrow (a window holding every record's days is no window, unless a time split holds no
    /// events: see [`Catalog::restricts_only_kind`]).
    pub fn window(&self, f: &Filter) -> Option<Window> {
        let days = self.narrowing_days(f)?;
        let only_days = Filter {
            days: None,
            kind: None,
            day_match: DayMatch::default(),
            ..f.clone()
        };
        if !self.restricts_only_kind(&only_days) {
            return None;
        }
        Some(Window {
            days,
            kind: f.kind,
            how: f.day_match,
            span: self.day_span(&days),
        })
    }

    /// Where the records meeting `days` are: binary searches over the entries' first days.
    pub(super) fn day_span(&self, days: &DayRange) -> DaySpan {
        let lo = days.start.map_or(0, |s| {
            self.entries
                .partition_point(|e| e.first_day < s.saturating_sub(SHORT_DAYS))
        });
        let hi = days
            .end
            .map_or(self.entries.len(), |end| {
                self.entries.partition_point(|e| e.first_day <= end)
            })
            .max(lo);
        let start = days.start.map_or(lo, |s| {
            self.entries[lo..hi].partition_point(|e| e.first_day < s) + lo
        });
        DaySpan {
            lo,
            start,
            hi,
            before: self.long.partition_point(|&i| (i as usize) < lo),
        }
    }

    /// The day index by `grouping`, built on first need.
    pub fn day_index(&self, grouping: Grouping) -> &DayIndex {
        self.day_indexes[grouping.slot()].get_or_init(|| DayIndex::build(self, grouping))
    }

    /// Whether the day index by `grouping` is built yet.
    pub fn has_day_index(&self, grouping: Grouping) -> bool {
        self.day_indexes[grouping.slot()].get().is_some()
    }

    /// Whether record `i` is of the window's kind and its time meets the window as asked: as
    /// [`Catalog::matching`] decides, its whole span first (a split none of whose periods holds
    /// events lies "within" any window by its periods, but not by its span).
    fn in_window(&self, w: &Window, i: u32) -> bool {
        let e = &self.entries[i as usize];
        w.kind.is_none_or(|k| e.kind == k)
            && w.days.intersects(e.first_day, e.last_day)
            && self.time_matches(e, &w.days, w.how)
    }

    /// The records the day index does not hold (more than one day, or a time split), ascending;
    /// built on first need.
    pub fn window_others_list(&self) -> &[u32] {
        self.others.get_or_init(|| days::others(self))
    }

    /// The records the day index does not hold whose index is in `range`.
    fn others_in(&self, range: std::ops::Range<usize>) -> &[u32] {
        let others = self.window_others_list();
        let a = others.partition_point(|&i| (i as usize) < range.start);
        let b = others.partition_point(|&i| (i as usize) < range.end);
        &others[a..b]
    }

    /// Every record that may meet the window, ascending: the long ones starting before the
    /// window's range of entries, those of more than one day starting before the window, then
    /// every record starting in it.
    fn window_candidates<'a>(&'a self, w: &Window) -> impl Iterator<Item = u32> + 'a {
        let s = w.span;
        self.long[..s.before]
            .iter()
            .chain(self.others_in(s.lo..s.start))
            .copied()
            .chain(s.start as u32..s.hi as u32)
    }

    /// The records the window selects that the day index does not hold (more than one day, or a
    /// time split), ascending.
    pub fn window_others<'a>(&'a self, w: &Window) -> impl Iterator<Item = u32> + 'a {
        let (w, s) = (*w, w.span);
        self.long[..s.before]
            .iter()
            .chain(self.others_in(s.lo..s.hi))
            .copied()
            .filter(move |&i| self.in_window(&w, i))
    }

    /// How many records the window selects: the day index's count and the others one by one.
    pub fn window_count(&self, w: &Window) -> usize {
        let (first, last) = w.bounds();
        let index = self.day_index(Grouping::All);
        let single: u64 = w.kinds().map(|k| index.tally(0, k, first, last).0).sum();
        single as usize + self.window_others(w).count()
    }

    /// The records `offset..offset + limit` of what the window selects, ascending: a walk from
    /// the window's first entry that stops at the page's end.
    pub fn window_page(&self, w: &Window, offset: usize, limit: usize) -> Vec<u32> {
        self.window_candidates(w)
            .filter(|&i| self.in_window(w, i))
            .skip(offset)
            .take(limit)
            .collect()
    }
}

/// A catalog for tests of windows: `n` synthetic records covering one day up to years, a count of
/// 3 in one in four, three countries with a country-level record (no province) in five; with
/// `splits`, one record in 11 shares a time split (single-day ones too), one of the two splits
/// holding no events.
#[cfg(test)]
pub(crate) fn mixed_catalog(n: usize, seed: u64, splits: bool) -> Catalog {
    use crate::synth;
    let mut records = synth::records(n, seed);
    for (n, r) in records.iter_mut().enumerate() {
        let days = [0i64, 0, 0, 0, 1, 30, 93, 700][n % 8];
        if days > 0 {
            r.date_end = Some(r.date + time::Duration::days(days));
        }
        if n % 4 == 1 {
            r.count = 3;
        }
        let c = ["AFG", "PAK", "IRN"][n % 3];
        r.country = Some(c.into());
        r.admin1_id = (n % 5 != 0).then(|| format!("{c}-{}", n % 7));
        if splits && n % 11 == 0 {
            r.split = Some(["S1", "S0"][n % 2].into());
        }
    }
    let first = records
        .iter()
        .map(|r| r.date)
        .min()
        .map_or(0, |d| d.to_julian_day());
    let split = |id: &str, n: u32| super::Split {
        id: id.into(),
        periods: vec![
            (first + 100, first + 400, n),
            (first + 900, first + 1300, 2 * n),
        ],
        cited: Vec::new(),
    };
    let table = if splits {
        vec![split("S1", 5), split("S0", 0)]
    } else {
        Vec::new()
    };
    Catalog::with_splits(records, vec![synth::document()], &table).expect("fits")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    fn catalog(splits: bool) -> Catalog {
        mixed_catalog(5_000, 11, splits)
    }

    /// A window's count and pages are what the scan of [`Catalog::matching`] selects, for
    /// windows open or closed, either match, with or without a kind.
    #[test]
    fn a_window_counts_and_pages_as_the_scan_does() {
        let cat = catalog(true);
        let (_, (first, last)) = cat.kind_extent(None).expect("records");
        let mut asked = 0;
        for round in 0..90 {
            let s = first - 50 + (round * 37 % (last - first + 100));
            let len = [0, 1, 29, 92, 400, 3000][round as usize % 6];
            let f = Filter {
                days: Some(DayRange {
                    start: (round % 7 != 2).then_some(s),
                    end: (round % 5 != 1).then_some(s + len),
                }),
                day_match: if round % 2 == 0 {
                    DayMatch::Intersects
                } else {
                    DayMatch::Within
                },
                kind: (round % 3 == 0).then_some(Kind::Raid),
                ..Filter::default()
            };
            let scan = cat.matching(&f);
            let Some(w) = cat.window(&f) else {
                assert!(cat.restricts_only_kind(&f), "{f:?}");
                continue;
            };
            asked += 1;
            assert_eq!(cat.window_count(&w), scan.len(), "{f:?}");
            for (offset, limit) in [
                (0, 10),
                (3, 100),
                (scan.len().saturating_sub(2), 10),
                (scan.len() + 5, 10),
            ] {
                let want: Vec<u32> = scan.iter().copied().skip(offset).take(limit).collect();
                assert_eq!(cat.window_page(&w, offset, limit), want, "{f:?} {offset}");
            }
        }
        assert!(asked > 60, "{asked} windows took the day index");
    }

    /// A window over an empty catalog counts and pages nothing.
    #[test]
    fn an_empty_catalog_has_nothing_in_a_window() {
        let cat = Catalog::new(Vec::new(), vec![synth::document()]).expect("fits");
        let f = Filter {
            days: Some(DayRange {
                start: Some(2_459_000),
                end: Some(2_459_100),
            }),
            ..Filter::default()
        };
        let w = cat.window(&f).expect("a window");
        assert_eq!(cat.window_count(&w), 0);
        assert!(cat.window_page(&w, 0, 10).is_empty());
        assert!(cat.matching(&f).is_empty());
    }

    /// Any other restriction, or a window holding everything, is not a window.
    #[test]
    fn only_kind_and_days_make_a_window() {
        let cat = catalog(false);
        let (_, (first, last)) = cat.kind_extent(None).expect("records");
        let days = Some(DayRange {
            start: Some(first + 40),
            end: Some(first + 400),
        });
        let plain = Filter {
            days,
            ..Filter::default()
        };
        assert!(cat.window(&plain).is_some());
        let with_claim = Filter {
            claim: Some(crate::model::Claim::ALL[0]),
            ..plain.clone()
        };
        assert!(cat.window(&with_claim).is_none());
        let boxed = Filter {
            bbox: Some(crate::index::Bbox {
                minx: 60.0,
                miny: 29.0,
                maxx: 75.0,
                maxy: 39.0,
            }),
            ..plain
        };
        assert!(cat.window(&boxed).is_none());
        let whole = Filter {
            days: Some(DayRange {
                start: Some(first - 1),
                end: Some(last + 1),
            }),
            ..Filter::default()
        };
        assert!(cat.window(&whole).is_none());
        // While a time split holds no events, even that window selects something (not its
        // records) and is asked.
        assert!(catalog(true).window(&whole).is_some());
    }

    /// The day index's tallies per group add up to the whole: every single-day record is in
    /// one group of each grouping.
    #[test]
    fn every_grouping_tallies_the_same_whole() {
        let cat = catalog(true);
        let all = cat.day_index(Grouping::All);
        for g in [Grouping::Country, Grouping::Province] {
            let index = cat.day_index(g);
            for k in Kind::ALL.iter().copied() {
                let whole = all.tally(0, k, i32::MIN, i32::MAX);
                let parts = (0..index.groups()).map(|i| index.tally(i, k, i32::MIN, i32::MAX));
                let sum = parts.fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                assert_eq!(sum, whole, "{g:?} {k:?}");
            }
        }
        let singles = cat
            .entries
            .iter()
            .filter(|e| days::is_single_day(e))
            .count();
        let tallied: u64 = Kind::ALL
            .iter()
            .map(|&k| all.tally(0, k, i32::MIN, i32::MAX).0)
            .sum();
        assert_eq!(tallied as usize, singles);
    }
}
