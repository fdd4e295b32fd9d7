//! Loading and reloading: every bad row is reported as `file:line: field: reason` and stops the
//! load; a reload that fails changes nothing; readers never see half a dataset.

mod common;

use common::Scratch;
use iskp_map::load::error::LoadError;
use iskp_map::{DataSource, FileSource, Store};
use std::sync::Arc;

fn load(s: &Scratch) -> Result<iskp_map::Snapshot, LoadError> {
    FileSource::new(&s.dir)
        .read()
        .map(iskp_map::Snapshot::from_dataset)
}

fn messages(e: &LoadError) -> Vec<String> {
    e.rows().iter().map(|r| r.to_string()).collect()
}

const GOOD: &str =
    "zz-good,attack,Title,Summary,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,";

#[test]
fn bad_record_rows_name_file_line_field_and_reason() {
    let s = Scratch::new("badrows");
    let file = s.path("records.csv").display().to_string();
    let first = s.last_line("records.csv") + 1;
    let rows = [
        (
            "zz-kind,bombing,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "kind",
            "is not one of",
        ),
        (
            "zz-date,attack,T,S,2024-02-30,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "date",
            "not a valid date",
        ),
        (
            "zz-place,attack,T,S,2024-01-01,,day,Kabol Citty,AFG,near,,,1,,,,claimed,,,,,,,,",
            "place",
            "closest",
        ),
        (
            "zz-outside,attack,T,S,2024-01-01,,day,Kabul,AFG,near,2.35,48.85,1,,,,claimed,,,,,,,,",
            "country",
            "lies in FRA",
        ),
        (
            "zz-count,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,0,,,,claimed,,,,,,,,",
            "count",
            "at least 1",
        ),
        (
            "zz-lat,attack,T,S,2024-01-01,,day,Kabul,AFG,near,69,91,1,,,,claimed,,,,,,,,",
            "lat",
            "outside",
        ),
        (
            "zz-month,attack,T,S,2024-01-15,,month,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "date",
            "first day",
        ),
        (
            "zz-period,attack,T,S,2024-01-01,,period,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "date_end",
            "needs an end",
        ),
        (
            "zz-prec,attack,T,S,2024-01-01,,day,Kabul,AFG,exact,,,1,,,,claimed,,,,,,,,",
            "place",
            "exact precision",
        ),
        (
            "ZZ Bad Id,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "id",
            "a-z",
        ),
        (
            "zz-uncited,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
            "id",
            "citations.csv",
        ),
        (
            "zz-denied,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,XXX,,,,,,",
            "denied_by",
            "not a country",
        ),
        ("zz-short,attack,T,S", "row", "fields"),
    ];
    for (r, _, _) in &rows {
        s.append("records.csv", r);
    }
    for (r, _, _) in &rows[..rows.len() - 1] {
        let id = r.split(',').next().unwrap();
        if id != "zz-uncited" && id != "ZZ Bad Id" {
            s.append("citations.csv", &format!("{id},S1,test"));
        }
    }
    let e = load(&s).expect_err("a bad data set does not load");
    let msgs = messages(&e);
    for (i, (_, field, reason)) in rows.iter().enumerate() {
        let prefix = format!("{file}:{}: {field}: ", first + i);
        assert!(
            msgs.iter()
                .any(|m| m.starts_with(&prefix) && m.contains(reason)),
            "expected `{prefix}… {reason}` among:\n{}",
            msgs.join("\n")
        );
    }
}

#[test]
fn citations_and_sources_are_checked_both_ways() {
    let s = Scratch::new("cites");
    s.append("records.csv", GOOD);
    s.append("citations.csv", "zz-good,S9,nowhere");
    s.append("citations.csv", "zz-ghost,S1,para 1");
    s.append("sources.csv", "S1,Duplicate,Someone,,,");
    let cfile = s.path("citations.csv").display().to_string();
    let sfile = s.path("sources.csv").display().to_string();
    let msgs = messages(&load(&s).err().unwrap());
    let n = s.last_line("citations.csv");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("{cfile}:{}: source_id:", n - 1))),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("{cfile}:{n}: record_id:")) && m.contains("zz-ghost")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("{sfile}:")) && m.contains("earlier row")),
        "{msgs:?}"
    );
}

