//! A typed filter predicate (what a CQL2 `filter` says once checked against the queryables), and
//! its evaluation on the catalog's compact entries.
//!
//! The tree is built by [`super::cql`] and holds only what the entries can answer: codes, country
//! and province slots, counts, days, points and area boxes, plus three columns read once per
//! snapshot from the stored Feature heads (`fatalities`, `injured`, `link`, see [`Columns`]).
//! Nothing here parses JSON per record.
//!
//! Semantics, decided once and documented in the README:
//! - a comparison with a null value (a record with no country, no fatalities…) is false, and
//!   `NOT` of it true (two-valued logic); `IS NULL` tests for it;
//! - `S_INTERSECTS(geometry, G)` holds for a record at a point when the point intersects `G`, and
//!   for a record known only to an area when the whole area (its box) lies inside `G` — the rule
//!   `bbox` follows;
//! - temporal functions compare the record's interval of days (`date` to `date_end`, or the end of
//!   its month or year), the interval `datetime` matches, as half-open day ranges; `T_INTERSECTS`
//!   on a record sharing a time split looks at the split's periods, as `datetime` does.

use super::{Bbox, Catalog, Entry, NO_AREA};
use crate::model::dates::{DayMatch, DayRange};
use crate::model::{Claim, GeoPrecision, Kind, Link};
use geo::{Intersects, Relate};
use rstar::AABB;
use std::sync::OnceLock;

/// A property a filter may name (the collections' queryables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    /// The record id.
    Id,
    /// `kind`.
    Kind,
    /// `claim`.
    Claim,
    /// `geo_precision`.
    GeoPrecision,
    /// `link` (nullable code).
    Link,
    /// `country`, ISO alpha-3 (null for multinational records).
    Country,
    /// `admin1_id`, the province id (null below province precision).
    Province,
    /// `count`.
    Count,
    /// `fatalities` (nullable).
    Fatalities,
    /// `injured` (nullable).
    Injured,
    /// `date`, the first day.
    Date,
}

/// What a property holds, for type checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// Free text.
    Text,
    /// One of a code list.
    Code(&'static [&'static str]),
    /// A whole number.
    Integer,
    /// A calendar day.
    Date,
}

impl Prop {
    /// Every property, in the order the queryables list them.
    pub const ALL: &'static [Prop] = &[
        Prop::Id,
        Prop::Kind,
        Prop::Claim,
        Prop::GeoPrecision,
        Prop::Link,
        Prop::Country,
        Prop::Province,
        Prop::Count,
        Prop::Fatalities,
        Prop::Injured,
        Prop::Date,
    ];

    /// The name in filters (the GeoJSON property's name).
    pub fn name(self) -> &'static str {
        match self {
            Prop::Id => "id",
            Prop::Kind => "kind",
            Prop::Claim => "claim",
            Prop::GeoPrecision => "geo_precision",
            Prop::Link => "link",
            Prop::Country => "country",
            Prop::Province => "admin1_id",
            Prop::Count => "count",
            Prop::Fatalities => "fatalities",
            Prop::Injured => "injured",
            Prop::Date => "date",
        }
    }

    /// The property called `name`.
    pub fn find(name: &str) -> Option<Prop> {
        Prop::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// What it holds.
    pub fn ty(self) -> PropType {
        match self {
            Prop::Id | Prop::Country | Prop::Province => PropType::Text,
            Prop::Kind => PropType::Code(Kind::CODES),
            Prop::Claim => PropType::Code(Claim::CODES),
            Prop::GeoPrecision => PropType::Code(GeoPrecision::CODES),
            Prop::Link => PropType::Code(Link::CODES),
            Prop::Count | Prop::Fatalities | Prop::Injured => PropType::Integer,
            Prop::Date => PropType::Date,
        }
    }

    /// Whether a record may have no value.
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Prop::Link | Prop::Country | Prop::Province | Prop::Fatalities | Prop::Injured
        )
    }
}

/// A literal a property is compared with, already of the property's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// Text (codes, ids, countries).
    Text(String),
    /// A number.
    Num(f64),
    /// A day (Julian).
    Day(i32),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => o == Equal,
            CmpOp::Ne => o != Equal,
            CmpOp::Lt => o == Less,
            CmpOp::Le => o != Greater,
            CmpOp::Gt => o == Greater,
            CmpOp::Ge => o != Less,
        }
    }

    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub fn mirrored(self) -> Self {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            same => same,
        }
    }
}

