//! `iskp-map geocode FILE.csv|-`: batch geocoding of CSV rows.
//!
//! Input: a CSV with a header holding `place` and optionally `country` (ISO alpha-3 or a country
//! name, a hint); any other columns are carried through. Output: GeoJSON points, or the input rows
//! with `line` and [`OUTPUT_COLUMNS`] appended, where `country` is the country of the place found
//! and the input's hint is kept as `country_hint`. Rows that do not resolve are reported as
//! `line N: reason` with the closest names, and with `--keep-unresolved` stay in the output with
//! no geometry and that reason. Line numbers are the file's own, for LF and CRLF files alike.

use super::{CliError, DataDir, Failure};
use crate::geo::gazetteer::{Gazetteer, PlaceLevel};
use crate::geo::jurisdictions::Jurisdictions;
use serde_json::{json, Map, Value};

/// Why a CSV could not be geocoded at all (rows that do not resolve are not errors: they are
/// listed in [`Batch::failures`]).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The header cannot be read, or has no `place` column.
    #[error("header: {0}")]
    Header(String),
    /// The output could not be written.
    #[error("{0}")]
    Csv(#[from] csv::Error),
    /// The CSV writer's buffer could not be taken back.
    #[error("{0}")]
    Buffer(String),
}

/// Where a row's place resolved to.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Precision the point supports.
    pub precision: &'static str,
    /// Kind of gazetteer entry.
    pub level: &'static str,
    /// ISO alpha-3 of the place found (not the input's hint).
    pub country: String,
    /// Country name.
    pub country_name: String,
    /// Province name and id, for entries finer than a country.
    pub admin1: Option<(String, String)>,
    /// The gazetteer name matched.
    pub matched: String,
    /// Provenance of the entry.
    pub provenance: String,
}

/// One input row and what became of it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's line in the input file (1 is the header), counted the way an editor does for
    /// LF, CRLF and CR line ends alike.
    pub line: u64,
    /// The input values, in the order of [`Batch::columns`].
    pub values: Vec<String>,
    /// The place found, or why none was.
    pub outcome: Result<Resolved, String>,
}

/// The outcome of a batch.
#[derive(Debug, Default)]
pub struct Batch {
    /// Input column names.
    pub columns: Vec<String>,
    /// Every row read, resolved or not, in input order.
    pub rows: Vec<Row>,
    /// A row that stopped reading (malformed CSV) as `line N: reason`.
    pub broken: Option<String>,
}

/// The columns the geocoder writes, in order. An input column of the same name is written as
/// `input_NAME` (and the input's `country`, a hint, as `country_hint`), so nothing is lost.
pub const OUTPUT_COLUMNS: [&str; 10] = [
    "lon",
    "lat",
    "geo_precision",
    "level",
    "country",
    "country_name",
    "admin1",
    "admin1_id",
    "matched",
    "source",
];

/// Line starts of a text, to turn byte offsets into the line numbers an editor shows.
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<u64>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0u64];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u64 + 1);
            }
        }
        Lines { text: b, starts }
    }

    /// The 1-based line holding byte `offset`.
    fn at(&self, offset: u64) -> u64 {
        self.starts.partition_point(|&s| s <= offset) as u64
    }

    /// The line a CSV record starting at byte `offset` is on. The csv crate ends a record at the
    /// `\r` of a CRLF and counts the `\n` as the start of the next one (hence its line numbers,
    /// one too low in CRLF files): line ends before the first field are skipped.
    fn of_record(&self, offset: u64) -> u64 {
        let mut o = offset as usize;
        while matches!(self.text.get(o), Some(b'\r' | b'\n')) {
            o += 1;
        }
        self.at(o as u64)
    }
}

