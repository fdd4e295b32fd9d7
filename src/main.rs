//! `iskp-map`: serve | check | geocode | generate | db. Thin glue over the library; errors become
//! exit codes (0 success, 1 invalid data or unresolved places, 2 usage, I/O or database errors).

use clap::{Parser, Subcommand};
use iskp_map::db::source::DbSource;
use iskp_map::{AppState, DataSource, FileSource, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "iskp-map",
    version,
    about = "Maps ISKP activity by jurisdiction and serves it through OGC API - Features"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the data and serve the map and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data directory.
        #[arg(long, default_value = "geodata", conflicts_with = "db")]
        data: PathBuf,
        /// Team mode: load from this PostgreSQL database (see `iskp-map db`) instead of files, and
        /// follow its changes. A URL such as postgres://user:password@host:5432/dbname.
        #[arg(long, env = "ISKP_MAP_DB", hide_env_values = true)]
        db: Option<String>,
        /// Team mode: a data directory (a `db export`) to serve if the database cannot be loaded at
        /// start; without it the server waits for the database, retrying with back-off.
        #[arg(long, requires = "db")]
        fallback: Option<PathBuf>,
        /// The map page's directory (index.html, static/, node_modules/ from `npm ci`).
        #[arg(long, default_value = "web")]
        web: PathBuf,
        /// Requests served at once; more are refused with 503 rather than queued.
        #[arg(long, default_value_t = iskp_map::server::Limits::default().max_in_flight)]
        max_in_flight: usize,
        /// Keep the indexed catalog here and reuse it while the data and the program are unchanged
        /// (faster start-up for large data sets).
        #[arg(long)]
        cache: Option<PathBuf>,
    },
    /// Load and validate the data, then print totals per kind and country.
    Check {
        /// Data directory.
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
        /// Catalog cache, as for `serve`.
        #[arg(long)]
        cache: Option<PathBuf>,
    },
    /// Write a deterministic synthetic data directory (for scale tests) with the boundaries and
    /// gazetteer of --data.
    Generate {
        /// Number of records.
        #[arg(long)]
        count: usize,
        /// Random seed; the same count and seed give the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Data directory to take the boundaries and gazetteer from.
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
    },
    /// Team mode: the PostgreSQL/PostGIS store (`init`, `import`, `export`).
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Geocode the `place` column (and optional `country` hint) of a CSV file, or of stdin with `-`.
    Geocode {
        /// Input CSV, or `-` for standard input.
        input: String,
        /// Write CSV instead of GeoJSON.
        #[arg(long)]
        csv: bool,
        /// Data directory (boundaries and gazetteer).
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
    },
}

/// The database, as every `db` subcommand takes it.
#[derive(clap::Args)]
struct DbArg {
    /// PostgreSQL URL, e.g. postgres://user:password@host:5432/dbname (or key=value pairs).
    #[arg(long, env = "ISKP_MAP_DB", hide_env_values = true)]
    db: String,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create or upgrade the schema (PostGIS, the tables, the change triggers); safe to repeat.
    Init {
        #[command(flatten)]
        db: DbArg,
    },
    /// Validate a data directory exactly as `check` does, then replace the database's data with
    /// it in one transaction (nothing changes if anything is wrong).
    Import {
        #[command(flatten)]
        db: DbArg,
        /// Data directory.
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
    },
    /// Write the database's data as a data directory (the same files an import started from).
    Export {
        #[command(flatten)]
        db: DbArg,
        /// Directory to write (created if missing; the seven data files are replaced).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve` logs to stdout (its output is the log); the other commands print their answer on
    // stdout, so their log (quiet unless RUST_LOG asks) goes to stderr.
    let filter = |default: &str| {
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into())
    };
    match cli.command {
        Command::Serve { .. } => tracing_subscriber::fmt()
            .with_env_filter(filter("iskp_map=info,tower_http=info"))
            .init(),
        _ => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(filter("iskp_map=warn"))
            .init(),
    }
    match cli.command {
        Command::Serve {
            addr,
            data,
            db,
            fallback,
            web,
            max_in_flight,
            cache,
        } => match db {
            None => serve(
                addr,
                Source::Files(FileSource::new(data).with_cache(cache)),
                web,
                max_in_flight,
            ),
            Some(url) => match iskp_map::db::Db::parse(&url) {
                Ok(db) => serve(
                    addr,
                    Source::Db(DbSource::new(db, fallback, cache)),
                    web,
                    max_in_flight,
                ),
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
            },
        },
        Command::Db { command } => db_command(command),
        Command::Check { data, cache } => check(FileSource::new(data).with_cache(cache)),
        Command::Geocode { input, csv, data } => geocode(&input, csv, data),
        Command::Generate {
            count,
            seed,
            out,
            data,
        } => match iskp_map::generate::write_dataset(&data, &out, count, seed) {
            Ok(n) => {
                println!("wrote {n} synthetic records to {}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
    }
}

fn check(source: FileSource) -> ExitCode {
    let data = source.dir().to_path_buf();
    match iskp_map::DataSource::load(&source) {
        Ok(snap) => {
            source.write_cache(&snap);
            print!("{}", iskp_map::report::totals_table(&snap));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "check failed: {} problem(s) in {}",
                e.rows().len().max(1),
                data.display()
            );
            ExitCode::from(1)
        }
    }
}

fn geocode(input: &str, csv: bool, data: PathBuf) -> ExitCode {
    let text = if input == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("stdin: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(input) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{input}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let (jur, gaz) = match FileSource::new(&data).read_geo() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let batch = match iskp_map::batch::geocode_csv(&text, &gaz, &jur) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(2);
        }
    };
    let out = if csv {
        batch.to_csv()
    } else {
        Ok(batch.to_geojson())
    };
    match out {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("writing output: {e}");
            return ExitCode::from(2);
        }
    }
    for f in &batch.failures {
        eprintln!("{input}: {f}");
    }
    if batch.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} of {} rows unresolved",
            batch.failures.len(),
            batch.failures.len() + batch.hits.len()
        );
        ExitCode::from(1)
    }
}

