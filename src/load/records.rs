//! Reading `sources.csv`, `records.csv` and `citations.csv`, and resolving each record to a point,
//! a country and a province.

use super::csvrows::{coordinate, each_row, Row};
use super::error::Errors;
use crate::dates::{end_of, parse_date};
use crate::geocode::gazetteer::{Gazetteer, PlaceOrigin};
use crate::geocode::jurisdictions::Jurisdictions;
use crate::model::{
    Citation, Claim, CountBasis, DatePrecision, GeoPrecision, Kind, Link, Origin, Record, Source,
};
use std::collections::HashMap;

/// Columns of `records.csv`, in the order the committed file uses.
pub const RECORD_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "title",
    "summary",
    "date",
    "date_end",
    "date_precision",
    "place",
    "country",
    "geo_precision",
    "lon",
    "lat",
    "count",
    "count_basis",
    "fatalities",
    "injured",
    "claim",
    "link",
    "denied_by",
    "target",
    "origin_place",
    "origin_country",
];

/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: &[&str] = &["id", "title", "author", "publisher", "published", "url"];

/// Columns of `citations.csv`.
pub const CITATION_COLUMNS: &[&str] = &["record_id", "source_id", "section"];

/// Reads `sources.csv`.
pub fn read_sources(file: &str, text: &str, errors: &mut Errors) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    each_row(file, text, SOURCE_COLUMNS, errors, |row, errors| {
        let id = row.required("id", errors);
        let title = row.required("title", errors);
        let author = row.required("author", errors);
        if let Some(id) = &id {
            if out.iter().any(|s| &s.id == id) {
                row.error(errors, "id", format!("{id:?} is used by an earlier row"));
                return;
            }
        }
        if let (Some(id), Some(title), Some(author)) = (id, title, author) {
            out.push(Source {
                id,
                title,
                author,
                publisher: row.optional("publisher"),
                published: row.optional("published"),
                url: row.optional("url"),
            });
        }
    });
    out
}

/// Reads `citations.csv` into record id → citations, checking each source id.
pub fn read_citations(
    file: &str,
    text: &str,
    sources: &[Source],
    errors: &mut Errors,
) -> HashMap<String, Vec<(Citation, u64)>> {
    let mut out: HashMap<String, Vec<(Citation, u64)>> = HashMap::new();
    each_row(file, text, CITATION_COLUMNS, errors, |row, errors| {
        let rid = row.required("record_id", errors);
        let sid = row.required("source_id", errors);
        let section = row.required("section", errors);
        let source = sid.as_ref().and_then(|sid| {
            let i = sources.iter().position(|s| &s.id == sid);
            if i.is_none() {
                row.error(
                    errors,
                    "source_id",
                    format!("{sid:?} is not in sources.csv"),
                );
            }
            i
        });
        if let (Some(rid), Some(source), Some(section)) = (rid, source, section) {
            let list = out.entry(rid).or_default();
            if list
                .iter()
                .any(|(c, _)| c.source == source && c.section == section)
            {
                row.error(errors, "section", "the same citation appears twice");
            } else {
                list.push((Citation { source, section }, row.line));
            }
        }
    });
    out
}

/// Everything a record row is resolved against.
pub struct Resolver<'a> {
    /// The boundaries.
    pub jurisdictions: &'a Jurisdictions,
    /// The gazetteer.
    pub gazetteer: &'a Gazetteer,
}

