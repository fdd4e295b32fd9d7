//! CQL2 (OGC API – Features Part 3) filters: parsed by the `cql2` crate (cql2-text or cql2-json),
//! then translated into a [`Predicate`] checked against the queryables — an unknown property, a
//! literal of the wrong type, a function or operator we do not implement is an error naming it
//! and where it is in the filter.
//!
//! The cost of a filter is bounded before and after parsing: at most [`MAX_FILTER_LEN`] bytes,
//! brackets nested at most [`MAX_DEPTH`] deep (checked on the text, so the parser never recurses
//! deeper), and at most [`MAX_TERMS`] terms (comparisons, list items, geometries and their
//! vertices count as one each, vertices per hundred).

use super::predicate::{
    like_pattern, CmpOp, Lit, Predicate, Prop, PropType, Region, TemporalOp, TimeProp,
};
use super::Bbox;
use crate::model::dates::parse_datetime;
use cql2::Expr;
use std::fmt;

/// Longest accepted filter, in bytes.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest nesting of brackets (parentheses in cql2-text, arrays and objects in cql2-json).
pub const MAX_DEPTH: usize = 24;
/// Most terms in one filter.
pub const MAX_TERMS: usize = 200;
/// Most vertices of all geometries of one filter.
pub const MAX_VERTICES: usize = 2000;

/// The encodings of a filter (`filter-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `cql2-text` (the default; `cql-text`, the draft's name GDAL 3.6 sends, is read as it).
    Text,
    /// `cql2-json`.
    Json,
}

/// Why a filter is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CqlError(pub String);

impl fmt::Display for CqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CqlError {}

fn err<T>(msg: impl Into<String>) -> Result<T, CqlError> {
    Err(CqlError(msg.into()))
}

