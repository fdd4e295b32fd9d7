//! Following the database: `LISTEN iskp_changed`, coalesce bursts of edits into one reload, and
//! when the connection drops keep serving, say so, reconnect with back-off and catch up.
//!
//! One thread per server. Notifications carry the change counter; a reload is asked for only when
//! the counter is ahead of the snapshot served, at most one reload runs at a time, and the
//! notifications that arrive while it runs are gathered into the next one — so a burst of a
//! thousand edits costs a handful of reloads, never a thousand.

use super::source::Shared;
use super::{schema, Db, DbError};
use crate::store::{SourceError, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Timing of the listener.
#[derive(Debug, Clone)]
pub struct Timing {
    /// After a notification, wait this long for quiet before reloading…
    pub quiet: Duration,
    /// …but never longer than this after the first notification.
    pub max_delay: Duration,
    /// With no notification for this long, check that the connection is alive.
    pub heartbeat: Duration,
    /// First wait before reconnecting; doubles after each failure…
    pub backoff_min: Duration,
    /// …up to this.
    pub backoff_max: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            quiet: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            heartbeat: Duration::from_secs(5),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
        }
    }
}

/// Starts the listener thread for `store`, whose source is the database of `shared`.
pub fn spawn(store: Arc<Store>, shared: Arc<Shared>, timing: Timing) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("db-listener".into())
        .spawn(move || {
            let mut backoff = timing.backoff_min;
            loop {
                let started = Instant::now();
                let e = listen(&store, &shared, &timing);
                if started.elapsed() > timing.backoff_max {
                    // It was connected a good while: start the back-off over.
                    backoff = timing.backoff_min;
                }
                tracing::warn!(
                    "database listener: {e}; still serving version {}, retrying in {backoff:?}",
                    store.current().version
                );
                shared.set_link_problem(Some(format!("database unreachable: {e}")));
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(timing.backoff_max);
            }
        })
        .map(drop)
}

/// Connects, listens and reloads until the connection fails; returns why.
fn listen(store: &Store, shared: &Shared, timing: &Timing) -> DbError {
    let db = &shared.db;
    let mut client = match connect(db) {
        Ok(c) => c,
        Err(e) => return e,
    };
    shared.set_link_problem(None);
    tracing::info!("listening for changes in {}", db.target());
    // Catch up with whatever was committed while we were not listening.
    match client.query_one("SELECT change_seq FROM iskp.state", &[]) {
        Ok(row) => {
            if shared.loaded_seq() != Some(row.get::<_, i64>(0)) {
                if let Err(e) = reload(store) {
                    return e;
                }
            }
        }
        Err(e) => return db.error(e, "reading iskp.state"),
    }
    loop {
        let mut latest = match next(db, &mut client, timing.heartbeat) {
            Ok(Some(seq)) => seq,
            Ok(None) => {
                if let Err(e) = client.is_valid(timing.heartbeat) {
                    return db.error(e, "connection lost");
                }
                continue;
            }
            Err(e) => return e,
        };
        let first = Instant::now();
        while let Some(left) = timing.max_delay.checked_sub(first.elapsed()) {
            match next(db, &mut client, timing.quiet.min(left)) {
                Ok(Some(seq)) => latest = latest.max(seq),
                Ok(None) => break,
                Err(e) => return e,
            }
        }
        if shared.loaded_seq().is_none_or(|s| latest > s) {
            if let Err(e) = reload(store) {
                return e;
            }
        }
    }
}

fn connect(db: &Db) -> Result<postgres::Client, DbError> {
    let mut client = db.connect()?;
    schema::require_current(db, &mut client)?;
    client
        .batch_execute(&format!("LISTEN {}", schema::CHANNEL))
        .map_err(|e| db.error(e, "LISTEN"))?;
    Ok(client)
}

/// The next notification's change counter within `wait`, `None` if none came.
fn next(db: &Db, client: &mut postgres::Client, wait: Duration) -> Result<Option<i64>, DbError> {
    use postgres::fallible_iterator::FallibleIterator;
    match client.notifications().timeout_iter(wait).next() {
        // A payload that is not a number still means "something changed".
        Ok(Some(n)) => Ok(Some(n.payload().parse().unwrap_or(i64::MAX))),
        Ok(None) => Ok(None),
        Err(e) => Err(db.error(e, "connection lost")),
    }
}

/// Reloads the store. Data that does not validate leaves the old snapshot served (the store
/// reports why) and the listener goes on; a database failure ends this connection's turn.
fn reload(store: &Store) -> Result<(), DbError> {
    let t = Instant::now();
    match store.reload() {
        Ok(version) => {
            tracing::info!(%version, elapsed = ?t.elapsed(), "reloaded from the database");
            Ok(())
        }
        Err(SourceError::Unavailable {
            error,
            transient: true,
        }) => Err(match error.downcast::<DbError>() {
            Ok(e) => *e,
            Err(other) => DbError {
                target: "database".into(),
                message: other.to_string(),
                transient: true,
            },
        }),
        Err(e) => {
            tracing::error!("change in the database rejected, previous data still served:\n{e}");
            Ok(())
        }
    }
}