/// Geocodes every row of `input`.
pub fn geocode_csv(input: &str, gaz: &Gazetteer, jur: &Jurisdictions) -> Result<Batch, BatchError> {
    let lines = Lines::new(input);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(input.as_bytes());
    let columns: Vec<String> = rdr
        .headers()
        .map_err(|e| BatchError::Header(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let place_col = columns
        .iter()
        .position(|c| c == "place")
        .ok_or_else(|| BatchError::Header("no column named place".into()))?;
    let country_col = columns.iter().position(|c| c == "country");
    let mut out = Batch {
        columns: columns.clone(),
        ..Batch::default()
    };
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.of_record(p.byte()));
                out.broken = Some(format!("line {line}: {e}"));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| lines.of_record(p.byte()));
        let values: Vec<String> = rec.iter().map(str::to_string).collect();
        let place = rec.get(place_col).unwrap_or("").trim();
        let hint = country_col
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let outcome = match hint {
            None => Ok(None),
            Some(h) if jur.country(&h.to_ascii_uppercase()).is_some() => {
                Ok(Some(h.to_ascii_uppercase()))
            }
            Some(h) => gaz
                .resolve(h, None, Some(crate::model::GeoPrecision::Country))
                .map(|p| Some(p.country.clone()))
                .map_err(|e| format!("country: {e}")),
        }
        .and_then(|hint| {
            gaz.resolve(place, hint.as_deref(), None)
                .map_err(|e| format!("place: {e}"))
        })
        .map(|p| Resolved {
            lon: p.lon,
            lat: p.lat,
            precision: p.level.precision().as_str(),
            level: p.level.as_str(),
            country: p.country.clone(),
            country_name: jur
                .country(&p.country)
                .map_or_else(String::new, |c| c.name.clone()),
            admin1: (p.level != PlaceLevel::Country)
                .then(|| jur.province_at(p.lon, p.lat, &p.country))
                .flatten()
                .map(|i| (jur.provinces[i].name.clone(), jur.provinces[i].id.clone())),
            matched: p.name.clone(),
            provenance: p.provenance.describe(),
        });
        out.rows.push(Row {
            line,
            values,
            outcome,
        });
    }
    Ok(out)
}

impl Resolved {
    /// The values of [`OUTPUT_COLUMNS`], as text (`None` for an empty cell).
    fn cells(&self) -> [Option<String>; 10] {
        [
            Some(self.lon.to_string()),
            Some(self.lat.to_string()),
            Some(self.precision.to_string()),
            Some(self.level.to_string()),
            Some(self.country.clone()),
            Some(self.country_name.clone()),
            self.admin1.as_ref().map(|a| a.0.clone()),
            self.admin1.as_ref().map(|a| a.1.clone()),
            Some(self.matched.clone()),
            Some(self.provenance.clone()),
        ]
    }
}

impl Batch {
    /// The input column names as written out: `country` becomes `country_hint`, and any other
    /// name the geocoder writes itself gets an `input_` prefix.
    pub fn input_names(&self) -> Vec<String> {
        let taken = |c: &str| {
            OUTPUT_COLUMNS.contains(&c) || c == "line" || c == "unresolved" || c == "country_hint"
        };
        self.columns
            .iter()
            .map(|c| match c.as_str() {
                "country" => "country_hint".to_string(),
                c if taken(c) => format!("input_{c}"),
                c => c.to_string(),
            })
            .collect()
    }

    /// Rows whose place did not resolve, as `line N: reason`, then the row that stopped reading.
    pub fn failures(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter_map(|r| {
                r.outcome
                    .as_ref()
                    .err()
                    .map(|e| format!("line {}: {e}", r.line))
            })
            .chain(self.broken.clone())
            .collect()
    }

    /// Rows resolved.
    pub fn resolved(&self) -> usize {
        self.rows.iter().filter(|r| r.outcome.is_ok()).count()
    }

