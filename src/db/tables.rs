//! Where each input file lives in the database, and the exact text it reads back as.
//!
//! CSV files are tables with the file's columns; PostgreSQL writes them back with `COPY … (FORMAT
//! csv, HEADER)`, which quotes as the files do (only where needed) and ends lines with `\n`. Empty
//! values are stored as NULL (as QGIS writes them) and read back as empty fields. The two boundary
//! files are one row per feature, put back together in the layout `scripts/geodata` writes: a head
//! line, one feature per line, a tail line.

use super::{Db, DbError};
use crate::model::columns::{
    CITATION_COLUMNS, CITY_COLUMNS, PLACE_COLUMNS, RECORD_COLUMNS, SOURCE_COLUMNS, SPLIT_COLUMNS,
};
use postgres::GenericClient;
use std::io::{Read, Write};

/// Columns stored as SQL `date` (see [`super::schema`]); all others are text.
pub const DATE_COLUMNS: &[(&str, &str)] = &[("iskp.records", "date"), ("iskp.records", "date_end")];

/// How one input file is stored.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    /// A CSV file: table name and columns in file order.
    Csv(&'static str, &'static [&'static str]),
    /// A GeoJSON file of boundaries at one level, in `iskp.boundaries`.
    Boundaries(&'static str),
}

impl Table {
    /// The table (qualified), for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Table::Csv(t, _) => t,
            Table::Boundaries(_) => "iskp.boundaries",
        }
    }

    /// The table's name in `iskp.table_state` (unqualified, as triggers see it).
    fn short(&self) -> &'static str {
        self.name().trim_start_matches("iskp.")
    }

    /// Reference data (boundaries, cities, curated places): large, seldom edited, so kept by a
    /// server between reads and read again only when its table changed.
    fn is_reference(&self) -> bool {
        !matches!(self, Table::Csv(t, _) if matches!(*t, "iskp.sources" | "iskp.records" | "iskp.citations" | "iskp.splits"))
    }

    /// The name rows are reported under when they fail validation: the table, or for boundaries
    /// the table and level. Line numbers are those of the file `db export` writes.
    pub fn label(&self) -> String {
        match self {
            Table::Csv(t, _) => t.to_string(),
            Table::Boundaries(level) => format!("iskp.boundaries[{level}]"),
        }
    }
}

/// The tables of [`crate::load::FILES`], in the same order.
pub const TABLES: [Table; 8] = [
    Table::Boundaries("country"),
    Table::Boundaries("province"),
    Table::Csv("iskp.cities", CITY_COLUMNS),
    Table::Csv("iskp.places", PLACE_COLUMNS),
    Table::Csv("iskp.sources", SOURCE_COLUMNS),
    Table::Csv("iskp.records", RECORD_COLUMNS),
    Table::Csv("iskp.citations", CITATION_COLUMNS),
    Table::Csv("iskp.splits", SPLIT_COLUMNS),
];

const HEAD: &str = "{\"type\":\"FeatureCollection\",\"features\":[\n";
const TAIL: &str = "\n]}\n";

/// Reads one input back as the text of its file.
pub fn read(db: &Db, client: &mut impl GenericClient, table: Table) -> Result<String, DbError> {
    match table {
        Table::Csv(name, columns) => copy_csv(db, client, name, columns, name),
        Table::Boundaries(level) => {
            let rows = client
                .query(
                    "SELECT feature FROM iskp.boundaries WHERE level = $1 ORDER BY ord",
                    &[&level],
                )
                .map_err(|e| db.error(e, "reading iskp.boundaries"))?;
            let features: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
            Ok(join_features(&features))
        }
    }
}

/// The text of the CSV table `name` (its `columns`) as read from `rows` — the table itself, or a
/// query giving rows of the table's type (the table as it stood, [`super::past`]) — in `ord` order.
pub(super) fn copy_csv(
    db: &Db,
    client: &mut impl GenericClient,
    name: &str,
    columns: &[&str],
    rows: &str,
) -> Result<String, DbError> {
    let sql = format!(
        "COPY (SELECT {} FROM {rows} ORDER BY ord) TO STDOUT (FORMAT csv, HEADER true)",
        select_list(name, columns)
    );
    let mut text = String::new();
    client
        .copy_out(&sql)
        .map_err(|e| db.error(e, &format!("reading {name}")))?
        .read_to_string(&mut text)
        .map_err(|e| db.fault(format!("reading {name}: {e}")))?;
    Ok(text)
}

