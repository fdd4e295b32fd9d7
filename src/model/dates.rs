//! Calendar dates and the `datetime` intervals of OGC API – Features.
//!
//! Records are dated to the day, so every comparison happens on whole UTC days (Julian day numbers):
//! a query instant or bound is floored to its UTC day, and a record covers every day from `date`
//! through [`Record::last_day`](crate::model::Record::last_day). An interval query matches a record
//! when the two closed day ranges intersect, which is exactly the intersection of the continuous
//! time ranges.

use super::codes::DatePrecision;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime};

/// A date or `datetime` value that does not parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DateError(String);

fn shown(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let fmt = format_description!("[year]-[month]-[day]");
    if s.len() != 10 {
        return Err(DateError(format!(
            "{:?} is not a date of the form YYYY-MM-DD",
            shown(s)
        )));
    }
    Date::parse(s, &fmt).map_err(|_| {
        DateError(format!(
            "{:?} is not a valid date of the form YYYY-MM-DD",
            shown(s)
        ))
    })
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The last day covered by a date of the given precision (end of month, end of year, or the day).
pub fn end_of(d: Date, precision: DatePrecision) -> Date {
    match precision {
        DatePrecision::Month => {
            let last = d.month().length(d.year());
            Date::from_calendar_date(d.year(), d.month(), last).unwrap_or(d)
        }
        DatePrecision::Year => Date::from_calendar_date(d.year(), Month::December, 31).unwrap_or(d),
        DatePrecision::Day | DatePrecision::Period => d,
    }
}

/// A closed range of UTC days; `None` on a side means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    /// First day (Julian day number), inclusive.
    pub start: Option<i32>,
    /// Last day (Julian day number), inclusive.
    pub end: Option<i32>,
}

impl DayRange {
    /// Whether the closed range `[start, end]` of a record intersects this one.
    pub fn intersects(&self, start: i32, end: i32) -> bool {
        self.start.is_none_or(|s| end >= s) && self.end.is_none_or(|e| start <= e)
    }

    /// Whether the closed range `[start, end]` of a record lies wholly inside this one.
    pub fn contains(&self, start: i32, end: i32) -> bool {
        self.start.is_none_or(|s| start >= s) && self.end.is_none_or(|e| end <= e)
    }

    /// The share of the days `[start, end]` that fall inside this range, from 0 to 1.
    pub fn share(&self, start: i32, end: i32) -> f64 {
        let lo = self.start.map_or(start, |s| s.max(start));
        let hi = self.end.map_or(end, |e| e.min(end));
        if hi < lo {
            0.0
        } else {
            f64::from(hi - lo + 1) / f64::from(end - start + 1)
        }
    }
}

/// How a record's interval must relate to the `datetime` window (`datetime_match`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DayMatch {
    /// The record's interval overlaps the window (the OGC default).
    #[default]
    Intersects,
    /// The record's interval lies wholly inside the window.
    Within,
}

impl DayMatch {
    /// Whether a record covering `[start, end]` matches the window `days`.
    pub fn matches(self, days: &DayRange, start: i32, end: i32) -> bool {
        match self {
            DayMatch::Intersects => days.intersects(start, end),
            DayMatch::Within => days.contains(start, end),
        }
    }
}

/// Parses one instant: an RFC 3339 date-time, or a full date `YYYY-MM-DD`. Returns its UTC day.
fn parse_instant(s: &str) -> Result<i32, DateError> {
    if s.len() == 10 {
        return parse_date(s).map(|d| d.to_julian_day());
    }
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
        DateError(format!(
            "{:?} is neither an RFC 3339 date-time (2024-03-22T18:00:00Z) nor a date (2024-03-22)",
            shown(s)
        ))
    })?;
    Ok(t.to_offset(time::UtcOffset::UTC).date().to_julian_day())
}

/// Parses the OGC `datetime` parameter: an instant, `a/b`, `../b` or `a/..` (an empty side counts as
/// open, as the specification allows). A reversed interval or `../..` is an error.
pub fn parse_datetime(s: &str) -> Result<DayRange, DateError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DateError("is empty".into()));
    }
    let Some((a, b)) = s.split_once('/') else {
        let d = parse_instant(s)?;
        return Ok(DayRange {
            start: Some(d),
            end: Some(d),
        });
    };
    if b.contains('/') {
        return Err(DateError(format!("{:?} has more than one '/'", shown(s))));
    }
    // Spaces around either side of the '/' are ignored, as around the whole value.
    let (a, b) = (a.trim(), b.trim());
    let open = |x: &str| x.is_empty() || x == "..";
    let start = if open(a) {
        None
    } else {
        Some(parse_instant(a)?)
    };
    let end = if open(b) {
        None
    } else {
        Some(parse_instant(b)?)
    };
    match (start, end) {
        (None, None) => Err(DateError(format!("{:?} is open at both ends", shown(s)))),
        (Some(x), Some(y)) if x > y => {
            Err(DateError(format!("{:?} ends before it starts", shown(s))))
        }
        _ => Ok(DayRange { start, end }),
    }
}

/// The current time as RFC 3339, to the second.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// A Julian day number as `YYYY-MM-DD`.
pub fn format_julian(day: i32) -> String {
    Date::from_julian_day(day)
        .map(format_date)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i32 {
        parse_date(s).unwrap().to_julian_day()
    }

    #[test]
    fn instants_and_intervals() {
        let r = parse_datetime("2024-03-22").unwrap();
        assert_eq!(
            r,
            DayRange {
                start: Some(day("2024-03-22")),
                end: Some(day("2024-03-22"))
            }
        );
        let r = parse_datetime("2024-03-22T23:30:00-02:00").unwrap();
        assert_eq!(
            r.start,
            Some(day("2024-03-23")),
            "offsets are converted to UTC before flooring"
        );
        let r = parse_datetime("../2024-01-31").unwrap();
        assert_eq!(
            r,
            DayRange {
                start: None,
                end: Some(day("2024-01-31"))
            }
        );
        let r = parse_datetime("2024-01-01T00:00:00Z/..").unwrap();
        assert_eq!(
            r,
            DayRange {
                start: Some(day("2024-01-01")),
                end: None
            }
        );
        let r = parse_datetime("2023-01-01/2023-12-31").unwrap();
        assert!(r.intersects(day("2022-08-01"), day("2023-07-31")));
        assert!(!r.intersects(day("2024-01-01"), day("2024-06-30")));
    }

    #[test]
    fn malformed_datetimes_are_rejected() {
        for bad in [
            "",
            "../..",
            "/",
            "2024-02-30",
            "2024-13-01",
            "2024-3-1",
            "yesterday",
            "2024-01-02/2024-01-01",
            "2024-01-01/2024-01-02/2024-01-03",
            "2024-01-01T25:00:00Z",
            "1e309",
            "NaN",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn ends_of_months_and_years() {
        let d = parse_date("2024-02-01").unwrap();
        assert_eq!(format_date(end_of(d, DatePrecision::Month)), "2024-02-29");
        assert_eq!(format_date(end_of(d, DatePrecision::Year)), "2024-12-31");
        assert_eq!(end_of(d, DatePrecision::Day), d);
    }
}
