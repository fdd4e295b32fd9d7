//! Aggregates: totals per jurisdiction and per period, for the choropleth, the timeline and the
//! `countries` / `provinces` collections.
//!
//! A total is the sum of `count` (a record standing for 33 attacks adds 33), with the number of
//! records beside it. In the timeline, `count` puts a record in the period where it starts; `spread`
//! shares its count over the days it covers, so an August–July series adds to both calendar years in
//! proportion. Both sum to the same total.

use crate::geo::jurisdictions::{Jurisdiction, Jurisdictions, Level};
use crate::index::Catalog;
use crate::model::dates::{format_julian, DayRange};
use crate::model::Kind;
use serde::Serialize;
use std::collections::BTreeMap;

/// The field of a per-kind struct ([`Totals`], [`Shares`]) that holds `kind`: their fields are
/// named after the kinds.
macro_rules! kind_field {
    ($s:expr, $kind:expr) => {
        match $kind {
            Kind::Attack => &mut $s.attack,
            Kind::Plot => &mut $s.plot,
            Kind::Arrest => &mut $s.arrest,
            Kind::Designation => &mut $s.designation,
            Kind::Raid => &mut $s.raid,
            Kind::Presence => &mut $s.presence,
        }
    };
}

/// Sums of `count` by kind, and the number of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Records.
    pub records: u64,
    /// Sum of `count` over all kinds.
    pub total: u64,
    /// Sum of `count` of attacks.
    pub attack: u64,
    /// Sum of `count` of plots.
    pub plot: u64,
    /// Sum of `count` of arrests.
    pub arrest: u64,
    /// Sum of `count` of designations.
    pub designation: u64,
    /// Sum of `count` of raids.
    pub raid: u64,
    /// Sum of `count` of presence records.
    pub presence: u64,
}

impl Totals {
    /// The values in [`TOTAL_FIELDS`](crate::model::columns::TOTAL_FIELDS) order.
    pub fn values(&self) -> [u64; 8] {
        [
            self.records,
            self.total,
            self.attack,
            self.plot,
            self.arrest,
            self.designation,
            self.raid,
            self.presence,
        ]
    }

    /// Adds one record.
    pub fn add(&mut self, kind: Kind, count: u32) {
        self.add_many(kind, 1, u64::from(count));
    }

    /// Adds `records` records of `kind` whose counts sum to `count`.
    pub fn add_many(&mut self, kind: Kind, records: u64, count: u64) {
        self.records += records;
        self.total += count;
        *kind_field!(self, kind) += count;
    }
}

/// Sums of `count` shared by the days of each record that fall inside a time window: a record
/// covering August 2022 to July 2023 adds 5/12 of its count to a window of 2023 (by days). Without
/// a window every share is whole and these equal the [`Totals`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shares {
    /// All kinds.
    pub total: f64,
    /// Attacks.
    pub attack: f64,
    /// Plots.
    pub plot: f64,
    /// Arrests.
    pub arrest: f64,
    /// Designations.
    pub designation: f64,
    /// Raids.
    pub raid: f64,
    /// Signs of presence.
    pub presence: f64,
}

impl Shares {
    /// Adds an amount of events of `kind`.
    pub fn add_amount(&mut self, kind: Kind, amount: f64) {
        self.total += amount;
        *kind_field!(self, kind) += amount;
    }

    /// Adds `share` (0 to 1) of a record's count.
    pub fn add(&mut self, kind: Kind, count: u32, share: f64) {
        let c = f64::from(count) * share;
        self.total += c;
        *kind_field!(self, kind) += c;
    }
}

/// Rounds to 3 decimals, as the shares are served.
fn milli(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Serialize for Shares {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(7))?;
        for (k, v) in [
            ("total", self.total),
            ("attack", self.attack),
            ("plot", self.plot),
            ("arrest", self.arrest),
            ("designation", self.designation),
            ("raid", self.raid),
            ("presence", self.presence),
        ] {
            m.serialize_entry(k, &milli(v))?;
        }
        m.end()
    }
}

/// How much of the matched activity falls inside the time window: the count shared by days
/// (`inside`), and the records that reach outside the window (`partial`, with their whole counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct InWindow {
    /// Counts shared by the days inside the window.
    pub inside: Shares,
    /// Records partly outside the window (all of their count).
    pub partial: Totals,
}

impl InWindow {
    fn add(&mut self, kind: Kind, count: u32, share: f64) {
        self.inside.add(kind, count, share);
        if share < 1.0 {
            self.partial.add(kind, count);
        }
    }
}

/// How to group jurisdictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// By country.
    Country,
    /// By province (records known only to country level are left out and counted in `unassigned`).
    Province,
    /// By kind: one group per kind of record ([`Kind::ALL`]), so that one answer gives what a
    /// view holds of each kind.
    Kind,
}