/// The columns of CSV table `name` as text, as its file holds them: dates as `YYYY-MM-DD`, empty
/// values as NULL (read back as empty fields).
pub(super) fn select_list(name: &str, columns: &[&str]) -> String {
    let select: Vec<String> = columns
        .iter()
        .map(|c| {
            if DATE_COLUMNS.contains(&(name, *c)) {
                format!("to_char(\"{c}\", 'YYYY-MM-DD') AS \"{c}\"")
            } else {
                format!("NULLIF(\"{c}\", '') AS \"{c}\"")
            }
        })
        .collect();
    select.join(", ")
}

/// The GeoJSON text of a list of features, in the layout of `scripts/geodata`.
pub fn join_features(features: &[String]) -> String {
    let len = features.iter().map(|f| f.len() + 2).sum::<usize>();
    let mut s = String::with_capacity(HEAD.len() + len + TAIL.len());
    s.push_str(HEAD);
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(f);
    }
    s.push_str(TAIL);
    s
}

/// The features of a FeatureCollection, as texts. A file in the layout of `scripts/geodata` is cut
/// at its lines, so it reads back byte for byte; any other layout is re-serialised compactly
/// (same data, different bytes). `None` when the text is not a FeatureCollection.
pub fn split_features(text: &str) -> Option<Vec<String>> {
    if let Some(body) = text.strip_prefix(HEAD).and_then(|b| b.strip_suffix(TAIL)) {
        if body.is_empty() {
            return Some(Vec::new());
        }
        let features: Vec<String> = body.split(",\n").map(str::to_string).collect();
        if features.iter().all(|f| !f.contains('\n')) && join_features(&features) == text {
            return Some(features);
        }
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("features")?
        .as_array()?
        .iter()
        .map(|f| serde_json::to_string(f).ok())
        .collect()
}

/// Stores one input, whose text has passed validation, into its (emptied) table.
pub fn write(
    db: &Db,
    client: &mut impl GenericClient,
    table: Table,
    text: &str,
) -> Result<(), DbError> {
    match table {
        Table::Csv(name, _) => {
            // The file's own header names the columns (the validator accepts any order).
            let header = csv::ReaderBuilder::new()
                .from_reader(text.as_bytes())
                .headers()
                .map_err(|e| db.fault(format!("{name}: header: {e}")))?
                .iter()
                .map(|h| format!("\"{}\"", h.trim_start_matches('\u{feff}').trim()))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("COPY {name} ({header}) FROM STDIN (FORMAT csv, HEADER true)");
            let mut w = client
                .copy_in(&sql)
                .map_err(|e| db.error(e, &format!("writing {name}")))?;
            w.write_all(text.as_bytes())
                .map_err(|e| db.fault(format!("writing {name}: {e}")))?;
            w.finish()
                .map_err(|e| db.error(e, &format!("writing {name}")))?;
            Ok(())
        }
        Table::Boundaries(level) => {
            let features = split_features(text).ok_or_else(|| {
                db.fault(format!(
                    "{level} boundaries: not a GeoJSON FeatureCollection"
                ))
            })?;
            let mut w = client
                .copy_in("COPY iskp.boundaries (level, feature) FROM STDIN (FORMAT csv)")
                .map_err(|e| db.error(e, "writing iskp.boundaries"))?;
            let mut csv = csv::Writer::from_writer(Vec::with_capacity(text.len() + 1024));
            for f in &features {
                csv.write_record([level, f.as_str()])
                    .map_err(|e| db.fault(format!("writing iskp.boundaries: {e}")))?;
            }
            let bytes = csv
                .into_inner()
                .map_err(|e| db.fault(format!("writing iskp.boundaries: {e}")))?;
            w.write_all(&bytes)
                .map_err(|e| db.fault(format!("writing iskp.boundaries: {e}")))?;
            w.finish()
                .map_err(|e| db.error(e, "writing iskp.boundaries"))?;
            Ok(())
        }
    }
}

/// Everything one consistent read of the database gives: the eight texts (named for error
/// messages, in [`crate::load::FILES`] order) and the change counter and time they are as of.
pub struct Contents {
    /// `(label, text)` per input.
    pub texts: Vec<(String, String)>,
    /// `iskp.state.change_seq`.
    pub seq: i64,
    /// `iskp.state.changed_at`.
    pub changed_at: time::OffsetDateTime,
}

/// The texts of the reference tables from the last read, each with its table's change counter: an
/// edit of the records then reads the records, citations and sources again, not the 135 000
/// GeoNames rows and the boundaries.
#[derive(Debug, Default)]
pub struct Kept(std::sync::Mutex<Vec<Option<(i64, String)>>>);

/// Reads all eight inputs in one read-only, repeatable-read transaction: an edit committed
/// meanwhile is either wholly in or wholly out. With `kept`, unchanged reference tables are taken
/// from there (and what is read is kept there).
pub fn read_all(
    db: &Db,
    client: &mut postgres::Client,
    kept: Option<&Kept>,
) -> Result<Contents, DbError> {
    read_all_with(db, client, kept, |_, _| Ok(())).map(|(c, ())| c)
}

/// [`read_all`], and `also` in the same transaction (a replica reads the history it has not yet
/// seen with the data, so the two agree).
pub fn read_all_with<T>(
    db: &Db,
    client: &mut postgres::Client,
    kept: Option<&Kept>,
    also: impl FnOnce(&Db, &mut postgres::Transaction<'_>) -> Result<T, DbError>,
) -> Result<(Contents, T), DbError> {
    let mut tx = begin_read(db, client)?;
    let contents = read_in(db, &mut tx, kept)?;
    let more = also(db, &mut tx)?;
    tx.commit().map_err(|e| db.error(e, "finishing a read"))?;
    Ok((contents, more))
}

/// A read-only, repeatable-read transaction over a database whose schema this program reads: one
/// consistent state of every table.
pub(super) fn begin_read<'a>(
    db: &Db,
    client: &'a mut postgres::Client,
) -> Result<postgres::Transaction<'a>, DbError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| db.error(e, "starting a read"))?;
    // A replica's reads are index lookups and whole-table copies, which JIT compilation only
    // slows: on a history just filled (no statistics yet) the planner's estimates cross the JIT
    // thresholds, and compiling took 1.7 s of a change-log read that runs in 0.2 ms.
    tx.batch_execute("SET LOCAL jit = off")
        .map_err(|e| db.error(e, "starting a read"))?;
    super::schema::require_current(db, &mut tx)?;
    Ok(tx)
}

