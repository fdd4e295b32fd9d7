//! Team mode against a real PostgreSQL + PostGIS (Debian's packages, a fresh cluster per test on a
//! free loopback port): import → serve → the same answers as files; replicas follow SQL edits and
//! refuse broken ones; the database stopped and restarted under running replicas.

mod common;

use common::pg::Pg;
use common::{geodata, get_as_served, metric, Got, Scratch, Server};
use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_iskp-map");

fn iskp(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A database with the schema and the repository's data.
fn loaded(tag: &str) -> Pg {
    let pg = Pg::start(tag);
    let url = pg.url();
    let init = iskp(&["db", "init", "--db", &url]);
    assert!(init.status.success(), "{}", text(&init));
    import_geodata(&url);
    pg
}

/// `db import` of the repository's data, which must succeed; returns what it said.
fn import_geodata(url: &str) -> String {
    let o = iskp(&[
        "db",
        "import",
        "--db",
        url,
        "--data",
        geodata().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

/// `db export` into a scratch directory, which must succeed.
fn export_to(url: &str, out: &Scratch) {
    let o = iskp(&[
        "db",
        "export",
        "--db",
        url,
        "--out",
        out.dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

fn get(base: &str, path: &str) -> Got {
    get_as_served(base, path)
}

fn json(base: &str, path: &str) -> Value {
    serde_json::from_str(&get(base, path).body).unwrap()
}

fn title(base: &str, id: &str) -> String {
    let f = json(base, &format!("/api/collections/incidents/items/{id}"));
    f["properties"]["title"].as_str().unwrap().to_string()
}

/// Waits until `f` holds, up to `limit`; returns how long it took.
fn until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
    t.elapsed()
}

/// The answer with its `timeStamp` blanked: the only field that differs between two sources of
/// the same data (it is when each last changed).
fn without_timestamp(body: &str) -> String {
    let mut v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => return body.to_string(),
    };
    if let Some(o) = v.as_object_mut() {
        o.remove("timeStamp");
    }
    v.to_string()
}

/// The data version an entity tag was made from.
fn version_of(etag: &str) -> &str {
    etag.trim_start_matches("W/\"").split('.').next().unwrap()
}

const ID: &str = "2018-darzab-taliban-offensive";

#[test]
fn import_validates_round_trips_and_serves_what_files_serve() {
    let pg = Pg::start("roundtrip");
    let url = pg.url();
    let first = iskp(&["db", "init", "--db", &url]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains(&format!(
            "schema version 0 -> {}",
            iskp_map::db::schema::VERSION
        )),
        "{}",
        text(&first)
    );
    let again = iskp(&["db", "init", "--db", &url]);
    assert!(
        text(&again).contains(&format!(
            "already at version {}",
            iskp_map::db::schema::VERSION
        )),
        "{}",
        text(&again)
    );

    // PostGIS goes to public even for a role named like the schema (whose "$user" is iskp).
    let ns: String = pg
        .client()
        .query_one(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(ns, "public");

    // Invalid data: the same message as `check`, and the database untouched.
    let bad = Scratch::new("team-bad");
    let line = bad.last_line("records.csv") + 1;
    bad.append(
        "records.csv",
        "zz-bad,attack,T,S,2024-02-30,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    bad.append("citations.csv", "zz-bad,S1,test");
    let refused = iskp(&[
        "db",
        "import",
        "--db",
        &url,
        "--data",
        bad.dir.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let want = format!("records.csv:{line}: date: ");
    assert!(text(&refused).contains(&want), "{}", text(&refused));
    let check = iskp(&["check", "--data", bad.dir.to_str().unwrap()]);
    assert!(
        text(&check).contains(&want),
        "check says the same: {}",
        text(&check)
    );
    let n: i64 = pg
        .client()
        .query_one("SELECT count(*) FROM iskp.records", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "a refused import writes nothing");

    let import = import_geodata(&url);
    let records = common::store().current().catalog.len();
    assert!(
        import.contains(&format!("imported {records} records")),
        "{}",
        import
    );
    assert!(
        !import.contains("note:"),
        "geodata/ is canonical: {}",
        import
    );

    // Export gives back the very same bytes, whatever the server's date style.
    pg.sql("ALTER DATABASE iskp SET DateStyle = 'SQL, DMY'");
    let out = Scratch::new("team-export");
    export_to(&url, &out);
    for f in iskp_map::load::FILES {
        assert!(
            std::fs::read(out.path(f)).unwrap() == std::fs::read(geodata().join(f)).unwrap(),
            "{f} round-trips byte for byte"
        );
    }

    // GIS clients see the tables as layers: GDAL's PostgreSQL driver, which QGIS shares the
    // PostGIS conventions with (geometry_columns, a primary key per table).
    let conn = format!("PG:host=127.0.0.1 port={} dbname=iskp user=iskp", pg.port);
    let listing = Command::new("ogrinfo")
        .args(["-ro", "-q", &conn])
        .output()
        .unwrap();
    let listing = text(&listing);
    // (`iskp.records`, or `records` when schema iskp is on the role's search path.)
    for layer in ["records (Point)", "places (Point)", "boundaries"] {
        assert!(listing.contains(layer), "{layer} in {listing}");
    }
    let info = Command::new("ogrinfo")
        .args(["-ro", "-so", &conn, "iskp.records"])
        .output()
        .unwrap();
    let info = text(&info);
    let records = common::store().current().catalog.len();
    assert!(
        info.contains(&format!("Feature Count: {records}")),
        "{info}"
    );
    assert!(info.contains("Geometry Column = geom"), "{info}");
    assert!(info.contains("id: String (0.0) UNIQUE NOT NULL"), "{info}");
    assert!(info.contains("ID[\"EPSG\",4326]"), "{info}");

    // Served from the database, the answers are those of the files.
    let from_db = Server::start_with(&["--db", &url]);
    // With a journal, files keep a history as the database does (the landing page links its feed).
    let journal = Scratch::new("import-journal");
    let from_files = Server::start_with(&[
        "--data",
        geodata().to_str().unwrap(),
        "--history",
        journal.path("history.ndjson").to_str().unwrap(),
    ]);
    let paths = [
        "/api",
        "/api/collections",
        "/api/collections/incidents",
        "/api/collections/incidents/items?limit=1000",
        "/api/collections/attacks/items?bbox=60,25,75,40&limit=50",
        "/api/collections/incidents/items?datetime=2021-01-01/2022-12-31&limit=100",
        "/api/collections/incidents/items/2018-darzab-taliban-offensive",
        "/api/collections/countries/items?limit=100",
        "/api/collections/provinces/items?limit=100",
        "/api/collections/incidents/clusters?zoom=3",
        "/api/stats",
        "/api/openapi.json",
    ];
    for p in paths {
        let (a, b) = (get(&from_db.base, p), get(&from_files.base, p));
        assert_eq!(a.status, 200, "{p}");
        assert_eq!(b.status, 200, "{p}");
        assert_eq!(
            without_timestamp(&a.body),
            without_timestamp(&b.body),
            "{p}: the database serves what the files serve"
        );
        if let (Some(x), Some(y)) = (&a.etag, &b.etag) {
            assert_eq!(version_of(x), version_of(y), "{p}: same data version");
        }
    }
    let ready = json(&from_db.base, "/readyz");
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(
        ready["version"],
        json(&from_files.base, "/readyz")["version"]
    );
    assert!(ready["source"]
        .as_str()
        .unwrap()
        .starts_with("PostgreSQL postgresql://iskp@127.0.0.1:"));
}

#[test]
fn replicas_follow_edits_coalesce_bursts_and_refuse_broken_data() {
    let pg = loaded("replicas");
    let url = pg.url();
    let a = Server::start_with(&["--db", &url]);
    let b = Server::start_with(&["--db", &url]);
    let before = title(&a.base, ID);

    // An edit by SQL shows on both replicas.
    pg.sql(&format!(
        "UPDATE iskp.records SET title = 'Taliban offensive (edited)' WHERE id = '{ID}'"
    ));
    let took = until(
        Duration::from_secs(10),
        "edit seen by both replicas",
        || {
            title(&a.base, ID) == "Taliban offensive (edited)"
                && title(&b.base, ID) == "Taliban offensive (edited)"
        },
    );
    eprintln!("edit visible on both replicas after {took:?}");
    assert_ne!(before, "Taliban offensive (edited)");

    // Both replicas answer alike, byte for byte, under the same entity tag.
    for p in [
        "/api/collections/incidents/items?limit=20",
        "/api/collections/countries/items",
        "/api/stats",
    ] {
        let (x, y) = (get(&a.base, p), get(&b.base, p));
        assert_eq!(x.body, y.body, "{p}");
        assert!(x.etag.is_some() && x.etag == y.etag, "{p}");
    }
    let ready = json(&a.base, "/readyz");
    let version = ready["version"].as_str().unwrap().to_string();
    assert_eq!(json(&b.base, "/readyz")["changed_at"], ready["changed_at"]);

    // The database itself refuses an impossible date (the editor hears of it when saving).
    let refused = pg.client().batch_execute(&format!(
        "UPDATE iskp.records SET date = '2018-02-30' WHERE id = '{ID}'"
    ));
    assert!(refused.is_err(), "2018-02-30 is not a date");

    // A broken edit the database accepts is not served; both replicas say why, naming the table,
    // line and field.
    pg.sql(&format!(
        "UPDATE iskp.records SET kind = 'bombing' WHERE id = '{ID}'"
    ));
    for r in [&a, &b] {
        until(Duration::from_secs(10), "broken edit reported", || {
            json(&r.base, "/readyz")["last_reload_error"].is_object()
        });
        let ready = json(&r.base, "/readyz");
        assert_eq!(ready["status"], "degraded");
        assert_eq!(
            ready["version"],
            version.as_str(),
            "still the last good data"
        );
        let err = ready["last_reload_error"]["error"].as_str().unwrap();
        assert!(
            err.starts_with("iskp.records:3: kind: ") && err.contains("bombing"),
            "{err}"
        );
        assert_eq!(title(&r.base, ID), "Taliban offensive (edited)");
    }
    // Mended: served again, and ready.
    pg.sql(&format!(
        "UPDATE iskp.records SET kind = 'raid', title = 'Mended' WHERE id = '{ID}'"
    ));
    until(Duration::from_secs(10), "mended edit served", || {
        title(&a.base, ID) == "Mended" && title(&b.base, ID) == "Mended"
    });
    assert_eq!(json(&a.base, "/readyz")["status"], "ready");

    // Reference tables are read again when they change: a curated place moved out of its country
    // is refused (and reported against iskp.places), moving it back is accepted.
    pg.sql("UPDATE iskp.places SET lon = '2.35', lat = '48.85' WHERE ord = 1");
    until(Duration::from_secs(10), "broken place reported", || {
        json(&b.base, "/readyz")["last_reload_error"]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("iskp.places:2: lon: ") && e.contains("FRA"))
    });
    pg.sql("UPDATE iskp.places SET lon = '69.2122', lat = '34.5656' WHERE ord = 1");
    until(Duration::from_secs(10), "place mended", || {
        json(&b.base, "/readyz")["status"] == "ready"
    });

    // A new record and its citation, in one transaction (QGIS saves a layer edit session so).
    pg.sql(
        "BEGIN;
         INSERT INTO iskp.records (id, kind, title, summary, date, date_precision, place, country,
             geo_precision, count, claim)
         VALUES ('zz-team-new', 'arrest', 'New arrest', 'Added by SQL.', '2024-05-01', 'day',
             'Kabul', 'AFG', 'near', '1', 'attributed');
         INSERT INTO iskp.citations (record_id, source_id, section) VALUES ('zz-team-new', 'S1', 'test');
         COMMIT;",
    );
    until(Duration::from_secs(10), "new record served", || {
        get(&b.base, "/api/collections/incidents/items/zz-team-new").status == 200
    });

    // Moving a point (as QGIS does) rewrites lon/lat, and the replicas serve the new place.
    pg.sql(
        "UPDATE iskp.records SET geom = ST_SetSRID(ST_MakePoint(69.1, 34.55), 4326)
         WHERE id = 'zz-team-new'",
    );
    let row = pg
        .client()
        .query_one(
            "SELECT lon, lat FROM iskp.records WHERE id = 'zz-team-new'",
            &[],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("69.1".to_string(), "34.55".to_string())
    );
    until(Duration::from_secs(10), "moved point served", || {
        let f = json(&a.base, "/api/collections/incidents/items/zz-team-new");
        f["geometry"]["coordinates"] == serde_json::json!([69.1, 34.55])
    });

    // A GIS client digitises a point and appends it, then its citation, with GDAL (two
    // transactions: between them the record is uncited, which is never served): served where drawn.
    let new = Scratch::new("team-gdal");
    new.write(
        "new.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature",
            "geometry":{"type":"Point","coordinates":[69.18,34.53]},
            "properties":{"id":"zz-gdal-new","kind":"arrest","title":"Digitised in a GIS",
              "summary":"Appended with ogr2ogr.","date":"2024-06-01","date_precision":"day",
              "place":"Kabul","country":"AFG","geo_precision":"exact","count":"1",
              "claim":"attributed"}}]}"#,
    );
    new.write(
        "cites.csv",
        "record_id,source_id,section\nzz-gdal-new,S1,test\n",
    );
    let conn = format!("PG:host=127.0.0.1 port={} dbname=iskp user=iskp", pg.port);
    for (file, layer) in [
        ("new.geojson", "iskp.records"),
        ("cites.csv", "iskp.citations"),
    ] {
        let o = Command::new("ogr2ogr")
            .args(["-update", "-append", &conn])
            .arg(new.path(file))
            .args(["-nln", layer])
            .output()
            .unwrap();
        assert!(o.status.success() && o.stderr.is_empty(), "{}", text(&o));
    }
    until(
        Duration::from_secs(10),
        "GDAL-appended record served",
        || {
            let f = get(&b.base, "/api/collections/incidents/items/zz-gdal-new");
            f.status == 200
                && serde_json::from_str::<Value>(&f.body).unwrap()["geometry"]["coordinates"]
                    == serde_json::json!([69.18, 34.53])
        },
    );
    until(Duration::from_secs(10), "ready after the citation", || {
        json(&b.base, "/readyz")["status"] == "ready"
    });

    // A burst of edits, each its own transaction, costs a few reloads, not one each.
    let reloads = json(&a.base, "/readyz")["reloads"].as_u64().unwrap();
    let mut c = pg.client();
    for i in 1..=100 {
        c.execute(
            "UPDATE iskp.records SET count = $1 WHERE id = 'zz-team-new'",
            &[&i.to_string()],
        )
        .unwrap();
    }
    until(
        Duration::from_secs(10),
        "last edit of the burst served",
        || {
            let f = json(&a.base, "/api/collections/incidents/items/zz-team-new");
            f["properties"]["count"] == 100
        },
    );
    std::thread::sleep(Duration::from_secs(2));
    let after = json(&a.base, "/readyz")["reloads"].as_u64().unwrap();
    assert!(
        after - reloads <= 10,
        "100 edits made {} reloads",
        after - reloads
    );
    eprintln!("100 edits in a burst: {} reloads", after - reloads);
}

#[test]
fn replicas_survive_the_database_going_away() {
    let pg = loaded("faults");
    let url = pg.url();
    let export = Scratch::new("team-fallback");
    export_to(&url, &export);
    pg.down();

    // Down at start, no fallback: the server waits, retrying, and serves once the database is up.
    let waiting = {
        let url = url.clone();
        std::thread::spawn(move || Server::start_with(&["--db", &url]))
    };
    std::thread::sleep(Duration::from_secs(3));
    assert!(!waiting.is_finished(), "no data, so not serving yet");
    pg.up();
    let a = waiting.join().unwrap();
    assert!(
        a.startup_log
            .iter()
            .any(|l| l.contains("cannot connect") && l.contains("retrying")),
        "{:?}",
        a.startup_log
    );
    assert_eq!(json(&a.base, "/readyz")["status"], "ready");

    // Down while serving: both keep serving the last snapshot, and say they are degraded.
    pg.down();
    let b = Server::start_with(&["--db", &url, "--fallback", export.dir.to_str().unwrap()]);
    // A fallback that does not validate is not served: that server waits for the database.
    let broken = Scratch::new("team-broken-fallback");
    broken.append(
        "records.csv",
        "zz-uncited,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    let c = {
        let (url, dir) = (url.clone(), broken.dir.to_str().unwrap().to_string());
        std::thread::spawn(move || Server::start_with(&["--db", &url, "--fallback", &dir]))
    };
    for r in [&a, &b] {
        until(
            Duration::from_secs(15),
            "degraded while the database is down",
            || json(&r.base, "/readyz")["status"] == "degraded",
        );
        let items = get(&r.base, "/api/collections/incidents/items?limit=1000");
        assert_eq!(items.status, 200);
        let v: Value = serde_json::from_str(&items.body).unwrap();
        assert_eq!(
            v["numberReturned"],
            common::store().current().catalog.len(),
            "the whole last snapshot"
        );
    }
    let err = json(&b.base, "/readyz")["source_error"]["error"].to_string();
    assert!(err.contains("fallback"), "{err}");

    assert!(!c.is_finished(), "a broken fallback is not served");
    // Back: both reconnect, catch up and follow edits again; the third starts, from the database.
    pg.up();
    let c = c.join().unwrap();
    assert_eq!(json(&c.base, "/readyz")["status"], "ready");
    for r in [&a, &b] {
        until(
            Duration::from_secs(30),
            "ready again after the restart",
            || json(&r.base, "/readyz")["status"] == "ready",
        );
    }
    pg.sql(&format!(
        "UPDATE iskp.records SET title = 'After the restart' WHERE id = '{ID}'"
    ));
    until(
        Duration::from_secs(10),
        "edit after restart on both",
        || title(&a.base, ID) == "After the restart" && title(&b.base, ID) == "After the restart",
    );
    assert!(json(&b.base, "/readyz")["source"]
        .as_str()
        .unwrap()
        .contains("fallback"));
}

#[test]
fn a_database_without_the_schema_is_a_clear_error() {
    let pg = Pg::start("noschema");
    let url = pg.url();
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("db init"), "{}", text(&out));
    let export = iskp(&["db", "export", "--db", &url, "--out", "/nonexistent/never"]);
    assert_eq!(export.status.code(), Some(2));
    assert!(text(&export).contains("db init"), "{}", text(&export));
}

#[test]
fn replicas_read_with_a_read_only_role_and_editors_need_only_table_grants() {
    let pg = loaded("roles");
    pg.sql(
        "CREATE ROLE reader LOGIN;
         GRANT USAGE ON SCHEMA iskp TO reader;
         GRANT SELECT ON ALL TABLES IN SCHEMA iskp TO reader;
         CREATE ROLE editor LOGIN;
         GRANT USAGE ON SCHEMA iskp TO editor;
         GRANT SELECT, INSERT, UPDATE, DELETE
             ON iskp.records, iskp.citations, iskp.sources, iskp.places TO editor;",
    );
    let reader = format!("postgres://reader@127.0.0.1:{}/iskp", pg.port);
    let r = Server::start_with(&["--db", &reader]);
    assert_eq!(json(&r.base, "/readyz")["status"], "ready");
    // The replica cannot write, whatever happens.
    let mut c = postgres::Client::connect(&reader, postgres::NoTls).unwrap();
    assert!(c
        .batch_execute("UPDATE iskp.records SET title = 'x'")
        .is_err());

    let editor = format!("postgres://editor@127.0.0.1:{}/iskp", pg.port);
    let mut e = postgres::Client::connect(&editor, postgres::NoTls).unwrap();
    e.batch_execute(&format!(
        "UPDATE iskp.records SET title = 'By the editor role' WHERE id = '{ID}'"
    ))
    .unwrap();
    until(Duration::from_secs(10), "editor's change served", || {
        title(&r.base, ID) == "By the editor role"
    });
}

/// A client of a database at schema version `n`: the first `n` migrations applied as `db init` of
/// that version would have (to test an upgrade in place).
fn at_schema(pg: &Pg, n: usize) -> postgres::Client {
    let mut c = pg.client();
    c.batch_execute(
        "CREATE SCHEMA iskp;
         CREATE TABLE iskp.schema_version (version integer PRIMARY KEY, description text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now());",
    )
    .unwrap();
    for (i, (description, sql)) in iskp_map::db::schema::MIGRATIONS.iter().take(n).enumerate() {
        c.batch_execute(sql).unwrap();
        c.execute(
            "INSERT INTO iskp.schema_version (version, description) VALUES ($1, $2)",
            &[&(i as i32 + 1), description],
        )
        .unwrap();
    }
    c
}

/// One row of `iskp.history`: table, op, key, role, old row, new row.
type Filed = (String, String, String, String, Option<Value>, Option<Value>);

/// The rows of `iskp.history` after `after_seq`.
fn history_since(pg: &Pg, after_seq: i64) -> Vec<Filed> {
    pg.client()
        .query(
            "SELECT table_name, op, coalesce(key, ''), role, old_row::text, new_row::text
             FROM iskp.history WHERE seq > $1 ORDER BY seq",
            &[&after_seq],
        )
        .unwrap()
        .iter()
        .map(|r| {
            let row = |i: usize| {
                r.get::<_, Option<String>>(i)
                    .map(|t| serde_json::from_str(&t).unwrap())
            };
            (r.get(0), r.get(1), r.get(2), r.get(3), row(4), row(5))
        })
        .collect()
}

fn last_seq(pg: &Pg) -> i64 {
    pg.client()
        .query_one("SELECT coalesce(max(seq), 0) FROM iskp.history", &[])
        .unwrap()
        .get(0)
}

/// #20: an edit of records and citations is applied to the snapshot a replica serves (`built_by`
/// "edit": only the rows of the ids the history names are read), and the replica then serves what
/// a replica loading everything serves, byte for byte and under the same version — for an edited
/// title, an id renamed with its citations, a record deleted with its citations, a record added
/// with two. An edit that does not validate is reported as a full load reports it.
#[test]
fn an_edit_applied_to_a_snapshot_serves_what_a_full_load_serves() {
    let pg = loaded("patch");
    let url = pg.url();
    let a = Server::start_with(&["--db", &url]);
    assert_eq!(json(&a.base, "/readyz")["built_by"], "load");
    let ids: Vec<String> = pg
        .client()
        .query(
            "SELECT id FROM iskp.records WHERE split IS NULL ORDER BY ord LIMIT 3 OFFSET 5",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (edited, renamed, deleted) = (&ids[0], &ids[1], &ids[2]);
    pg.sql(&format!(
        "BEGIN;
         UPDATE iskp.records SET title = 'Edited in place' WHERE id = '{edited}';
         UPDATE iskp.records SET id = 'zz-renamed' WHERE id = '{renamed}';
         UPDATE iskp.citations SET record_id = 'zz-renamed' WHERE record_id = '{renamed}';
         DELETE FROM iskp.citations WHERE record_id = '{deleted}';
         DELETE FROM iskp.records WHERE id = '{deleted}';
         INSERT INTO iskp.records (id, kind, title, summary, date, date_precision, place, country,
             geo_precision, count, claim)
         VALUES ('zz-patch-new', 'arrest', 'New arrest', 'Added by SQL.', '2024-05-01', 'day',
             'Kabul', 'AFG', 'near', '1', 'attributed');
         INSERT INTO iskp.citations (record_id, source_id, section)
             VALUES ('zz-patch-new', 'S2', 'test b'), ('zz-patch-new', 'S1', 'test a');
         COMMIT;"
    ));
    until(Duration::from_secs(10), "edit served", || {
        get(&a.base, "/api/collections/incidents/items/zz-renamed").status == 200
            && get(&a.base, "/api/collections/incidents/items/zz-patch-new").status == 200
    });
    assert_eq!(
        json(&a.base, "/readyz")["built_by"],
        "edit",
        "the edit was applied to the snapshot, not loaded whole"
    );
    assert_eq!(title(&a.base, edited), "Edited in place");
    assert_eq!(
        get(
            &a.base,
            &format!("/api/collections/incidents/items/{renamed}")
        )
        .status,
        404
    );
    assert_eq!(
        get(
            &a.base,
            &format!("/api/collections/incidents/items/{deleted}")
        )
        .status,
        404
    );
    let new = json(&a.base, "/api/collections/incidents/items/zz-patch-new");
    let cited: Vec<&str> = new["properties"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["section"].as_str().unwrap())
        .collect();
    assert_eq!(cited, ["test b", "test a"], "citations in the order filed");

    let b = Server::start_with(&["--db", &url]);
    let (ra, rb) = (json(&a.base, "/readyz"), json(&b.base, "/readyz"));
    assert_eq!(rb["built_by"], "load");
    assert_eq!(
        ra["version"], rb["version"],
        "the version a full load computes"
    );
    assert_eq!(ra["changed_at"], rb["changed_at"]);
    for p in [
        "/api/collections/incidents/items?limit=1000",
        "/api/collections/incidents/items?bbox=60,29,75,38&limit=1000",
        "/api/collections/countries/items",
        "/api/collections/provinces/items",
        "/api/stats",
        "/api/collections/incidents/clusters?zoom=4",
        "/api/changes?limit=1000",
    ] {
        let (x, y) = (get(&a.base, p), get(&b.base, p));
        assert_eq!(x.status, 200, "{p}");
        assert_eq!(x.body, y.body, "{p}");
        assert_eq!(x.etag, y.etag, "{p}");
    }

    // A second edit on top of the first; then one that does not validate, reported with the
    // line of `db export`, as a full load reports it, while the last good data serves.
    pg.sql("UPDATE iskp.records SET title = 'Second edit' WHERE id = 'zz-renamed'");
    until(Duration::from_secs(10), "second edit served", || {
        title(&a.base, "zz-renamed") == "Second edit"
    });
    assert_eq!(json(&a.base, "/readyz")["built_by"], "edit");
    let good = json(&a.base, "/readyz")["version"].clone();
    pg.sql(&format!(
        "UPDATE iskp.records SET kind = 'bombing' WHERE id = '{edited}'"
    ));
    until(Duration::from_secs(10), "broken edit reported", || {
        json(&a.base, "/readyz")["last_reload_error"].is_object()
    });
    let ready = json(&a.base, "/readyz");
    let err = ready["last_reload_error"]["error"].as_str().unwrap();
    let before: i64 = pg
        .client()
        .query_one(
            "SELECT count(*) FROM iskp.records WHERE ord < (SELECT ord FROM iskp.records WHERE id = $1)",
            &[edited],
        )
        .unwrap()
        .get(0);
    let line = before + 2; // after the header
    assert!(
        err.starts_with(&format!("iskp.records:{line}: kind: ")) && err.contains("bombing"),
        "{err}"
    );
    assert_eq!(ready["version"], good);
}

/// Two writers at once: the one that started second files its changes only after the first has
/// committed, so the history's seqs follow commit order and a replica reading "after seq N" never
/// skips a change that committed late (migration 6).
#[test]
fn concurrent_writers_file_history_in_commit_order() {
    let pg = loaded("turns");
    let from = last_seq(&pg);
    let ids: Vec<String> = pg
        .client()
        .query("SELECT id FROM iskp.records ORDER BY ord LIMIT 3", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut first = pg.client();
    let mut tx = first.transaction().unwrap();
    tx.execute(
        "UPDATE iskp.records SET title = title || ' (1)' WHERE id = $1",
        &[&ids[0]],
    )
    .unwrap();
    let url = pg.url();
    let second_id = ids[1].clone();
    let second = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.execute(
            "UPDATE iskp.records SET title = title || ' (2)' WHERE id = $1",
            &[&second_id],
        )
        .unwrap();
    });
    // Give the second writer time to reach its statement (it waits for the first).
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !second.is_finished(),
        "the second writer waits for the first"
    );
    tx.execute(
        "UPDATE iskp.records SET title = title || ' (1)' WHERE id = $1",
        &[&ids[2]],
    )
    .unwrap();
    tx.commit().unwrap();
    second.join().unwrap();
    let keys: Vec<String> = history_since(&pg, from).into_iter().map(|h| h.2).collect();
    assert_eq!(
        keys,
        [ids[0].clone(), ids[2].clone(), ids[1].clone()],
        "the first transaction's changes, then the second's"
    );
}

/// #21: every insert, update and delete of records, citations and sources is filed with its time,
/// transaction, role and rows; an update that changes nothing is not; the history cannot be edited,
/// not by an editor, a replica's role or the owner; a NULL `ord` (what QGIS sends) is filled.
#[test]
fn history_files_every_change_and_cannot_be_edited() {
    let pg = loaded("history");
    let counts: (i64, i64, i64) = {
        let mut c = pg.client();
        let mut n = |t: &str| -> i64 {
            c.query_one(&format!("SELECT count(*) FROM iskp.{t}"), &[])
                .unwrap()
                .get(0)
        };
        (n("records"), n("citations"), n("sources"))
    };
    // The import filed each row as inserted (on an empty database nothing was there to delete).
    let all = history_since(&pg, 0);
    let filed = |t: &str| all.iter().filter(|h| h.0 == t && h.1 == "insert").count() as i64;
    assert_eq!(
        (filed("records"), filed("citations"), filed("sources")),
        counts
    );
    pg.sql(
        "CREATE ROLE editor LOGIN;
         GRANT USAGE ON SCHEMA iskp TO editor;
         GRANT SELECT, INSERT, UPDATE, DELETE ON iskp.records, iskp.citations, iskp.sources TO editor;
         CREATE ROLE reader LOGIN;
         GRANT USAGE ON SCHEMA iskp TO reader;
         GRANT SELECT ON ALL TABLES IN SCHEMA iskp TO reader;",
    );
    let from = last_seq(&pg);
    let editor = format!("postgres://editor@127.0.0.1:{}/iskp", pg.port);
    let mut e = postgres::Client::connect(&editor, postgres::NoTls).unwrap();
    e.batch_execute(&format!(
        "UPDATE iskp.records SET title = 'Edited title' WHERE id = '{ID}';
         UPDATE iskp.records SET title = title WHERE id = '{ID}';
         INSERT INTO iskp.citations (ord, record_id, source_id, section) VALUES (NULL, '{ID}', 'S1', 'test');
         DELETE FROM iskp.citations WHERE record_id = '{ID}' AND section = 'test';"
    ))
    .unwrap();
    let got = history_since(&pg, from);
    assert_eq!(
        got.len(),
        3,
        "an update, an insert and a delete; the no-op update is not filed: {got:?}"
    );
    let (t, op, key, role, old, new) = &got[0];
    assert_eq!(
        (t.as_str(), op.as_str(), key.as_str(), role.as_str()),
        ("records", "update", ID, "editor")
    );
    assert_ne!(old.as_ref().unwrap()["title"], "Edited title");
    assert_eq!(new.as_ref().unwrap()["title"], "Edited title");
    assert!(
        new.as_ref().unwrap().get("geom").is_none(),
        "geom is lon/lat again, not filed"
    );
    assert_eq!(
        (got[1].0.as_str(), got[1].1.as_str(), got[1].2.as_str()),
        ("citations", "insert", ID)
    );
    let ord = &got[1].5.as_ref().unwrap()["ord"];
    assert!(
        ord.as_i64().is_some_and(|o| o > 0),
        "a NULL ord was filled: {ord}"
    );
    assert_eq!(
        (
            got[2].1.as_str(),
            got[2].4.as_ref().unwrap()["section"].as_str()
        ),
        ("delete", Some("test"))
    );
    // One transaction, one time.
    let times: Vec<(String, i64)> = pg
        .client()
        .query(
            "SELECT at::text, txid FROM iskp.history WHERE seq > $1",
            &[&from],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(times.windows(2).all(|w| w[0] == w[1]), "{times:?}");
    // Nobody edits the history: not an editor, not a replica's role, not its owner.
    assert!(e.batch_execute("DELETE FROM iskp.history").is_err());
    assert!(e
        .batch_execute(
            "INSERT INTO iskp.history (table_name, op, key) VALUES ('records', 'insert', 'x')"
        )
        .is_err());
    let reader = format!("postgres://reader@127.0.0.1:{}/iskp", pg.port);
    let mut r = postgres::Client::connect(&reader, postgres::NoTls).unwrap();
    assert!(r
        .batch_execute("UPDATE iskp.history SET role = 'x'")
        .is_err());
    let mut owner = pg.client();
    for sql in [
        "UPDATE iskp.history SET role = 'x'",
        "DELETE FROM iskp.history",
        "TRUNCATE iskp.history",
    ] {
        let err = format!("{:?}", owner.batch_execute(sql).unwrap_err());
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(last_seq(&pg), from + 3);
    // Re-importing files every row that left as deleted, then every row as inserted.
    let before = last_seq(&pg);
    import_geodata(&pg.url());
    let again = history_since(&pg, before);
    let n = |op: &str| {
        again
            .iter()
            .filter(|h| h.0 == "records" && h.1 == op)
            .count() as i64
    };
    assert_eq!((n("delete"), n("insert")), (counts.0, counts.0));
}

/// #21: a database made before history (schema 2, with data) upgrades in place: `db init` applies
/// migration 3 and files the rows it finds as the history's first state.
#[test]
fn a_schema_2_database_upgrades_in_place_with_its_rows_as_the_first_history() {
    let pg = Pg::start("upgrade");
    let mut c = at_schema(&pg, 2);
    c.batch_execute(
        "INSERT INTO iskp.sources (id, title) VALUES ('S1', 'A document');
         INSERT INTO iskp.records (id, kind, title) VALUES ('r1', 'attack', 'One'), ('r2', 'plot', 'Two');
         INSERT INTO iskp.citations (record_id, source_id, section) VALUES ('r1', 'S1', '§1');",
    )
    .unwrap();
    let init = iskp(&["db", "init", "--db", &pg.url()]);
    assert!(init.status.success(), "{}", text(&init));
    assert!(
        text(&init).contains(&format!(
            "schema version 2 -> {}",
            iskp_map::db::schema::VERSION
        )),
        "{}",
        text(&init)
    );
    let got = history_since(&pg, 0);
    let keys: Vec<(String, String, String)> = got
        .iter()
        .map(|h| (h.0.clone(), h.1.clone(), h.2.clone()))
        .collect();
    let want: Vec<(String, String, String)> = [
        ("sources", "S1"),
        ("records", "r1"),
        ("records", "r2"),
        ("citations", "r1"),
    ]
    .iter()
    .map(|(t, k)| (t.to_string(), "insert".to_string(), k.to_string()))
    .collect();
    assert_eq!(keys, want);
    assert_eq!(got[1].5.as_ref().unwrap()["title"], "One");
}

/// #21: `/api/changes` serves the database's history in commit order — the fields an update
/// changed, the role, a link to the record — in pages and as an Atom feed; two replicas answer
/// alike; a refused edit's changes wait until the data is good again; file mode says it keeps none.
#[test]
fn replicas_serve_the_change_feed() {
    let pg = loaded("changes");
    let url = pg.url();
    let a = Server::start_with(&["--db", &url]);
    let b = Server::start_with(&["--db", &url]);
    let start = last_seq(&pg);
    pg.sql(&format!(
        "UPDATE iskp.records SET title = 'Feed edit', summary = 'New summary' WHERE id = '{ID}';
         INSERT INTO iskp.citations (record_id, source_id, section) VALUES ('{ID}', 'S1', 'feed test');"
    ));
    until(Duration::from_secs(10), "edit served by both", || {
        title(&a.base, ID) == "Feed edit" && title(&b.base, ID) == "Feed edit"
    });
    let page = json(&a.base, &format!("/api/changes?after={start}"));
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{page}");
    assert_eq!(changes[0]["op"], "updated");
    assert_eq!(changes[0]["table"], "records");
    assert_eq!(changes[0]["id"], ID);
    assert_eq!(
        changes[0]["fields"],
        serde_json::json!(["summary", "title"])
    );
    assert_eq!(changes[0]["role"], "iskp", "the role that made the edit");
    assert!(changes[0]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/collections/incidents/items/{ID}")));
    assert_eq!(
        (changes[1]["op"].as_str(), changes[1]["table"].as_str()),
        (Some("created"), Some("citations"))
    );
    let t0 = changes[0]["time"].as_str().unwrap();
    assert_eq!(
        t0,
        changes[1]["time"].as_str().unwrap(),
        "one transaction, one time"
    );
    // Both replicas answer the same.
    assert_eq!(
        get(&a.base, &format!("/api/changes?after={start}")).body,
        get(&b.base, &format!("/api/changes?after={start}")).body
    );
    // Paging: one at a time, the next link carries on after the last.
    let one = json(&a.base, &format!("/api/changes?after={start}&limit=1"));
    assert_eq!(one["changes"].as_array().unwrap().len(), 1);
    let next = one["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    let next = next["href"].as_str().unwrap();
    let path = &next[next.find("/api/").unwrap()..];
    let two = json(&a.base, path);
    assert_eq!(two["changes"][0]["seq"], changes[1]["seq"]);
    // since= is a time: from the edit's time on, the edit is there; the import before it is not.
    let since = json(
        &a.base,
        &format!("/api/changes?since={}", t0.replace('+', "%2B")),
    );
    assert_eq!(since["changes"].as_array().unwrap().len(), 2, "{since}");
    // The Atom feed.
    let feed = get(&a.base, &format!("/api/changes?after={start}&f=atom"));
    assert!(feed.body.starts_with("<?xml"), "{}", feed.body);
    assert_eq!(feed.body.matches("<entry>").count(), 2);
    assert!(
        feed.body
            .contains(&format!("record {ID} updated: summary, title")),
        "{}",
        feed.body
    );
    // A refused edit (a record with no citation) is not served, and neither are its changes.
    let before = last_seq(&pg);
    pg.sql("INSERT INTO iskp.records (id, kind, title, summary, date, date_precision, place, country, geo_precision, count, claim)
            VALUES ('zz-uncited', 'attack', 'Uncited', 'x', '2024-01-01', 'day', 'Kabul', 'AFG', 'near', '1', 'claimed')");
    until(Duration::from_secs(10), "the refusal reported", || {
        json(&a.base, "/readyz")["last_reload_error"].is_object()
    });
    let held = json(&a.base, &format!("/api/changes?after={before}"));
    assert_eq!(held["changes"].as_array().unwrap().len(), 0, "{held}");
    pg.sql("INSERT INTO iskp.citations (record_id, source_id, section) VALUES ('zz-uncited', 'S1', 'test')");
    until(Duration::from_secs(10), "the mended data served", || {
        json(&a.base, &format!("/api/changes?after={before}"))["changes"]
            .as_array()
            .map_or(0, |v| v.len())
            == 2
    });
    // Bad parameters are 400s naming them.
    for (q, name) in [
        ("since=yesterday", "since"),
        ("after=-1", "after"),
        ("limit=0", "limit"),
        ("f=rss", "f"),
    ] {
        let v = json(&a.base, &format!("/api/changes?{q}"));
        assert_eq!(v["parameter"], name, "{q}: {v}");
    }
    // File mode keeps no history: a 404 that says where it is served.
    let files = Server::start(&geodata());
    let r = get(&files.base, "/api/changes");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("team mode"), "{}", r.body);
}

/// The database's clock now, as RFC 3339 in UTC (what an `as_of` names).
fn db_now(pg: &Pg) -> String {
    pg.client()
        .query_one(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
            &[],
        )
        .unwrap()
        .get(0)
}

/// `path` with `as_of=at` added.
fn dated(path: &str, at: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}as_of={at}")
}

/// #21: `as_of` answers as the data stood at an instant — after an edit, the answer of before it
/// byte for byte, on both replicas and on a replica started after the edit; its entity tag is the
/// one the answer had then; deletes appear in the change feed; bad instants are 400s.
#[test]
fn as_of_answers_as_the_data_stood_on_every_replica_and_after_a_restart() {
    let pg = loaded("asof");
    let url = pg.url();
    let a = Server::start_with(&["--db", &url, "--metrics"]);
    let b = Server::start_with(&["--db", &url, "--metrics"]);
    const GONE: &str = "2022-04-kabul-sufi-mosque-attack";
    let paths = [
        "/api/collections/incidents/items?limit=5".to_string(),
        "/api/collections/incidents/items?bbox=60,29,75,39&limit=1000".to_string(),
        format!("/api/collections/incidents/items/{ID}"),
        format!("/api/collections/incidents/items/{GONE}"),
        "/api/stats?by=country".to_string(),
        "/api/stats?period=year&kind=attack".to_string(),
        "/api/collections/incidents/clusters?bbox=-180,-90,180,90&zoom=2".to_string(),
        "/api/collections/incidents/download?format=csv".to_string(),
        "/api/collections/countries/items?limit=3".to_string(),
    ];
    assert_eq!(
        get(&a.base, &format!("/api/collections/incidents/items/{GONE}")).status,
        200,
        "{GONE} is a record to delete"
    );
    std::thread::sleep(Duration::from_millis(20));
    let t0 = db_now(&pg);
    std::thread::sleep(Duration::from_millis(20));
    // Before the edit: the plain answers, and the dated ones (the state served now).
    let then: Vec<Got> = paths.iter().map(|p| get(&a.base, p)).collect();
    let dated_then: Vec<Got> = paths.iter().map(|p| get(&a.base, &dated(p, &t0))).collect();
    for ((p, plain), d) in paths.iter().zip(&then).zip(&dated_then) {
        assert_eq!(plain.status, 200, "{p}: {}", plain.body);
        assert_eq!(d.status, 200, "{p} as_of: {}", d.body);
        assert_eq!(d.etag, plain.etag, "{p}: as_of now is the state served now");
    }
    let start = last_seq(&pg);
    pg.sql(&format!(
        "UPDATE iskp.records SET title = 'As-of edit' WHERE id = '{ID}';
         DELETE FROM iskp.records WHERE id = '{GONE}';
         INSERT INTO iskp.records (id, kind, title, summary, date, date_precision, place, country, geo_precision, count, claim)
             VALUES ('0-as-of-new', 'attack', 'Added after the instant', 'x', '2015-01-01', 'day', 'Kabul', 'AFG', 'near', '1', 'claimed');
         INSERT INTO iskp.citations (record_id, source_id, section) VALUES ('0-as-of-new', 'S1', 'as-of test');"
    ));
    until(Duration::from_secs(10), "edit served by both", || {
        [&a, &b].iter().all(|s| {
            title(&s.base, ID) == "As-of edit"
                && get(&s.base, "/api/collections/incidents/items/0-as-of-new").status == 200
                && get(&s.base, &format!("/api/collections/incidents/items/{GONE}")).status == 404
        })
    });
    let check = |base: &str, who: &str| {
        for ((p, plain), d) in paths.iter().zip(&then).zip(&dated_then) {
            let now = get(base, &dated(p, &t0));
            assert_eq!(now.status, 200, "{who} {p} as_of: {}", now.body);
            assert!(
                now.body == d.body,
                "{who} {p}: as_of before the edit answers as before it"
            );
            assert_eq!(now.etag, plain.etag, "{who} {p}: the tag of that state");
        }
    };
    check(&a.base, "replica a");
    check(&b.base, "replica b");
    // Both answered from the state their reload replaced, kept as served: none rebuilt it.
    for s in [&a, &b] {
        assert_eq!(metric(&s.base, "iskp_past_states"), 1.0);
        assert_eq!(metric(&s.base, "iskp_past_states_built_total"), 0.0);
    }
    // The plain answers moved on; the dated ones name the instant in their links, and the old
    // state's timeStamp.
    assert_eq!(get(&a.base, &paths[3]).status, 404);
    let old: Value = serde_json::from_str(&then[0].body).unwrap();
    let kept: Value = serde_json::from_str(&dated_then[0].body).unwrap();
    assert_eq!(kept["timeStamp"], old["timeStamp"]);
    let next = kept["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .expect("a next link");
    assert!(
        next["href"].as_str().unwrap().contains("as_of="),
        "paging stays in the past state: {next}"
    );
    // The delete is in the change feed.
    let feed = json(&a.base, &format!("/api/changes?after={start}"));
    assert!(
        feed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["op"] == "deleted" && c["id"] == GONE && c["table"] == "records"),
        "{feed}"
    );
    // A replica started after the edit answers the same.
    drop(a);
    let c = Server::start_with(&["--db", &url, "--metrics"]);
    check(&c.base, "a restarted replica");
    assert_eq!(
        metric(&c.base, "iskp_past_states_built_total"),
        1.0,
        "a replica that never served it rebuilds the state"
    );
    // Instants that name no state are 400s naming as_of; elsewhere as_of is unknown.
    for (q, why) in [
        ("yesterday", "RFC 3339"),
        ("2999-01-01T00:00:00Z", "future"),
        ("1990-01-01T00:00:00Z", "history begins"),
    ] {
        let r = get(&c.base, &dated("/api/stats?by=kind", q));
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["parameter"], "as_of", "{q}: {v}");
        assert!(v["description"].as_str().unwrap().contains(why), "{q}: {v}");
    }
    let r = get(&c.base, &dated("/api/collections", &t0));
    assert_eq!(r.status, 400, "{}", r.body);
    // Over files without history, as_of is a clear 400.
    let files = Server::start(&geodata());
    let r = get(&files.base, &dated("/api/stats?by=kind", &t0));
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("no history"), "{}", r.body);
}

/// A private runtime directory for Qt (it refuses a world-writable one).
fn qt_runtime_dir() -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let d = std::env::temp_dir().join(format!("iskp-map-qt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// Runs one step of `tests/qgis/edit_records.py` with PyQGIS (`QGIS_PYTHON`, default
/// `/usr/bin/python3`, as in `gis.rs`), which must succeed; returns the JSON lines it printed.
fn qgis_edit(conninfo: &str, args: &[&str]) -> Vec<Value> {
    let python = std::env::var("QGIS_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qgis/edit_records.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(conninfo)
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", qt_runtime_dir())
        .output()
        .unwrap_or_else(|e| {
            panic!("{python} did not run ({e}); install Debian's python3-qgis (.ci/run does)")
        });
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        out.status.success() && lines.last().is_some_and(|l| l["ok"] == true),
        "QGIS {args:?} failed:\n{}\n{}",
        lines
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    lines
}

/// Waits until the replica serves what `f` wants; on time-out says what `/readyz` reports (a refused
/// edit: the replica keeps the data before it and names the table, line and field).
fn until_served(base: &str, what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "{what}: not served within 15 s; the replica's /readyz: {}",
            json(base, "/readyz")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ready = json(base, "/readyz");
    assert_eq!(ready["status"], "ready", "{what}: {ready}");
}

/// #21: QGIS itself (Debian's PyQGIS 3.22, offscreen, the postgres provider's own SQL) is the team's
/// editor. Connected as an editor role with only table grants, it adds a record with a point and
/// its citation in one transaction group and another in two saves, drags a point, edits a title
/// and deletes a record with its citations in one transaction group; a replica serves each change,
/// and `iskp.history` files each under the editor's role.
#[test]
fn qgis_adds_moves_edits_and_deletes_records_and_citations() {
    let pg = loaded("qgis");
    pg.sql(
        "CREATE ROLE editor LOGIN;
         GRANT USAGE ON SCHEMA iskp TO editor;
         GRANT SELECT, INSERT, UPDATE, DELETE ON iskp.records, iskp.citations, iskp.sources TO editor;",
    );
    let replica = Server::start_with(&["--db", &pg.url()]);
    let base = replica.base.as_str();
    let from = last_seq(&pg);
    let conninfo = format!("host=127.0.0.1 port={} dbname=iskp user=editor", pg.port);
    let item = |id: &str| get(base, &format!("/api/collections/incidents/items/{id}"));
    let feature = |id: &str| -> Value { serde_json::from_str(&item(id).body).unwrap() };
    let cited = |f: &Value| -> Vec<(String, String)> {
        f["properties"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let s = |k: &str| s[k].as_str().unwrap_or("").to_string();
                (s("id"), s("section"))
            })
            .collect()
    };
    let added_in_qgis = vec![("S1".to_string(), "added in QGIS".to_string())];

    // (a) A record digitised as a point and its citation, saved together (a transaction group).
    let open = qgis_edit(
        &conninfo,
        &["add", "zz-qgis-new", "69.18", "34.53", "S1", "--group"],
    );
    assert_eq!(open[0]["in_transaction_group"], true, "{open:?}");
    let added = open.last().unwrap();
    assert_eq!(
        (&added["lon"], &added["lat"]),
        (&"69.18".into(), &"34.53".into())
    );
    until_served(base, "the record QGIS added", || {
        item("zz-qgis-new").status == 200
    });
    let f = feature("zz-qgis-new");
    assert_eq!(
        f["geometry"]["coordinates"],
        serde_json::json!([69.18, 34.53])
    );
    assert_eq!(f["properties"]["title"], "Digitised in QGIS");
    assert_eq!(f["properties"]["date"], "2024-06-01");
    assert_eq!(cited(&f), added_in_qgis);

    // The same without a transaction group: two saves, the record uncited in between.
    qgis_edit(&conninfo, &["add", "zz-qgis-plain", "69.1", "34.5", "S1"]);
    until_served(base, "the record QGIS added in two saves", || {
        item("zz-qgis-plain").status == 200
    });
    assert_eq!(cited(&feature("zz-qgis-plain")), added_in_qgis);

    // (b) The point dragged elsewhere: lon/lat follow, and so does the replica.
    let moved = qgis_edit(&conninfo, &["move", "zz-qgis-new", "69.2", "34.56"]);
    let moved = moved.last().unwrap();
    assert_eq!(
        (&moved["lon"], &moved["lat"]),
        (&"69.2".into(), &"34.56".into())
    );
    until_served(base, "the point QGIS moved", || {
        feature("zz-qgis-new")["geometry"]["coordinates"] == serde_json::json!([69.2, 34.56])
    });

    // (c) A title edited in the attribute table.
    qgis_edit(&conninfo, &["title", ID, "Edited in QGIS"]);
    until_served(base, "the title QGIS edited", || {
        title(base, ID) == "Edited in QGIS"
    });

    // (d) A record deleted with its citations, saved together (a transaction group).
    let gone = "2015-2018-darzab-stronghold";
    assert_eq!(item(gone).status, 200);
    let deleted = qgis_edit(&conninfo, &["delete", gone, "--group"]);
    assert_eq!(deleted.last().unwrap()["left"], 0);
    until_served(base, "the record QGIS deleted", || item(gone).status == 404);

    // Every edit is filed under the editor's role; a group's rows are one transaction.
    let got = history_since(&pg, from);
    let roles: Vec<&str> = got.iter().map(|h| h.3.as_str()).collect();
    assert!(roles.iter().all(|r| *r == "editor"), "{roles:?}");
    let filed = |t: &str, op: &str, key: &str| {
        got.iter()
            .filter(|h| h.0 == t && h.1 == op && h.2 == key)
            .count()
    };
    for (t, op, key, n) in [
        ("records", "insert", "zz-qgis-new", 1),
        ("citations", "insert", "zz-qgis-new", 1),
        ("records", "insert", "zz-qgis-plain", 1),
        ("citations", "insert", "zz-qgis-plain", 1),
        ("records", "update", "zz-qgis-new", 1),
        ("records", "update", ID, 1),
        ("records", "delete", gone, 1),
    ] {
        assert_eq!(filed(t, op, key), n, "{t} {op} {key}: {got:?}");
    }
    assert!(filed("citations", "delete", gone) >= 1, "{got:?}");
    let moved_row = got
        .iter()
        .find(|h| h.0 == "records" && h.1 == "update" && h.2 == "zz-qgis-new")
        .unwrap();
    assert_eq!(
        (
            &moved_row.5.as_ref().unwrap()["lon"],
            &moved_row.5.as_ref().unwrap()["lat"]
        ),
        (&"69.2".into(), &"34.56".into())
    );
    let txids: Vec<(String, String, String, i64)> = pg
        .client()
        .query(
            "SELECT table_name, op, key, txid FROM iskp.history WHERE seq > $1 ORDER BY seq",
            &[&from],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let txid = |t: &str, op: &str, key: &str| {
        txids
            .iter()
            .find(|r| r.0 == t && r.1 == op && r.2 == key)
            .unwrap()
            .3
    };
    assert_eq!(
        txid("records", "insert", "zz-qgis-new"),
        txid("citations", "insert", "zz-qgis-new"),
        "a transaction group saves the record and its citation in one transaction"
    );
    assert_ne!(
        txid("records", "insert", "zz-qgis-plain"),
        txid("citations", "insert", "zz-qgis-plain"),
        "without one, each layer's save is its own"
    );
    assert_eq!(
        txid("records", "delete", gone),
        txid("citations", "delete", gone)
    );
}

/// #21: QGIS shows an identity column's default as an unqualified `nextval('records_ord_seq')` and
/// sends it back, which fails for any editor whose search path lacks `iskp`; migration 4 numbers
/// `ord` by a column default instead. A schema-3 database upgrades in place: numbering goes on where
/// the identity was, an editor with only table grants adds rows with the default QGIS shows, with
/// `DEFAULT` or with an explicit NULL, and `db import` restarts the numbering.
#[test]
fn a_schema_3_database_upgrades_to_an_ord_default_qgis_can_send() {
    let pg = Pg::start("ord");
    let mut c = at_schema(&pg, 3);
    // Five records numbered, the last two deleted: the identity stands at 5, the rows end at 3.
    c.batch_execute(
        "INSERT INTO iskp.records (id) SELECT 'r' || n FROM generate_series(1, 5) n;
         DELETE FROM iskp.records WHERE id IN ('r4', 'r5');",
    )
    .unwrap();
    let init = iskp(&["db", "init", "--db", &pg.url()]);
    assert!(init.status.success(), "{}", text(&init));
    assert!(
        text(&init).contains(&format!(
            "schema version 3 -> {}",
            iskp_map::db::schema::VERSION
        )),
        "{}",
        text(&init)
    );
    pg.sql(
        "CREATE ROLE editor LOGIN;
         GRANT USAGE ON SCHEMA iskp TO editor;
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA iskp TO editor;
         REVOKE ALL ON iskp.history FROM editor;",
    );
    let editor = format!("postgres://editor@127.0.0.1:{}/iskp", pg.port);
    let mut e = postgres::Client::connect(&editor, postgres::NoTls).unwrap();
    for table in [
        "sources",
        "records",
        "citations",
        "places",
        "cities",
        "boundaries",
        "splits",
    ] {
        // What QGIS reads as the default (as the editor, whose search path lacks iskp) and sends.
        let shown: Option<String> = e
            .query_one(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                 JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                 WHERE d.adrelid = $1::text::regclass AND a.attname = 'ord'",
                &[&format!("iskp.{table}")],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            shown.as_deref(),
            Some(format!("iskp.next_ord('{table}'::text)").as_str()),
            "{table}"
        );
        let identity: String = e
            .query_one(
                "SELECT attidentity::text FROM pg_attribute
                 WHERE attrelid = $1::text::regclass AND attname = 'ord'",
                &[&format!("iskp.{table}")],
            )
            .unwrap()
            .get(0);
        assert_eq!(identity, "", "{table}: no longer an identity");
    }
    let ords: Vec<i64> = e
        .query(
            "INSERT INTO iskp.records (ord, id) VALUES (iskp.next_ord('records'::text), 'q1')
                 RETURNING ord",
            &[],
        )
        .unwrap()
        .iter()
        .chain(
            e.query(
                "INSERT INTO iskp.records (ord, id) VALUES (DEFAULT, 'q2'), (NULL, 'q3') RETURNING ord",
                &[],
            )
            .unwrap()
            .iter(),
        )
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        ords,
        vec![6, 7, 8],
        "numbering goes on after the identity's 5"
    );
    // db import restarts the numbering (TRUNCATE ... RESTART IDENTITY restarts owned sequences).
    e.batch_execute("DELETE FROM iskp.records").unwrap();
    import_geodata(&pg.url());
    let first: i64 = pg
        .client()
        .query_one("SELECT min(ord) FROM iskp.records", &[])
        .unwrap()
        .get(0);
    assert_eq!(first, 1);
}

/// Since schema version 5 an update's changed fields are filed with it (once, by the trigger),
/// not found again by comparing its rows at every start; an entry filed before the upgrade has
/// none filed and is still read with its fields.
#[test]
fn an_update_filed_before_schema_5_and_one_after_both_read_with_their_fields() {
    let pg = Pg::start("fields");
    let mut c = at_schema(&pg, 4);
    c.batch_execute(
        "INSERT INTO iskp.records (id, title, summary) VALUES ('r1', 'a', 'b');
         UPDATE iskp.records SET title = 'a2' WHERE id = 'r1';",
    )
    .unwrap();
    let init = iskp(&["db", "init", "--db", &pg.url()]);
    assert!(init.status.success(), "{}", text(&init));
    c.batch_execute(
        "UPDATE iskp.records SET summary = 'b2', title = 'a3' WHERE id = 'r1';
         UPDATE iskp.records SET title = title WHERE id = 'r1';",
    )
    .unwrap();
    let filed: Vec<Option<Vec<String>>> = c
        .query(
            "SELECT fields FROM iskp.history WHERE op = 'update' ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        filed,
        vec![None, Some(vec!["summary".to_string(), "title".to_string()])],
        "before the upgrade none filed; after, the changed ones; an update changing nothing is no entry"
    );
    // An entry whose filed fields differ from what its rows would give: the filed ones are read.
    c.batch_execute(
        "INSERT INTO iskp.history (table_name, op, key, old_row, new_row, fields)
         VALUES ('records', 'update', 'r1', '{\"title\": \"x\"}', '{\"title\": \"y\"}', '{filed}');",
    )
    .unwrap();
    let db = iskp_map::db::Db::parse(&pg.url()).unwrap();
    let read: Vec<Vec<String>> = iskp_map::db::history::read_after(&db, &mut c, 0, 1000)
        .unwrap()
        .into_iter()
        .filter(|ch| ch.op == iskp_map::store::changes::ChangeOp::Updated)
        .map(|ch| ch.fields.iter().map(|f| f.to_string()).collect())
        .collect();
    assert_eq!(
        read,
        vec![
            vec!["title".to_string()],
            vec!["summary".into(), "title".into()],
            vec!["filed".into()]
        ],
        "an entry without filed fields is compared; one with them is read as filed"
    );
}
