//! `iskp-map check`: validate a data directory and report totals per kind and country.

use super::{CliError, DataDir, Failure};
use crate::model::Kind;
use crate::store::{BundledSource, DataSource, FileSource, Snapshot};
use crate::views::totals::{per_country, tally, Tally};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// A plain-text table: one row per country, one column per kind, sums of `count` (records in
/// brackets), and a total row.
pub fn totals_table(snap: &Snapshot) -> String {
    let cat = &snap.catalog;
    let total = tally(cat, 1, |_| Some(0))[0];
    let mut rows: BTreeMap<(&str, &str), Tally> = cat
        .country_table()
        .iter()
        .zip(per_country(cat))
        .map(|((code, name), t)| ((&**code, &**name), t))
        .collect();
    // Records known only to a group of countries have a row of their own.
    let several = tally(cat, 1, |i| cat.country_slot(i).is_none().then_some(0))[0];
    if several.records.iter().any(|&n| n > 0) {
        rows.insert(("---", "several countries"), several);
    }
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
    let cells = |t: &Tally| t.count.into_iter().zip(t.records);
    for ((code, name), t) in &rows {
        let label: String = format!("{code} {name}").chars().take(33).collect();
        let _ = write!(s, "{label:<34}");
        for c in cells(t) {
            let _ = write!(s, "{:>14}", cell(c));
        }
        s.push('\n');
    }
    let _ = write!(s, "{:<34}", "all");
    for c in cells(&total) {
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
pub fn run(data: DataDir, cache: Option<PathBuf>) -> Result<(), CliError> {
    let loaded = match &data {
        DataDir::Files(dir) => {
            let source = FileSource::new(dir).with_cache(cache);
            source.load().inspect(|snap| source.write_cache(snap))
        }
        DataDir::Bundled => BundledSource::new().load(),
    };
    match loaded {
        Ok(snap) => {
            print!("{}", totals_table(&snap));
            if let DataDir::Files(dir) = &data {
                match crate::load::ledger::check_dir(dir) {
                    Ok(Some(n)) => println!(
                        "statements.csv: {n} statements; every record is fed by the ledger and every citation named in it."
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        return Err(CliError::new(
                            Failure::InvalidData,
                            format!(
                                "{e}\ncheck failed: the ledger of {} does not match its records",
                                dir.display()
                            ),
                        ))
                    }
                }
            }
            Ok(())
        }
        Err(e) => Err(CliError::new(
            Failure::InvalidData,
            format!(
                "{e}\ncheck failed: {} problem(s) in {}",
                e.rows().len().max(1),
                data.describe()
            ),
        )),
    }
}
