//! Reading `iskp.history` (migration 3) into the change log a replica serves (`/api/changes`):
//! each reload reads only the entries after the last one it holds (the first, only the latest
//! [`crate::store::changes::KEEP`]), in the same consistent transaction as the data, so the log and
//! the snapshot agree.

use super::{Db, DbError};
use crate::store::changes::{Change, ChangeOp, ChangeTable};
use postgres::GenericClient;

/// The history entries after seq `after` — of those, at most the latest `keep` — in order, each
/// with the fields an update changed (filed with it since schema version 5; found by comparing
/// its rows for an entry filed before).
pub fn read_after(
    db: &Db,
    client: &mut impl GenericClient,
    after: i64,
    keep: usize,
) -> Result<Vec<Change>, DbError> {
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    // The LIMIT changes no answer (seqs are unique: no more than `keep` lie above max - keep) but
    // keeps the plan on the primary key: without statistics (a table just filled) the planner
    // guesses a third of the rows and scans them all, 0.7 s at two million entries.
    let rows = client
        .query(
            "SELECT seq, at, role, table_name, op, coalesce(key, ''),
                    CASE WHEN op = 'update' THEN coalesce(fields, ARRAY(
                        SELECT k FROM jsonb_object_keys(new_row || old_row) k
                        WHERE old_row -> k IS DISTINCT FROM new_row -> k ORDER BY k))
                    END
             FROM iskp.history
             WHERE seq > GREATEST($1, (SELECT coalesce(max(seq), 0) FROM iskp.history) - $2)
             ORDER BY seq LIMIT $2",
            &[&after, &keep],
        )
        .map_err(|e| db.error(e, "reading iskp.history"))?;
    // One allocation per role, however many changes it made.
    let mut roles: Vec<std::sync::Arc<str>> = Vec::new();
    rows.iter()
        .map(|r| {
            let role: &str = r.get(2);
            let role = match roles.iter().find(|x| &***x == role) {
                Some(x) => x.clone(),
                None => {
                    roles.push(role.into());
                    roles[roles.len() - 1].clone()
                }
            };
            let table: &str = r.get(3);
            let table = ChangeTable::parse(table)
                .ok_or_else(|| db.fault(format!("iskp.history: unknown table {table:?}")))?;
            let op: String = r.get(4);
            let op = match op.as_str() {
                "insert" => ChangeOp::Created,
                "update" => ChangeOp::Updated,
                "delete" => ChangeOp::Deleted,
                other => return Err(db.fault(format!("iskp.history: unknown op {other:?}"))),
            };
            Ok(Change {
                seq: r.get(0),
                at: r.get(1),
                role,
                table,
                op,
                key: r.get::<_, &str>(5).into(),
                fields: r
                    .get::<_, Option<Vec<String>>>(6)
                    .unwrap_or_default()
                    .into_iter()
                    .map(String::into_boxed_str)
                    .collect(),
            })
        })
        .collect()
}
