//! The hostile matrix of issue #17 as a test: a generated set of hostile requests — query strings,
//! paths, headers, methods, raw HTTP/1.1 and HTTP/2 — sent to the real server binary on loopback,
//! eight at a time, while a probe asks `/healthz` every 50 ms.
//!
//! Asserted: no answer is a 5xx; every error answer (4xx) is JSON with a `code`; the probe is
//! answered throughout, each time within a second; the server logs no warning or error; it is
//! still ready at the end. Bounded: about 2 500 requests, short connection timeouts, a minute at
//! most (a few seconds on two cores).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one case sends.
#[derive(Clone, Debug)]
enum Case {
    /// Raw bytes on a new HTTP/1.1 connection.
    Raw(String, Vec<u8>),
    /// An HTTP/2 request (prior knowledge): what, the path, extra headers.
    H2(String, String, Vec<(String, String)>),
    /// Raw bytes after the HTTP/2 preface: frames the server must survive.
    H2Frames(String, Vec<u8>),
}

/// A small deterministic generator (xorshift), so the matrix is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn pct(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,:/".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn get(target: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut r = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.into_bytes()
}

const ENDPOINTS: &[&str] = &[
    "/api/collections/incidents/items",
    "/api/collections/attacks/items",
    "/api/collections/provinces/items",
    "/api/collections/incidents/clusters",
    "/api/collections/plots/clusters",
    "/api/collections/incidents/tiles/WebMercatorQuad/2/1/2",
    "/api/collections/provinces/tiles/WebMercatorQuad/5/12/22",
    "/api/collections/incidents/download",
    "/api/collections/countries/download",
    "/api/stats",
    "/api/geocode",
    "/api/collections/incidents",
    "/api/collections/incidents/queryables",
    "/api/collections/incidents/schema",
    "/api/sources",
    "/api/citation",
    "/api",
    "/api/conformance",
    "/api/openapi.json",
    "/api/docs",
    "/healthz",
    "/readyz",
    "/",
];

const PARAMS: &[&str] = &[
    "bbox",
    "datetime",
    "datetime_match",
    "kind",
    "country",
    "province",
    "claim",
    "geo_precision",
    "limit",
    "offset",
    "zoom",
    "f",
    "format",
    "by",
    "period",
    "q",
    "exact",
    "bogus",
    "",
    "bbox[]",
];

fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\u{0}",
        "-1",
        "0",
        "1e309",
        "NaN",
        "inf",
        "-0",
        "+5",
        "1.5",
        "99999999999999999999999999",
        "180,90,-180,-90",
        "-180,-90,180,90",
        "0,0,0,0",
        "1,2,3",
        "1,2,3,4,5,6,7",
        "60,29,75,39,",
        "a,b,c,d",
        "2024-13-45",
        "2024-02-30",
        "../..",
        "2020-01-01/../..",
        "2024-01-01T00:00:00+05:00/..",
        "2024-01-01 / 2023-01-01",
        "..",
        "/",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "'; DROP TABLE records; --",
        "../../../../etc/passwd",
        "%00",
        "%ff%fe",
        "\u{202e}gnp.exe",
        "Kabul",
        "kabul kabul kabul kabul kabul kabul kabul kabul kabul kabul kabul kabul kabul",
        "=HYPERLINK(\"http://x\")",
        "html",
        "json",
        "xml",
        "text/html",
        "fgb",
        "csv",
        "geojson",
        "true",
        "TRUE",
        "within",
        "attack",
        "AFG",
        "AFG-1762",
        "22",
        "23",
        "255",
        "10001",
        "😀😀😀",
        "Ḱ̶̢a̸b̷u̸l̴",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("9".repeat(400));
    v.push("a".repeat(2100));
    v.push("qzx ".repeat(500));
    v.push("é".repeat(1500));
    v
}

