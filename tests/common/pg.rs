//! A throw-away PostgreSQL + PostGIS server for the team-mode tests: Debian's packages, a fresh
//! cluster in a temporary directory, on a free loopback port, stopped and removed on drop.
//!
//! The binaries are taken from `ISKP_PG_BIN` or the newest `/usr/lib/postgresql/*/bin`. PostgreSQL
//! refuses to run as root, so as root the cluster runs as the `postgres` user (`runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// One running (or stopped) test cluster.
pub struct Pg {
    bin: PathBuf,
    dir: PathBuf,
    /// The loopback port it listens on.
    pub port: u16,
    as_postgres: bool,
}

fn bin_dir() -> PathBuf {
    if let Ok(b) = std::env::var("ISKP_PG_BIN") {
        return PathBuf::from(b);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!(
            "team-mode tests need PostgreSQL with PostGIS: apt-get install postgresql-15 \
             postgresql-15-postgis-3 (.ci/run installs them), or set ISKP_PG_BIN"
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Pg {
    /// Creates a cluster with a database `iskp` owned by the superuser `iskp` (trust auth on
    /// loopback), and starts it.
    pub fn start(tag: &str) -> Pg {
        let bin = bin_dir();
        let dir = std::env::temp_dir().join(format!("iskp-map-pg-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let as_postgres = unsafe { libc::geteuid() } == 0;
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success(), "chown postgres {}", dir.display());
        }
        let pg = Pg {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "iskp",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        pg.up();
        pg.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                "iskp",
                "iskp",
            ],
        );
        pg
    }

    /// The connection URL.
    pub fn url(&self) -> String {
        format!("postgres://iskp@127.0.0.1:{}/iskp", self.port)
    }

    /// Starts the server (again, on the same port).
    pub fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server (fast shutdown: sessions are disconnected).
    pub fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// Runs SQL in its own session.
    pub fn sql(&self, sql: &str) {
        let mut c = self.client();
        c.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    /// A session.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }

    /// A PostgreSQL tool, run as `postgres` when we are root.
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.current_dir(&self.dir);
        cmd
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The cluster's data directory.
    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// The directory of the cluster.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
