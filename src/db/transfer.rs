//! `db import` (files → database, validated first, all or nothing) and `db export` (database →
//! files, the same bytes a round trip started from).

use super::tables::{self, TABLES};
use super::{Db, DbError};
use crate::load::error::LoadError;
use crate::load::{read_inputs, FILES};
use crate::store::FileSource;
use std::path::Path;

/// Why an import or export did not complete.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The data does not validate (import: nothing was written).
    #[error("{0}")]
    Invalid(LoadError),
    /// The database failed or refused.
    #[error("{0}")]
    Db(#[from] DbError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What an import stored.
#[derive(Debug)]
pub struct Imported {
    /// Records now in the database.
    pub records: usize,
    /// The data version the database now serves.
    pub version: String,
    /// Files whose bytes the database gives back differently (column order, quoting, layout): the
    /// same data. The records and citations are versioned by their fields, so those two keep the
    /// version; any other file reformatted gives the database another version than the files.
    pub reformatted: Vec<&'static str>,
}

/// Validates the data directory exactly as `iskp-map check` does, then replaces the database's
/// data with it in one transaction, and before committing reads it back to confirm every record
/// survived. Invalid data changes nothing.
pub fn import(db: &Db, dir: &Path) -> Result<Imported, TransferError> {
    let source = FileSource::new(dir);
    let (texts, changed_at) = source.texts().map_err(TransferError::Invalid)?;
    let what = dir.display().to_string();
    let dataset =
        read_inputs(&texts, changed_at, None, None, &what).map_err(TransferError::Invalid)?;
    let records = dataset.catalog.len();
    drop(dataset);
    let mut client = db.connect()?;
    super::schema::require_current(db, &mut client)?;
    let mut tx = client
        .transaction()
        .map_err(|e| db.error(e, "starting the import"))?;
    tx.batch_execute(
        "TRUNCATE iskp.citations, iskp.splits, iskp.records, iskp.sources, iskp.places,
                  iskp.cities, iskp.boundaries RESTART IDENTITY",
    )
    .map_err(|e| db.error(e, "emptying the tables"))?;
    for (table, (_, text)) in TABLES.iter().zip(&texts) {
        tables::write(db, &mut tx, *table, text)?;
    }
    let back = tables::read_in(db, &mut tx, None)?;
    let reformatted: Vec<&'static str> = FILES
        .iter()
        .zip(texts.iter().zip(&back.texts))
        .filter(|(_, ((_, sent), (_, got)))| sent != got)
        .map(|(f, _)| *f)
        .collect();
    // The stored data must itself validate to the same records (it differs from the files only
    // in layout, if at all).
    let stored = read_inputs(
        &back.texts,
        back.changed_at,
        None,
        None,
        "the imported tables",
    )
    .map_err(TransferError::Invalid)?;
    if stored.catalog.len() != records {
        return Err(TransferError::Db(db.fault(format!(
            "the tables hold {} records after the import, the files {records}; rolled back",
            stored.catalog.len()
        ))));
    }
    tx.commit()
        .map_err(|e| db.error(e, "committing the import"))?;
    Ok(Imported {
        records,
        version: stored.version,
        reformatted,
    })
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    /// Whether the exported data validates (records and data version), or every problem in it. The files are
    /// written either way, so that a broken edit can be inspected and mended.
    pub check: Result<(usize, String), LoadError>,
}

/// Writes the eight files of the database's current data into `out` (created if missing), each
/// through a temporary file and a rename, so a reader never sees half a file.
pub fn export(db: &Db, out: &Path) -> Result<Exported, TransferError> {
    let mut client = db.connect()?;
    let contents = tables::read_all(db, &mut client, None)?;
    drop(client);
    let write_err = |p: &Path, source| TransferError::Write {
        path: p.display().to_string(),
        source,
    };
    std::fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
    for (name, (_, text)) in FILES.iter().zip(&contents.texts) {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).map_err(|e| write_err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| write_err(&path, e))?;
    }
    let named: Vec<(String, String)> = FILES
        .iter()
        .zip(contents.texts)
        .map(|(f, (_, t))| (out.join(f).display().to_string(), t))
        .collect();
    let check = read_inputs(
        &named,
        contents.changed_at,
        None,
        None,
        &out.display().to_string(),
    )
    .map(|d| (d.catalog.len(), d.version));
    Ok(Exported { check })
}