/// The whole matrix, in a fixed order.
fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut rng = Rng(0x1517_2026);
    let values = hostile_values();
    // Query strings: every endpoint × parameter × a sample of hostile values, plus pairs and
    // repeats.
    for e in ENDPOINTS {
        for p in PARAMS {
            for _ in 0..4 {
                let v = rng.pick(&values);
                let target = format!("{e}?{}={}", pct(p), pct(v));
                cases.push(Case::Raw(format!("query {target:.80}"), get(&target, &[])));
            }
        }
        for _ in 0..8 {
            let (p1, p2) = (rng.pick(PARAMS), rng.pick(PARAMS));
            let (v1, v2) = (rng.pick(&values), rng.pick(&values));
            let target = format!("{e}?{}={}&{}={}&{p1}=x", pct(p1), pct(v1), pct(p2), pct(v2));
            cases.push(Case::Raw(format!("pair {target:.80}"), get(&target, &[])));
        }
        for raw in [
            "?&&&&",
            "?=",
            "?==",
            "?%",
            "?%zz=1",
            "?a%00b=1",
            "?limit=1&limit=2",
            "?;;;",
            "?bbox=1%2C2%2C3%2C4%2C",
        ] {
            let target = format!("{e}{raw}");
            cases.push(Case::Raw(format!("raw query {target}"), get(&target, &[])));
        }
    }
    // Paths.
    let mut paths: Vec<String> = [
        "/api/collections/nothing/items",
        "/api/collections/%2e%2e/items",
        "/api/collections/..%2f..%2fetc%2fpasswd/items",
        "/api/collections/%ff%fe/items",
        "/api/collections/incidents/items/%c3%28",
        "/api/collections/incidents/items/..%2f..",
        "/api/collections/incidents/items/<script>",
        "/api/collections/incidents/items/zz%00",
        "/api/collections/incidents/items/",
        "/api/collections/",
        "/api/collections//items",
        "/api//collections",
        "//api",
        "/api/../api",
        "/static/../Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..\\..\\Cargo.toml",
        "/static/app.js%00.png",
        "/static/",
        "/static",
        "/static/%ff.js",
        "/static/%c3%28.js",
        "/static/nothing.js",
        "/static/./app.js",
        "/static//app.js",
        "/vendor/leaflet/../../package.json",
        "/vendor/leaflet/%2e%2e/%2e%2e/package.json",
        "/vendor/",
        "/vendor/nothing/x.js",
        "/index.html",
        "/.git/config",
        "/.env",
        "/metrics",
        "/api/collections/incidents/items.json",
        "/api/collections/incidents/clusters/x",
        "/api/collections/incidents/tiles/WebMercatorQuad/99999999999/0/0",
        "/api/collections/incidents/tiles/WebMercatorQuad/22/4294967295/4294967295",
        "/api/collections/incidents/tiles/WebMercatorQuad/0/0/0/0",
        "/api/collections/incidents/tiles/WebMercatorQuad/-0/+0/0x0",
        "/api/collections/countries/tiles/WebMercatorQuad/22/1700000/2900000",
        "/api/tileMatrixSets/%00",
        "/healthz/x",
        "/%",
        "/%%",
        "/%zz",
        "/\u{1}",
        "/😀",
        "/api/collections/incidents/items?",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [254, 255, 256, 300, 1000, 4000] {
        paths.push(format!("/static/{}.js", "a".repeat(n)));
        paths.push(format!("/vendor/leaflet/{}", "b".repeat(n)));
        paths.push(format!("/api/collections/{}/items", "c".repeat(n)));
        paths.push(format!(
            "/api/collections/incidents/items/{}",
            "d".repeat(n)
        ));
        paths.push(format!("/{}", "e".repeat(n)));
    }
    paths.push(format!("/api/collections?x={}", "y".repeat(9000)));
    paths.push(format!("/{}", "z/".repeat(3000)));
    for _ in 0..120 {
        let mut p = String::from("/");
        for _ in 0..(1 + rng.next() % 5) {
            let seg = *rng.pick(&[
                "api",
                "collections",
                "incidents",
                "items",
                "..",
                "%2e%2e",
                "%ff",
                "%00",
                "static",
                "vendor",
                "leaflet",
                "%c0%af",
                "%e2%80%ae",
                "clusters",
                "download",
                "",
                "*",
                "~",
                "%20",
            ]);
            p.push_str(seg);
            p.push('/');
        }
        paths.push(p);
    }
    for p in &paths {
        cases.push(Case::Raw(format!("path {p:.80}"), get(p, &[])));
    }
    // Headers.
    let long = "h".repeat(30_000);
    let many: String = (0..120).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let header_cases: Vec<(&str, String)> = vec![
        ("Accept", "text/html;q=0".into()),
        ("Accept", "text/html;q=abc".into()),
        ("Accept", "text/html;q=2".into()),
        ("Accept", "*/*;q=0".into()),
        ("Accept", ";;;,,,".into()),
        ("Accept", "text/html, ".repeat(500)),
        ("Accept", "\u{7f}".into()),
        ("Accept-Encoding", "gzip;q=0, br;q=nan".into()),
        ("Accept-Encoding", "zstd, compress, x-evil".into()),
        ("Host", "evil.example".into()),
        ("Host", "".into()),
        ("Host", "a b c".into()),
        ("Host", "x".repeat(300)),
        ("Host", "[::1]:99999".into()),
        ("Host", "127.0.0.1:8080/../../x".into()),
        ("If-None-Match", "*".into()),
        ("If-None-Match", "W/\"x\", ".repeat(1000)),
        ("If-None-Match", "\"".into()),
        ("If-Modified-Since", "yesterday".into()),
        ("Range", "bytes=0-0,1-1,2-2,3-3".into()),
        ("Range", "bytes=99999999-".into()),
        ("Range", "bytes=-".into()),
        ("X-Forwarded-For", "1.1.1.1, ::1, garbage, 999.1.1.1".into()),
        ("X-Forwarded-For", "x".repeat(5000)),
        ("X-Forwarded-Proto", "javascript".into()),
        ("X-Forwarded-Host", "evil.example".into()),
        ("Origin", "null".into()),
        ("Origin", "https://evil.example".into()),
        ("Cookie", long.clone()),
        ("Content-Length", "5".into()),
        ("Content-Length", "-1".into()),
        ("Content-Length", "99999999999999999999".into()),
        ("Transfer-Encoding", "chunked".into()),
        ("Transfer-Encoding", "gzip, chunked".into()),
        ("Expect", "100-continue".into()),
        ("Connection", "Upgrade, HTTP2-Settings".into()),
        ("Upgrade", "h2c".into()),
        ("Upgrade", "websocket".into()),
        ("User-Agent", "\u{80}\u{81}".into()),
        ("X-Long", long),
    ];
    let header_targets = [
        "/api/collections",
        "/api/collections/incidents/items?limit=2",
        "/static/app.js",
        "/",
        "/api/docs",
        "/api/collections/incidents/download?format=csv",
    ];
    for (k, v) in &header_cases {
        for t in header_targets {
            cases.push(Case::Raw(
                format!("header {k}: {v:.40} on {t}"),
                get(t, &[(k, v)]),
            ));
        }
    }
    for t in header_targets {
        let mut r =
            format!("GET {t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{many}\r\n").into_bytes();
        cases.push(Case::Raw(format!("120 headers on {t}"), r.clone()));
        r.truncate(r.len() - 2);
        r.extend_from_slice(b"Host: second\r\n\r\n");
        cases.push(Case::Raw(format!("two Host headers on {t}"), r));
        cases.push(Case::Raw(
            format!("CORS preflight on {t}"),
            format!(
                "OPTIONS {t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: https://e.x\r\nAccess-Control-Request-Method: DELETE\r\nAccess-Control-Request-Headers: x-evil\r\n\r\n"
            )
            .into_bytes(),
        ));
    }
    // Methods.
    for m in [
        "POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "OPTIONS", "HEAD", "get",
        "G E T", "GETT", "\u{0}GET", "MKCOL", "LOCK", "X",
    ] {
        for t in [
            "/api",
            "/api/collections/incidents/items",
            "/static/app.js",
            "/",
            "/nothing",
        ] {
            let body = "x=1";
            cases.push(Case::Raw(
                format!("method {m} {t}"),
                format!(
                    "{m} {t} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            ));
        }
    }
    // Raw HTTP/1.1.
    let raws: Vec<(&str, Vec<u8>)> = vec![
        ("HTTP/0.9", b"GET /api\r\n\r\n".to_vec()),
        ("HTTP/1.0 no Host", b"GET /api HTTP/1.0\r\n\r\n".to_vec()),
        ("HTTP/2.0 in a request line", b"GET /api HTTP/2.0\r\nHost: x\r\n\r\n".to_vec()),
        ("HTTP/9.9", b"GET /api HTTP/9.9\r\nHost: x\r\n\r\n".to_vec()),
        ("bare LF", b"GET /api HTTP/1.1\nHost: x\n\n".to_vec()),
        ("bare CR", b"GET /api HTTP/1.1\rHost: x\r\r".to_vec()),
        ("obs-fold", b"GET /api HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n".to_vec()),
        ("NUL in the target", b"GET /a\x00pi HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("NUL in a header", b"GET /api HTTP/1.1\r\nHost: x\x00y\r\n\r\n".to_vec()),
        ("space before colon", b"GET /api HTTP/1.1\r\nHost : x\r\n\r\n".to_vec()),
        ("no colon", b"GET /api HTTP/1.1\r\nHost x\r\n\r\n".to_vec()),
        ("empty header name", b"GET /api HTTP/1.1\r\n: x\r\n\r\n".to_vec()),
        ("extra spaces", b"GET  /api  HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("tab separators", b"GET\t/api\tHTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("absolute target", b"GET http://evil.example/api HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("authority target", b"GET evil.example:80 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("asterisk target", b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("no target", b"GET HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("only CRLFs", b"\r\n\r\n\r\n\r\n".to_vec()),
        ("binary garbage", (0..=255u8).cycle().take(2048).collect()),
        ("a TLS ClientHello", vec![0x16, 3, 1, 0, 0xa5, 1, 0, 0, 0xa1, 3, 3, 0, 0, 0, 0]),
        (
            "CL and TE (smuggling)",
            b"GET /api HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        (
            "two Content-Lengths",
            b"GET /api HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_vec(),
        ),
        (
            "a bad chunk size",
            b"GET /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(),
        ),
        (
            "a huge chunk size",
            b"GET /api HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n".to_vec(),
        ),
        ("a request line of 70 KB", format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000)).into_bytes()),
        ("an unfinished head", b"GET /api HTTP/1.1\r\nHost: x\r\nX-A: b".to_vec()),
        ("an unfinished request line", b"GET /api HTT".to_vec()),
        ("h2 preface on HTTP/1.1 after a request", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec()),
        ("h2c upgrade", b"GET /api HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n".to_vec()),
        ("websocket upgrade", b"GET /api HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec()),
        (
            "ten pipelined requests",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".repeat(9).into_iter().chain(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".iter().copied()).collect(),
        ),
        ("a body on GET", b"GET /api HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100000\r\n\r\nabc".to_vec()),
    ];
    for (what, bytes) in raws {
        cases.push(Case::Raw(format!("raw {what}"), bytes));
    }
    for i in 0..60 {
        // Mutations of a valid request: one byte flipped.
        let mut b = get(
            "/api/collections/incidents/items?limit=3&bbox=60,29,75,39",
            &[],
        );
        let at = (rng.next() % b.len() as u64) as usize;
        b[at] = (rng.next() % 256) as u8;
        cases.push(Case::Raw(format!("mutation {i} at {at}"), b));
    }
    // HTTP/2 requests.
    for p in paths.iter().take(60) {
        cases.push(Case::H2(format!("h2 path {p:.60}"), p.clone(), vec![]));
    }
    for e in ENDPOINTS {
        for _ in 0..3 {
            let (p, v) = (rng.pick(PARAMS), rng.pick(&values));
            let target = format!("{e}?{}={}", pct(p), pct(v));
            cases.push(Case::H2(format!("h2 query {target:.60}"), target, vec![]));
        }
    }
    for (k, v) in [
        ("accept", "text/html;q=0"),
        ("if-none-match", "*"),
        ("x-forwarded-for", "garbage"),
        ("accept-encoding", "br;q=abc"),
        ("range", "bytes=5-1"),
    ] {
        cases.push(Case::H2(
            format!("h2 header {k}"),
            "/api/collections".into(),
            vec![(k.into(), v.into())],
        ));
    }
    // HTTP/2 frames: after the preface and an empty SETTINGS.
    let frame = |len: u32, ty: u8, flags: u8, stream: u32, payload: &[u8]| {
        let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, ty, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    };
    let get_headers = [0x82u8, 0x86, 0x84, 0x41, 0x01, b'x']; // GET http / :authority x
    let mut frames: Vec<(&str, Vec<u8>)> = vec![
        (
            "SETTINGS with a bad length",
            frame(5, 4, 0, 0, &[0, 1, 0, 0, 0]),
        ),
        ("SETTINGS on a stream", frame(0, 4, 0, 1, &[])),
        (
            "a huge window update",
            frame(4, 8, 0, 0, &0x7fff_ffffu32.to_be_bytes()),
        ),
        (
            "a zero window update",
            frame(4, 8, 0, 1, &0u32.to_be_bytes()),
        ),
        ("DATA on stream 0", frame(3, 0, 0, 0, b"abc")),
        ("CONTINUATION without HEADERS", frame(1, 9, 4, 1, &[0x82])),
        ("HEADERS on an even stream", frame(6, 1, 5, 2, &get_headers)),
        (
            "HEADERS with bad HPACK",
            frame(4, 1, 5, 1, &[0xff, 0xff, 0xff, 0xff]),
        ),
        ("PRIORITY on itself", frame(5, 2, 0, 1, &[0, 0, 0, 1, 0])),
        ("an unknown frame type", frame(4, 0xee, 0, 1, b"abcd")),
        (
            "a frame over the maximum size",
            frame(0x00ff_ffff, 0, 0, 1, b""),
        ),
        (
            "GOAWAY then HEADERS",
            [frame(8, 7, 0, 0, &[0; 8]), frame(6, 1, 5, 1, &get_headers)].concat(),
        ),
        (
            "RST_STREAM on an idle stream",
            frame(4, 3, 0, 7, &[0, 0, 0, 8]),
        ),
        (
            "PUSH_PROMISE from a client",
            frame(4, 5, 4, 1, &[0, 0, 0, 2]),
        ),
    ];
    // Rapid reset: many streams opened and cancelled at once.
    let mut reset = Vec::new();
    for s in (1..400u32).step_by(2) {
        reset.extend(frame(6, 1, 5, s, &get_headers));
        reset.extend(frame(4, 3, 0, s, &[0, 0, 0, 8]));
    }
    frames.push(("rapid reset: 200 streams opened and reset", reset));
    let mut pings = Vec::new();
    for _ in 0..2000 {
        pings.extend(frame(8, 6, 0, 0, &[1; 8]));
    }
    frames.push(("a ping flood", pings));
    let mut headers_flood = Vec::new();
    for s in (1..600u32).step_by(2) {
        headers_flood.extend(frame(6, 1, 5, s, &get_headers));
    }
    frames.push(("300 streams at once", headers_flood));
    frames.push((
        "HEADERS of 60 KB of CONTINUATION",
        [
            frame(1, 1, 1, 1, &[0x82]),
            (0..60)
                .flat_map(|_| frame(1024, 9, 0, 1, &[0x40; 1024]))
                .collect::<Vec<u8>>(),
        ]
        .concat(),
    ));
    for i in 0..20 {
        let garbage: Vec<u8> = (0..200).map(|_| (rng.next() % 256) as u8).collect();
        frames.push(("random frames", garbage));
        let _ = i;
    }
    for (what, bytes) in frames {
        cases.push(Case::H2Frames(format!("h2 frames: {what}"), bytes));
    }
    cases
}

/// One parsed HTTP/1.1 answer: status, headers in lower case, body (chunked decoded).
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

fn parse(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut rest = &bytes[end + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap_or(0);
            if size == 0 || rest.len() < nl + 2 + size {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + size]);
            rest = &rest[nl + 2 + size + 2.min(rest.len() - nl - 2 - size)..];
        }
        out
    } else {
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(rest.len());
        rest[..len.min(rest.len())].to_vec()
    };
    Some(Answer { status, head, body })
}

/// Checks one answer: never 5xx; an error is JSON with a `code`.
fn check(what: &str, head_request: bool, a: &Answer, failures: &Mutex<Vec<String>>) {
    let fail = |why: String| failures.lock().unwrap().push(format!("{what}: {why}"));
    if a.status >= 500 {
        fail(format!("status {}", a.status));
        return;
    }
    if a.status >= 400 {
        if !a.head.contains("content-type: application/json") {
            fail(format!(
                "{} without a JSON content type: {:.300}",
                a.status, a.head
            ));
            return;
        }
        if a.head.contains("content-encoding:") || head_request {
            return; // compressed JSON, or the answer to HEAD (no body): the type says enough
        }
        match serde_json::from_slice::<serde_json::Value>(&a.body) {
            Ok(v) if v["code"].is_string() => {}
            _ => fail(format!(
                "{} body is not an API error: {:.200}",
                a.status,
                String::from_utf8_lossy(&a.body)
            )),
        }
    }
}

fn run_raw(addr: &str, what: &str, bytes: &[u8], failures: &Mutex<Vec<String>>) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        failures
            .lock()
            .unwrap()
            .push(format!("{what}: cannot connect"));
        return;
    };
    s.set_read_timeout(Some(Duration::from_secs(4))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(4))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    // Pipelined and keep-alive answers: check each head found.
    let mut rest = &out[..];
    while let Some(a) = parse(rest) {
        check(what, bytes.starts_with(b"HEAD "), &a, failures);
        let Some(next) = rest[4..]
            .windows(9)
            .position(|w| w == b"HTTP/1.1 " || w == b"HTTP/1.0 ")
        else {
            break;
        };
        rest = &rest[4 + next..];
    }
}

async fn run_h2(
    addr: &str,
    what: &str,
    path: &str,
    headers: &[(String, String)],
) -> Result<(), String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (client, conn) = h2::client::handshake(tcp)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut client = client.ready().await.map_err(|e| e.to_string())?;
    let mut req = axum::http::Request::get(format!("http://{addr}{path}"));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let Ok(req) = req.body(()) else {
        return Ok(()); // a path no client could send
    };
    let (resp, _) = client
        .send_request(req, true)
        .map_err(|e| format!("{what}: {e}"))?;
    let resp = resp.await.map_err(|e| format!("{what}: {e}"))?;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body = resp.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
        if bytes.len() > 8 << 20 {
            break;
        }
    }
    if status >= 500 {
        return Err(format!("{what}: status {status}"));
    }
    if status >= 400 && !ct.starts_with("application/json") {
        return Err(format!("{what}: {status} with content type {ct:?}"));
    }
    Ok(())
}