/// What `serve` loads from.
enum Source {
    Files(FileSource),
    Db(DbSource),
}

fn serve(addr: SocketAddr, source: Source, web: PathBuf, max_in_flight: usize) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let (source, follow): (Arc<dyn DataSource>, _) = match source {
            Source::Files(f) => (Arc::new(f), None),
            Source::Db(d) => {
                let shared = d.shared();
                (Arc::new(d), Some(shared))
            }
        };
        let store = match open_store(source).await {
            Ok(s) => Arc::new(s),
            Err(code) => return code,
        };
        if let Some(shared) = follow {
            let timing = iskp_map::db::follow::Timing::default();
            if let Err(e) = iskp_map::db::follow::spawn(store.clone(), shared, timing) {
                eprintln!("cannot start the database listener: {e}");
                return ExitCode::from(2);
            }
        }
        let snap = store.current();
        tracing::info!(
            records = snap.catalog.len(),
            version = %snap.version,
            ms = started.elapsed().as_millis() as u64,
            "loaded {}",
            store.describe()
        );
        drop(snap);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        };
        tokio::spawn(reload_on_hangup(store.clone()));
        let local = listener.local_addr().unwrap_or(addr);
        tracing::info!("serving http://{local}/ (API at http://{local}/api)");
        let state = if web.join("index.html").is_file()
            && web.join("node_modules/leaflet/dist/leaflet.js").is_file()
        {
            AppState::with_web(store, web)
        } else {
            tracing::warn!(
                "no map page in {} (run `npm ci` there); / lists the data instead",
                web.display()
            );
            AppState::new(store)
        };
        let limits = iskp_map::server::Limits {
            max_in_flight: max_in_flight.max(1),
            ..Default::default()
        };
        let router = iskp_map::api::app_with(state, &limits);
        match iskp_map::server::serve(listener, router, &limits, shutdown()).await {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("server error: {e}");
                ExitCode::from(2)
            }
        }
    })
}

/// Loads the first snapshot. A database that cannot be reached (down, restarting) is retried with
/// back-off, each failure logged, until it answers; anything else ends the program.
async fn open_store(source: Arc<dyn DataSource>) -> Result<Store, ExitCode> {
    let mut backoff = std::time::Duration::from_millis(500);
    loop {
        let s = source.clone();
        match tokio::task::spawn_blocking(move || Store::open(Box::new(s))).await {
            Ok(Ok(store)) => return Ok(store),
            Ok(Err(e)) if e.is_transient() => {
                tracing::warn!("{e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(10));
            }
            Ok(Err(e)) => {
                eprintln!("{e}");
                eprintln!(
                    "not serving: {} {}",
                    source.describe(),
                    if e.rows().is_empty() {
                        "could not be read"
                    } else {
                        "did not validate"
                    }
                );
                return Err(ExitCode::from(if e.rows().is_empty() { 2 } else { 1 }));
            }
            Err(e) => {
                eprintln!("loading failed: {e}");
                return Err(ExitCode::from(2));
            }
        }
    }
}

fn db_command(command: DbCommand) -> ExitCode {
    use iskp_map::db::{schema, transfer, Db};
    let url = match &command {
        DbCommand::Init { db } | DbCommand::Import { db, .. } | DbCommand::Export { db, .. } => {
            &db.db
        }
    };
    let db = match Db::parse(url) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match command {
        DbCommand::Init { .. } => {
            match db.connect().and_then(|mut c| schema::migrate(&db, &mut c)) {
                Ok(a) if a.from == a.to => {
                    println!("{}: schema already at version {}", db.target(), a.to);
                    ExitCode::SUCCESS
                }
                Ok(a) => {
                    println!("{}: schema version {} -> {}", db.target(), a.from, a.to);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(2)
                }
            }
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
                ExitCode::SUCCESS
            }
            Err(transfer::TransferError::Invalid(e)) => {
                eprintln!("{e}");
                eprintln!(
                    "import refused: {} problem(s) in {}; the database was not changed",
                    e.rows().len().max(1),
                    data.display()
                );
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!("import failed; the database was not changed");
                ExitCode::from(2)
            }
        },
        DbCommand::Export { out, .. } => match transfer::export(&db, &out) {
            Ok(x) => match x.check {
                Ok(n) => {
                    println!(
                        "exported {n} records from {} to {}: data version {}",
                        db.target(),
                        out.display(),
                        x.version
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    eprintln!(
                        "exported to {}, but the data does not validate: {} problem(s)",
                        out.display(),
                        e.rows().len().max(1)
                    );
                    ExitCode::from(1)
                }
            },
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        },
    }
}

/// SIGHUP reloads the data; a reload that fails validation changes nothing and logs every error.
async fn reload_on_hangup(store: Arc<Store>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.reload()).await {
                Ok(Ok(v)) => tracing::info!(version = %v, "reloaded"),
                Ok(Err(e)) => tracing::error!("reload rejected, previous data still served:\n{e}"),
                Err(e) => tracing::error!("reload failed: {e}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = store;
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