/// Text made safe to echo: control characters dropped, at most 80 characters.
fn shown(s: &str) -> String {
    let mut t: String = s.chars().filter(|c| !c.is_control()).take(80).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// Checks the nesting of brackets outside string literals.
fn check_depth(src: &str, lang: Lang) -> Result<(), CqlError> {
    let (open, close): (&[u8], &[u8]) = match lang {
        Lang::Text => (b"(", b")"),
        Lang::Json => (b"[{", b"]}"),
    };
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (at, &b) in src.as_bytes().iter().enumerate() {
        if let Some(q) = quote {
            if lang == Lang::Json && escaped {
                escaped = false;
            } else if lang == Lang::Json && b == b'\\' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
            continue;
        }
        if b == b'\'' || b == b'"' {
            quote = Some(b);
        } else if open.contains(&b) {
            depth += 1;
            if depth > MAX_DEPTH {
                return err(format!(
                    "nests deeper than {MAX_DEPTH} levels (at character {})",
                    at + 1
                ));
            }
        } else if close.contains(&b) {
            depth = depth.saturating_sub(1);
        }
    }
    Ok(())
}

/// Stack of the thread a filter is parsed on. The `cql2` crate's parser and its expression tree
/// recurse once per prefix operator (`- - - 1`, `NOT NOT …`), which brackets do not count: within
/// [`MAX_FILTER_LEN`] bytes that is a few thousand levels, more than a 2 MiB worker stack holds
/// (a run of 3 000 `-` overflowed it). On its own thread with this stack, every filter the length
/// limit admits parses, or fails, without touching the worker's stack.
pub const PARSE_STACK: usize = 64 << 20;

/// Prefix operators (`-` and `NOT`) a filter may hold and still be parsed on the calling thread:
/// with brackets bounded too, its recursion is then a few dozen levels.
pub const PREFIX_OPS_HERE: usize = 64;
/// Longest filter parsed on the calling thread, in bytes (at most a few dozen operators of any kind).
pub const SHORT_FILTER: usize = 256;

/// Whether a filter holds few enough prefix operators to parse on the calling thread. Counts every
/// `-` (dates hold some) and every `not` in any case, so it over-counts, never under-counts.
fn shallow(src: &str) -> bool {
    if src.len() > SHORT_FILTER {
        return false;
    }
    let dashes = src.bytes().filter(|&b| b == b'-').count();
    let nots = src.to_ascii_lowercase().matches("not").count();
    dashes + nots <= PREFIX_OPS_HERE
}

/// Parses and checks a filter: on the calling thread when it holds few prefix operators (every
/// filter a client writes by hand), else on a thread of its own ([`PARSE_STACK`]), since spawning
/// one costs more than the parse.
pub fn parse(src: &str, lang: Lang) -> Result<Predicate, CqlError> {
    if src.len() > MAX_FILTER_LEN {
        return err(format!("is longer than {MAX_FILTER_LEN} bytes"));
    }
    if shallow(src) {
        return parse_here(src, lang);
    }
    let owned = src.to_string();
    std::thread::Builder::new()
        .name("cql2-parse".into())
        .stack_size(PARSE_STACK)
        .spawn(move || parse_here(&owned, lang))
        .map_err(|e| CqlError(format!("could not be parsed now ({e})")))?
        .join()
        .unwrap_or_else(|_| err("could not be parsed"))
}

/// Parses and checks a filter on the calling thread.
fn parse_here(src: &str, lang: Lang) -> Result<Predicate, CqlError> {
    if src.len() > MAX_FILTER_LEN {
        return err(format!("is longer than {MAX_FILTER_LEN} bytes"));
    }
    if src.trim().is_empty() {
        return err("is empty");
    }
    check_depth(src, lang)?;
    let expr = match lang {
        Lang::Text => cql2::parse_text(src).map_err(|e| {
            CqlError(format!(
                "is not valid cql2-text: {}",
                shown(&e.to_string().replace('\n', " "))
            ))
        })?,
        Lang::Json => cql2::parse_json(src)
            .map_err(|e| CqlError(format!("is not valid cql2-json: {}", shown(&e.to_string()))))?,
    };
    let mut t = Translator {
        src,
        terms: 0,
        vertices: 0,
    };
    t.boolean(&expr, 0)
}

struct Translator<'a> {
    src: &'a str,
    terms: usize,
    vertices: usize,
}

/// Where a name first appears in the filter, for messages.
fn position(src: &str, name: &str) -> String {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':' || c == '.';
    let mut from = 0;
    while let Some(k) = src[from..].find(name) {
        let at = from + k;
        let before = src[..at].chars().next_back();
        let after = src[at + name.len()..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            return format!(" at character {}", src[..at].chars().count() + 1);
        }
        from = at + name.len().max(1);
    }
    String::new()
}

/// The JSON-ish spelling of an operand, for messages.
fn describe(e: &Expr) -> String {
    match e {
        Expr::Property { property } => format!("property '{}'", shown(property)),
        Expr::Literal(s) => format!("'{}'", shown(s)),
        Expr::Float(f) => format!("{f}"),
        Expr::Bool(b) => format!("{b}"),
        Expr::Null => "NULL".into(),
        Expr::Date { .. } => "a DATE".into(),
        Expr::Timestamp { .. } => "a TIMESTAMP".into(),
        Expr::Interval { .. } => "an INTERVAL".into(),
        Expr::Geometry(_) | Expr::BBox { .. } => "a geometry".into(),
        Expr::Array(_) => "a list".into(),
        Expr::Operation { op, .. } => format!("{}(…)", shown(op)),
    }
}

const QUERYABLES: &str = "id, kind, claim, geo_precision, link, country, admin1_id, count, fatalities, injured, date, datetime, geometry";

