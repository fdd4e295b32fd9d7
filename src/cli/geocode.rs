//! `iskp-map geocode FILE.csv|-`: batch geocoding of CSV rows.
//!
//! Input: a CSV with a header holding `place` and optionally `country` (ISO alpha-3 or a country
//! name); any other columns are carried through. Output: GeoJSON points, or the input rows with
//! `lon,lat,geo_precision,level,country_code,country_name,admin1,admin1_id,matched,source` appended.
//! Rows that do not resolve are reported as `line N: reason` with the closest names.

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

/// One resolved row.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Line in the input.
    pub line: u64,
    /// The input columns.
    pub fields: Vec<(String, String)>,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Precision the point supports.
    pub precision: &'static str,
    /// Kind of gazetteer entry.
    pub level: &'static str,
    /// ISO alpha-3.
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

/// The outcome of a batch.
#[derive(Debug, Default)]
pub struct Batch {
    /// Input column names.
    pub columns: Vec<String>,
    /// Resolved rows.
    pub hits: Vec<Hit>,
    /// Unresolved rows as `line N: reason`.
    pub failures: Vec<String>,
}

/// Geocodes every row of `input`.
pub fn geocode_csv(input: &str, gaz: &Gazetteer, jur: &Jurisdictions) -> Result<Batch, BatchError> {
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
                let line = e.position().map_or(0, |p| p.line());
                out.failures.push(format!("line {line}: {e}"));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let place = rec.get(place_col).unwrap_or("").trim();
        let hint = country_col
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let hint = match hint {
            None => None,
            Some(h) if jur.country(&h.to_ascii_uppercase()).is_some() => {
                Some(h.to_ascii_uppercase())
            }
            Some(h) => match gaz.resolve(h, None, Some(crate::model::GeoPrecision::Country)) {
                Ok(p) => Some(p.country.clone()),
                Err(e) => {
                    out.failures.push(format!("line {line}: country: {e}"));
                    continue;
                }
            },
        };
        match gaz.resolve(place, hint.as_deref(), None) {
            Ok(p) => {
                let admin1 = if p.level == PlaceLevel::Country {
                    None
                } else {
                    jur.province_at(p.lon, p.lat, &p.country)
                        .map(|i| (jur.provinces[i].name.clone(), jur.provinces[i].id.clone()))
                };
                out.hits.push(Hit {
                    line,
                    fields: columns
                        .iter()
                        .cloned()
                        .zip(rec.iter().map(str::to_string))
                        .collect(),
                    lon: p.lon,
                    lat: p.lat,
                    precision: p.level.precision().as_str(),
                    level: p.level.as_str(),
                    country: p.country.clone(),
                    country_name: jur
                        .country(&p.country)
                        .map_or_else(String::new, |c| c.name.clone()),
                    admin1,
                    matched: p.name.clone(),
                    provenance: p.provenance.describe(),
                });
            }
            Err(e) => out.failures.push(format!("line {line}: place: {e}")),
        }
    }
    Ok(out)
}

impl Batch {
    /// The hits as a GeoJSON FeatureCollection.
    pub fn to_geojson(&self) -> String {
        let features: Vec<Value> = self
            .hits
            .iter()
            .map(|h| {
                let mut props: Map<String, Value> =
                    h.fields.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
                props.insert("line".into(), json!(h.line));
                props.insert("geo_precision".into(), json!(h.precision));
                props.insert("level".into(), json!(h.level));
                props.insert("country_code".into(), json!(h.country));
                props.insert("country_name".into(), json!(h.country_name));
                props.insert("admin1".into(), json!(h.admin1.as_ref().map(|a| &a.0)));
                props.insert("admin1_id".into(), json!(h.admin1.as_ref().map(|a| &a.1)));
                props.insert("matched".into(), json!(h.matched));
                props.insert("source".into(), json!(h.provenance));
                json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [h.lon, h.lat] }, "properties": props })
            })
            .collect();
        json!({ "type": "FeatureCollection", "features": features }).to_string()
    }

    /// The hits as CSV: input columns, then the resolved ones.
    pub fn to_csv(&self) -> Result<String, BatchError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let extra = [
            "lon",
            "lat",
            "geo_precision",
            "level",
            "country_code",
            "country_name",
            "admin1",
            "admin1_id",
            "matched",
            "source",
        ];
        let header: Vec<&str> = self
            .columns
            .iter()
            .map(String::as_str)
            .chain(extra)
            .collect();
        w.write_record(&header)?;
        for h in &self.hits {
            let mut row: Vec<String> = h.fields.iter().map(|(_, v)| v.clone()).collect();
            row.extend([
                h.lon.to_string(),
                h.lat.to_string(),
                h.precision.to_string(),
                h.level.to_string(),
                h.country.clone(),
                h.country_name.clone(),
                h.admin1.as_ref().map_or_else(String::new, |a| a.0.clone()),
                h.admin1.as_ref().map_or_else(String::new, |a| a.1.clone()),
                h.matched.clone(),
                h.provenance.clone(),
            ]);
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
pub fn run(input: &str, csv: bool, data: DataDir) -> Result<(), CliError> {
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
        batch.to_csv()
    } else {
        Ok(batch.to_geojson())
    };
    let out = out.map_err(|e| io(format!("writing output: {e}")))?;
    println!("{out}");
    if batch.failures.is_empty() {
        return Ok(());
    }
    let mut message: Vec<String> = batch
        .failures
        .iter()
        .map(|f| format!("{input}: {f}"))
        .collect();
    message.push(format!(
        "{} of {} rows unresolved",
        batch.failures.len(),
        batch.failures.len() + batch.hits.len()
    ));
    Err(CliError::new(Failure::Unresolved, message.join("\n")))
}
