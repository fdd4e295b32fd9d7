//! Team mode: PostgreSQL with PostGIS as the shared store that any number of servers replicate.
//!
//! The database holds the same eight inputs as a data directory, as tables a team can edit in QGIS
//! or SQL ([`schema`]). Every server reads them whole in one consistent transaction, turns them back
//! into the exact texts of the files ([`tables`]) and validates them with the same loader as files
//! ([`crate::load::read_inputs`]), so the database and `geodata/` give the same data version and the
//! same answers. Triggers notify every change; [`follow`] listens and reloads.
//!
//! | command | module |
//! |---|---|
//! | `db init` | [`schema`]: versioned, idempotent migrations |
//! | `db import`, `db export` | [`transfer`] |
//! | `serve --db` | [`source`] (loading), [`follow`] (`LISTEN`, reconnecting), [`history`] (the change log) |

pub mod delta;
pub mod follow;
pub mod history;
pub mod past;
pub mod schema;
pub mod source;
pub mod tables;
pub mod transfer;

use std::time::Duration;

/// How long to wait for a connection before calling the database unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A failure to talk to the database.
#[derive(Debug, thiserror::Error)]
#[error("{target}: {message}")]
pub struct DbError {
    /// Where (host, port and database; never the password).
    pub target: String,
    /// What went wrong, with what to do where we know.
    pub message: String,
    /// Whether trying again later may succeed (the server is down, restarting or unreachable),
    /// as opposed to a mistake that needs a person (wrong password, no schema).
    pub transient: bool,
}

/// A database failure, as a data source reports it (transient when the server may come back).
impl From<DbError> for crate::store::SourceError {
    fn from(e: DbError) -> Self {
        let transient = e.transient;
        crate::store::SourceError::Unavailable {
            error: Box::new(e),
            transient,
        }
    }
}

/// A database to connect to, parsed from a `postgres://` URL or a `key=value` string.
#[derive(Clone)]
pub struct Db {
    config: postgres::Config,
    target: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.target)
    }
}

impl Db {
    /// Parses a connection string. A connect timeout of [`CONNECT_TIMEOUT`] applies unless the
    /// string sets one.
    pub fn parse(url: &str) -> Result<Db, DbError> {
        let mut config: postgres::Config = url.parse().map_err(|e| DbError {
            target: "database URL".into(),
            message: format!("{e} (expected postgres://user@host:port/dbname or key=value pairs)"),
            transient: false,
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(10));
        if config.get_application_name().is_none() {
            config.application_name("iskp-map");
        }
        let target = describe(&config);
        Ok(Db { config, target })
    }

    /// `postgresql://user@host:port/dbname`, without the password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Opens a connection (without TLS: reach a remote database through a private network or a
    /// tunnel).
    pub fn connect(&self) -> Result<postgres::Client, DbError> {
        self.config
            .connect(postgres::NoTls)
            .map_err(|e| self.error(e, "cannot connect"))
    }

    /// Wraps a driver error, deciding whether it is worth retrying.
    pub fn error(&self, e: postgres::Error, doing: &str) -> DbError {
        let transient = match e.as_db_error() {
            // Connection exceptions (08), operator intervention such as a shutdown or a start-up
            // in progress (57), insufficient resources (53).
            Some(db) => matches!(&db.code().code()[..2], "08" | "57" | "53"),
            // No answer from a server at all: refused, reset, timed out, closed.
            None => true,
        };
        let mut message = format!("{doing}: {}", error_text(&e));
        if let Some(db) = e.as_db_error() {
            if db.code() == &postgres::error::SqlState::UNDEFINED_TABLE
                || db.code() == &postgres::error::SqlState::INVALID_SCHEMA_NAME
            {
                message.push_str(" (run `iskp-map db init` on this database first)");
            }
        }
        DbError {
            target: self.target.clone(),
            message,
            transient,
        }
    }

    /// A problem that is not a driver error (a schema too old, data that cannot be stored).
    pub fn fault(&self, message: impl Into<String>) -> DbError {
        DbError {
            target: self.target.clone(),
            message: message.into(),
            transient: false,
        }
    }
}

/// The driver's message with its cause: `db error: ERROR: …` says less than the server's own text.
fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} ({})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            s.push_str(": ");
            s.push_str(d);
        }
        return s;
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

fn describe(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let at = if user.is_empty() { "" } else { "@" };
    format!(
        "postgresql://{user}{at}{host}:{port}/{}",
        config.get_dbname().unwrap_or(user)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_never_shows_the_password() {
        let db = Db::parse("postgres://alice:s3cret@db.example:6543/iskp").unwrap();
        assert_eq!(db.target(), "postgresql://alice@db.example:6543/iskp");
        let db = Db::parse("host=127.0.0.1 port=5999 user=bob password=x dbname=m").unwrap();
        assert_eq!(db.target(), "postgresql://bob@127.0.0.1:5999/m");
    }

    #[test]
    fn a_bad_url_is_a_clear_permanent_error() {
        let e = Db::parse("postgres://host:notaport/x").unwrap_err();
        assert!(!e.transient);
        assert!(e.to_string().starts_with("database URL: "), "{e}");
    }

    #[test]
    fn an_unreachable_server_is_transient() {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let db = Db::parse("postgres://u@127.0.0.1:1/x?connect_timeout=2").unwrap();
        let Err(e) = db.connect() else {
            panic!("nothing listens on port 1")
        };
        assert!(e.transient, "{e}");
        assert!(e.to_string().contains("cannot connect"), "{e}");
    }
}