fn run_h2_frames(addr: &str, what: &str, bytes: &[u8], failures: &Mutex<Vec<String>>) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        failures
            .lock()
            .unwrap()
            .push(format!("{what}: cannot connect"));
        return;
    };
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    let _ = s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00");
    let _ = s.write_all(bytes);
    let mut sink = vec![0u8; 64 * 1024];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

#[test]
fn the_hostile_matrix_gets_no_5xx_json_errors_and_a_server_that_answers_throughout() {
    let started = Instant::now();
    let cases = matrix();
    assert!(cases.len() >= 2000, "{} cases", cases.len());
    let data = common::geodata();
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    // ISKP_MAP_BIN runs the matrix against another build (one from before issue #17, which has
    // none of the flags below).
    let other = std::env::var("ISKP_MAP_BIN").ok();
    let flags: &[&str] = if other.is_some() {
        &[]
    } else {
        &[
            "--handshake-timeout",
            "1",
            "--idle-timeout",
            "2",
            "--send-timeout",
            "5",
            // Fairness is tested on its own (tests/hardening.rs); here every case must reach the
            // code it aims at.
            "--client-rate",
            "0",
            "--client-concurrency",
            "0",
        ]
    };
    let bin = other.unwrap_or_else(|| env!("CARGO_BIN_EXE_iskp-map").to_string());
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--web")
        .arg(&web)
        .args(flags)
        .env("RUST_LOG", "iskp_map=info")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split("serving http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<String>>());
    let failures = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The probe: a cheap request every 50 ms, each on a new connection.
    let probe = {
        let (addr, done) = (addr.clone(), done.clone());
        std::thread::spawn(move || {
            let mut worst = Duration::ZERO;
            let mut answered = 0;
            let mut missed = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = TcpStream::connect(&addr)
                    .and_then(|mut s| {
                        s.set_read_timeout(Some(Duration::from_secs(2)))?;
                        s.write_all(
                            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        )?;
                        let mut out = Vec::new();
                        s.read_to_end(&mut out)?;
                        Ok(out.starts_with(b"HTTP/1.1 200"))
                    })
                    .unwrap_or(false);
                let took = t.elapsed();
                if ok {
                    answered += 1;
                } else {
                    missed.push(format!("{:?}", t));
                }
                worst = worst.max(took);
                std::thread::sleep(Duration::from_millis(50));
            }
            (answered, missed, worst)
        })
    };
    let next = Arc::new(AtomicUsize::new(0));
    let cases = Arc::new(cases);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (addr, next, cases, failures) =
                (addr.clone(), next.clone(), cases.clone(), failures.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    match case {
                        Case::Raw(what, bytes) => run_raw(&addr, what, bytes, &failures),
                        Case::H2(what, path, headers) => {
                            let r = rt.block_on(async {
                                tokio::time::timeout(
                                    Duration::from_secs(5),
                                    run_h2(&addr, what, path, headers),
                                )
                                .await
                            });
                            match r {
                                Ok(Ok(())) => {}
                                Ok(Err(e))
                                    if e.contains("status") || e.contains("content type") =>
                                {
                                    failures.lock().unwrap().push(e)
                                }
                                // A stream reset or a refused request is an answer, not a fault.
                                Ok(Err(_)) => {}
                                Err(_) => failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("{what}: no answer in 5 s")),
                            }
                        }
                        Case::H2Frames(what, bytes) => run_h2_frames(&addr, what, bytes, &failures),
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let (answered, missed, worst) = probe.join().unwrap();
    // Still ready at the end.
    let ready = TcpStream::connect(&addr)
        .and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
            let mut out = Vec::new();
            s.read_to_end(&mut out)?;
            Ok(String::from_utf8_lossy(&out).contains("\"status\":\"ready\""))
        })
        .unwrap_or(false);
    let _ = child.kill();
    let _ = child.wait();
    let log = log.join().unwrap();
    let noisy: Vec<&String> = log
        .iter()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    let failures = failures.lock().unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "hostile matrix: {} cases in {elapsed:.1?}; probe answered {answered}, missed {}, slowest {worst:?}; {} log lines",
        cases.len(),
        missed.len(),
        log.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(ready, "the server is still ready");
    assert!(missed.is_empty(), "probe missed: {missed:?}");
    assert!(answered >= 5, "the probe ran: {answered}");
    assert!(worst < Duration::from_secs(1), "slowest probe {worst:?}");
    assert!(noisy.is_empty(), "warnings or errors logged:\n{noisy:#?}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}