/// A temporal relation of CQL2's Temporal Functions, between the record's interval and the
/// query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalOp {
    /// `T_AFTER`
    After,
    /// `T_BEFORE`
    Before,
    /// `T_CONTAINS`
    Contains,
    /// `T_DISJOINT`
    Disjoint,
    /// `T_DURING`
    During,
    /// `T_EQUALS`
    Equals,
    /// `T_FINISHEDBY`
    FinishedBy,
    /// `T_FINISHES`
    Finishes,
    /// `T_INTERSECTS`
    Intersects,
    /// `T_MEETS`
    Meets,
    /// `T_METBY`
    MetBy,
    /// `T_OVERLAPPEDBY`
    OverlappedBy,
    /// `T_OVERLAPS`
    Overlaps,
    /// `T_STARTEDBY`
    StartedBy,
    /// `T_STARTS`
    Starts,
}

impl TemporalOp {
    /// The operator a (lower-case) CQL2 function name names.
    pub fn find(name: &str) -> Option<Self> {
        Some(match name {
            "t_after" => TemporalOp::After,
            "t_before" => TemporalOp::Before,
            "t_contains" => TemporalOp::Contains,
            "t_disjoint" => TemporalOp::Disjoint,
            "t_during" => TemporalOp::During,
            "t_equals" => TemporalOp::Equals,
            "t_finishedby" => TemporalOp::FinishedBy,
            "t_finishes" => TemporalOp::Finishes,
            "t_intersects" => TemporalOp::Intersects,
            "t_meets" => TemporalOp::Meets,
            "t_metby" => TemporalOp::MetBy,
            "t_overlappedby" => TemporalOp::OverlappedBy,
            "t_overlaps" => TemporalOp::Overlaps,
            "t_startedby" => TemporalOp::StartedBy,
            "t_starts" => TemporalOp::Starts,
            _ => return None,
        })
    }

    /// Whether the relation holds between the half-open day ranges `r` (the record) and `q`.
    fn holds(self, (rs, re): (i64, i64), (qs, qe): (i64, i64)) -> bool {
        match self {
            TemporalOp::Intersects => rs < qe && qs < re,
            TemporalOp::Disjoint => !(rs < qe && qs < re),
            TemporalOp::Before => re <= qs,
            TemporalOp::After => rs >= qe,
            TemporalOp::Meets => re == qs,
            TemporalOp::MetBy => rs == qe,
            TemporalOp::Overlaps => rs < qs && qs < re && re < qe,
            TemporalOp::OverlappedBy => qs < rs && rs < qe && qe < re,
            TemporalOp::Starts => rs == qs && re < qe,
            TemporalOp::StartedBy => rs == qs && re > qe,
            TemporalOp::During => qs < rs && re < qe,
            TemporalOp::Contains => rs < qs && qe < re,
            TemporalOp::Finishes => re == qe && rs > qs,
            TemporalOp::FinishedBy => re == qe && rs < qs,
            TemporalOp::Equals => rs == qs && re == qe,
        }
    }
}

/// Which interval of a record a temporal function looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProp {
    /// `datetime`: the record's whole interval.
    Datetime,
    /// `date`: its first day.
    Date,
}

/// A region of `S_INTERSECTS`, in lon/lat (CRS84).
#[derive(Debug, Clone, PartialEq)]
pub enum Region {
    /// A box (`BBOX`, `ENVELOPE`); `minx > maxx` crosses the antimeridian.
    Rect(Bbox),
    /// Any other geometry.
    Shape {
        /// The geometry.
        geom: geo::Geometry<f64>,
        /// Its bounding box.
        bbox: Bbox,
    },
}

impl Region {
    fn envelopes(&self) -> Vec<AABB<[f64; 2]>> {
        match self {
            Region::Rect(b) => b.envelopes(),
            Region::Shape { bbox, .. } => bbox.envelopes(),
        }
    }

    fn holds_point(&self, lon: f64, lat: f64) -> bool {
        match self {
            Region::Rect(b) => b.contains(lon, lat),
            Region::Shape { geom, bbox } => {
                bbox.contains(lon, lat) && geom.intersects(&geo::Point::new(lon, lat))
            }
        }
    }