impl Translator<'_> {
    fn term(&mut self) -> Result<(), CqlError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return err(format!("has more than {MAX_TERMS} terms"));
        }
        Ok(())
    }

    fn unknown(&self, name: &str) -> CqlError {
        CqlError(format!(
            "unknown property '{}'{}; the queryables are {QUERYABLES}",
            shown(name),
            position(self.src, name)
        ))
    }

    /// A boolean expression.
    fn boolean(&mut self, e: &Expr, depth: usize) -> Result<Predicate, CqlError> {
        if depth > MAX_DEPTH {
            return err(format!("nests deeper than {MAX_DEPTH} levels"));
        }
        let Expr::Operation { op, args } = e else {
            return match e {
                Expr::Bool(b) => Ok(Predicate::Const(*b)),
                Expr::Property { property } => Err(match property.as_str() {
                    _ if Prop::find(property).is_some() => CqlError(format!(
                        "property '{}'{} is not a boolean condition",
                        shown(property),
                        position(self.src, property)
                    )),
                    _ => self.unknown(property),
                }),
                other => err(format!("{} is not a boolean condition", describe(other))),
            };
        };
        let op = op.to_ascii_lowercase();
        let arity = |n: usize| -> Result<(), CqlError> {
            if args.len() == n {
                Ok(())
            } else {
                err(format!("{op} takes {n} arguments, got {}", args.len()))
            }
        };
        match op.as_str() {
            "and" | "or" => {
                let v = args
                    .iter()
                    .map(|a| self.boolean(a, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if op == "and" {
                    Predicate::And(v)
                } else {
                    Predicate::Or(v)
                })
            }
            "not" => {
                arity(1)?;
                Ok(Predicate::Not(Box::new(self.boolean(&args[0], depth + 1)?)))
            }
            "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                arity(2)?;
                self.term()?;
                let cmp = match op.as_str() {
                    "=" => CmpOp::Eq,
                    "<>" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (l, r) = (&*args[0], &*args[1]);
                let (prop_side, lit_side, cmp) = if self.is_property(l) {
                    (l, r, cmp)
                } else if self.is_property(r) {
                    (r, l, cmp.mirrored())
                } else {
                    for side in [l, r] {
                        if let Expr::Operation { op: inner, .. } = side {
                            if ["+", "-", "*", "/", "%", "^", "div"].contains(&inner.as_str()) {
                                return err(format!(
                                    "arithmetic ({inner}) is not supported; compare a property with a literal"
                                ));
                            }
                        }
                    }
                    return err(format!(
                        "{op} compares {} with {}: one side must be a queryable property",
                        describe(l),
                        describe(r)
                    ));
                };
                let (prop, casei) = self.property(prop_side)?;
                let value = self.literal(prop, lit_side, casei)?;
                if matches!(cmp, CmpOp::Eq | CmpOp::Ne) && !casei {
                    self.check_code(prop, &value)?;
                }
                Ok(Predicate::Compare {
                    prop,
                    op: cmp,
                    value,
                    casei,
                })
            }
            "between" => {
                arity(3)?;
                self.term()?;
                let (prop, casei) = self.property(&args[0])?;
                if casei || matches!(prop.ty(), PropType::Text | PropType::Code(_)) {
                    return err(format!(
                        "BETWEEN needs a number or a date; property '{}' holds text",
                        prop.name()
                    ));
                }
                let low = self.literal(prop, &args[1], false)?;
                let high = self.literal(prop, &args[2], false)?;
                Ok(Predicate::Between { prop, low, high })
            }
            "in" => {
                arity(2)?;
                let (prop, casei) = self.property(&args[0])?;
                let Expr::Array(items) = &*args[1] else {
                    return err(format!("IN needs a list, got {}", describe(&args[1])));
                };
                let mut values = Vec::with_capacity(items.len());
                for it in items {
                    self.term()?;
                    let v = self.literal(prop, it, casei)?;
                    if !casei {
                        self.check_code(prop, &v)?;
                    }
                    values.push(v);
                }
                Ok(Predicate::In {
                    prop,
                    values,
                    casei,
                })
            }
            "like" => {
                arity(2)?;
                self.term()?;
                let (prop, casei) = self.property(&args[0])?;
                if !matches!(prop.ty(), PropType::Text | PropType::Code(_)) {
                    return err(format!(
                        "LIKE needs text; property '{}' is not text",
                        prop.name()
                    ));
                }
                let Lit::Text(p) = self.literal(prop, &args[1], casei)? else {
                    return err("LIKE needs a text pattern");
                };
                Ok(Predicate::Like {
                    prop,
                    pattern: like_pattern(&p),
                    casei,
                })
            }
            "isnull" => {
                arity(1)?;
                self.term()?;
                let (prop, _) = self.property(&args[0])?;
                Ok(Predicate::IsNull(prop))
            }
            "s_intersects" => {
                arity(2)?;
                self.term()?;
                let (g, region) = (&*args[0], &*args[1]);
                let (g, region) = if self.is_geometry_property(g) {
                    (g, region)
                } else {
                    (region, g)
                };
                if !self.is_geometry_property(g) {
                    return err(format!(
                        "S_INTERSECTS needs the property 'geometry' and a geometry, got {} and {}",
                        describe(g),
                        describe(region)
                    ));
                }
                Ok(Predicate::Intersects(self.region(region)?))
            }
            t if TemporalOp::find(t).is_some() => {
                arity(2)?;
                self.term()?;
                let top = TemporalOp::find(t).unwrap_or(TemporalOp::Intersects);
                let (a, b) = (&*args[0], &*args[1]);
                let Some(of) = self.time_property(a)? else {
                    return err(format!(
                        "{} needs the property 'datetime' or 'date' first, got {}",
                        t.to_uppercase(),
                        describe(a)
                    ));
                };
                let (start, end) = self.interval(b)?;
                Ok(Predicate::Temporal {
                    op: top,
                    of,
                    start,
                    end,
                })
            }
            other if other.starts_with("s_") => err(format!(
                "the spatial function {} is not supported (only S_INTERSECTS){}",
                other.to_uppercase(),
                position(self.src, other)
            )),
            other => err(format!(
                "the function or operator '{}' is not supported{}",
                shown(other),
                position(self.src, other)
            )),
        }
    }

    fn is_property(&self, e: &Expr) -> bool {
        match e {
            Expr::Property { .. } => true,
            Expr::Operation { op, args } => {
                op.eq_ignore_ascii_case("casei") && args.len() == 1 && self.is_property(&args[0])
            }
            _ => false,
        }
    }

    fn is_geometry_property(&self, e: &Expr) -> bool {
        matches!(e, Expr::Property { property } if property == "geometry")
    }

    /// A queryable property (optionally inside `CASEI`), and whether it is.
    fn property(&self, e: &Expr) -> Result<(Prop, bool), CqlError> {
        match e {
            Expr::Property { property } => match Prop::find(property) {
                Some(p) => Ok((p, false)),
                None if property == "datetime" || property == "geometry" => err(format!(
                    "property '{property}'{} can only be used in {} functions",
                    position(self.src, property),
                    if property == "datetime" {
                        "temporal (T_…)"
                    } else {
                        "spatial (S_INTERSECTS)"
                    }
                )),
                None => Err(self.unknown(property)),
            },
            Expr::Operation { op, args } if op.eq_ignore_ascii_case("casei") && args.len() == 1 => {
                let (p, _) = self.property(&args[0])?;
                if !matches!(p.ty(), PropType::Text | PropType::Code(_)) {
                    return err(format!(
                        "CASEI needs text; property '{}' is not text",
                        p.name()
                    ));
                }
                Ok((p, true))
            }
            other => err(format!(
                "expected a queryable property, got {}",
                describe(other)
            )),
        }
    }

    /// A literal of the property's type.
    fn literal(&self, prop: Prop, e: &Expr, casei: bool) -> Result<Lit, CqlError> {
        let mismatch = |what: &str| {
            CqlError(format!(
                "property '{}'{} holds {what}, but is compared with {}",
                prop.name(),
                position(self.src, prop.name()),
                describe(e)
            ))
        };
        let e = match e {
            Expr::Operation { op, args } if op.eq_ignore_ascii_case("casei") && args.len() == 1 => {
                if !casei {
                    return err("CASEI must wrap both sides of a comparison");
                }
                &*args[0]
            }
            other => other,
        };
        match prop.ty() {
            PropType::Text | PropType::Code(_) => match e {
                Expr::Literal(s) if casei => Ok(Lit::Text(s.to_lowercase())),
                Expr::Literal(s) => Ok(Lit::Text(s.clone())),
                _ => Err(mismatch("text")),
            },
            PropType::Integer => match e {
                Expr::Float(f) if f.is_finite() => Ok(Lit::Num(*f)),
                _ => Err(mismatch("a number")),
            },
            PropType::Date => {
                let text = match e {
                    Expr::Date { date } | Expr::Timestamp { timestamp: date } => match &**date {
                        Expr::Literal(s) => s.as_str(),
                        _ => return Err(mismatch("a date")),
                    },
                    // GDAL writes dates as strings ('2020-01-01T').
                    Expr::Literal(s) => s.trim_end_matches('T'),
                    _ => return Err(mismatch("a date")),
                };
                let d = parse_datetime(text)
                    .ok()
                    .and_then(|r| r.start)
                    .ok_or_else(|| mismatch("a date"))?;
                Ok(Lit::Day(d))
            }
        }
    }

    /// A code property compared for equality must be compared with one of its codes.
    fn check_code(&self, prop: Prop, v: &Lit) -> Result<(), CqlError> {
        if let (PropType::Code(codes), Lit::Text(s)) = (prop.ty(), v) {
            if !codes.contains(&s.as_str()) {
                return err(format!(
                    "'{}' is not a value of property '{}'{}; it is one of {}",
                    shown(s),
                    prop.name(),
                    position(self.src, prop.name()),
                    codes.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn time_property(&self, e: &Expr) -> Result<Option<TimeProp>, CqlError> {
        match e {
            Expr::Property { property } if property == "datetime" => Ok(Some(TimeProp::Datetime)),
            Expr::Property { property } if property == "date" => Ok(Some(TimeProp::Date)),
            Expr::Property { property } if Prop::find(property).is_none() => {
                Err(self.unknown(property))
            }
            _ => Ok(None),
        }
    }

    /// A day, from a `DATE`, a `TIMESTAMP` or a bare string.
    fn day(&self, e: &Expr) -> Result<Option<i64>, CqlError> {
        let s = match e {
            Expr::Date { date: x } | Expr::Timestamp { timestamp: x } => match &**x {
                Expr::Literal(s) => s.as_str(),
                other => return err(format!("expected a date, got {}", describe(other))),
            },
            Expr::Literal(s) => s.as_str(),
            other => return err(format!("expected a date, got {}", describe(other))),
        };
        if s == ".." {
            return Ok(None);
        }
        parse_datetime(s)
            .ok()
            .and_then(|r| r.start)
            .map(|d| Some(i64::from(d)))
            .ok_or_else(|| CqlError(format!("'{}' is not a date or timestamp", shown(s))))
    }

    /// A query interval as half-open days: an instant is its day, an interval its days.
    fn interval(&self, e: &Expr) -> Result<(i64, i64), CqlError> {
        match e {
            Expr::Interval { interval } if interval.len() == 2 => {
                let start = self.day(&interval[0])?.unwrap_or(i64::MIN);
                let end = self.day(&interval[1])?.map_or(i64::MAX, |d| d + 1);
                if start >= end {
                    return err("the INTERVAL ends before it starts");
                }
                Ok((start, end))
            }
            Expr::Interval { interval } => {
                err(format!("an INTERVAL has 2 bounds, got {}", interval.len()))
            }
            other => match self.day(other)? {
                Some(d) => Ok((d, d + 1)),
                None => err("'..' is only an INTERVAL bound"),
            },
        }
    }

    fn region(&mut self, e: &Expr) -> Result<Region, CqlError> {
        match e {
            Expr::BBox { bbox } => {
                let nums: Vec<f64> = bbox
                    .iter()
                    .map(|b| match **b {
                        Expr::Float(f) if f.is_finite() => Ok(f),
                        _ => err("BBOX needs 4 (or 6) numbers"),
                    })
                    .collect::<Result<_, _>>()?;
                let (minx, miny, maxx, maxy) = match nums[..] {
                    [a, b, c, d] => (a, b, c, d),
                    [a, b, _, d, e, _] => (a, b, d, e),
                    _ => return err(format!("BBOX needs 4 (or 6) numbers, got {}", nums.len())),
                };
                let b = Bbox {
                    minx,
                    miny,
                    maxx,
                    maxy,
                };
                check_lonlat(minx, miny)?;
                check_lonlat(maxx, maxy)?;
                if miny > maxy {
                    return err("BBOX: the minimum latitude is north of the maximum");
                }
                Ok(Region::Rect(b))
            }
            Expr::Geometry(g) => {
                let v = serde_json::to_value(g).map_err(|e| {
                    CqlError(format!(
                        "the geometry does not read: {}",
                        shown(&e.to_string())
                    ))
                })?;
                let gj: geojson::Geometry = serde_json::from_value(v).map_err(|e| {
                    CqlError(format!(
                        "the geometry does not read: {}",
                        shown(&e.to_string())
                    ))
                })?;
                let geom: geo::Geometry<f64> = gj.try_into().map_err(|e: geojson::Error| {
                    CqlError(format!(
                        "the geometry does not read: {}",
                        shown(&e.to_string())
                    ))
                })?;
                use geo::{BoundingRect, CoordsIter};
                let n = geom.coords_count();
                self.vertices += n;
                if self.vertices > MAX_VERTICES {
                    return err(format!(
                        "has geometries of more than {MAX_VERTICES} vertices"
                    ));
                }
                for _ in 0..n / 100 {
                    self.term()?;
                }
                for c in geom.coords_iter() {
                    check_lonlat(c.x, c.y)?;
                }
                let Some(r) = geom.bounding_rect() else {
                    return err("the geometry is empty");
                };
                let bbox = Bbox {
                    minx: r.min().x,
                    miny: r.min().y,
                    maxx: r.max().x,
                    maxy: r.max().y,
                };
                Ok(Region::Shape { geom, bbox })
            }
            other => err(format!(
                "S_INTERSECTS needs a geometry (POINT, POLYGON, BBOX, …), got {}",
                describe(other)
            )),
        }
    }
}

fn check_lonlat(x: f64, y: f64) -> Result<(), CqlError> {
    if !x.is_finite() || !y.is_finite() || x.abs() > 180.0 || y.abs() > 90.0 {
        return err(format!(
            "the coordinate ({x}, {y}) is not a longitude and latitude (CRS84)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Predicate {
        parse(s, Lang::Text).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn bad(s: &str) -> String {
        parse(s, Lang::Text).unwrap_err().0
    }

    #[test]
    fn translates_comparisons() {
        assert_eq!(
            ok("kind = 'plot'"),
            Predicate::Compare {
                prop: Prop::Kind,
                op: CmpOp::Eq,
                value: Lit::Text("plot".into()),
                casei: false
            }
        );
        assert!(matches!(
            ok("3 < count"),
            Predicate::Compare { op: CmpOp::Gt, .. }
        ));
        assert!(matches!(
            ok("count BETWEEN 2 AND 5"),
            Predicate::Between { .. }
        ));
        assert!(matches!(
            ok("country IN ('AFG','PAK')"),
            Predicate::In { .. }
        ));
        assert!(matches!(
            ok("CASEI(country) = CASEI('afg')"),
            Predicate::Compare { casei: true, .. }
        ));
        assert!(matches!(
            ok("fatalities IS NULL"),
            Predicate::IsNull(Prop::Fatalities)
        ));
        assert!(matches!(ok("NOT kind = 'plot'"), Predicate::Not(_)));
        assert!(matches!(
            ok("S_INTERSECTS(geometry, BBOX(60, 29, 75, 39)) AND kind = 'attack'"),
            Predicate::And(_)
        ));
        assert!(matches!(
            ok("T_DURING(datetime, INTERVAL('2020-01-01', '2020-12-31'))"),
            Predicate::Temporal {
                op: TemporalOp::During,
                ..
            }
        ));
        assert!(matches!(
            ok("date >= DATE('2020-01-01')"),
            Predicate::Compare { .. }
        ));
    }

    #[test]
    fn names_the_problem() {
        let e = bad("foo = 1");
        assert!(
            e.contains("unknown property 'foo'") && e.contains("at character 1"),
            "{e}"
        );
        let e = bad("kind = 'plot' AND  bar > 2");
        assert!(
            e.contains("unknown property 'bar'") && e.contains("at character 20"),
            "{e}"
        );
        let e = bad("count = 'many'");
        assert!(
            e.contains("property 'count'") && e.contains("number"),
            "{e}"
        );
        let e = bad("kind = 'plots'");
        assert!(
            e.contains("'plots' is not a value of property 'kind'"),
            "{e}"
        );
        assert!(bad("kind = ").contains("not valid cql2-text"));
        assert!(bad("S_CROSSES(geometry, POINT(1 2))").contains("S_INTERSECTS"));
        assert!(bad("S_INTERSECTS(geometry, POINT(200 2))").contains("longitude"));
    }

    #[test]
    fn prefix_operator_runs_do_not_overflow_the_stack() {
        for s in [
            format!("count > {}1", "-".repeat(MAX_FILTER_LEN - 10)),
            format!("{}kind = 'plot'", "NOT ".repeat(1000)),
            format!("count = {}1", "1 = ".repeat(1000)),
        ] {
            let s = &s[..s.len().min(MAX_FILTER_LEN)];
            // Parsed (`- - 1` is a number) or refused, but answered: no overflow.
            let _ = parse(s, Lang::Text);
        }
        // The worst a short filter can do is parsed here, on the test's own (2 MiB) stack, as a
        // request's filter is on a worker's.
        for s in [
            format!("count > {}1", "-".repeat(PREFIX_OPS_HERE - 1)),
            format!("{}kind = 'plot'", "NOT ".repeat(PREFIX_OPS_HERE / 2)),
            format!("count = {}1", "1 = ".repeat(SHORT_FILTER / 4 - 3)),
            format!("{}1", "(1+".repeat(SHORT_FILTER / 3 - 1)),
        ] {
            assert!(shallow(&s), "{} bytes", s.len());
            let _ = parse_here(&s, Lang::Text);
        }
    }

    #[test]
    fn bounds_the_cost() {
        let deep = format!("{}kind = 'plot'{}", "(".repeat(100), ")".repeat(100));
        assert!(bad(&deep).contains("deeper"));
        let many = vec!["count = 1"; MAX_TERMS + 1].join(" OR ");
        assert!(bad(&many).contains("terms"));
        assert!(bad(&"x".repeat(MAX_FILTER_LEN + 1)).contains("longer"));
        let deep_json = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        assert!(parse(&deep_json, Lang::Json)
            .unwrap_err()
            .0
            .contains("deeper"));
    }

    #[test]
    fn json_and_text_agree() {
        let t = ok("kind = 'plot' AND count >= 2");
        let j = parse(
            r#"{"op":"and","args":[{"op":"=","args":[{"property":"kind"},"plot"]},{"op":">=","args":[{"property":"count"},2]}]}"#,
            Lang::Json,
        )
        .unwrap();
        assert_eq!(t, j);
    }
}
