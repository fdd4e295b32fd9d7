//! Reading `sources.csv`, `records.csv` and `citations.csv`, and resolving each record to a point,
//! a country and a province.

use super::csvrows::{coordinate, each_row, fold_rows_parallel, Row};
use super::error::{Errors, Reason};
use crate::geo::gazetteer::{Gazetteer, Provenance};
use crate::geo::jurisdictions::Jurisdictions;
use crate::index::{Catalog, CiteTable, Part, Split};
use crate::model::columns::{CITATION_COLUMNS, RECORD_COLUMNS, SOURCE_COLUMNS, SPLIT_COLUMNS};
use crate::model::dates::{end_of, parse_date};
use crate::model::round6;
use crate::model::{
    Area, Claim, CountBasis, DatePrecision, Document, EndPrecision, GeoPrecision, Kind, LaunchSite,
    Link, Record,
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
    /// [`crate::index::version::cite_chain`] of its rows.
    chain: u64,
}

/// What one loader thread made of its rows.
struct Loaded {
    part: Part,
    /// Line of each record in `part`.
    lines: Vec<u64>,
    /// Id and line of each row that did not make a record.
    failed: Vec<(String, u64)>,
    /// The sum of the counts of the records sharing each split.
    shared: FxHashMap<String, u64>,
}

