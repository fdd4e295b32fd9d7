//! Reading `sources.csv`, `records.csv` and `citations.csv`, and resolving each record to a point,
//! a country and a province.

use super::csvrows::{coordinate, each_row, fold_rows_parallel, Row};
use super::error::{Errors, Reason};
use crate::geo::gazetteer::{Gazetteer, Provenance};
use crate::geo::jurisdictions::Jurisdictions;
use crate::index::{Catalog, CiteTable, Part};
use crate::model::columns::{CITATION_COLUMNS, RECORD_COLUMNS, SOURCE_COLUMNS};
use crate::model::dates::{end_of, parse_date};
use crate::model::round6;
use crate::model::{
    Claim, CountBasis, DatePrecision, Document, GeoPrecision, Kind, LaunchSite, Link, Record,
};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// Reads `sources.csv`.
pub fn read_documents(file: &str, text: &str, errors: &mut Errors) -> Vec<Document> {
    let mut out: Vec<Document> = Vec::new();
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
        let url = row.optional("url");
        if let Some(u) = &url {
            if let Err(why) = web_url(u) {
                row.error(errors, "url", why);
                return;
            }
        }
        if let (Some(id), Some(title), Some(author)) = (id, title, author) {
            out.push(Document {
                id,
                title,
                author,
                publisher: row.optional("publisher"),
                published: row.optional("published"),
                url,
            });
        }
    });
    out
}

