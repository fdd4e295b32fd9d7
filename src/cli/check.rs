//! `iskp-map check`: validate a data directory and report totals per kind and country.

use super::{CliError, Failure};
use crate::model::Kind;
use crate::store::{DataSource, FileSource, Snapshot};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// A plain-text table: one row per country, one column per kind, sums of `count` (records in
/// brackets), and a total row.
pub fn totals_table(snap: &Snapshot) -> String {
    let mut total = [(0u64, 0u64); 6];
    let cat = &snap.catalog;
    let mut slots = vec![[(0u64, 0u64); 6]; cat.country_table().len()];
    for (i, r) in cat.entries().iter().enumerate() {
        let cell = &mut slots[cat.country_slot(i as u32)][r.kind as usize];
        cell.0 += u64::from(r.count);
        cell.1 += 1;
        total[r.kind as usize].0 += u64::from(r.count);
        total[r.kind as usize].1 += 1;
    }
    let rows: BTreeMap<(&str, &str), [(u64, u64); 6]> = cat
        .country_table()
        .iter()
        .zip(slots)
        .map(|((code, name), cells)| ((&**code, &**name), cells))
        .collect();
    let mut s = String::new();
    let _ = write!(s, "{:<34}", "country");
    for k in Kind::ALL {
        let _ = write!(s, "{:>14}", k.collection());
    }
    s.push('\n');
    let cell = |(n, r): (u64, u64)| {
        if r == 0 {
            "-".to_string()
        } else {
            format!("{n} ({r})")
        }
    };
    for ((code, name), cells) in &rows {
        let label: String = format!("{code} {name}").chars().take(33).collect();
        let _ = write!(s, "{label:<34}");
        for c in cells {
            let _ = write!(s, "{:>14}", cell(*c));
        }
        s.push('\n');
    }
    let _ = write!(s, "{:<34}", "all");
    for c in total {
        let _ = write!(s, "{:>14}", cell(c));
    }
    s.push('\n');
    let _ = writeln!(
        s,
        "\n{} records citing {} sources; data version {}. Cells: sum of count (records).",
        snap.catalog.len(),
        snap.catalog.documents().len(),
        snap.version
    );
    s
}

/// `iskp-map check`: loads and validates `data` (writing the catalog cache when asked), then
/// prints the totals table.
pub fn run(data: PathBuf, cache: Option<PathBuf>) -> Result<(), CliError> {
    let source = FileSource::new(&data).with_cache(cache);
    match source.load() {
        Ok(snap) => {
            source.write_cache(&snap);
            print!("{}", totals_table(&snap));
            Ok(())
        }
        Err(e) => Err(CliError::new(
            Failure::InvalidData,
            format!(
                "{e}\ncheck failed: {} problem(s) in {}",
                e.rows().len().max(1),
                data.display()
            ),
        )),
    }
}
