//! Issue #17, "no request can starve the others, no text can become markup": one regression test
//! per finding, named after it, each against the real server where the finding was on a socket.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Scratch, Server};
use iskp_map::http::server::{serve, Limits};
use iskp_map::http::{app_configured, Config};
use iskp_map::AppState;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// A raw HTTP/1.1 exchange: sends `request`, reads until the server closes or `wait` passes.
fn raw(base: &str, request: &[u8], wait: Duration) -> Vec<u8> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn status_of(answer: &[u8]) -> u16 {
    String::from_utf8_lossy(answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn body_of(answer: &[u8]) -> String {
    let text = String::from_utf8_lossy(answer);
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Whether a socket is closed by the server within `within` (reads EOF or an error).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            // A GOAWAY or a SETTINGS frame: keep reading, within the time given.
            Ok(_) if started.elapsed() < within => continue,
            Ok(_) => return false,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Runs `program args…` (a server that prints its "serving" line on stdout), and returns it with its
/// base URL and the rest of its output's lines.
fn spawn(
    program: &str,
    args: &[&str],
    rust_log: Option<&str>,
) -> (
    std::process::Child,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead;
    let mut command = std::process::Command::new(program);
    match rust_log {
        Some(filter) => command.env("RUST_LOG", filter),
        None => command.env_remove("RUST_LOG"),
    };
    let mut child = command
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split("serving http://").nth(1) {
            break format!("http://{}", rest.split('/').next().unwrap());
        }
    };
    (child, base, lines)
}

/// Kills a child process when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server binary under test: `ISKP_MAP_BIN` (to run these tests against another build, such
/// as the one before the fixes), else this build's.
fn bin() -> String {
    std::env::var("ISKP_MAP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_iskp-map").to_string())
}

/// `serve --addr 127.0.0.1:0 ARGS` of [`bin`].
fn server(args: &[&str]) -> Server {
    Server::start_program(std::path::Path::new(&bin()), None, args)
}

fn get(url: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = reqwest::blocking::Client::new()
        .get(url)
        .timeout(Duration::from_secs(120))
        .send()
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    (status, started.elapsed())
}

/// A junk name of `words` words, each of which the closest-spelling search looks for.
fn junk(words: usize) -> String {
    (0..words)
        .map(|i| format!("qzx{}wv", (b'a' + (i % 26) as u8) as char))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn cpu_denial_of_service_geocode_is_bounded_and_cheap_requests_go_on() {
    let server = server(&["--data", common::geodata().to_str().unwrap()]);
    let base = server.base.clone();
    // The request: ~2 KB of junk words, refused before any search.
    let long = junk(270);
    assert!(
        (1800..2048).contains(&long.len()),
        "under the 2 KiB cap on any value"
    );
    let (status, took) = get(&format!("{base}/api/geocode?exact=true&q={long}"));
    assert_eq!(status, 400, "a name longer than any place name is refused");
    assert!(took < Duration::from_secs(1), "refused at once: {took:?}");
    // The most expensive name still accepted, eight at once, while /healthz is asked every 20 ms.
    let worst = junk(12);
    let attackers: Vec<_> = (0..8)
        .map(|_| {
            let url = format!("{base}/api/geocode?exact=true&q={worst}");
            std::thread::spawn(move || get(&url))
        })
        .collect();
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        let (status, took) = get(&format!("{base}/healthz"));
        assert_eq!(status, 200);
        slowest = slowest.max(took);
        std::thread::sleep(Duration::from_millis(20));
    }
    for a in attackers {
        let (status, took) = a.join().unwrap();
        assert!(
            matches!(status, 404 | 503),
            "unresolved (or refused when the pool is full): {status}"
        );
        assert!(took < Duration::from_secs(10), "bounded work: {took:?}");
    }
    assert!(
        slowest < Duration::from_millis(300),
        "/healthz kept answering while names were searched: slowest {slowest:?}"
    );
}

/// A real server with these limits on a free port, in this process.
struct InProcess {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: tokio::runtime::Runtime,
}

impl InProcess {
    fn start(config: Config) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let app = app_configured(AppState::new(common::store()), &config);
        let limits = config.limits.clone();
        runtime.spawn(async move {
            serve(listener, app, &limits, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        InProcess {
            base,
            stop: Some(tx),
            runtime,
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = &self.runtime;
    }
}

fn limits(f: impl FnOnce(&mut Limits)) -> Config {
    let mut l = Limits::default();
    f(&mut l);
    Config {
        limits: l,
        ..Config::default()
    }
}

#[test]
fn cpu_bound_work_answers_408_at_the_response_timeout() {
    // A state whose pool runs a job that takes two seconds of CPU, behind a 300 ms timeout.
    use axum::routing::get as route;
    let config = limits(|l| l.request_timeout = Duration::from_millis(300));
    let state = AppState::new(common::store());
    let work = state.work.clone();
    let routes = axum::Router::new().route(
        "/burn",
        route(move || {
            let work = work.clone();
            async move {
                work.run(|| {
                    let t = Instant::now();
                    let mut x = 0u64;
                    while t.elapsed() < Duration::from_secs(2) {
                        x = x.wrapping_mul(31).wrapping_add(1);
                    }
                    x.to_string()
                })
                .await
            }
        }),
    );
    let app = iskp_map::http::middleware::harden_with(routes, &config);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let resp = rt.block_on(tower::ServiceExt::oneshot(
        app,
        Request::get("/burn").body(Body::empty()).unwrap(),
    ));
    let resp = resp.unwrap();
    assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the timeout held while the job ran: {:?}",
        started.elapsed()
    );
    // And the request to the real geocoder, which ran on an async worker for seconds and
    // answered 404 after the timeout had passed: now answered at once.
    let server = server(&["--data", common::geodata().to_str().unwrap()]);
    let (status, took) = get(&format!(
        "{}/api/geocode?exact=true&q={}",
        server.base,
        junk(270)
    ));
    assert_eq!(status, 400);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn idle_connections_are_closed_silent_h2c_preface_and_unfinished_headers() {
    let server = server(&[
        "--data",
        common::geodata().to_str().unwrap(),
        "--handshake-timeout",
        "0.5",
        "--idle-timeout",
        "1",
    ]);
    let addr = server.base.trim_start_matches("http://").to_string();
    // A connection that sends no byte.
    let mut silent = TcpStream::connect(&addr).unwrap();
    // An h2c connection after its preface and SETTINGS.
    let mut preface = TcpStream::connect(&addr).unwrap();
    preface
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    // An h2c connection holding an unfinished HEADERS block (no END_HEADERS, no CONTINUATION).
    let mut headers = TcpStream::connect(&addr).unwrap();
    headers
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    headers
        .write_all(&[0, 0, 3, 0x1, 0x1, 0, 0, 0, 1, 0x82, 0x86, 0x84])
        .unwrap(); // HEADERS, END_STREAM only, stream 1: :method GET, :scheme http, :path /
                   // A keep-alive HTTP/1.1 connection after one answer.
    let mut kept = TcpStream::connect(&addr).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 512];
    kept.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert!(kept.read(&mut buf).unwrap() > 0);
    for (what, s) in [
        ("a silent connection", &mut silent),
        ("an h2c preface and nothing more", &mut preface),
        ("an unfinished HEADERS block", &mut headers),
        ("an idle keep-alive connection", &mut kept),
    ] {
        assert!(
            closed_within(s, Duration::from_secs(4)),
            "{what} is closed by the server"
        );
    }
    let r = reqwest::blocking::get(format!("{}/healthz", server.base));
    assert!(r.as_ref().is_ok_and(|r| r.status() == 200), "{r:?}");
}

#[test]
fn a_connection_cap_below_the_file_limit_keeps_serving() {
    // The issue: 300 silent sockets on a 256-file limit locked every client out.
    let bin = bin();
    let data = common::geodata();
    let (child, base, lines) = spawn(
        "sh",
        &[
            "-c",
            "ulimit -n 256 && exec \"$0\" serve --addr 127.0.0.1:0 --data \"$1\"",
            &bin,
            data.to_str().unwrap(),
        ],
        Some("iskp_map=info"),
    );
    let _child = Killed(child);
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    struct Base {
        base: String,
    }
    let server = Base { base };
    let addr = server.base.trim_start_matches("http://").to_string();
    let silent: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    assert!(silent.len() >= 250, "the kernel queued the connections");
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let (status, took) = get(&format!("{}/api/collections", server.base));
        assert_eq!(status, 200, "a new client is served at the cap");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }
    drop(silent);
    drop(_child);
    let log = log.join().unwrap();
    let accept_lines = log.iter().filter(|l| l.contains("accept failed")).count();
    assert!(
        accept_lines <= 1,
        "no log line per failed accept: {accept_lines}"
    );
}

#[test]
fn half_closed_requests_are_answered() {
    let server = server(&["--data", common::geodata().to_str().unwrap()]);
    let addr = server.base.trim_start_matches("http://").to_string();
    for _ in 0..30 {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET /api/collections HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        assert_eq!(status_of(&out), 200, "{}", String::from_utf8_lossy(&out));
        assert!(body_of(&out).contains("\"collections\""));
    }
}

#[test]
fn unbounded_answers_clusters_at_zoom_22_over_a_wide_box_are_refused() {
    use iskp_map::store::{DataSource, SourceError};
    struct Nowhere;
    impl DataSource for Nowhere {
        fn load(&self) -> Result<iskp_map::store::Snapshot, SourceError> {
            Err(SourceError::Unavailable {
                error: "a test store does not reload".into(),
                transient: false,
            })
        }
        fn describe(&self) -> String {
            "synthetic".into()
        }
    }
    let real = common::store().current();
    let records = iskp_map::synth::records(20_000, 7);
    let catalog =
        iskp_map::index::Catalog::new(records, vec![iskp_map::synth::document()]).unwrap();
    let snap = iskp_map::store::Snapshot::build(
        catalog,
        real.jurisdictions.clone(),
        real.gazetteer.clone(),
        "synthetic".into(),
        real.changed_at,
    );
    let store = std::sync::Arc::new(iskp_map::Store::with_snapshot(snap, Box::new(Nowhere)));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let wide = rt.block_on(common::send_to(
        store.clone(),
        Request::get("/api/collections/incidents/clusters?zoom=22&bbox=-180,-90,180,90")
            .body(Body::empty())
            .unwrap(),
    ));
    assert_eq!(wide.status, StatusCode::BAD_REQUEST, "{}", wide.text());
    assert_eq!(wide.json()["parameter"], "zoom");
    let world = rt.block_on(common::send_to(
        store,
        Request::get("/api/collections/incidents/clusters?zoom=3")
            .body(Body::empty())
            .unwrap(),
    ));
    assert_eq!(world.status, StatusCode::OK);
    let cells = world.json()["features"].as_array().unwrap().len();
    assert!(cells > 0 && cells <= iskp_map::http::clusters::MAX_CELLS);
}

#[test]
fn unbounded_answers_the_in_flight_limit_covers_bodies_not_only_handlers() {
    let server = InProcess::start(limits(|l| l.max_in_flight = 2));
    let addr = server.base.trim_start_matches("http://").to_string();
    // Two slow readers of a 3.6 MB download take its first frames and stop reading: over h2,
    // without WINDOW_UPDATEs, the server can send no more than the 64 KiB window, whatever the
    // kernel's socket buffers would hold.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut readers = Vec::new();
    for _ in 0..2 {
        let reader = rt.block_on(async {
            let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let (mut client, conn) = h2::client::handshake(tcp).await.unwrap();
            tokio::spawn(async move {
                let _ = conn.await;
            });
            let req = Request::get(format!(
                "http://{addr}/api/collections/provinces/download?format=geojson"
            ))
            .body(())
            .unwrap();
            let (resp, _) = client.send_request(req, true).unwrap();
            let resp = resp.await.unwrap();
            assert_eq!(resp.status(), 200);
            let mut body = resp.into_body();
            let first = body.data().await.unwrap().unwrap();
            assert!(!first.is_empty());
            (client, body)
        });
        readers.push(reader);
    }
    std::thread::sleep(Duration::from_millis(200));
    let (status, _) = get(&format!("{}/api/collections", server.base));
    assert_eq!(status, 503, "both places are held by the bodies being sent");
    drop(readers);
    let started = Instant::now();
    loop {
        let (status, _) = get(&format!("{}/api/collections", server.base));
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "places come back when the readers go"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn unbounded_answers_flatgeobuf_is_streamed_not_built_whole() {
    let server = InProcess::start(Config::default());
    // No Accept-Encoding: a compressed answer is chunked whatever the server holds.
    let resp = reqwest::blocking::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .get(format!(
            "{}/api/collections/provinces/download?format=fgb",
            server.base
        ))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("content-length").is_none(),
        "sent in chunks, not as one buffer"
    );
    let bytes = resp.bytes().unwrap();
    let snap = common::store().current();
    let sel = iskp_map::store::collections::Selection::polygons(
        &snap,
        iskp_map::geo::jurisdictions::Level::Province,
        &Default::default(),
    );
    let whole = iskp_map::export::flatgeobuf::write(&snap, &sel).unwrap();
    assert_eq!(bytes.len(), whole.len());
    assert!(bytes[..] == whole[..], "the same file, byte for byte");
}

#[test]
fn links_over_http2_keep_the_port_and_the_entity_tag() {
    let server = InProcess::start(Config::default());
    let url = format!("{}/api/collections/plots/items?limit=1", server.base);
    let h1 = reqwest::blocking::Client::builder()
        .http1_only()
        .build()
        .unwrap()
        .get(&url)
        .send()
        .unwrap();
    let h2 = reqwest::blocking::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap()
        .get(&url)
        .send()
        .unwrap();
    assert_eq!(h2.version(), reqwest::Version::HTTP_2);
    let tag1 = h1.headers()["etag"].to_str().unwrap().to_string();
    let tag2 = h2.headers()["etag"].to_str().unwrap().to_string();
    let v1: serde_json::Value = h1.json().unwrap();
    let v2: serde_json::Value = h2.json().unwrap();
    assert_eq!(v1["links"], v2["links"], "the same links over h1 and h2");
    let next = v2["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(
        next["href"].as_str().unwrap().starts_with(&server.base),
        "{next}"
    );
    assert_eq!(tag1, tag2);
}

#[test]
fn links_use_the_public_url_not_the_host_header() {
    let server = InProcess::start(Config {
        public_url: Some("https://map.example.org".into()),
        ..Config::default()
    });
    let v: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{}/api", server.base))
        .header("host", "evil.example")
        .send()
        .unwrap()
        .json()
        .unwrap();
    for l in v["links"].as_array().unwrap() {
        assert!(
            l["href"]
                .as_str()
                .unwrap()
                .starts_with("https://map.example.org/"),
            "{l}"
        );
    }
    // Without it, a client's X-Forwarded-Proto is not believed (no trusted proxy).
    let plain = InProcess::start(Config::default());
    let v: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{}/api", plain.base))
        .header("x-forwarded-proto", "https")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(v["links"][0]["href"]
        .as_str()
        .unwrap()
        .starts_with(&plain.base));
    assert!(iskp_map::http::public_url("javascript:alert(1)").is_err());
    assert!(iskp_map::http::public_url("https://x.org/?a=1").is_err());
    assert_eq!(
        iskp_map::http::public_url("https://x.org/map/").unwrap(),
        "https://x.org/map"
    );
}

#[test]
fn a_5xx_from_the_client_s_input_client_errors_are_json_4xx() {
    let server = server(&[
        "--data",
        common::geodata().to_str().unwrap(),
        "--web",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("web")
            .to_str()
            .unwrap(),
    ]);
    let wait = Duration::from_secs(5);
    let long_name = format!("/static/{}.js", "a".repeat(300));
    for (what, req) in [
        (
            "a static file name over 255 bytes",
            format!("GET {long_name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ),
        (
            "a static file that does not exist",
            "GET /static/nothing.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
        ),
        (
            "a path of invalid UTF-8",
            "GET /api/collections/%ff%fe/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .into(),
        ),
        (
            "a static path of invalid UTF-8",
            "GET /static/%c3%28.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
        ),
        (
            "a malformed request line (hyper's own 400)",
            "GET /api HTTP/1.1 extra\r\nHost: x\r\n\r\n".into(),
        ),
        (
            "a header hyper cannot parse",
            "GET /api HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n".into(),
        ),
        (
            "a head over the buffer (hyper's own 431)",
            format!(
                "GET /api HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(100_000)
            ),
        ),
    ] {
        let out = raw(&server.base, req.as_bytes(), wait);
        let status = status_of(&out);
        assert!((400..500).contains(&status), "{what}: {status}");
        let head = String::from_utf8_lossy(&out).to_ascii_lowercase();
        assert!(
            head.contains("content-type: application/json"),
            "{what}: {head}"
        );
        let body: serde_json::Value = serde_json::from_str(&body_of(&out))
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {head}"));
        assert!(body["code"].is_string(), "{what}: {body}");
    }
    let (status, _) = get(&format!("{}/static/app.js", server.base));
    assert_eq!(status, 200, "the page files are still served");
}

#[test]
fn log_amplification_the_request_log_is_bounded_and_sampled() {
    let data = common::geodata();
    let (child, base, lines) = spawn(
        &bin(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
        ],
        None, // the log as `serve` writes it by default
    );
    let mut child = Killed(child);
    let counted = std::thread::spawn(move || {
        let mut bytes = 0usize;
        let mut longest = 0usize;
        for line in lines.map_while(Result::ok) {
            bytes += line.len() + 1;
            longest = longest.max(line.len());
        }
        (bytes, longest)
    });
    let client = reqwest::blocking::Client::new();
    let junk = "x".repeat(8000);
    let started = Instant::now();
    let mut sent = 0;
    while started.elapsed() < Duration::from_secs(2) && sent < 400 {
        let _ = client
            .get(format!("{base}/api/collections?{junk}={sent}"))
            .send();
        let _ = client.get(format!("{base}/{junk}{sent}")).send();
        sent += 2;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = child.0.kill();
    let _ = child.0.wait();
    let (bytes, longest) = counted.join().unwrap();
    assert!(sent >= 100, "{sent} requests sent");
    assert!(longest < 600, "every line is bounded: {longest} bytes");
    let budget = (elapsed + 1.0) * 20.0 * 600.0 + 4000.0;
    assert!(
        (bytes as f64) < budget,
        "{bytes} bytes of log for {sent} requests of 8 KB in {elapsed:.1} s (budget {budget})"
    );
}

#[test]
fn api_docs_has_the_security_headers_of_the_other_html_views() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let a = rt.block_on(common::get("/api/docs"));
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.header("content-security-policy").is_some());
    assert_eq!(a.header("x-frame-options"), Some("DENY"));
    assert_eq!(a.header("referrer-policy"), Some("no-referrer"));
}

#[test]
fn accept_q_values_are_honoured() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ask = |accept: &str| {
        let a = rt.block_on(common::send_to(
            common::store(),
            Request::get("/api/collections")
                .header("accept", accept)
                .body(Body::empty())
                .unwrap(),
        ));
        a.header("content-type").unwrap_or("").to_string()
    };
    let html = |accept: &str| ask(accept).starts_with("text/html");
    assert!(!html("text/html;q=0"), "q=0 means not HTML");
    assert!(!html("text/html;q=0, */*"));
    assert!(!html("text/html;q=0.5, application/json"));
    assert!(html("application/json;q=0.5, text/html"));
    assert!(html(
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    ));
    assert!(!html("*/*"));
    assert!(!html("application/json, text/html"));
    assert!(!html("application/geo+json;q=1, text/html;q=0.9"));
}

#[test]
fn datetime_trims_spaces_on_both_sides() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plain = rt.block_on(common::get(
        "/api/collections/incidents/items?datetime=2023-01-01/2023-12-31",
    ));
    for spaced in [
        "%202023-01-01/2023-12-31%20",
        "2023-01-01%20/%202023-12-31",
        "2023-01-01%20/2023-12-31",
        "2023-01-01/%202023-12-31",
        "%202023-01-01%20/%20..%20",
    ] {
        let a = rt.block_on(common::get(&format!(
            "/api/collections/incidents/items?datetime={spaced}"
        )));
        assert_eq!(a.status, StatusCode::OK, "{spaced}: {}", a.text());
        if !spaced.contains("..") {
            assert_eq!(a.json()["numberMatched"], plain.json()["numberMatched"]);
        }
    }
}

#[test]
fn invalid_utf8_in_records_csv_is_reported_with_its_line() {
    let s = Scratch::new("utf8");
    let mut bytes = std::fs::read(s.path("records.csv")).unwrap();
    let lines = s.last_line("records.csv");
    bytes.extend_from_slice(b"zz-bad,presence,Caf\xe9 title,x,2023-06-01,,day,Kandahar,AFG,near\n");
    std::fs::write(s.path("records.csv"), bytes).unwrap();
    let err = iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir)))
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(
        text.contains(&format!("records.csv:{}:", lines + 1)) && text.contains("UTF-8"),
        "{text}"
    );
}

