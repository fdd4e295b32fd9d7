//! The data as it stood at an instant, rebuilt from `iskp.history` (migration 3): what `as_of`
//! answers from in team mode.
//!
//! A state is named by the time of its last change: every history entry at or before that
//! transaction time is in it, none after. Records, citations and sources are rebuilt backwards from
//! the live tables: each row (by `ord`, its identity: a record's id can be edited) that no later
//! entry touched as it is, each row a later entry touched as the first of those found it
//! (`old_row`, in the table's own type by `jsonb_populate_record`; not there if it created the row)
//! — read back through the same `COPY` as the live tables ([`super::tables::copy_csv`]), so a state
//! gives the texts, hence the data version and every answer, that the replicas served while it was
//! current. (A first version rebuilt forwards from every entry up to the instant: 103 s at a
//! million records, where a recent instant now reads only the entries after it.) The other tables (boundaries,
//! GeoNames, curated places, time splits) keep no history and are read as they are now.

use super::tables::{self, Table, TABLES};
use super::{Db, DbError};
use crate::store::past::Placed;
use postgres::GenericClient;
use time::OffsetDateTime;

/// The state in effect at `at`: the time of the last change at or before it.
pub fn place(
    db: &Db,
    client: &mut impl GenericClient,
    at: OffsetDateTime,
) -> Result<Placed, DbError> {
    let row = client
        .query_one(
            "SELECT (SELECT max(at) FROM iskp.history WHERE at <= $1),
                    (SELECT min(at) FROM iskp.history)",
            &[&at],
        )
        .map_err(|e| db.error(e, "reading iskp.history"))?;
    Ok(match row.get::<_, Option<OffsetDateTime>>(0) {
        Some(last) => Placed::After(last),
        None => Placed::Before(row.get(1)),
    })
}

/// The tables history keeps, by their name in `iskp.history`.
fn history_name(t: &Table) -> Option<&'static str> {
    match t {
        Table::Csv("iskp.records", _) => Some("records"),
        Table::Csv("iskp.citations", _) => Some("citations"),
        Table::Csv("iskp.sources", _) => Some("sources"),
        _ => None,
    }
}

/// The rows of history table `short` as they stood after the changes up to `last`, as a `FROM`
/// item of the table's row type. `last` is a time the database gave (written back exactly).
///
/// Rebuilt backwards from the live table, so the cost is that of the changes after `last` (a
/// handful for a recent instant) plus one pass over the table: the rows no later change touched,
/// and for each row a later change touched, the row as its first later change found it (`old_row`;
/// none if that change created it). The old row is typed once, in a `LATERAL` call:
/// `(jsonb_populate_record(…)).*` would call the function once per column (13× the time for
/// 100 000 changed records at a million).
fn rows_as_of(short: &str, last: &str) -> String {
    let ord = "(coalesce(new_row, old_row) ->> 'ord')::bigint";
    format!(
        "(SELECT live.* FROM iskp.{short} live
          WHERE NOT EXISTS (SELECT 1 FROM iskp.history h
                            WHERE h.table_name = '{short}' AND h.at > '{last}'::timestamptz
                              AND (coalesce(h.new_row, h.old_row) ->> 'ord')::bigint = live.ord)
          UNION ALL
          SELECT p.*
          FROM (SELECT DISTINCT ON ({ord}) old_row
                FROM iskp.history
                WHERE table_name = '{short}' AND at > '{last}'::timestamptz
                ORDER BY {ord}, seq) f
          CROSS JOIN LATERAL jsonb_populate_record(NULL::iskp.{short}, f.old_row) p
          WHERE f.old_row IS NOT NULL) AS t"
    )
}

/// The eight texts of the state whose last change was at `last` (see the module), in one
/// read-only repeatable-read transaction.
pub fn read_as_of(
    db: &Db,
    client: &mut postgres::Client,
    last: OffsetDateTime,
) -> Result<Vec<(String, String)>, DbError> {
    let mut tx = tables::begin_read(db, client)?;
    // RFC 3339 with the microseconds PostgreSQL keeps: the literal is the time itself.
    let stamp = last
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| db.fault(format!("formatting {last}: {e}")))?;
    let mut texts = Vec::with_capacity(TABLES.len());
    for t in TABLES.iter() {
        let text = match (history_name(t), t) {
            (Some(short), Table::Csv(name, columns)) => {
                tables::copy_csv(db, &mut tx, name, columns, &rows_as_of(short, &stamp))?
            }
            _ => tables::read(db, &mut tx, *t)?,
        };
        texts.push((t.label(), text));
    }
    tx.commit().map_err(|e| db.error(e, "finishing a read"))?;
    Ok(texts)
}