/// [`read_all`] inside a transaction the caller holds (an import checks its own writes).
pub fn read_in(
    db: &Db,
    tx: &mut postgres::Transaction<'_>,
    kept: Option<&Kept>,
) -> Result<Contents, DbError> {
    let row = tx
        .query_one("SELECT change_seq, changed_at FROM iskp.state", &[])
        .map_err(|e| db.error(e, "reading iskp.state"))?;
    let (seq, changed_at) = (row.get(0), row.get(1));
    let table_seqs: Vec<(String, i64)> = tx
        .query("SELECT name, change_seq FROM iskp.table_state", &[])
        .map_err(|e| db.error(e, "reading iskp.table_state"))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut kept = kept.map(|k| k.0.lock().unwrap_or_else(|p| p.into_inner()));
    if let Some(k) = kept.as_mut() {
        k.resize(TABLES.len(), None);
    }
    let mut texts = Vec::with_capacity(TABLES.len());
    for (i, t) in TABLES.iter().enumerate() {
        let tseq = table_seqs
            .iter()
            .find(|(n, _)| n == t.short())
            .map_or(0, |(_, s)| *s);
        let held = match kept.as_ref() {
            Some(k) if t.is_reference() => k[i].as_ref().filter(|(s, _)| *s == tseq),
            _ => None,
        };
        let text = match held {
            Some((_, text)) => text.clone(),
            None => {
                let text = read(db, tx, *t)?;
                if let (Some(k), true) = (kept.as_mut(), t.is_reference()) {
                    k[i] = Some((tseq, text.clone()));
                }
                text
            }
        };
        texts.push((t.label(), text));
    }
    Ok(Contents {
        texts,
        seq,
        changed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_in_the_scripts_layout_split_back_byte_for_byte() {
        let text = format!("{HEAD}{{\"a\":1}},\n{{\"b\":[1,2]}}{TAIL}");
        let f = split_features(&text).unwrap();
        assert_eq!(f, ["{\"a\":1}", "{\"b\":[1,2]}"]);
        assert_eq!(join_features(&f), text);
    }

    #[test]
    fn other_layouts_are_reserialised_and_non_collections_refused() {
        let f =
            split_features("{ \"type\": \"FeatureCollection\",\n \"features\": [ {\"a\": 1} ] }");
        assert_eq!(f.unwrap(), ["{\"a\":1}"]);
        assert!(split_features("[1, 2]").is_none());
        assert!(split_features("not json").is_none());
    }

    #[test]
    fn tables_follow_the_files() {
        assert_eq!(TABLES.len(), crate::load::FILES.len());
        assert_eq!(TABLES[5].label(), "iskp.records");
        assert_eq!(TABLES[0].label(), "iskp.boundaries[country]");
    }
}