    /// Whether the whole area box `[minx, miny, maxx, maxy]` lies inside the region.
    fn holds_area(&self, a: &[f64; 4]) -> bool {
        match self {
            Region::Rect(b) => {
                b.contains(a[0], a[1])
                    && b.contains(a[2], a[3])
                    && b.contains(a[0], a[3])
                    && b.contains(a[2], a[1])
                    && (b.minx <= b.maxx || a[0] <= a[2])
            }
            Region::Shape { geom, bbox } => {
                if !(bbox.contains(a[0], a[1]) && bbox.contains(a[2], a[3])) {
                    return false;
                }
                let rect = geo::Rect::new(
                    geo::coord! { x: a[0], y: a[1] },
                    geo::coord! { x: a[2], y: a[3] },
                );
                geom.relate(&rect.to_polygon()).is_covers()
            }
        }
    }
}

/// A filter predicate over records.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// Always true or always false.
    Const(bool),
    /// Every one holds.
    And(Vec<Predicate>),
    /// Any one holds.
    Or(Vec<Predicate>),
    /// It does not hold.
    Not(Box<Predicate>),
    /// `prop op value`; `casei` compares text case-insensitively.
    Compare {
        /// The property.
        prop: Prop,
        /// The operator.
        op: CmpOp,
        /// The literal.
        value: Lit,
        /// `CASEI` on both sides.
        casei: bool,
    },
    /// `prop BETWEEN low AND high` (inclusive).
    Between {
        /// The property.
        prop: Prop,
        /// Lower bound.
        low: Lit,
        /// Upper bound.
        high: Lit,
    },
    /// `prop IN (values)`.
    In {
        /// The property.
        prop: Prop,
        /// The list.
        values: Vec<Lit>,
        /// `CASEI` on both sides.
        casei: bool,
    },
    /// `prop LIKE pattern` (`%` any run, `_` one character, `\` escapes).
    Like {
        /// The property.
        prop: Prop,
        /// The pattern, parsed.
        pattern: Vec<LikeToken>,
        /// `CASEI` on both sides (the pattern is lower-cased already).
        casei: bool,
    },
    /// `prop IS NULL`.
    IsNull(Prop),
    /// `S_INTERSECTS(geometry, region)`.
    Intersects(Region),
    /// A temporal function of the record's interval and `[start, end)` (days, half-open; open
    /// ends are `i64::MIN` / `i64::MAX`).
    Temporal {
        /// The relation.
        op: TemporalOp,
        /// Which interval of the record.
        of: TimeProp,
        /// First day of the query interval.
        start: i64,
        /// The day after the last.
        end: i64,
    },
}

/// One piece of a `LIKE` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LikeToken {
    /// This character.
    Char(char),
    /// `_`: any one character.
    One,
    /// `%`: any run of characters.
    Any,
}

/// Parses a `LIKE` pattern.
pub fn like_pattern(p: &str) -> Vec<LikeToken> {
    let mut out = Vec::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => LikeToken::Char(chars.next().unwrap_or('\\')),
            '%' => {
                if out.last() == Some(&LikeToken::Any) {
                    continue;
                }
                LikeToken::Any
            }
            '_' => LikeToken::One,
            c => LikeToken::Char(c),
        });
    }
    out
}