/// Checks a document's URL: `http://` or `https://` and a host, no spaces, quotes, angle brackets
/// or control characters — the page shows it as a link, and a `javascript:` or `data:` URL would
/// run or show whatever it holds when clicked.
pub fn web_url(u: &str) -> Result<(), String> {
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| format!("{:?} is not an http:// or https:// URL", shown(u)))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return Err(format!(
            "{:?} has no host (or carries a user name)",
            shown(u)
        ));
    }
    if u.len() > 2048
        || u.chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>' | '`'))
    {
        return Err(format!(
            "{:?} holds spaces, quotes, angle brackets or control characters, or is over 2048 bytes",
            shown(u)
        ));
    }
    Ok(())
}

fn shown(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// What `citations.csv` says: each record id's citations (numbers in [`CiteTable`]) and the line
/// that first cites it, and which record ids a record row has claimed.
#[derive(Debug, Default)]
pub struct Citations {
    /// The documents.
    pub documents: Vec<Document>,
    /// The distinct (document, section) pairs.
    pub table: CiteTable,
    by_record: FxHashMap<Box<str>, Cited>,
    claimed: Vec<AtomicBool>,
}

/// The citations of one record id: its slot in `claimed`, its citation numbers, and where it is
/// first cited.
#[derive(Debug, Default)]
struct Cited {
    slot: u32,
    /// Citation numbers, in file order.
    cites: Vec<u32>,
    /// The line of the first row citing the record.
    first_line: u64,
}

/// What one loader thread made of its rows.
struct Loaded {
    part: Part,
    /// Line of each record in `part`.
    lines: Vec<u64>,
    /// Id and line of each row that did not make a record.
    failed: Vec<(String, u64)>,
}

impl Citations {
    /// The citations of a record id, marking the id as a record's.
    pub fn claim(&self, record_id: &str) -> Option<&[u32]> {
        let c = self.by_record.get(record_id)?;
        self.claimed[c.slot as usize].store(true, Ordering::Relaxed);
        Some(&c.cites)
    }

    /// Record ids that no record row claimed, with the first line citing each, in line order.
    pub fn unclaimed(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self
            .by_record
            .iter()
            .filter(|(_, c)| !self.claimed[c.slot as usize].load(Ordering::Relaxed))
            .map(|(id, c)| (&**id, c.first_line))
            .collect();
        v.sort_by_key(|(_, l)| *l);
        v
    }
}

/// Reads `citations.csv`, checking each source id; the same citation twice is an error.
pub fn read_citations(
    file: &str,
    text: &str,
    sources: Vec<Document>,
    errors: &mut Errors,
) -> Citations {
    let mut out = Citations::default();
    let by_source: FxHashMap<String, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    out.documents = sources;
    each_row(file, text, CITATION_COLUMNS, errors, |row, errors| {
        let rid = row.get("record_id");
        let sid = row.get("source_id");
        let section = row.get("section");
        for (col, v) in [("record_id", rid), ("source_id", sid), ("section", section)] {
            if v.is_empty() {
                row.error(errors, col, "is empty");
            }
        }
        let source = by_source.get(sid).copied();
        if source.is_none() && !sid.is_empty() {
            row.error(
                errors,
                "source_id",
                format!("{sid:?} is not in sources.csv"),
            );
        }
        let Some(source) = source.filter(|_| !rid.is_empty() && !section.is_empty()) else {
            return;
        };
        let cite = out.table.intern(source, section);
        let next = out.by_record.len() as u32;
        let Cited { cites, .. } = match out.by_record.get_mut(rid) {
            Some(e) => e,
            None => out.by_record.entry(rid.into()).or_insert_with(|| Cited {
                slot: next,
                cites: Vec::new(),
                first_line: row.line,
            }),
        };
        if cites.contains(&cite) {
            row.error(errors, "section", "the same citation appears twice");
        } else {
            cites.push(cite);
        }
    });
    out.claimed = (0..out.by_record.len())
        .map(|_| AtomicBool::new(false))
        .collect();
    out
}

/// Everything a record row is resolved against.
pub struct Resolver<'a> {
    /// The boundaries.
    pub jurisdictions: &'a Jurisdictions,
    /// The gazetteer.
    pub gazetteer: &'a Gazetteer,
}

/// Reads `records.csv` on `threads` threads, resolving places, attaching citations and serialising
/// each record into a catalog [`Part`], then joins the parts into a [`Catalog`]. Every record must be
/// cited; every citation must name a record; ids are unique. Returns `None` when any row has a
/// problem (all of them are in `errors`).
pub fn read_records(
    file: &str,
    text: &str,
    citations_file: &str,
    citations: Citations,
    resolver: &Resolver,
    threads: usize,
    errors: &mut Errors,
) -> Option<Catalog> {
    let t = std::time::Instant::now();
    let loaded = fold_rows_parallel(
        file,
        text,
        RECORD_COLUMNS,
        threads,
        errors,
        |bytes| {
            // A Feature head is about three times its CSV row; reserving (address space only,
            // until written) spares the copies and page faults of growing a large buffer.
            let part = Part::with_capacity(bytes.saturating_mul(4), bytes / 64);
            Loaded {
                part,
                lines: Vec::with_capacity(bytes / 64),
                failed: Vec::new(),
            }
        },
        |Loaded {
             part,
             lines,
             failed,
         },
         row,
         errors| {
            let cites = citations.claim(row.get("id"));
            let pushed = match record_row(row, cites.is_some(), resolver, errors) {
                Some(r) => match part.push(&r, cites.unwrap_or_default()) {
                    Ok(()) => true,
                    Err(e) => {
                        row.error(errors, "id", e.to_string());
                        false
                    }
                },
                None => false,
            };
            if pushed {
                lines.push(row.line);
            } else if !row.get("id").is_empty() {
                failed.push((row.get("id").to_string(), row.line));
            }
        },
    );
    let t_rows = t.elapsed();
    for (id, line) in citations.unclaimed() {
        errors.push(
            citations_file,
            line,
            "record_id",
            format!("{id:?} is not a record in {file}"),
        );
    }
    if !errors.is_empty() {
        // Loading has failed; finish the report with every id used twice.
        repeated_ids(file, &loaded, errors);
        return None;
    }
    let mut parts = Vec::with_capacity(loaded.len());
    let mut lines = Vec::with_capacity(loaded.len());
    for l in loaded {
        parts.push(l.part);
        lines.push(l.lines);
    }
    let t_check = t.elapsed();
    let catalog = Catalog::assemble(parts, citations.table, citations.documents);
    tracing::debug!(rows = ?t_rows, check = ?(t_check - t_rows), index = ?(t.elapsed() - t_check), "{file}");
    match catalog {
        Ok(c) => Some(c),
        Err(repeats) => {
            let mut bad: Vec<(u64, String)> = repeats
                .into_iter()
                .map(|d| {
                    let first = lines[d.first.0][d.first.1];
                    let again = lines[d.again.0][d.again.1];
                    (again, format!("{:?} is already used on line {first}", d.id))
                })
                .collect();
            bad.sort();
            for (line, reason) in bad {
                errors.push(file, line, "id", reason);
            }
            None
        }
    }
}

/// Reports every id used again, on its later line, against its first use; for the error path,
/// where rows that failed count too.
fn repeated_ids(file: &str, loaded: &[Loaded], errors: &mut Errors) {
    let mut rows: Vec<(u64, &str)> = Vec::new();
    for Loaded {
        part,
        lines,
        failed,
    } in loaded
    {
        rows.extend(lines.iter().enumerate().map(|(k, &l)| (l, part.id(k))));
        rows.extend(failed.iter().map(|(id, l)| (*l, id.as_str())));
    }
    rows.sort_unstable_by_key(|r| r.0);
    let mut seen: FxHashMap<&str, u64> = FxHashMap::default();
    for (line, id) in rows {
        if let Some(first) = seen.get(id) {
            errors.push(
                file,
                line,
                "id",
                format!("{id:?} is already used on line {first}"),
            );
        } else {
            seen.insert(id, line);
        }
    }
}

fn valid_id(s: &str) -> Result<String, Reason> {
    if s.len() > 120
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Reason(format!(
            "{s:?} must be at most 120 characters of a-z, 0-9 and '-'"
        )));
    }
    Ok(s.to_string())
}

fn count(s: &str) -> Result<u32, Reason> {
    s.parse::<u32>()
        .map_err(|_| Reason(format!("{s:?} is not a whole number")))
}

fn record_row(row: &Row, cited: bool, rs: &Resolver, errors: &mut Errors) -> Option<Record> {
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
    if !cited {
        row.error(
            errors,
            "id",
            format!("{id:?} has no row in citations.csv; every record cites a source"),
        );
    }

    // The point: given explicitly, or geocoded from the place name at the record's precision.
    let (lon, lat, province_hint) = match (lon, lat) {
        (Some(x), Some(y)) => (x, y, None),
        (None, None) => match rs
            .gazetteer
            .resolve(&place, Some(&country), Some(geo_precision))
        {
            Ok(p) => {
                let hint = match &p.provenance {
                    Provenance::Province { id } => rs.jurisdictions.province_index(id),
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
    let launch_site = launch_site(row, rs, errors);
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
        launch_site: launch_site.flatten(),
        // Kept beside the record as numbers in the citation table (see `read_records`).
        citations: Vec::new(),
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

/// The launch site of cross-border fire (`origin_place`, `origin_country`), geocoded like `place`.
fn launch_site(row: &Row, rs: &Resolver, errors: &mut Errors) -> Option<Option<LaunchSite>> {
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
                Ok(p) => Some(Some(LaunchSite {
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