    /// The rows as a GeoJSON FeatureCollection: resolved rows as points and, with
    /// `keep_unresolved`, the others with a null geometry and an `unresolved` reason.
    pub fn to_geojson(&self, keep_unresolved: bool) -> String {
        let names = self.input_names();
        let features: Vec<Value> = self
            .rows
            .iter()
            .filter(|r| keep_unresolved || r.outcome.is_ok())
            .map(|r| {
                let mut props: Map<String, Value> = names
                    .iter()
                    .cloned()
                    .zip(r.values.iter().map(|v| Value::String(v.clone())))
                    .collect();
                props.insert("line".into(), json!(r.line));
                let geometry = match &r.outcome {
                    Ok(h) => {
                        for (k, v) in OUTPUT_COLUMNS.iter().zip(h.cells()).skip(2) {
                            props.insert((*k).into(), json!(v));
                        }
                        json!({ "type": "Point", "coordinates": [h.lon, h.lat] })
                    }
                    Err(reason) => {
                        for k in OUTPUT_COLUMNS.iter().skip(2) {
                            props.insert((*k).into(), Value::Null);
                        }
                        props.insert("unresolved".into(), json!(reason));
                        Value::Null
                    }
                };
                json!({ "type": "Feature", "geometry": geometry, "properties": props })
            })
            .collect();
        json!({ "type": "FeatureCollection", "features": features }).to_string()
    }

    /// The rows as CSV: input columns, `line`, then the resolved ones; with `keep_unresolved`
    /// the other rows too, with empty resolved columns and an `unresolved` reason.
    pub fn to_csv(&self, keep_unresolved: bool) -> Result<String, BatchError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = self.input_names();
        header.push("line".into());
        header.extend(OUTPUT_COLUMNS.iter().map(|c| c.to_string()));
        if keep_unresolved {
            header.push("unresolved".into());
        }
        w.write_record(&header)?;
        for r in self.rows.iter() {
            let mut row = r.values.clone();
            row.push(r.line.to_string());
            match &r.outcome {
                Ok(h) => {
                    row.extend(h.cells().into_iter().map(Option::unwrap_or_default));
                    if keep_unresolved {
                        row.push(String::new());
                    }
                }
                Err(_) if !keep_unresolved => continue,
                Err(reason) => {
                    row.extend(OUTPUT_COLUMNS.iter().map(|_| String::new()));
                    row.push(reason.clone());
                }
            }
            w.write_record(&row)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| BatchError::Buffer(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| BatchError::Buffer(e.to_string()))
    }
}

/// `iskp-map geocode`: geocodes the CSV `input` (a path, or `-` for standard input) with the
/// gazetteer of `data`, printing GeoJSON (or CSV) and listing the rows that did not resolve.
pub fn run(input: &str, csv: bool, keep_unresolved: bool, data: DataDir) -> Result<(), CliError> {
    let io = |m: String| CliError::new(Failure::Io, m);
    let text = if input == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| io(format!("stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(input).map_err(|e| io(format!("{input}: {e}")))?
    };
    let (jur, gaz) = data.read_geo().map_err(|e| io(e.to_string()))?;
    let batch = geocode_csv(&text, &gaz, &jur).map_err(|e| io(format!("{input}: {e}")))?;
    let out = if csv {
        batch.to_csv(keep_unresolved)
    } else {
        Ok(batch.to_geojson(keep_unresolved))
    };
    let out = out.map_err(|e| io(format!("writing output: {e}")))?;
    println!("{out}");
    let failures = batch.failures();
    if failures.is_empty() {
        return Ok(());
    }
    let mut message: Vec<String> = failures.iter().map(|f| format!("{input}: {f}")).collect();
    let unresolved = batch.rows.len() - batch.resolved();
    message.push(format!(
        "{unresolved} of {} rows unresolved{}",
        batch.rows.len(),
        if keep_unresolved {
            " (kept in the output with their reason)"
        } else {
            ""
        }
    ));
    if keep_unresolved && batch.broken.is_none() {
        eprintln!("{}", message.join("\n"));
        return Ok(());
    }
    Err(CliError::new(Failure::Unresolved, message.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn lines_count_lf_crlf_and_cr_alike() {
        for text in ["a\nb\nc\n", "a\r\nb\r\nc\r\n", "a\rb\rc\r"] {
            let l = Lines::new(text);
            let b = text.find('b').unwrap() as u64;
            let c = text.find('c').unwrap() as u64;
            assert_eq!((l.at(0), l.at(b), l.at(c)), (1, 2, 3), "{text:?}");
            assert_eq!(
                l.of_record(b - 1),
                2,
                "{text:?}: the line end before b is skipped"
            );
        }
    }
}
