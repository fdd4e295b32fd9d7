//! `iskp-map db init | import | export`: the PostGIS store of team mode.

use super::{CliError, DbCommand, Failure};
use crate::db::{schema, transfer, Db, DbError};

fn database(e: DbError) -> CliError {
    CliError::new(Failure::Database, e.to_string())
}

/// Runs one `db` subcommand.
pub fn run(command: DbCommand) -> Result<(), CliError> {
    let url = match &command {
        DbCommand::Init { db } | DbCommand::Import { db, .. } | DbCommand::Export { db, .. } => {
            &db.db
        }
    };
    let db = Db::parse(url).map_err(database)?;
    match command {
        DbCommand::Init { .. } => {
            let a = db
                .connect()
                .and_then(|mut c| schema::migrate(&db, &mut c))
                .map_err(database)?;
            if a.from == a.to {
                println!("{}: schema already at version {}", db.target(), a.to);
            } else {
                println!("{}: schema version {} -> {}", db.target(), a.from, a.to);
            }
            Ok(())
        }
        DbCommand::Import { data, .. } => match transfer::import(&db, &data) {
            Ok(i) => {
                for f in &i.reformatted {
                    eprintln!(
                        "note: {f} reads back from the database in the canonical layout of `db export` (same data, other bytes)"
                    );
                }
                println!(
                    "imported {} records from {} into {}: data version {}",
                    i.records,
                    data.display(),
                    db.target(),
                    i.version
                );
                Ok(())
            }
            Err(transfer::TransferError::Invalid(e)) => Err(CliError::new(
                Failure::InvalidData,
                format!(
                    "{e}\nimport refused: {} problem(s) in {}; the database was not changed",
                    e.rows().len().max(1),
                    data.display()
                ),
            )),
            Err(e) => Err(CliError::new(
                Failure::Database,
                format!("{e}\nimport failed; the database was not changed"),
            )),
        },
        DbCommand::Export { out, .. } => match transfer::export(&db, &out) {
            Ok(x) => match x.check {
                Ok((n, version)) => {
                    println!(
                        "exported {n} records from {} to {}: data version {}",
                        db.target(),
                        out.display(),
                        version
                    );
                    Ok(())
                }
                Err(e) => Err(CliError::new(
                    Failure::InvalidData,
                    format!(
                        "{e}\nexported to {}, but the data does not validate: {} problem(s)",
                        out.display(),
                        e.rows().len().max(1)
                    ),
                )),
            },
            Err(e) => Err(CliError::new(Failure::Database, e.to_string())),
        },
    }
}