/// Whether `s` matches the pattern: the classic linear-space wildcard match, at most
/// `len(s) × len(pattern)` steps.
fn like_matches(pattern: &[LikeToken], s: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match pattern.get(j) {
            Some(LikeToken::Any) => {
                star = Some((j, i));
                j += 1;
            }
            Some(LikeToken::One) => {
                i += 1;
                j += 1;
            }
            Some(LikeToken::Char(c)) if *c == s[i] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    pattern[j.min(pattern.len())..]
        .iter()
        .all(|t| *t == LikeToken::Any)
}

/// The columns a filter or sort may need that the 64-byte entries do not hold, read once per
/// snapshot from the stored Feature heads (lazily: a snapshot that is never filtered on them
/// never reads them).
#[derive(Debug, Default)]
pub struct Columns {
    /// Fatalities per record, `u32::MAX` for null.
    pub fatalities: Vec<u32>,
    /// Injured per record, `u32::MAX` for null.
    pub injured: Vec<u32>,
    /// Index into [`Link::ALL`], `u8::MAX` for null.
    pub link: Vec<u8>,
}

/// Reads `"name":value` from a Feature head written by [`super::feature`]: the property names are
/// written in a fixed order and a name inside a string value is escaped (`\"`), so the first
/// `,"name":` is the property.
fn head_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(",\"{name}\":");
    let at = memchr::memmem::find(head.as_bytes(), key.as_bytes())? + key.len();
    let rest = &head[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

impl Columns {
    fn read(cat: &Catalog) -> Self {
        let n = cat.entries.len();
        let mut c = Columns {
            fatalities: Vec::with_capacity(n),
            injured: Vec::with_capacity(n),
            link: Vec::with_capacity(n),
        };
        for e in &cat.entries {
            let head = cat.head(e);
            let num = |name: &str| {
                head_value(head, name)
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(u32::MAX)
            };
            c.fatalities.push(num("fatalities"));
            c.injured.push(num("injured"));
            let link = head_value(head, "link")
                .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
                .and_then(|v| Link::ALL.iter().position(|l| l.as_str() == v))
                .map_or(u8::MAX, |p| p as u8);
            c.link.push(link);
        }
        c
    }
}

/// A value of one record's property.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val<'a> {
    Text(&'a str),
    Num(f64),
    Day(i32),
}

fn compare(a: Val, b: &Lit, casei: bool) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Text(x), Lit::Text(y)) if casei => Some(x.to_lowercase().cmp(y)),
        (Val::Text(x), Lit::Text(y)) => Some(x.cmp(y.as_str())),
        (Val::Num(x), Lit::Num(y)) => x.partial_cmp(y),
        (Val::Day(x), Lit::Day(y)) => Some(x.cmp(y)),
        (Val::Day(x), Lit::Num(y)) => f64::from(x).partial_cmp(y),
        _ => None,
    }
}

/// Evaluates predicates on one catalog, reading the lazy columns only when a predicate needs them.
pub(super) struct Eval<'a> {
    cat: &'a Catalog,
    columns: Option<&'a Columns>,
}

impl<'a> Eval<'a> {
    pub(super) fn new(cat: &'a Catalog, p: &Predicate) -> Self {
        let columns = p.needs_columns().then(|| cat.columns());
        Eval { cat, columns }
    }

