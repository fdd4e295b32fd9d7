//! Shared helpers of the integration tests: the real data loaded once per test binary, requests
//! through `tower::ServiceExt::oneshot`, and scratch copies of `geodata/` to break on purpose.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use iskp_map::{app, AppState, FileSource, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub mod pg;

/// Every collection id, in the order `/api/collections` lists them.
pub const COLLECTIONS: [&str; 9] = [
    "incidents",
    "attacks",
    "plots",
    "arrests",
    "designations",
    "raids",
    "presence",
    "countries",
    "provinces",
];

/// The repository's `geodata/`.
pub fn geodata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata")
}

/// A store over the real data, loaded once.
pub fn store() -> Arc<Store> {
    static STORE: OnceLock<Arc<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            Arc::new(Store::open(Box::new(FileSource::new(geodata()))).expect("geodata/ loads"))
        })
        .clone()
}

/// One answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends a request to the app over `store`.
pub async fn send_to(store: Arc<Store>, req: Request<Body>) -> Answer {
    let resp = app(AppState::new(store))
        .oneshot(req)
        .await
        .expect("the router never fails");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// GET `uri` from the app over the real data.
pub async fn get(uri: &str) -> Answer {
    send_to(
        store(),
        Request::get(uri)
            .header("host", "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A fresh copy of `geodata/` in a temporary directory, removed on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("iskp-map-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in iskp_map::load::FILES {
            std::fs::copy(geodata().join(f), dir.join(f)).unwrap();
        }
        Scratch { dir }
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap()
    }

    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path(file), text).unwrap();
    }

    /// Appends one line (a CSV row) to a file.
    pub fn append(&self, file: &str, line: &str) {
        let mut t = self.read(file);
        if !t.ends_with('\n') {
            t.push('\n');
        }
        t.push_str(line);
        t.push('\n');
        self.write(file, &t);
    }

    /// The 1-based number of the last line of a file.
    pub fn last_line(&self, file: &str) -> usize {
        self.read(file).lines().count()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The real `iskp-map serve` binary on a free loopback port, killed on drop.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
    /// What it logged before it started serving.
    pub startup_log: Vec<String>,
}

impl Server {
    /// Starts the binary over `data` and waits for its "serving" line.
    pub fn start(data: &Path) -> Server {
        Server::start_with(&["--data", data.to_str().unwrap()])
    }

    /// Starts `iskp-map serve --addr 127.0.0.1:0` with more arguments and waits (up to a minute)
    /// for its "serving" line.
    pub fn start_with(args: &[&str]) -> Server {
        Server::start_program(Path::new(env!("CARGO_BIN_EXE_iskp-map")), None, args)
    }

    /// Starts `program serve --addr 127.0.0.1:0 ARGS` in the working directory `cwd` (the
    /// test's own when `None`) and waits for its "serving" line.
    pub fn start_program(program: &Path, cwd: Option<&Path>, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut command = std::process::Command::new(program);
        if let Some(dir) = cwd {
            command.current_dir(dir);
        }
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "iskp_map=info")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut startup_log = Vec::new();
        let base = loop {
            assert!(std::time::Instant::now() < deadline, "server did not start");
            let line = lines.next().expect("server output").unwrap();
            if let Some(rest) = line.split("serving http://").nth(1) {
                break format!("http://{}", rest.split('/').next().unwrap());
            }
            startup_log.push(line);
        };
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            startup_log,
        }
    }

    /// Sends a signal (`HUP`, `TERM`, …) to the server.
    pub fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// `numberMatched` of an API query against a running server.
pub async fn matched(base: &str, path: &str) -> u64 {
    let v: Value = reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["numberMatched"].as_u64().unwrap()
}

/// The Host every request of [`get_as_served`] carries, as behind a load balancer: links in answers
/// use it, so two servers on other ports answer alike.
pub const HOST: &str = "maps.example.org";

/// A blocking answer: status, entity tag, body.
pub struct Got {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// The value of the metric `name` (a line `name value` of the server's `/metrics`).
pub fn metric(base: &str, name: &str) -> f64 {
    let text = get_as_served(base, "/metrics").body;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} not in /metrics:\n{text}"))
}

/// `GET base+path` with the Host [`HOST`].
pub fn get_as_served(base: &str, path: &str) -> Got {
    let r = reqwest::blocking::Client::new()
        .get(format!("{base}{path}"))
        .header("host", HOST)
        .send()
        .unwrap();
    Got {
        status: r.status().as_u16(),
        etag: r
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_string()),
        body: r.text().unwrap(),
    }
}