/// Timeline bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar years.
    Year,
    /// Calendar months.
    Month,
}

/// Totals of one jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct GroupStat {
    /// Country code or province id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Country code (absent for a group that is not a jurisdiction).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub country: String,
    /// Totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// How much of them falls inside the time window.
    #[serde(flatten)]
    pub window: InWindow,
}

/// Totals of one period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodStat {
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    /// Records starting in the period, by kind.
    #[serde(flatten)]
    pub totals: Totals,
    /// Count shared in proportion to the days each record covers in the period.
    pub spread: f64,
    /// `spread` by kind (and its `total`), so that one answer gives every kind's series.
    pub spread_by_kind: Shares,
}

/// The answer of the statistics endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Totals over everything matched.
    pub all: Totals,
    /// How much of `all` falls inside the time window.
    pub all_window: InWindow,
    /// Per jurisdiction, largest total first.
    pub groups: Vec<GroupStat>,
    /// Totals of records with no jurisdiction at the requested level (country-level records when
    /// grouping by province).
    pub unassigned: Totals,
    /// How much of `unassigned` falls inside the time window.
    pub unassigned_window: InWindow,
    /// Per period, in order.
    pub timeline: Vec<PeriodStat>,
}

fn bucket_start(day: i32, p: Period) -> time::Date {
    let d = time::Date::from_julian_day(day).unwrap_or(time::Date::MIN);
    let month = if p == Period::Year {
        time::Month::January
    } else {
        d.month()
    };
    time::Date::from_calendar_date(d.year(), month, 1).unwrap_or(d)
}

fn next_bucket(d: time::Date, p: Period) -> time::Date {
    let (y, m) = match p {
        Period::Year => (d.year() + 1, time::Month::January),
        Period::Month if d.month() == time::Month::December => (d.year() + 1, time::Month::January),
        Period::Month => (d.year(), d.month().next()),
    };
    time::Date::from_calendar_date(y, m, 1).unwrap_or(time::Date::MAX)
}

fn label(d: time::Date, p: Period) -> String {
    match p {
        Period::Year => format!("{:04}", d.year()),
        Period::Month => format!("{:04}-{:02}", d.year(), u8::from(d.month())),
    }
}

/// Shares `amount` over the buckets that the days `s..=e` fall in, by days; `first` is the bucket
/// (and its first day) that holds `s`.
fn spread(
    buckets: &mut BTreeMap<time::Date, (Totals, Shares)>,
    first: (time::Date, i32),
    (s, e): (i32, i32),
    (kind, amount): (Kind, f64),
    period: Period,
) {
    let days = f64::from(e - s + 1);
    let (mut b, mut lo_bound) = first;
    while lo_bound <= e {
        let nb = next_bucket(b, period);
        let lo = s.max(lo_bound);
        let hi = e.min(nb.to_julian_day() - 1);
        if hi >= lo {
            buckets
                .entry(b)
                .or_default()
                .1
                .add_amount(kind, amount * f64::from(hi - lo + 1) / days);
        }
        b = nb;
        lo_bound = nb.to_julian_day();
    }
}

/// Computes totals per jurisdiction and per period over the given records; `window` is the
/// `datetime` they were selected by, which the shares inside it are computed against.
pub fn stats(
    catalog: &Catalog,
    jur: &Jurisdictions,
    ids: &[u32],
    by: GroupBy,
    period: Period,
    window: Option<&DayRange>,
) -> Stats {
    let mut acc = StatsAcc::new(catalog, by, period, window);
    for &i in ids {
        acc.record(i);
    }
    acc.finish(jur)
}

/// The running sums of [`Stats`], fed one record at a time ([`StatsAcc::record`]) or, for
/// single-day records wholly inside the window, many at once from the day index.
pub struct StatsAcc<'a> {
    catalog: &'a Catalog,
    by: GroupBy,
    period: Period,
    window: Option<&'a DayRange>,
    /// The group names, by slot.
    table: std::borrow::Cow<'a, [(Box<str>, Box<str>)]>,
    /// Totals over everything added.
    pub all: Totals,
    /// How much of `all` falls inside the window.
    pub all_window: InWindow,
    /// Totals with no group.
    pub unassigned: Totals,
    /// How much of `unassigned` falls inside the window.
    pub unassigned_window: InWindow,
    /// Per slot of the group table.
    pub slots: Vec<(Totals, InWindow)>,
    /// Per period, by its first day.
    pub buckets: BTreeMap<time::Date, (Totals, Shares)>,
    /// The bucket of the last record added, with its first day and the next bucket's.
    current: Option<(time::Date, i32, i32)>,
}