    fn value(&self, i: u32, e: &'a Entry, prop: Prop) -> Option<Val<'a>> {
        let col = |v: Option<&Vec<u32>>| {
            v.and_then(|c| c.get(i as usize))
                .filter(|&&x| x != u32::MAX)
                .map(|&x| Val::Num(f64::from(x)))
        };
        match prop {
            Prop::Id => Some(Val::Text(self.cat.entry_id(e))),
            Prop::Kind => Some(Val::Text(e.kind.as_str())),
            Prop::Claim => Some(Val::Text(e.claim.as_str())),
            Prop::GeoPrecision => Some(Val::Text(e.geo_precision.as_str())),
            Prop::Link => self
                .columns
                .and_then(|c| c.link.get(i as usize))
                .and_then(|&l| Link::ALL.get(usize::from(l)))
                .map(|l| Val::Text(l.as_str())),
            Prop::Country => self.cat.country(i).map(Val::Text),
            Prop::Province => self.cat.admin1_id(i).map(Val::Text),
            Prop::Count => Some(Val::Num(f64::from(e.count))),
            Prop::Fatalities => col(self.columns.map(|c| &c.fatalities)),
            Prop::Injured => col(self.columns.map(|c| &c.injured)),
            Prop::Date => Some(Val::Day(e.first_day)),
        }
    }

    /// Whether record `i` satisfies `p`.
    pub(super) fn holds(&self, p: &Predicate, i: u32) -> bool {
        let e = &self.cat.entries[i as usize];
        match p {
            Predicate::Const(b) => *b,
            Predicate::And(v) => v.iter().all(|q| self.holds(q, i)),
            Predicate::Or(v) => v.iter().any(|q| self.holds(q, i)),
            Predicate::Not(q) => !self.holds(q, i),
            Predicate::Compare {
                prop,
                op,
                value,
                casei,
            } => self
                .value(i, e, *prop)
                .and_then(|v| compare(v, value, *casei))
                .is_some_and(|o| op.holds(o)),
            Predicate::Between { prop, low, high } => self.value(i, e, *prop).is_some_and(|v| {
                compare(v, low, false).is_some_and(|o| o.is_ge())
                    && compare(v, high, false).is_some_and(|o| o.is_le())
            }),
            Predicate::In {
                prop,
                values,
                casei,
            } => self.value(i, e, *prop).is_some_and(|v| {
                values
                    .iter()
                    .any(|l| compare(v, l, *casei).is_some_and(|o| o.is_eq()))
            }),
            Predicate::Like {
                prop,
                pattern,
                casei,
            } => match self.value(i, e, *prop) {
                Some(Val::Text(s)) if *casei => like_matches(pattern, &s.to_lowercase()),
                Some(Val::Text(s)) => like_matches(pattern, s),
                _ => false,
            },
            Predicate::IsNull(prop) => self.value(i, e, *prop).is_none(),
            Predicate::Intersects(r) => {
                if e.area == NO_AREA {
                    r.holds_point(e.lon, e.lat)
                } else {
                    self.cat
                        .areas
                        .get(e.area as usize)
                        .is_some_and(|a| r.holds_area(&a.bbox))
                }
            }
            Predicate::Temporal { op, of, start, end } => {
                let (first, last) = match of {
                    TimeProp::Datetime => (e.first_day, e.last_day),
                    TimeProp::Date => (e.first_day, e.first_day),
                };
                if *op == TemporalOp::Intersects && *of == TimeProp::Datetime {
                    let days = DayRange {
                        start: (*start != i64::MIN).then_some(*start as i32),
                        end: (*end != i64::MAX).then_some((*end - 1) as i32),
                    };
                    return self.cat.time_matches(e, &days, DayMatch::Intersects);
                }
                op.holds((i64::from(first), i64::from(last) + 1), (*start, *end))
            }
        }
    }
}

impl Predicate {
    /// Whether evaluating it reads the lazy [`Columns`].
    fn needs_columns(&self) -> bool {
        match self {
            Predicate::And(v) | Predicate::Or(v) => v.iter().any(Predicate::needs_columns),
            Predicate::Not(q) => q.needs_columns(),
            Predicate::Compare { prop, .. }
            | Predicate::Between { prop, .. }
            | Predicate::In { prop, .. }
            | Predicate::Like { prop, .. }
            | Predicate::IsNull(prop) => {
                matches!(prop, Prop::Fatalities | Prop::Injured | Prop::Link)
            }
            _ => false,
        }
    }