#[test]
fn headers_and_files_are_checked() {
    let s = Scratch::new("header");
    let text = s
        .read("records.csv")
        .replacen("geo_precision", "geoprecision", 1);
    s.write("records.csv", &text);
    let msgs = messages(&load(&s).err().unwrap());
    assert!(
        msgs.iter()
            .any(|m| m.contains(":1: geoprecision: unknown column")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains(":1: geo_precision: missing column")),
        "{msgs:?}"
    );
    std::fs::remove_file(s.path("places.csv")).unwrap();
    let e = load(&s).err().unwrap();
    assert!(matches!(e, LoadError::Io { .. }));
    assert!(e.to_string().contains("places.csv"), "{e}");
}

#[test]
fn curated_places_must_lie_in_their_country() {
    let s = Scratch::new("places");
    s.append(
        "places.csv",
        "Somewhere,,AFG,landmark,2.35,48.85,wrong country,",
    );
    let file = s.path("places.csv").display().to_string();
    let msgs = messages(&load(&s).err().unwrap());
    let line = s.last_line("places.csv");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("{file}:{line}: lon:")) && m.contains("FRA")),
        "{msgs:?}"
    );
}

/// With a cache directory, a bad gazetteer row still stops the load: the gazetteer left for its
/// first use after a start from an image is for inputs that image proves good, and without an
/// image (none of this data, or an edit since) every row is checked — at start and on reload.
#[test]
fn a_bad_gazetteer_row_stops_a_cached_load_too() {
    let s = Scratch::new("places-cache");
    let cache = s.dir.join("cache");
    let source = || FileSource::new(&s.dir).with_cache(Some(cache.clone()));
    let store = Store::open(Box::new(source())).expect("good data loads");
    s.append(
        "places.csv",
        "Somewhere,,AFG,landmark,2.35,48.85,wrong country,",
    );
    let line = s.last_line("places.csv");
    let want = format!("{}:{line}: lon:", s.path("places.csv").display());
    let msgs = messages(&source().read().err().expect("a bad row stops the load"));
    assert!(msgs.iter().any(|m| m.starts_with(&want)), "{msgs:?}");
    // The same source object twice: its kept boundaries and gazetteer must not stand in for a
    // check either.
    let once = source();
    assert!(once.read().is_err());
    assert!(once.read().is_err(), "a second read checks the rows again");
    assert!(store.reload().is_err(), "a reload checks the rows");
}

#[test]
fn a_failed_reload_keeps_the_previous_snapshot() {
    let s = Scratch::new("reload");
    let store = Store::open(Box::new(FileSource::new(&s.dir))).unwrap();
    let before = store.current();
    s.append(
        "records.csv",
        "zz-broken,attack,T,S,not-a-date,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    s.append("citations.csv", "zz-broken,S1,x");
    assert!(store.reload().is_err());
    let after = store.current();
    assert!(Arc::ptr_eq(&before, &after), "nothing changed");
    // Mend it: the reload goes through and the new record is served.
    let text = s.read("records.csv").replace("not-a-date", "2024-01-01");
    s.write("records.csv", &text);
    let v = store.reload().expect("valid data reloads");
    assert_ne!(v, before.version);
    assert_eq!(store.current().catalog.len(), before.catalog.len() + 1);
    assert!(store.current().catalog.find("zz-broken").is_some());
}

#[test]
fn readers_during_reloads_see_whole_snapshots() {
    let s = Scratch::new("concurrent");
    let store = Arc::new(Store::open(Box::new(FileSource::new(&s.dir))).unwrap());
    let n0 = store.current().catalog.len();
    s.append("records.csv", GOOD);
    s.append("citations.csv", "zz-good,S1,test");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (store, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = std::collections::HashSet::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let snap = store.current();
                    let n = snap.catalog.len();
                    // Within one snapshot, every index agrees with the record list: the country
                    // totals add up to the records placed in one country (a multinational record
                    // belongs to none).
                    let total: u64 = snap.countries.totals.iter().map(|t| t.records).sum();
                    let in_a_country = (0..n as u32)
                        .filter(|&i| snap.catalog.country(i).is_some())
                        .count();
                    assert_eq!(
                        total as usize, in_a_country,
                        "country totals belong to the same snapshot"
                    );
                    assert_eq!(snap.catalog.find("zz-good").is_some(), n == n0 + 1);
                    seen.insert(n);
                }
                seen
            })
        })
        .collect();
    for _ in 0..3 {
        store.reload().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let seen = r.join().expect("no reader panicked");
        assert!(seen.iter().all(|&n| n == n0 || n == n0 + 1), "{seen:?}");
    }
}