impl Citations {
    /// The citations of a record id and the [`crate::index::version::cite_chain`] of their rows, marking
    /// the id as a record's.
    pub fn claim(&self, record_id: &str) -> Option<(&[u32], u64)> {
        let c = self.by_record.get(record_id)?;
        self.claimed[c.slot as usize].store(true, Ordering::Relaxed);
        Some((&c.cites, c.chain))
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
    // Room for a record per line at once (an upper bound: a record has one line per citation).
    // Grown by doubling instead, the table was rehashed into fresh memory some twenty times at
    // 1M records — 6 % of a start, most of it the kernel zeroing those pages.
    out.by_record
        .reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count());
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
        let Cited { cites, chain, .. } = match out.by_record.get_mut(rid) {
            Some(e) => e,
            None => out.by_record.entry(rid.into()).or_insert_with(|| Cited {
                slot: next,
                cites: Vec::new(),
                first_line: row.line,
                chain: 0,
            }),
        };
        if cites.contains(&cite) {
            row.error(errors, "section", "the same citation appears twice");
        } else {
            cites.push(cite);
            *chain = crate::index::version::cite_chain(*chain, row.content_hash());
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
    /// The time splits of `splits.csv`.
    pub splits: &'a Splits,
}

/// The time splits of `splits.csv`, with the line each is first given on.
#[derive(Debug, Default)]
pub struct Splits {
    /// The splits, in the order first seen.
    pub list: Vec<Split>,
    /// The line of each split's first row.
    pub lines: Vec<u64>,
}

impl Splits {
    fn get(&self, id: &str) -> Option<&Split> {
        self.list.iter().find(|s| s.id == id)
    }
}

/// Reads `splits.csv`: `split,date,date_end,start_precision,end_precision,count,source_id,section`.
/// Each row is one period of a stated time split of a total, with its count and where the document
/// states it; a split's periods must not overlap. (`section` is checked against the ledger by
/// `iskp-map check`.)
pub fn read_splits(file: &str, text: &str, documents: &[Document], errors: &mut Errors) -> Splits {
    let mut out = Splits::default();
    each_row(file, text, SPLIT_COLUMNS, errors, |row, errors| {
        let before = errors.0.len();
        let id = row.parse_with("split", valid_id, errors);
        let date = row.parse_with("date", parse_date, errors);
        let end = row.parse_with("date_end", parse_date, errors);
        let start_p = row
            .parse_optional("start_precision", EndPrecision::parse, errors)
            .flatten();
        let end_p = row
            .parse_optional("end_precision", EndPrecision::parse, errors)
            .flatten();
        let n = row.parse_with("count", count, errors);
        let doc = row.required("source_id", errors);
        let section = row.required("section", errors);
        if let Some(d) = &doc {
            if !documents.iter().any(|x| &x.id == d) {
                row.error(errors, "source_id", format!("{d:?} is not in sources.csv"));
            }
        }
        if errors.0.len() > before {
            return;
        }
        let (Some(id), Some(date), Some(end), Some(n), Some(doc), Some(section)) =
            (id, date, end, n, doc, section)
        else {
            return;
        };
        check_dates(
            row,
            Dates {
                date,
                end: Some(end),
                precision: DatePrecision::Period,
                start: start_p,
                end_p,
            },
            errors,
        );
        let (a, b) = (date.to_julian_day(), end.to_julian_day());
        let k = match out.list.iter().position(|s| s.id == id) {
            Some(k) => k,
            None => {
                out.list.push(Split {
                    id: id.clone(),
                    periods: Vec::new(),
                    cited: Vec::new(),
                });
                out.lines.push(row.line);
                out.list.len() - 1
            }
        };
        let s = &mut out.list[k];
        if s.periods.iter().any(|&(x, y, _)| a <= y && x <= b) {
            row.error(
                errors,
                "date",
                format!("overlaps another period of split {id:?}"),
            );
            return;
        }
        s.periods.push((a, b, n));
        s.periods.sort_unstable();
        let cite = (doc, section);
        if !s.cited.contains(&cite) {
            s.cited.push(cite);
        }
    });
    out
}

/// Reads `records.csv` on `threads` threads, resolving places, attaching citations and serialising
/// each record into a catalog [`Part`], then joins the parts into a [`Catalog`]. Every record must be
/// cited; every citation must name a record; ids are unique. With `whole`, the records are the whole
/// data set, and the records sharing each time split must count what its periods count (an edit's
/// records are checked for that once applied, [`Catalog::patch`]). Returns `None` when any row has a
/// problem (all of them are in `errors`).
#[allow(clippy::too_many_arguments)]
pub fn read_records(
    file: &str,
    text: &str,
    citations_file: &str,
    citations: Citations,
    splits_file: &str,
    resolver: &Resolver,
    threads: usize,
    whole: bool,
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
                shared: FxHashMap::default(),
            }
        },
        |Loaded {
             part,
             lines,
             failed,
             shared,
         },
         row,
         errors| {
            let cited = citations.claim(row.get("id"));
            let (cites, chain) = cited.unwrap_or_default();
            let hash = crate::index::version::record_hash(row.content_hash(), chain);
            let pushed = match record_row(row, cited.is_some(), resolver, errors) {
                Some(r) => match part.push_hashed(&r, cites, hash) {
                    Ok(()) => {
                        if let Some(s) = &r.split {
                            *shared.entry(s.clone()).or_default() += u64::from(r.count);
                        }
                        true
                    }
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
    // The records sharing a split count what its periods count.
    let mut shared: FxHashMap<&str, u64> = FxHashMap::default();
    for l in &loaded {
        for (s, n) in &l.shared {
            *shared.entry(s.as_str()).or_default() += n;
        }
    }
    // An edit's records are a part of the data: their splits are checked once applied.
    let checked: &[Split] = if whole { &resolver.splits.list } else { &[] };
    for (s, line) in checked.iter().zip(&resolver.splits.lines) {
        let members = shared.get(s.id.as_str()).copied().unwrap_or(0);
        if members != s.total() {
            errors.push(
                splits_file,
                *line,
                "count",
                format!(
                    "the periods of split {:?} count {}, the records sharing it (split column of {file}) count {members}",
                    s.id,
                    s.total()
                ),
            );
        }
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
    let catalog = Catalog::assemble(
        parts,
        citations.table,
        citations.documents,
        &resolver.splits.list,
    );
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
        ..
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
    let start_precision = row
        .parse_optional("start_precision", EndPrecision::parse, errors)
        .flatten();
    let end_precision = row
        .parse_optional("end_precision", EndPrecision::parse, errors)
        .flatten();
    let place = row.required("place", errors);
    let geo_precision = row.parse_with("geo_precision", GeoPrecision::parse, errors);
    // A record known only to a group of countries has no country of its own.
    let country = match geo_precision {
        Some(GeoPrecision::Multinational) => {
            if !row.get("country").is_empty() {
                row.error(
                    errors,
                    "country",
                    "a multinational record spans several countries: leave country empty",
                );
            }
            Some(None)
        }
        _ => row.country("country", rs.jurisdictions, errors).map(Some),
    };
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
    check_dates(
        row,
        Dates {
            date,
            end: date_end,
            precision: date_precision,
            start: start_precision,
            end_p: end_precision,
        },
        errors,
    );
    if !cited {
        row.error(
            errors,
            "id",
            format!("{id:?} has no row in citations.csv; every record cites a source"),
        );
    }
    let split = row.optional("split");
    if let Some(name) = &split {
        match rs.splits.get(name) {
            None => row.error(errors, "split", format!("{name:?} is not in splits.csv")),
            Some(s) => {
                let (first, last) = (
                    date.to_julian_day(),
                    date_end
                        .unwrap_or(end_of(date, date_precision))
                        .to_julian_day(),
                );
                if s.periods.iter().any(|&(a, b, _)| a < first || b > last) {
                    row.error(
                        errors,
                        "split",
                        format!("the periods of split {name:?} reach outside date..date_end"),
                    );
                }
            }
        }
    }
    let located = locate(
        row,
        &place,
        country.as_deref(),
        geo_precision,
        (lon, lat),
        rs,
        errors,
    );
    let launch_site = launch_site(row, rs, errors);
    if errors.0.len() > before {
        return None;
    }
    let Located {
        point,
        area,
        province,
    } = located?;
    let jur = rs.jurisdictions;
    Some(Record {
        id,
        kind,
        title,
        summary,
        date,
        date_end,
        date_precision,
        start_precision,
        end_precision,
        split,
        place,
        admin1: province.map(|p| jur.provinces[p].name.clone()),
        admin1_id: province.map(|p| jur.provinces[p].id.clone()),
        country_name: country
            .as_deref()
            .and_then(|c| jur.country(c))
            .map(|c| c.name.clone()),
        country,
        geo_precision,
        point,
        area,
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

/// Where a record is: a point (district precision or better) or an area, and its province.
struct Located {
    point: Option<[f64; 2]>,
    area: Option<Area>,
    province: Option<usize>,
}

/// The union of boxes `[minLon, minLat, maxLon, maxLat]`.
fn union(boxes: impl Iterator<Item = [f64; 4]>) -> Option<[f64; 4]> {
    boxes.reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

fn bbox_of(j: &crate::geo::jurisdictions::Jurisdiction) -> [f64; 4] {
    [
        j.bbox.min().x,
        j.bbox.min().y,
        j.bbox.max().x,
        j.bbox.max().y,
    ]
}

/// Places a record: geocodes `place` (or takes `lon`/`lat`) at the record's precision, checks that
/// it lies in the stated country, and for records known only to an area, finds the area's extent.
fn locate(
    row: &Row,
    place: &str,
    country: Option<&str>,
    precision: GeoPrecision,
    given: (Option<f64>, Option<f64>),
    rs: &Resolver,
    errors: &mut Errors,
) -> Option<Located> {
    let jur = rs.jurisdictions;
    if precision.is_area() {
        if given.0.is_some() || given.1.is_some() {
            row.error(
                errors,
                "lon",
                format!(
                    "a record known only to a {precision} has no point: leave lon and lat empty"
                ),
            );
            return None;
        }
        let p = match rs.gazetteer.resolve(place, country, Some(precision)) {
            Ok(p) => p,
            Err(e) => {
                row.error(errors, "place", e.to_string());
                return None;
            }
        };
        let (id, members, bbox, province) = match precision {
            GeoPrecision::Province => {
                let i = match &p.provenance {
                    Provenance::Province { id } => jur.province_index(id),
                    _ => None,
                }
                .or_else(|| country.and_then(|c| jur.province_at(p.lon, p.lat, c)));
                let Some(i) = i else {
                    row.error(
                        errors,
                        "place",
                        format!("{place:?} lies in no province of {}", country.unwrap_or("")),
                    );
                    return None;
                };
                let prov = &jur.provinces[i];
                (prov.id.clone(), Vec::new(), bbox_of(prov), Some(i))
            }
            GeoPrecision::Region => {
                let provinces: Vec<usize> = p
                    .members
                    .iter()
                    .filter_map(|m| jur.province_index(m))
                    .collect();
                let members = provinces
                    .iter()
                    .map(|&i| {
                        let prov = &jur.provinces[i];
                        prov.iso_3166_2.clone().unwrap_or_else(|| prov.id.clone())
                    })
                    .collect();
                let bbox = union(provinces.iter().map(|&i| bbox_of(&jur.provinces[i])));
                (p.name.clone(), members, bbox?, None)
            }
            GeoPrecision::Multinational => {
                let bbox = union(p.members.iter().filter_map(|m| jur.country(m)).map(bbox_of));
                (p.name.clone(), p.members.clone(), bbox?, None)
            }
            _ => {
                let c = country.and_then(|c| jur.country(c))?;
                (c.id.clone(), Vec::new(), bbox_of(c), None)
            }
        };
        return Some(Located {
            point: None,
            area: Some(Area { id, members, bbox }),
            province,
        });
    }
    // A point: given explicitly, or geocoded from the place name at the record's precision.
    let country = country?;
    let (lon, lat, province_hint) = match given {
        (Some(x), Some(y)) => (x, y, None),
        (None, None) => match rs.gazetteer.resolve(place, Some(country), Some(precision)) {
            Ok(p) => {
                let hint = match &p.provenance {
                    Provenance::Province { id } => jur.province_index(id),
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
    match jur.country_at(lon, lat) {
        Some((c, _)) if jur.countries[c].id == country => {}
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
    }
    Some(Located {
        point: Some([lon, lat]),
        area: None,
        province: province_hint.or_else(|| jur.province_at(lon, lat, country)),
    })
}

/// A record's dates as its row gives them.
struct Dates {
    date: time::Date,
    end: Option<time::Date>,
    precision: DatePrecision,
    start: Option<EndPrecision>,
    end_p: Option<EndPrecision>,
}

fn check_dates(row: &Row, d: Dates, errors: &mut Errors) {
    let Dates {
        date,
        end,
        precision: p,
        start,
        end_p,
    } = d;
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
    if p != DatePrecision::Period {
        for (col, v) in [("start_precision", start), ("end_precision", end_p)] {
            if v.is_some() {
                row.error(
                    errors,
                    col,
                    "only a period has start and end precisions (date_precision gives the rest)",
                );
            }
        }
        return;
    }
    let Some(end) = end else { return };
    let jan1 = (u8::from(date.month()), date.day()) == (1, 1);
    match start {
        Some(EndPrecision::Month) if date.day() != 1 => row.error(
            errors,
            "start_precision",
            "a period starting in a month starts on its first day",
        ),
        Some(EndPrecision::Year) if !jan1 => row.error(
            errors,
            "start_precision",
            "a period starting in a year starts on 1 January",
        ),
        // 1 January is where an invented start lands: say which it is.
        None if jan1 => row.error(
            errors,
            "start_precision",
            "a period starting on 1 January says how that start is known: year, or unknown when the document gives no start (day if it really is 1 January)",
        ),
        _ => {}
    }
    let last_of_month = end_of(end, DatePrecision::Month) == end;
    let dec31 = (u8::from(end.month()), end.day()) == (12, 31);
    match end_p {
        Some(EndPrecision::Month) if !last_of_month => row.error(
            errors,
            "end_precision",
            "a period ending in a month ends on its last day",
        ),
        Some(EndPrecision::Year) if !dec31 => row.error(
            errors,
            "end_precision",
            "a period ending in a year ends on 31 December",
        ),
        _ => {}
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