#[test]
fn one_bad_line_in_a_boundaries_file_is_one_error_not_thousands() {
    let s = Scratch::new("bounds");
    let text = s.read("countries.geojson");
    let mut lines: Vec<&str> = text.lines().collect();
    let broken = format!("{}#", lines[5]);
    lines[5] = &broken;
    s.write("countries.geojson", &(lines.join("\n") + "\n"));
    let err = iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir)))
        .err()
        .expect("refused");
    let rows = err.rows();
    assert!(
        !rows.is_empty() && rows.len() <= 2,
        "{} errors: {}",
        rows.len(),
        err
    );
    assert!(rows[0].file.ends_with("countries.geojson"), "{err}");
}

#[test]
fn markup_injection_document_urls_must_be_http_or_https() {
    for bad in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/x",
        "https://",
        "https://exa mple.org",
        "http://x.org/\"onmouseover=\"x",
    ] {
        let s = Scratch::new("url");
        let text = s.read("sources.csv");
        let header = text.lines().next().unwrap().to_string();
        let cols: Vec<&str> = header.split(',').collect();
        let row: Vec<String> = cols
            .iter()
            .map(|c| match *c {
                "id" => "S99".to_string(),
                "title" => "A title".to_string(),
                "author" => "An author".to_string(),
                "url" => format!("\"{}\"", bad.replace('"', "\"\"")),
                _ => String::new(),
            })
            .collect();
        s.append("sources.csv", &row.join(","));
        let err = iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir)))
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert!(err.to_string().contains(": url: "), "{bad}: {err}");
    }
}