    /// The boxes every matching record lies in, when the predicate is `S_INTERSECTS` or a
    /// conjunction holding one: the R-tree then finds the candidates.
    pub fn envelopes(&self) -> Option<Vec<AABB<[f64; 2]>>> {
        match self {
            Predicate::Intersects(r) => Some(r.envelopes()),
            Predicate::And(v) => v.iter().find_map(Predicate::envelopes),
            _ => None,
        }
    }
}

impl Catalog {
    /// The columns read from the Feature heads, read on first use.
    pub fn columns(&self) -> &Columns {
        static EMPTY: OnceLock<Columns> = OnceLock::new();
        if self.entries.is_empty() {
            return EMPTY.get_or_init(Columns::default);
        }
        self.columns.get_or_init(|| Columns::read(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let m = |p: &str, s: &str| like_matches(&like_pattern(p), s);
        assert!(m("pl%", "plot") && m("%ot", "plot") && m("p_o_", "plot") && m("%", ""));
        assert!(!m("pl", "plot") && !m("_", "") && !m("a%b", "ac"));
        assert!(m("100\\%", "100%") && !m("100\\%", "1000"));
        assert!(m("%a%b%c%", "xxaxxbxxcxx"));
    }

    #[test]
    fn temporal_relations_on_half_open_days() {
        let r = (10, 20);
        assert!(TemporalOp::Intersects.holds(r, (19, 30)));
        assert!(!TemporalOp::Intersects.holds(r, (20, 30)));
        assert!(TemporalOp::Before.holds(r, (20, 30)) && TemporalOp::Meets.holds(r, (20, 30)));
        assert!(TemporalOp::After.holds(r, (0, 10)) && TemporalOp::MetBy.holds(r, (0, 10)));
        assert!(TemporalOp::During.holds(r, (5, 25)) && !TemporalOp::During.holds(r, (10, 25)));
        assert!(TemporalOp::Equals.holds(r, (10, 20)));
    }

    #[test]
    fn head_values() {
        let h = r#"{"properties":{"summary":"x,\"fatalities\":9","fatalities":3,"injured":null,"link":"claimed"}"#;
        assert_eq!(head_value(h, "fatalities"), Some("3"));
        assert_eq!(head_value(h, "injured"), Some("null"));
        assert_eq!(head_value(h, "link"), Some("\"claimed\""));
    }
}

/// One key of a `sortby`: a property, descending or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The property.
    pub prop: Prop,
    /// `-prop`.
    pub descending: bool,
}

impl Catalog {
    /// Sorts record indices by the keys, stably: records equal on every key keep their order
    /// (date then id), so a sorted selection pages the same way on every request. A record
    /// with no value (null) sorts after every value, in either direction.
    pub fn sort(&self, ids: &mut [u32], keys: &[SortKey]) {
        if keys.is_empty() {
            return;
        }
        let needs = keys
            .iter()
            .any(|k| matches!(k.prop, Prop::Fatalities | Prop::Injured | Prop::Link));
        let ev = Eval {
            cat: self,
            columns: needs.then(|| self.columns()),
        };
        ids.sort_by(|&a, &b| {
            let (ea, eb) = (&self.entries[a as usize], &self.entries[b as usize]);
            for k in keys {
                let o = match (ev.value(a, ea, k.prop), ev.value(b, eb, k.prop)) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => {
                        let o = match (x, y) {
                            (Val::Text(x), Val::Text(y)) => x.cmp(y),
                            (Val::Num(x), Val::Num(y)) => x.total_cmp(&y),
                            (Val::Day(x), Val::Day(y)) => x.cmp(&y),
                            _ => std::cmp::Ordering::Equal,
                        };
                        if k.descending {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
}

/// Moves the terms of a filter's top-level conjunction that a plain field of the filter says as
/// well — `kind = 'plot'`, `claim`, `geo_precision`, `country`, `admin1_id` equalities,
/// `S_INTERSECTS` with a box, `T_INTERSECTS` on `datetime` — into those fields, where the field is
/// still free. They select the same records either way (`tests/filter.rs`); as fields they take
/// the catalog's fast paths (the per-kind lists, the R-tree leaves' kind and days), so a filter
/// costs what the equivalent parameters cost. What is left stays the predicate.
pub fn lower(f: &mut super::Filter) {
    let Some(p) = f.predicate.take() else {
        return;
    };
    let terms = match std::sync::Arc::unwrap_or_clone(p) {
        Predicate::And(v) => v,
        other => vec![other],
    };
    let mut rest: Vec<Predicate> = terms.into_iter().filter(|t| !absorb(f, t)).collect();
    f.predicate = match rest.len() {
        0 => None,
        1 => rest.pop().map(std::sync::Arc::new),
        _ => Some(std::sync::Arc::new(Predicate::And(rest))),
    };
}

/// Sets the filter field `t` says, if it is free; whether it did.
fn absorb(f: &mut super::Filter, t: &Predicate) -> bool {
    match t {
        Predicate::Compare {
            prop,
            op: CmpOp::Eq,
            value: Lit::Text(s),
            casei: false,
        } => match prop {
            Prop::Kind if f.kind.is_none() => Kind::parse(s).map(|k| f.kind = Some(k)).is_ok(),
            Prop::Claim if f.claim.is_none() => Claim::parse(s).map(|c| f.claim = Some(c)).is_ok(),
            Prop::GeoPrecision if f.geo_precision.is_none() => GeoPrecision::parse(s)
                .map(|g| f.geo_precision = Some(g))
                .is_ok(),
            Prop::Country if f.country.is_none() => {
                f.country = Some(s.clone());
                true
            }
            Prop::Province if f.admin1_id.is_none() => {
                f.admin1_id = Some(s.clone());
                true
            }
            _ => false,
        },
        Predicate::Intersects(Region::Rect(b)) if f.bbox.is_none() => {
            f.bbox = Some(*b);
            true
        }
        Predicate::Temporal {
            op: TemporalOp::Intersects,
            of: TimeProp::Datetime,
            start,
            end,
        } if f.days.is_none() && f.day_match == DayMatch::Intersects => {
            f.days = Some(DayRange {
                start: (*start != i64::MIN).then_some(*start as i32),
                end: (*end != i64::MAX).then_some((*end - 1) as i32),
            });
            true
        }
        _ => false,
    }
}
