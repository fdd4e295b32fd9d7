//! The command line: `serve | check | geocode | generate | db`, one file per command.
//!
//! Every command returns `Result<(), CliError>`; [`CliError`] carries the message and the kind of
//! failure, and its kind alone decides the exit code: 0 success, 1 the data (invalid data,
//! unresolved places), 2 everything else (usage, I/O, the database, the server).

pub mod check;
pub mod db;
pub mod generate;
pub mod geocode;
pub mod serve;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where a command reads its data: a directory, or the copy of `geodata/` built into the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    /// A data directory.
    Files(PathBuf),
    /// The data built into this binary.
    Bundled,
}

impl DataDir {
    /// `--data DIR` when given; else `./geodata` when it holds the data (a checkout); else the data
    /// built into the binary, so that an installed `iskp-map` works from any directory.
    pub fn pick(arg: Option<PathBuf>) -> DataDir {
        match arg {
            Some(dir) => DataDir::Files(dir),
            None if std::path::Path::new("geodata/records.csv").is_file() => {
                DataDir::Files(PathBuf::from("geodata"))
            }
            None => DataDir::Bundled,
        }
    }

    /// The eight files' texts, as `(name, text)` in [`crate::load::FILES`] order.
    pub fn texts(&self) -> Result<Vec<(String, String)>, crate::load::error::LoadError> {
        match self {
            DataDir::Files(dir) => crate::store::FileSource::new(dir).texts().map(|(t, _)| t),
            DataDir::Bundled => crate::store::BundledSource::texts(),
        }
    }

    /// The boundaries and gazetteer alone.
    pub fn read_geo(
        &self,
    ) -> Result<
        (
            crate::geo::jurisdictions::Jurisdictions,
            crate::geo::gazetteer::Gazetteer,
        ),
        crate::load::error::LoadError,
    > {
        match self {
            DataDir::Files(dir) => crate::store::FileSource::new(dir).read_geo(),
            DataDir::Bundled => {
                let t = crate::store::BundledSource::texts()?;
                crate::load::read_geo(&t[0], &t[1], &t[2], &t[3])
            }
        }
    }

    /// For messages.
    pub fn describe(&self) -> String {
        match self {
            DataDir::Files(dir) => dir.display().to_string(),
            DataDir::Bundled => "the data built into this binary".into(),
        }
    }
}

/// What kind of failure ended a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The data does not validate (exit 1).
    InvalidData,
    /// Some places did not resolve (exit 1).
    Unresolved,
    /// A file, the terminal or the network failed (exit 2).
    Io,
    /// The database failed or refused (exit 2).
    Database,
    /// The server could not start or stopped with an error (exit 2).
    Server,
}

/// A command's failure: what to tell the user, and the kind of failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// The kind, which decides the exit code.
    pub failure: Failure,
    /// The message for standard error (may span lines).
    pub message: String,
}

impl CliError {
    /// A failure of the given kind.
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        CliError {
            failure,
            message: message.into(),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self.failure {
            Failure::InvalidData | Failure::Unresolved => 1,
            Failure::Io | Failure::Database | Failure::Server => 2,
        }
    }
}

/// The command line.
#[derive(Parser)]
#[command(
    name = "iskp-map",
    version,
    about = "Maps ISKP activity by jurisdiction and serves it through OGC API - Features"
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Load the data and serve the map and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data directory [default: ./geodata if it holds the data, else the data built into this
        /// binary].
        #[arg(long, conflicts_with = "db")]
        data: Option<PathBuf>,
        /// Team mode: load from this PostgreSQL database (see `iskp-map db`) instead of files, and
        /// follow its changes. A URL such as postgres://user:password@host:5432/dbname.
        #[arg(long, env = "ISKP_MAP_DB", hide_env_values = true)]
        db: Option<String>,
        /// Team mode: a data directory (a `db export`) to serve if the database cannot be loaded at
        /// start; without it the server waits for the database, retrying with back-off.
        #[arg(long, requires = "db")]
        fallback: Option<PathBuf>,
        /// The map page's directory (index.html, static/, node_modules/ from `npm ci`) [default:
        /// ./web if it holds the page, else the page built into this binary].
        #[arg(long)]
        web: Option<PathBuf>,
        /// Limits, per-client fairness, public URL and metrics.
        #[command(flatten)]
        tuning: Box<serve::Tuning>,
        /// Keep the indexed catalog here and reuse it while the data and the program are unchanged
        /// (faster start-up for large data sets).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// File mode: keep a journal of the data served here (newline-delimited JSON, appended at
        /// each load that changed records, citations or sources), so that `as_of` and
        /// `/api/changes` answer over files as in team mode.
        #[arg(long, value_name = "FILE", conflicts_with = "db")]
        history: Option<PathBuf>,
    },
    /// Load and validate the data, then print totals per kind and country.
    Check {
        /// Data directory [default: ./geodata if it holds the data, else the data built into this
        /// binary].
        #[arg(long)]
        data: Option<PathBuf>,
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
        /// Data directory to take the boundaries and gazetteer from [default: ./geodata if it
        /// holds the data, else the data built into this binary].
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Team mode: the PostgreSQL/PostGIS store (`init`, `import`, `export`).
    Db {
        /// The `db` subcommand.
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
        /// Keep rows that do not resolve in the output (no geometry, an `unresolved` reason)
        /// and exit 0; without it they are only listed on standard error and the exit code is 1.
        #[arg(long)]
        keep_unresolved: bool,
        /// Data directory (boundaries and gazetteer) [default: ./geodata if it holds the data,
        /// else the data built into this binary].
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// The database, as every `db` subcommand takes it.
#[derive(clap::Args)]
pub struct DbArg {
    /// PostgreSQL URL, e.g. postgres://user:password@host:5432/dbname (or key=value pairs).
    #[arg(long, env = "ISKP_MAP_DB", hide_env_values = true)]
    pub db: String,
}

/// The `db` subcommands.
#[derive(Subcommand)]
pub enum DbCommand {
    /// Create or upgrade the schema (PostGIS, the tables, the change triggers); safe to repeat.
    Init {
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Validate a data directory exactly as `check` does, then replace the database's data with
    /// it in one transaction (nothing changes if anything is wrong).
    Import {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Data directory.
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
    },
    /// Write the database's data as a data directory (the same files an import started from).
    Export {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Directory to write (created if missing; the eight data files are replaced).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Parses the command line, sets up logging and runs the command.
pub fn main() -> ExitCode {
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
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs one command.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Serve {
            addr,
            data,
            db,
            fallback,
            web,
            tuning,
            cache,
            history,
        } => serve::run(serve::Options {
            addr,
            data: DataDir::pick(data),
            db,
            fallback,
            web,
            config: tuning.config()?,
            cache,
            history,
        }),
        Command::Db { command } => db::run(command),
        Command::Check { data, cache } => check::run(DataDir::pick(data), cache),
        Command::Geocode {
            input,
            csv,
            keep_unresolved,
            data,
        } => geocode::run(&input, csv, keep_unresolved, DataDir::pick(data)),
        Command::Generate {
            count,
            seed,
            out,
            data,
        } => generate::run(&DataDir::pick(data), &out, count, seed),
    }
}