#[test]
fn markup_injection_csv_cells_that_start_a_formula_are_neutralised() {
    let s = Scratch::new("formula");
    s.append(
        "records.csv",
        "zz-formula,presence,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\"@SUM(1+1)*cmd|' /C calc'!A0\",2023-06-01,,day,Kandahar,AFG,near,,,1,,,,suspected,,,,,,,,",
    );
    s.append("citations.csv", "zz-formula,S1,test");
    let store = std::sync::Arc::new(
        iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir))).unwrap(),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let a = rt.block_on(common::send_to(
        store,
        Request::get("/api/collections/presence/download?format=csv")
            .body(Body::empty())
            .unwrap(),
    ));
    assert_eq!(a.status, StatusCode::OK);
    let text = a.text();
    let line = text.lines().find(|l| l.starts_with("zz-formula")).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let cells: Vec<String> = r
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert!(
        cells.iter().any(|c| c.starts_with("'=HYPERLINK(")),
        "{line}"
    );
    assert!(cells.iter().any(|c| c.starts_with("'@SUM(")), "{line}");
    assert!(
        !cells
            .iter()
            .any(|c| c.starts_with('=') || c.starts_with('@')),
        "{line}"
    );
}

#[test]
fn per_client_fairness_rate_limit_answers_429_with_retry_after() {
    let server = server(&[
        "--data",
        common::geodata().to_str().unwrap(),
        "--client-rate",
        "5",
        "--client-burst",
        "5",
        "--trusted-proxy",
        "127.0.0.1",
    ]);
    let client = reqwest::blocking::Client::new();
    let mut limited = None;
    for _ in 0..20 {
        let r = client
            .get(format!("{}/api/collections", server.base))
            .send()
            .unwrap();
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("a client over its rate gets 429");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let v: serde_json::Value = r.json().unwrap();
    assert_eq!(v["code"], "TooManyRequests");
    // Another client behind the trusted proxy, and the health check, are not held up.
    let other = client
        .get(format!("{}/api/collections", server.base))
        .header("x-forwarded-for", "203.0.113.50")
        .send()
        .unwrap();
    assert_eq!(other.status(), 200);
    for _ in 0..20 {
        let h = client
            .get(format!("{}/healthz", server.base))
            .send()
            .unwrap();
        assert_eq!(h.status(), 200);
    }
}

#[test]
fn metrics_are_off_by_default_and_prometheus_text_when_asked() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(
        rt.block_on(common::get("/metrics")).status,
        StatusCode::NOT_FOUND
    );
    let config = Config {
        metrics: true,
        ..Config::default()
    };
    let app = app_configured(AppState::new(common::store()), &config);
    let _ = rt.block_on(tower::ServiceExt::oneshot(
        app.clone(),
        Request::get("/api/collections/plots/items?limit=1")
            .body(Body::empty())
            .unwrap(),
    ));
    let resp = rt
        .block_on(tower::ServiceExt::oneshot(
            app,
            Request::get("/metrics").body(Body::empty()).unwrap(),
        ))
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(
        rt.block_on(axum::body::to_bytes(resp.into_body(), usize::MAX))
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    for family in [
        "iskp_http_requests_total{route=\"/api/collections/{id}/items\",status=\"200\"}",
        "iskp_http_request_duration_seconds_bucket",
        "iskp_http_requests_in_flight",
        "iskp_snapshot_records",
        "iskp_snapshot_age_seconds",
        "iskp_past_states",
        "iskp_past_states_built_total",
        "iskp_reloads_total",
        "iskp_process_resident_memory_bytes",
    ] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }
}

