//! `iskp-map generate`: a deterministic synthetic data directory in the format of `geodata/`, for
//! scale tests and benchmarks.
//!
//! The boundaries and gazetteer are copied from a real data directory; the records are synthetic:
//! about 80% in city-sized clusters (σ ≈ 5 km) around 500 centres drawn on land, 20% spread over the
//! inhabited latitudes, every point inside a country (drawn again until it is), every kind, claim and
//! precision in turn, dates over ten years (2015–2024), each citing one synthetic source. The same
//! count and seed always give the same files.

use super::{CliError, DataDir, Failure};
use crate::geo::jurisdictions::Jurisdictions;
use crate::load::error::LoadError;
use crate::model::columns::{CITATION_COLUMNS, RECORD_COLUMNS, SOURCE_COLUMNS, SPLIT_COLUMNS};
use crate::model::round6;
use crate::model::{Claim, GeoPrecision, Kind};
use crate::synth::{Rng, CLUSTERS};
use std::path::Path;

fn on_land(jur: &Jurisdictions, lon: f64, lat: f64) -> Option<&str> {
    jur.country_at(lon, lat)
        .map(|(i, _)| jur.countries[i].id.as_str())
}

/// Why a synthetic data directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The boundaries or gazetteer of the source directory do not load.
    #[error("{0}")]
    Source(#[from] LoadError),
    /// A file could not be written or copied.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        error: std::io::Error,
    },
    /// A CSV row could not be written.
    #[error("{0}")]
    Csv(#[from] csv::Error),
}

fn io(path: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> GenerateError {
    let path = path.to_string();
    move |error| GenerateError::Io { path, error }
}

/// Writes `count` synthetic records with seed `seed` into `out`, with the boundaries and gazetteer of
/// `data`. Returns the number of records written.
pub fn write_dataset(
    data: &DataDir,
    out: &Path,
    count: usize,
    seed: u64,
) -> Result<usize, GenerateError> {
    let texts = data.texts()?;
    let [countries, provinces, cities, places, ..] = &texts[..] else {
        return Err(GenerateError::Io {
            path: data.describe(),
            error: std::io::Error::other("fewer than the eight data files"),
        });
    };
    let (jur, _) = crate::load::read_geo(countries, provinces, cities, places)?;
    std::fs::create_dir_all(out).map_err(io(out.display()))?;
    for (name, text) in [countries, provinces, cities, places] {
        let file = name.rsplit('/').next().unwrap_or(name);
        std::fs::write(out.join(file), text).map_err(io(file))?;
    }
    type Writer = csv::Writer<std::io::BufWriter<std::fs::File>>;
    let file = |name: &str| -> Result<Writer, GenerateError> {
        let f = std::fs::File::create(out.join(name)).map_err(io(name))?;
        Ok(csv::Writer::from_writer(std::io::BufWriter::new(f)))
    };
    let mut sources = file("sources.csv")?;
    let mut records = file("records.csv")?;
    let mut citations = file("citations.csv")?;
    let mut splits = file("splits.csv")?;
    sources.write_record(SOURCE_COLUMNS)?;
    sources.write_record([
        "SYN",
        "Synthetic records (iskp-map generate)",
        "iskp-map",
        "",
        "",
        "",
    ])?;
    records.write_record(RECORD_COLUMNS)?;
    citations.write_record(CITATION_COLUMNS)?;
    splits.write_record(SPLIT_COLUMNS)?;

    let mut rng = Rng::new(seed);
    let mut centres = Vec::with_capacity(CLUSTERS);
    while centres.len() < CLUSTERS {
        let (x, y) = (rng.range(-170.0, 170.0), rng.range(-50.0, 65.0));
        if on_land(&jur, x, y).is_some() {
            centres.push((x, y));
        }
    }
    let day0 = time::macros::date!(2015 - 01 - 01);
    for i in 0..count {
        let (lon, lat, country) = loop {
            let (x, y) = if rng.unit() < 0.8 {
                let (cx, cy) = centres[(rng.next_u64() % CLUSTERS as u64) as usize];
                let k = 0.045;
                (
                    (cx + rng.normal() * k / cy.to_radians().cos().max(0.2)).clamp(-180.0, 180.0),
                    (cy + rng.normal() * k).clamp(-90.0, 90.0),
                )
            } else {
                (rng.range(-180.0, 180.0), rng.range(-55.0, 70.0))
            };
            let (x, y) = (round6(x), round6(y));
            if let Some(c) = on_land(&jur, x, y) {
                break (x, y, c.to_string());
            }
        };
        let kind = Kind::ALL[i % Kind::ALL.len()];
        let date = day0 + time::Duration::days((rng.next_u64() % 3652) as i64);
        let id = format!("syn-{i:09}");
        records.write_record([
            id.as_str(),
            kind.as_str(),
            &format!("Synthetic {kind} {i}"),
            "Synthetic record for scale tests; not an event.",
            &crate::model::dates::format_date(date),
            "",
            "day",
            &format!("Synthetic place {i}"),
            &country,
            GeoPrecision::ALL[i % 3].as_str(),
            &lon.to_string(),
            &lat.to_string(),
            "1",
            "exact",
            "",
            "",
            Claim::ALL[i % Claim::ALL.len()].as_str(),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ])?;
        citations.write_record([id.as_str(), "SYN", "synthetic"])?;
    }
    for w in [&mut sources, &mut records, &mut citations, &mut splits] {
        w.flush().map_err(io(out.display()))?;
    }
    Ok(count)
}

/// Writes `count` synthetic records (seeded by `seed`) to `out`, with the boundaries and gazetteer
/// of `data`.
pub fn run(data: &DataDir, out: &Path, count: usize, seed: u64) -> Result<(), CliError> {
    let n = write_dataset(data, out, count, seed)
        .map_err(|e| CliError::new(Failure::Io, e.to_string()))?;
    println!("wrote {n} synthetic records to {}", out.display());
    Ok(())
}