/// Regression: a boundary position with one number made the `geojson` crate's conversion panic
/// (found by the `boundaries_geojson` fuzz target); it is now a row error.
#[test]
fn boundary_with_a_one_number_position_is_an_error_not_a_panic() {
    let text = include_str!("fixtures/boundary-one-number-position.geojson");
    let empty = "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n";
    let e = iskp_map::load::boundaries::read("countries.geojson", text, "provinces.geojson", empty)
        .expect_err("rejected");
    let msgs = messages(&e);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("countries.geojson:2: geometry: position")),
        "{msgs:?}"
    );
}

fn features(snap: &iskp_map::Snapshot) -> Vec<String> {
    (0..snap.catalog.len() as u32)
        .map(|i| snap.catalog.feature(i))
        .collect()
}

fn images(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// `--cache`: the second load of unchanged data reads the catalog image and serves exactly what the
/// files give; edited data is loaded from the files again; a damaged image is ignored and replaced.
#[test]
fn the_catalog_cache_serves_the_same_data_and_never_a_stale_one() {
    let s = Scratch::new("cache");
    let cache = s.dir.join("cache");
    let source = || FileSource::new(&s.dir).with_cache(Some(cache.clone()));
    // Serving writes the image in the background; wait until it (and only it) is there. It appears
    // whole, by rename.
    let wait_for_image = |key: &str| {
        let want = iskp_map::load::cache::path(&cache, key);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while images(&cache) != [want.clone()] {
            assert!(std::time::Instant::now() < deadline, "no image written");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let first = source().read().expect("loads");
    assert!(!first.from_cache);
    let store = Store::open(Box::new(source())).expect("loads");
    wait_for_image(first.key.as_deref().unwrap());
    let plain = FileSource::new(&s.dir).load().unwrap();
    let second = source().read().expect("loads");
    assert!(second.from_cache, "unchanged data comes from the image");
    assert_eq!(second.version, plain.version);
    let warm = source().load().unwrap();
    assert_eq!(features(&warm), features(&plain));
    for id in ["2024-03-22-crocus-city-hall", "no-such-record"] {
        assert_eq!(warm.catalog.find(id), plain.catalog.find(id));
    }
    // The gazetteer of a start from the image is built on first use, and is the same one.
    for name in ["Kabul", "Jalalabad", "Moscow", "Nowhere-at-all"] {
        let (a, b) = (
            warm.gazetteer.resolve(name, None, None),
            plain.gazetteer.resolve(name, None, None),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}");
    }
    assert!(warm.gazetteer.resolve("Kabul", None, None).is_ok());

    // An edit changes the data version: the image does not apply, the new record is there, and the
    // old image is replaced by the new one.
    s.append("records.csv", GOOD);
    s.append("citations.csv", "zz-good,S1,test");
    store.reload().expect("edited data reloads");
    assert!(store.current().catalog.find("zz-good").is_some());
    let edited_key = store.current().image_key.clone().unwrap();
    wait_for_image(&edited_key);
    assert!(
        source().read().unwrap().from_cache,
        "the image of the edited data replaced the old"
    );

    // A damaged image is reported and ignored: the files are read and a good image written again.
    let img = images(&cache).remove(0);
    let mut bytes = std::fs::read(&img).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&img, bytes).unwrap();
    let repaired = source().read().expect("loads from the files");
    assert!(!repaired.from_cache);
    assert!(!img.exists(), "the damaged image was removed");
    let served = Store::open(Box::new(source())).expect("loads");
    wait_for_image(&edited_key);
    assert!(
        source().read().unwrap().from_cache,
        "a good image was written again"
    );
    drop(served);
}

async fn get_from(store: &Arc<Store>, uri: &str) -> common::Answer {
    common::send_to(
        store.clone(),
        axum::http::Request::get(uri)
            .header("host", "127.0.0.1:8080")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

/// `/healthz` answers while the process runs; `/readyz` gives the data version and says
/// "degraded", with the reason, while a failed reload leaves an older snapshot serving.
#[tokio::test]
async fn readiness_reports_the_version_and_a_failed_reload() {
    let s = Scratch::new("ready");
    let store = Arc::new(Store::open(Box::new(FileSource::new(&s.dir))).unwrap());
    let alive = get_from(&store, "/healthz").await;
    assert_eq!(alive.status, 200);
    assert_eq!(alive.json()["status"], "alive");
    assert_eq!(alive.header("cache-control"), Some("no-store"));
    assert_eq!(get_from(&store, "/healthz?x=1").await.status, 400);
    let ready = get_from(&store, "/readyz").await.json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["version"], store.current().version.as_str());
    assert_eq!(ready["records"], store.current().catalog.len());
    assert!(ready["last_reload_error"].is_null());

    s.append(
        "records.csv",
        "zz-bad,attack,T,S,2024-13-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    s.append("citations.csv", "zz-bad,S1,x");
    assert!(store.reload().is_err());
    let degraded = get_from(&store, "/readyz").await.json();
    assert_eq!(degraded["status"], "degraded");
    assert_eq!(
        degraded["version"], ready["version"],
        "the old data still serves"
    );
    let why = degraded["last_reload_error"]["error"].as_str().unwrap();
    assert!(why.contains("records.csv") && why.contains("date"), "{why}");

    let text = s.read("records.csv").replace("2024-13-01", "2024-12-01");
    s.write("records.csv", &text);
    store.reload().expect("mended data reloads");
    let again = get_from(&store, "/readyz").await.json();
    assert_eq!(again["status"], "ready");
    assert_ne!(again["version"], ready["version"]);
}

/// Rewrites a CSV text: `f` gets the header and every row (as fields) and may reorder them.
fn rewrite_csv(text: &str, f: impl FnOnce(&mut Vec<String>, &mut Vec<Vec<String>>)) -> String {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    f(&mut header, &mut rows);
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// #20: the data version names what the data says, not how its files are written: the records and
/// citations in another row order, with other quoting and another column order keep it (so a
/// replica applying an edit computes what a full load computes); a changed field, and two
/// citations of one record in the other order (the order they are served in), change it.
#[test]
fn the_data_version_follows_the_data_not_the_layout() {
    let s = Scratch::new("version");
    let v0 = load(&s).unwrap().version;
    let (records, citations) = (s.read("records.csv"), s.read("citations.csv"));
    s.write(
        "records.csv",
        &rewrite_csv(&records, |header, rows| {
            rows.reverse();
            header.swap(1, 2);
            for r in rows.iter_mut() {
                r.swap(1, 2);
            }
        }),
    );
    // Citations grouped by record, the groups in reverse order: each record's own order kept.
    s.write(
        "citations.csv",
        &rewrite_csv(&citations, |_, rows| {
            let mut seen: Vec<String> = Vec::new();
            for r in rows.iter() {
                if !seen.contains(&r[0]) {
                    seen.push(r[0].clone());
                }
            }
            rows.sort_by_key(|r| std::cmp::Reverse(seen.iter().position(|x| *x == r[0])));
        }),
    );
    assert_ne!(s.read("records.csv"), records, "the files did change");
    assert_eq!(load(&s).unwrap().version, v0, "same data, same version");

    // Two citations of one record swapped: another version, and the other order served.
    let two = rewrite_csv(&citations, |_, rows| {
        let first = rows
            .iter()
            .position(|r| rows.iter().filter(|x| x[0] == r[0]).count() > 1)
            .expect("a record with two citations");
        let next = first
            + 1
            + rows[first + 1..]
                .iter()
                .position(|r| r[0] == rows[first][0])
                .unwrap();
        rows.swap(first, next);
    });
    s.write("records.csv", &records);
    s.write("citations.csv", &two);
    assert_ne!(load(&s).unwrap().version, v0);

    // One field edited: another version.
    s.write("citations.csv", &citations);
    s.write("records.csv", &records.replacen(",ISKP ", ",ISKp ", 1));
    assert_ne!(load(&s).unwrap().version, v0);
    s.write("records.csv", &records);
    assert_eq!(load(&s).unwrap().version, v0);
}