#[test]
fn unbounded_answers_large_answers_are_gzipped_where_they_are_made_and_read_back_whole() {
    // Compressing megabytes on the async workers would hold up every other request: large pages
    // and downloads are compressed on the work pool, and still read back byte for byte.
    let server = InProcess::start(Config::default());
    let plain = reqwest::blocking::Client::builder()
        .no_gzip()
        .build()
        .unwrap();
    let gzip = reqwest::blocking::Client::builder()
        .gzip(true)
        .build()
        .unwrap();
    for path in [
        "/api/collections/provinces/download?format=geojson",
        "/api/collections/provinces/download?format=csv",
        "/api/collections/provinces/download?format=fgb",
        "/api/collections/provinces/items?limit=2000",
    ] {
        let url = format!("{}{path}", server.base);
        let raw = plain
            .get(&url)
            .header("accept-encoding", "gzip")
            .send()
            .unwrap();
        assert_eq!(raw.status(), 200);
        assert_eq!(
            raw.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        let squeezed = raw.bytes().unwrap().len();
        let identity = plain.get(&url).send().unwrap();
        assert!(identity.headers().get("content-encoding").is_none());
        let identity = identity.bytes().unwrap();
        let unzipped = gzip.get(&url).send().unwrap().bytes().unwrap();
        assert!(
            unzipped == identity,
            "{path}: the same bytes once decompressed"
        );
        assert!(
            squeezed < identity.len(),
            "{path}: {squeezed} of {}",
            identity.len()
        );
    }
}