/// Reads `records.csv`, resolving places and attaching citations. Every record must be cited;
/// every citation must name a record. Returns records sorted by date, then id.
pub fn read_records(
    file: &str,
    text: &str,
    citations_file: &str,
    mut citations: HashMap<String, Vec<(Citation, u64)>>,
    resolver: &Resolver,
    errors: &mut Errors,
) -> Vec<Record> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    each_row(file, text, RECORD_COLUMNS, errors, |row, errors| {
        let cites = row.optional("id").and_then(|id| citations.remove(&id));
        if let Some(id) = row.optional("id") {
            if let Some(prev) = seen.insert(id.clone(), row.line) {
                row.error(
                    errors,
                    "id",
                    format!("{id:?} is already used on line {prev}"),
                );
                return;
            }
        }
        if let Some(r) = record_row(&row, cites, resolver, errors) {
            out.push(r);
        }
    });
    let mut orphans: Vec<(String, u64)> = citations
        .into_iter()
        .map(|(id, v)| (id, v.first().map_or(0, |(_, l)| *l)))
        .collect();
    orphans.sort_by_key(|(_, l)| *l);
    for (id, line) in orphans {
        errors.push(
            citations_file,
            line,
            "record_id",
            format!("{id:?} is not a record in {file}"),
        );
    }
    out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    out
}

fn valid_id(s: &str) -> Result<String, String> {
    if s.len() > 120
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "{s:?} must be at most 120 characters of a-z, 0-9 and '-'"
        ));
    }
    Ok(s.to_string())
}

fn count(s: &str) -> Result<u32, String> {
    s.parse::<u32>()
        .map_err(|_| format!("{s:?} is not a whole number"))
}

fn record_row(
    row: &Row,
    cites: Option<Vec<(Citation, u64)>>,
    rs: &Resolver,
    errors: &mut Errors,
) -> Option<Record> {
    let before = errors.0.len();
    let id = row.parse_with("id", valid_id, errors);
    let kind = row.parse_with("kind", Kind::parse, errors);
    let title = row.required("title", errors);
    let summary = row.required("summary", errors);
    let date = row.parse_with("date", parse_date, errors);
    let date_end = row.parse_optional("date_end", parse_date, errors).flatten();
    let date_precision = row.parse_with("date_precision", DatePrecision::parse, errors);
    let place = row.required("place", errors);
    let country = row.country("country", rs.jurisdictions, errors);
    let geo_precision = row.parse_with("geo_precision", GeoPrecision::parse, errors);
    let lon = row
        .parse_optional("lon", |s| coordinate(s, 180.0), errors)
        .flatten();
    let lat = row
        .parse_optional("lat", |s| coordinate(s, 90.0), errors)
        .flatten();
    let n = row.parse_with("count", count, errors);
    let count_basis = row
        .parse_optional("count_basis", CountBasis::parse, errors)
        .flatten();
    let fatalities = row.parse_optional("fatalities", count, errors).flatten();
    let injured = row.parse_optional("injured", count, errors).flatten();
    let claim = row.parse_with("claim", Claim::parse, errors);
    let link = row.parse_optional("link", Link::parse, errors).flatten();
    let mut denied_by = Vec::new();
    for c in row
        .get("denied_by")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if rs.jurisdictions.country(c).is_none() {
            row.error(errors, "denied_by", format!("{c:?} is not a country code"));
        } else {
            denied_by.push(c.to_string());
        }
    }
    if errors.0.len() > before {
        return None;
    }
    let (id, kind, title, summary, date, date_precision, place, country, geo_precision, n, claim) = (
        id?,
        kind?,
        title?,
        summary?,
        date?,
        date_precision?,
        place?,
        country?,
        geo_precision?,
        n?,
        claim?,
    );
    if n == 0 {
        row.error(errors, "count", "must be at least 1");
    }
    check_dates(row, date, date_end, date_precision, errors);
    let citations = match cites {
        Some(c) => c.into_iter().map(|(c, _)| c).collect(),
        None => {
            row.error(
                errors,
                "id",
                format!("{id:?} has no row in citations.csv; every record cites a source"),
            );
            Vec::new()
        }
    };

    // The point: given explicitly, or geocoded from the place name at the record's precision.
    let (lon, lat, province_hint) = match (lon, lat) {
        (Some(x), Some(y)) => (x, y, None),
        (None, None) => match rs
            .gazetteer
            .resolve(&place, Some(&country), Some(geo_precision))
        {
            Ok(p) => {
                let hint = match &p.origin {
                    PlaceOrigin::Province { id } => rs.jurisdictions.province_index(id),
                    _ => None,
                };
                (p.lon, p.lat, hint)
            }
            Err(e) => {
                row.error(errors, "place", e.to_string());
                return None;
            }
        },
        _ => {
            row.error(
                errors,
                "lon",
                "lon and lat go together: give both or neither",
            );
            return None;
        }
    };
    let (lon, lat) = (round6(lon), round6(lat));
    let jur = rs.jurisdictions;
    let located = match jur.country_at(lon, lat) {
        Some((c, _)) if jur.countries[c].id == country => c,
        Some((c, _)) => {
            row.error(
                errors,
                "country",
                format!(
                    "the point ({lon}, {lat}) lies in {}, not {country}",
                    jur.countries[c].id
                ),
            );
            return None;
        }
        None => {
            row.error(
                errors,
                "country",
                format!("the point ({lon}, {lat}) lies in no country"),
            );
            return None;
        }
    };
    // A province only where the record is known to province level or better.
    let province = if geo_precision <= GeoPrecision::Province {
        province_hint.or_else(|| jur.province_at(lon, lat, &country))
    } else {
        None
    };
    let origin = origin(row, rs, errors);
    if errors.0.len() > before {
        return None;
    }
    Some(Record {
        id,
        kind,
        title,
        summary,
        date,
        date_end,
        date_precision,
        place,
        admin1: province.map(|p| jur.provinces[p].name.clone()),
        admin1_id: province.map(|p| jur.provinces[p].id.clone()),
        country_name: jur.countries[located].name.clone(),
        country,
        geo_precision,
        lon,
        lat,
        count: n,
        count_basis: count_basis.unwrap_or(CountBasis::Exact),
        fatalities,
        injured,
        claim,
        link,
        denied_by,
        target: row.optional("target"),
        origin: origin.flatten(),
        citations,
    })
}

