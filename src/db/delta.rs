//! Reading only what changed: after an edit a replica reads the records and citations of the ids
//! the history filed since its snapshot, not the million rows that did not change.
//!
//! The ids come from `iskp.history`, whose seqs follow commit order (migration 6), so "every entry
//! after the last one this snapshot holds" is exactly what committed since it was read. An edit of
//! any other table (sources, splits, places, cities, boundaries), or more changes than
//! [`Limits::changes`], is not read this way: the caller loads everything instead.

use super::{history, Db, DbError};
use crate::model::columns::{CITATION_COLUMNS, RECORD_COLUMNS};
use crate::store::changes::{Change, ChangeTable};
use postgres::GenericClient;

/// What one consistent read of an edit gives.
#[derive(Debug)]
pub struct Delta {
    /// The ids of the records whose rows or citations changed (each once).
    pub ids: Vec<String>,
    /// `records.csv` of those ids that still exist, in file order.
    pub records: String,
    /// `citations.csv` of their citations, in file order.
    pub citations: String,
    /// The history entries read, for the change log.
    pub changes: Vec<Change>,
    /// `iskp.state.change_seq`.
    pub seq: i64,
    /// `iskp.state.changed_at`.
    pub changed_at: time::OffsetDateTime,
}

/// When an edit is read whole instead.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// At most this many history entries since the snapshot.
    pub changes: i64,
}

/// The edit committed since the snapshot that holds history up to seq `after` and was read at
/// change counter `seq`, in one read-only, repeatable-read transaction, with the history entries
/// for the change log (at most the latest `keep`); `None` when it is not an edit of records and
/// citations alone within `limits`.
pub fn read(
    db: &Db,
    client: &mut postgres::Client,
    after: i64,
    seq: i64,
    limits: Limits,
    keep: usize,
) -> Result<Option<Delta>, DbError> {
    let mut tx = super::tables::begin_read(db, client)?;
    let row = tx
        .query_one("SELECT change_seq, changed_at FROM iskp.state", &[])
        .map_err(|e| db.error(e, "reading iskp.state"))?;
    let (now, changed_at): (i64, time::OffsetDateTime) = (row.get(0), row.get(1));
    let others: i64 = tx
        .query_one(
            "SELECT count(*) FROM iskp.table_state
             WHERE change_seq > $1 AND name NOT IN ('records', 'citations')",
            &[&seq],
        )
        .map_err(|e| db.error(e, "reading iskp.table_state"))?
        .get(0);
    if others > 0 || now < seq {
        return Ok(None);
    }
    // The keys from their own query: the change log's read is capped at its window, counted in
    // seqs, and seqs have gaps (a rolled-back writer's). An entry is filed under its new row's
    // key; the old row's counts too (an id changed, a citation moved to another record). Ordered
    // and limited, so that the plan stays on the primary key whatever the statistics say.
    let filed = tx
        .query(
            "SELECT table_name, key, iskp.history_key(table_name, old_row)
             FROM iskp.history WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &(limits.changes + 1)],
        )
        .map_err(|e| db.error(e, "reading iskp.history"))?;
    if filed.len() as i64 > limits.changes {
        return Ok(None);
    }
    let mut ids: Vec<String> = Vec::new();
    for r in &filed {
        match ChangeTable::parse(r.get(0)) {
            Some(ChangeTable::Records | ChangeTable::Citations) => ids.extend(
                [r.get::<_, Option<String>>(1), r.get(2)]
                    .into_iter()
                    .flatten(),
            ),
            _ => return Ok(None),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let changes = history::read_after(db, &mut tx, after, keep)?;
    let records = rows_csv(db, &mut tx, "iskp.records", RECORD_COLUMNS, "id", &ids)?;
    let citations = rows_csv(
        db,
        &mut tx,
        "iskp.citations",
        CITATION_COLUMNS,
        "record_id",
        &ids,
    )?;
    tx.commit().map_err(|e| db.error(e, "finishing a read"))?;
    Ok(Some(Delta {
        ids,
        records,
        citations,
        changes,
        seq: now,
        changed_at,
    }))
}

/// The CSV text (header and rows, in `ord` order) of the rows of `table` whose `key` is one of
/// `ids`, each field as [`super::tables`] reads it for a whole table.
fn rows_csv(
    db: &Db,
    tx: &mut impl GenericClient,
    table: &str,
    columns: &[&str],
    key: &str,
    ids: &[String],
) -> Result<String, DbError> {
    let select = super::tables::select_list(table, columns);
    let rows = tx
        .query(
            &format!("SELECT {select} FROM {table} WHERE \"{key}\" = ANY($1) ORDER BY ord"),
            &[&ids],
        )
        .map_err(|e| db.error(e, &format!("reading {table}")))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fault = |e: csv::Error| db.fault(format!("writing {table} as CSV: {e}"));
    w.write_record(columns).map_err(fault)?;
    for r in &rows {
        let fields: Vec<&str> = (0..columns.len())
            .map(|i| r.get::<_, Option<&str>>(i).unwrap_or(""))
            .collect();
        w.write_record(&fields).map_err(fault)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| db.fault(format!("writing {table} as CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| db.fault(format!("{table}: {e}")))
}