impl<'a> StatsAcc<'a> {
    /// Nothing added yet.
    pub fn new(
        catalog: &'a Catalog,
        by: GroupBy,
        period: Period,
        window: Option<&'a DayRange>,
    ) -> Self {
        // Per slot of the catalog's country or province table: no string work per record.
        let table: std::borrow::Cow<'a, [(Box<str>, Box<str>)]> = match by {
            GroupBy::Country => catalog.country_table().into(),
            GroupBy::Province => catalog.province_table().into(),
            GroupBy::Kind => Kind::ALL
                .iter()
                .map(|k| (k.as_str().into(), k.as_str().into()))
                .collect::<Vec<_>>()
                .into(),
        };
        StatsAcc {
            catalog,
            by,
            period,
            window,
            slots: vec![(Totals::default(), InWindow::default()); table.len()],
            table,
            all: Totals::default(),
            all_window: InWindow::default(),
            unassigned: Totals::default(),
            unassigned_window: InWindow::default(),
            buckets: BTreeMap::new(),
            current: None,
        }
    }

    /// The period bucket `day` falls in, with its first day and the next bucket's first day.
    /// Records usually come in ascending start days: the bucket of the previous one is usually
    /// the bucket of this one, and only looked up again when a record starts past it.
    fn bucket_of(&mut self, day: i32) -> (time::Date, i32, i32) {
        match self.current {
            Some(c) if (c.1..c.2).contains(&day) => c,
            _ => {
                let b = bucket_start(day, self.period);
                let c = (
                    b,
                    b.to_julian_day(),
                    next_bucket(b, self.period).to_julian_day(),
                );
                self.current = Some(c);
                c
            }
        }
    }

    /// Adds record `i`.
    pub fn record(&mut self, i: u32) {
        let catalog = self.catalog;
        let period = self.period;
        let r = catalog.entry(i);
        let (s, e) = catalog.span(i);
        let share = self.window.map_or(1.0, |w| catalog.share_in(i, w));
        self.all.add(r.kind, r.count);
        self.all_window.add(r.kind, r.count, share);
        let slot = match self.by {
            GroupBy::Country => catalog.country_slot(i),
            GroupBy::Province => catalog.province_slot(i),
            GroupBy::Kind => Some(r.kind as usize),
        };
        match slot {
            Some(k) => {
                self.slots[k].0.add(r.kind, r.count);
                self.slots[k].1.add(r.kind, r.count, share);
            }
            None => {
                self.unassigned.add(r.kind, r.count);
                self.unassigned_window.add(r.kind, r.count, share);
            }
        }
        let (start, from, to) = self.bucket_of(s);
        let buckets = &mut self.buckets;
        let bucket = buckets.entry(start).or_default();
        bucket.0.add(r.kind, r.count);
        match catalog.split_of(i) {
            // Within one bucket: all of its count is spread there.
            None if e < to => bucket.1.add_amount(r.kind, f64::from(r.count)),
            None => spread(
                buckets,
                (start, from),
                (s, e),
                (r.kind, f64::from(r.count)),
                period,
            ),
            // A count shared by a time split is spread over its periods, in proportion to
            // their counts, and by days within each.
            Some(split) => {
                let total = split.total().max(1) as f64;
                for &(a, b, n) in &split.periods {
                    let amount = f64::from(r.count) * f64::from(n) / total;
                    let first = bucket_start(a, period);
                    spread(
                        buckets,
                        (first, first.to_julian_day()),
                        (a, b),
                        (r.kind, amount),
                        period,
                    );
                }
            }
        }
    }

    /// Adds `records` single-day records of `kind` inside the window whose counts sum to
    /// `count`, to the totals over everything (not to a group or a period).
    pub fn bulk_all(&mut self, kind: Kind, records: u64, count: u64) {
        self.all.add_many(kind, records, count);
        self.all_window.inside.add_amount(kind, count as f64);
    }

    /// As [`StatsAcc::bulk_all`], to group slot `slot` (`None`: no group).
    pub fn bulk_group(&mut self, slot: Option<usize>, kind: Kind, records: u64, count: u64) {
        let (totals, window) = match slot {
            Some(k) => {
                let s = &mut self.slots[k];
                (&mut s.0, &mut s.1)
            }
            None => (&mut self.unassigned, &mut self.unassigned_window),
        };
        totals.add_many(kind, records, count);
        window.inside.add_amount(kind, count as f64);
    }

    /// As [`StatsAcc::bulk_all`], to the period that holds `day`.
    pub fn bulk_period(&mut self, day: i32, kind: Kind, records: u64, count: u64) {
        let (start, _, _) = self.bucket_of(day);
        let bucket = self.buckets.entry(start).or_default();
        bucket.0.add_many(kind, records, count);
        bucket.1.add_amount(kind, count as f64);
    }

    /// The period containing `day` as its first and last day.
    pub fn period_days(&self, day: i32) -> (i32, i32) {
        let b = bucket_start(day, self.period);
        (
            b.to_julian_day(),
            next_bucket(b, self.period).to_julian_day() - 1,
        )
    }

    /// The statistics of everything added.
    pub fn finish(self, jur: &Jurisdictions) -> Stats {
        let by = self.by;
        let mut groups: Vec<GroupStat> = self
            .table
            .iter()
            .zip(self.slots)
            .filter(|(_, t)| t.0.records > 0)
            .map(|((id, _), (totals, window))| {
                let j: Option<&Jurisdiction> = match by {
                    GroupBy::Country => jur.country(id),
                    GroupBy::Province => jur.province_index(id).map(|i| &jur.provinces[i]),
                    GroupBy::Kind => None,
                };
                GroupStat {
                    id: id.to_string(),
                    name: j.map_or_else(|| id.to_string(), |j| j.name.clone()),
                    country: j.map_or_else(String::new, |j| j.country.clone()),
                    totals,
                    window,
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            b.totals
                .total
                .cmp(&a.totals.total)
                .then_with(|| a.id.cmp(&b.id))
        });
        let period = self.period;
        let timeline = self
            .buckets
            .into_iter()
            .map(|(d, (totals, spread))| PeriodStat {
                period: label(d, period),
                totals,
                spread: milli(spread.total),
                spread_by_kind: spread,
            })
            .collect();
        Stats {
            all: self.all,
            all_window: self.all_window,
            groups,
            unassigned: self.unassigned,
            unassigned_window: self.unassigned_window,
            timeline,
        }
    }
}