fn check_dates(
    row: &Row,
    date: time::Date,
    end: Option<time::Date>,
    p: DatePrecision,
    errors: &mut Errors,
) {
    match p {
        DatePrecision::Month if date.day() != 1 => row.error(
            errors,
            "date",
            "a month-precision date is written as the month's first day",
        ),
        DatePrecision::Year if (u8::from(date.month()), date.day()) != (1, 1) => row.error(
            errors,
            "date",
            "a year-precision date is written as 1 January",
        ),
        DatePrecision::Period if end.is_none() => {
            row.error(errors, "date_end", "a period needs an end date")
        }
        _ => {}
    }
    if let Some(e) = end {
        if e < end_of(date, p) && p != DatePrecision::Period && p != DatePrecision::Day {
            row.error(
                errors,
                "date_end",
                "ends before the month or year given by date and date_precision",
            );
        }
        if e < date {
            row.error(errors, "date_end", "is before date");
        }
    }
}

fn origin(row: &Row, rs: &Resolver, errors: &mut Errors) -> Option<Option<Origin>> {
    let place = row.optional("origin_place");
    let country = row.optional("origin_country");
    match (place, country) {
        (None, None) => Some(None),
        (Some(place), Some(country)) => {
            if rs.jurisdictions.country(&country).is_none() {
                row.error(
                    errors,
                    "origin_country",
                    format!("{country:?} is not a country code"),
                );
                return None;
            }
            match rs.gazetteer.resolve(&place, Some(&country), None) {
                Ok(p) => Some(Some(Origin {
                    place,
                    country,
                    lon: round6(p.lon),
                    lat: round6(p.lat),
                    precision: p.level.precision(),
                })),
                Err(e) => {
                    row.error(errors, "origin_place", e.to_string());
                    None
                }
            }
        }
        _ => {
            row.error(
                errors,
                "origin_place",
                "origin_place and origin_country go together",
            );
            None
        }
    }
}

/// Rounds a coordinate to 6 decimals (about 0.1 m), the precision the API serves. The index holds the
/// rounded value, so a served point is always inside the bbox that selected it.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
