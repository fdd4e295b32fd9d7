//! Statistics of a `datetime` window over the whole map ([`Window`]), from the day index: the
//! single-day records' totals per group, per kind and per period as binary searches, the other
//! records the window holds added one by one. The same [`Stats`] as [`totals::stats`] over the
//! records [`Catalog::matching`] selects, without that pass (the shares of `count` inside the
//! window are summed in another order, so they agree as served, to three decimals, not to the last
//! bit of an `f64`).

use super::totals::{GroupBy, Period, Stats, StatsAcc};
use crate::geo::jurisdictions::Jurisdictions;
use crate::index::days::Grouping;
use crate::index::window::Window;
use crate::index::Catalog;

#[cfg(doc)]
use super::totals;

/// The statistics of what window `w` selects, and how many records that is.
pub fn stats(
    catalog: &Catalog,
    jur: &Jurisdictions,
    w: &Window,
    by: GroupBy,
    period: Period,
) -> (Stats, usize) {
    let (first, last) = w.bounds();
    let mut acc = StatsAcc::new(catalog, by, period, Some(&w.days));
    let all = catalog.day_index(Grouping::All);
    let mut matched = 0u64;
    for k in w.kinds() {
        let (n, c) = all.tally(0, k, first, last);
        matched += n;
        acc.bulk_all(k, n, c);
        if by == GroupBy::Kind {
            acc.bulk_group(Some(k as usize), k, n, c);
        }
    }
    let grouping = match by {
        GroupBy::Country => Some(Grouping::Country),
        GroupBy::Province => Some(Grouping::Province),
        GroupBy::Kind => None,
    };
    if let Some(g) = grouping {
        let index = catalog.day_index(g);
        let none = index.groups() - 1;
        for slot in 0..index.groups() {
            for k in w.kinds() {
                let (n, c) = index.tally(slot, k, first, last);
                if n > 0 {
                    acc.bulk_group((slot != none).then_some(slot), k, n, c);
                }
            }
        }
    }
    // The periods: only those between the first and the last record's day.
    if let Some((_, (lo, hi))) = catalog.kind_extent(None) {
        let (mut day, end) = (first.max(lo), last.min(hi));
        while day <= end {
            // `max`: the last period of the calendar (`time`'s last day) ends on its own first day.
            let (_, period_last) = acc.period_days(day);
            let to = period_last.max(day).min(end);
            for k in w.kinds() {
                let (n, c) = all.tally(0, k, day, to);
                if n > 0 {
                    acc.bulk_period(day, k, n, c);
                }
            }
            day = to.saturating_add(1);
        }
    }
    for i in catalog.window_others(w) {
        acc.record(i);
        matched += 1;
    }
    (acc.finish(jur), matched as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Filter;
    use crate::model::dates::{DayMatch, DayRange};
    use crate::model::Kind;

    /// For windows of a day to years, open or closed, either match, with or without a kind, by
    /// every grouping and period: the same statistics as the pass over the selected records.
    #[test]
    fn window_statistics_are_those_of_the_pass() {
        let catalog = crate::index::window::mixed_catalog(3_000, 5, true);
        let jur = Jurisdictions::new(Vec::new(), Vec::new());
        let (_, (first, last)) = catalog.kind_extent(None).expect("records");
        let mut asked = 0;
        for round in 0..48 {
            let s = first - 30 + (round * 53 % (last - first + 60));
            let len = [0, 27, 364, 1200][round as usize % 4];
            let f = Filter {
                days: Some(DayRange {
                    start: (round % 9 != 4).then_some(s),
                    end: (round % 7 != 3).then_some(s + len),
                }),
                day_match: if round % 2 == 0 {
                    DayMatch::Intersects
                } else {
                    DayMatch::Within
                },
                kind: (round % 5 == 0).then_some(Kind::Arrest),
                ..Filter::default()
            };
            let Some(w) = catalog.window(&f) else {
                continue;
            };
            asked += 1;
            let ids = catalog.matching(&f);
            for by in [GroupBy::Country, GroupBy::Province, GroupBy::Kind] {
                for period in [Period::Year, Period::Month] {
                    let want = super::super::totals::stats(
                        &catalog,
                        &jur,
                        &ids,
                        by,
                        period,
                        f.days.as_ref(),
                    );
                    let (got, matched) = stats(&catalog, &jur, &w, by, period);
                    assert_eq!(matched, ids.len(), "{f:?}");
                    let show = |s: &Stats| {
                        serde_json::json!({
                            "all": s.all, "all_window": s.all_window, "groups": s.groups,
                            "unassigned": s.unassigned, "unassigned_window": s.unassigned_window,
                            "timeline": s.timeline,
                        })
                    };
                    assert_eq!(show(&got), show(&want), "{f:?} {by:?} {period:?}");
                }
            }
        }
        assert!(asked > 30, "{asked} windows");
    }
}