/// Sums of `count` and numbers of records, per kind (in [`Kind::ALL`] order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Sum of `count` per kind.
    pub count: [u64; Kind::COUNT],
    /// Records per kind.
    pub records: [u64; Kind::COUNT],
}

impl Tally {
    /// Adds one record.
    pub fn add(&mut self, kind: Kind, count: u32) {
        self.count[kind as usize] += u64::from(count);
        self.records[kind as usize] += 1;
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: &Tally) {
        for k in 0..Kind::COUNT {
            self.count[k] += other.count[k];
            self.records[k] += other.records[k];
        }
    }

    /// The same sums as [`Totals`].
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (k, kind) in Kind::ALL.iter().enumerate() {
            t.records += self.records[k];
            t.total += self.count[k];
            *kind_field!(t, *kind) += self.count[k];
        }
        t
    }
}

/// Tallies every record of the catalog into one of `n` slots, the one `slot` gives for its index
/// (records for which it gives none are left out). The one way every all-time total per
/// jurisdiction is computed: the layers, the plain index page and the `check` report.
pub fn tally(catalog: &Catalog, n: usize, slot: impl Fn(u32) -> Option<usize>) -> Vec<Tally> {
    let mut out = vec![Tally::default(); n];
    for (i, r) in catalog.entries().iter().enumerate() {
        if let Some(s) = slot(i as u32) {
            out[s].add(r.kind, r.count);
        }
    }
    out
}

/// All-time tallies per slot of the catalog's country table.
pub fn per_country(catalog: &Catalog) -> Vec<Tally> {
    tally(catalog, catalog.country_table().len(), |i| {
        catalog.country_slot(i)
    })
}

/// All-time totals for every jurisdiction of a level, aligned with its list in [`Jurisdictions`].
pub fn jurisdiction_totals(catalog: &Catalog, jur: &Jurisdictions, level: Level) -> Vec<Totals> {
    let n = match level {
        Level::Country => jur.countries.len(),
        Level::Province => jur.provinces.len(),
    };
    // Each slot of the catalog's table is looked up in the jurisdictions once, not once per record.
    let slot_to_jur: Vec<Option<usize>> = match level {
        Level::Country => catalog
            .country_table()
            .iter()
            .map(|(code, _)| jur.country_index(code))
            .collect(),
        Level::Province => catalog
            .province_table()
            .iter()
            .map(|(id, _)| jur.province_index(id))
            .collect(),
    };
    let slot = |i: u32| match level {
        Level::Country => catalog.country_slot(i),
        Level::Province => catalog.province_slot(i),
    };
    tally(catalog, n, |i| slot(i).and_then(|k| slot_to_jur[k]))
        .iter()
        .map(Tally::totals)
        .collect()
}

/// First and last day of a span as ISO dates.
pub fn interval_strings(span: (i32, i32)) -> (String, String) {
    (format_julian(span.0), format_julian(span.1))
}
