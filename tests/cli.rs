//! The binary: `check`, `geocode`, and `serve` over a real socket with SIGHUP reload and graceful
//! shutdown on SIGTERM.

mod common;

use common::Scratch;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_iskp-map");

#[test]
fn check_prints_totals_and_fails_on_bad_data() {
    let out = Command::new(BIN)
        .args(["check", "--data"])
        .arg(common::geodata())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("AFG Afghanistan") && text.lines().any(|l| l.starts_with("all ")),
        "{text}"
    );
    let s = Scratch::new("cli-check");
    s.append(
        "records.csv",
        "zz-x,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,maybe,,,,,,,,",
    );
    s.append("citations.csv", "zz-x,S1,t");
    let out = Command::new(BIN)
        .args(["check", "--data"])
        .arg(&s.dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = s.last_line("records.csv");
    assert!(
        err.contains(&format!(
            "records.csv:{line}: claim: \"maybe\" is not one of"
        )),
        "{err}"
    );
}

#[test]
fn geocode_reads_csv_and_reports_unresolved_rows() {
    let mut child = Command::new(BIN)
        .args(["geocode", "-", "--data"])
        .arg(common::geodata())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "id,place,country\n1,Mazar-e Sharif,\n2,Kerman,Iran\n3,Kandahr,AFG\n4,Malé,MDV\n"
                .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "one row is unresolved");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let feats = v["features"].as_array().unwrap();
    assert_eq!(feats.len(), 3);
    assert_eq!(feats[0]["properties"]["admin1"], "Balkh");
    assert_eq!(feats[1]["properties"]["country_code"], "IRN");
    assert_eq!(feats[2]["properties"]["country_code"], "MDV");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 4: place:") && err.contains("Kandahar"),
        "{err}"
    );

    let dir = Scratch::new("cli-geocode");
    let input = dir.path("in.csv");
    std::fs::write(&input, "place\nKabul\n").unwrap();
    let out = Command::new(BIN)
        .arg("geocode")
        .arg(&input)
        .args(["--csv", "--data"])
        .arg(common::geodata())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("place,lon,lat,geo_precision,level,country_code"),
        "{text}"
    );
    assert!(
        text.contains("Kabul,69.17233,34.52813,near,city,AFG"),
        "{text}"
    );
    let missing = Command::new(BIN)
        .args(["geocode", "/no/such/file.csv"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

async fn count(base: &str) -> u64 {
    common::matched(base, "/api/collections/incidents/items?limit=1").await
}

#[tokio::test]
async fn serve_reloads_on_sighup_and_stops_gracefully_on_sigterm() {
    let s = Scratch::new("cli-serve");
    let mut server = common::Server::start(&s.dir);
    let n0 = count(&server.base).await;
    let resp = reqwest::get(format!(
        "{}/api/collections/attacks/items?bbox=1,2,3",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 400);

    // A broken edit is rejected: the old data keeps serving.
    s.append(
        "records.csv",
        "zz-hup,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    server.signal("HUP");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count(&server.base).await,
        n0,
        "uncited record: reload rejected"
    );
    // Mended: the reload goes through.
    s.append("citations.csv", "zz-hup,S1,test");
    server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&server.base).await != n0 + 1 {
        assert!(Instant::now() < deadline, "reload did not happen");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.signal("TERM");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "graceful shutdown exits 0: {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn generate_writes_a_valid_deterministic_data_directory() {
    let a = Scratch::new("gen-a");
    let b = Scratch::new("gen-b");
    for dir in [&a.dir, &b.dir] {
        let out = Command::new(BIN)
            .args(["generate", "--count", "3000", "--seed", "5", "--out"])
            .arg(dir)
            .arg("--data")
            .arg(common::geodata())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        a.read("records.csv"),
        b.read("records.csv"),
        "same count and seed, same records"
    );
    let check = Command::new(BIN)
        .args(["check", "--data"])
        .arg(&a.dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("3000 records citing 1 sources"));
}

/// An installed binary works from any directory: with no `geodata/` or `web/` beside it, it serves
/// the data and the map page built into it, and `check` validates that data.
#[tokio::test]
async fn the_binary_serves_the_full_map_from_anywhere() {
    let dir = std::env::temp_dir().join(format!("iskp-map-anywhere-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("iskp-map");
    std::fs::copy(BIN, &bin).unwrap();
    let check = Command::new(&bin)
        .arg("check")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let records = common::store().current().catalog.len() as u64;
    assert!(String::from_utf8_lossy(&check.stdout).contains(&format!("{records} records")));

    let server = common::Server::start_program(&bin, Some(&dir), &[]);
    let get = |path: &str| {
        let url = format!("{}{path}", server.base);
        async move { reqwest::get(url).await.unwrap() }
    };
    let page = get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/static/app.js"));
    for asset in [
        "/static/app.js",
        "/vendor/leaflet/leaflet.js",
        "/vendor/leaflet/leaflet.css",
    ] {
        let a = get(asset).await;
        assert_eq!(a.status(), 200, "{asset}");
        assert!(
            a.headers()["etag"].to_str().unwrap().starts_with('"'),
            "{asset}"
        );
    }
    assert_eq!(get("/static/nothing.js").await.status(), 404);
    assert_eq!(get("/static/../Cargo.toml").await.status(), 404);
    assert_eq!(
        common::matched(&server.base, "/api/collections/incidents/items?limit=1").await,
        records
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
