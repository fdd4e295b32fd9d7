//! File mode's history (#21): `serve --data DIR --history FILE` journals each load that changed
//! records, citations or sources, and answers `as_of` and `/api/changes` from the journal — the
//! answers of before an edit byte for byte, after a restart too; a line a crash cut short is ignored
//! and reported; a bad line elsewhere stops the start with FILE:LINE.

mod common;

use common::{get_as_served, metric, Got, Scratch, Server};
use serde_json::Value;
use std::time::{Duration, Instant};

const ID: &str = "2018-darzab-taliban-offensive";
const GONE: &str = "2022-04-kabul-sufi-mosque-attack";

fn get(base: &str, path: &str) -> Got {
    get_as_served(base, path)
}

fn json(base: &str, path: &str) -> Value {
    serde_json::from_str(&get(base, path).body).unwrap()
}

fn dated(path: &str, at: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}as_of={at}")
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn until(what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "{what}: not within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve(data: &Scratch, journal: &std::path::Path) -> Server {
    Server::start_with(&[
        "--data",
        data.dir.to_str().unwrap(),
        "--history",
        journal.to_str().unwrap(),
        "--metrics",
    ])
}

/// Removes the rows of `id` from records.csv and citations.csv (rows start with the record's id).
fn delete_record(data: &Scratch, id: &str) {
    for f in ["records.csv", "citations.csv"] {
        let kept: String = data
            .read(f)
            .split_inclusive('\n')
            .filter(|l| !l.starts_with(&format!("{id},")))
            .collect();
        data.write(f, &kept);
    }
}

#[test]
fn the_journal_answers_as_of_and_the_change_feed_over_files_and_survives_a_crash() {
    let data = Scratch::new("journal");
    let journal = data.dir.join("history.ndjson");
    let s = serve(&data, &journal);
    let paths = [
        "/api/collections/incidents/items?limit=5".to_string(),
        format!("/api/collections/incidents/items/{ID}"),
        format!("/api/collections/incidents/items/{GONE}"),
        "/api/stats?by=country".to_string(),
        "/api/collections/incidents/download?format=csv".to_string(),
    ];
    std::thread::sleep(Duration::from_millis(20));
    let t0 = now();
    std::thread::sleep(Duration::from_millis(20));
    let then: Vec<Got> = paths.iter().map(|p| get(&s.base, p)).collect();
    let dated_then: Vec<Got> = paths.iter().map(|p| get(&s.base, &dated(p, &t0))).collect();
    for ((p, plain), d) in paths.iter().zip(&then).zip(&dated_then) {
        assert_eq!(plain.status, 200, "{p}: {}", plain.body);
        assert_eq!(
            (d.status, &d.etag),
            (200, &plain.etag),
            "{p}: as_of now is the data served"
        );
    }
    // The landing page links the change feed where there is a history.
    let rels = |base: &str| -> Vec<String> {
        json(base, "/api")["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["rel"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(rels(&s.base).contains(&"version-history".to_string()));
    let plain = Server::start(&data.dir);
    assert!(
        !rels(&plain.base).contains(&"version-history".to_string()),
        "no history, no link"
    );
    drop(plain);
    let first = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        first.lines().count(),
        1,
        "the data as first served: {first}"
    );
    // An edit and a delete, then a reload.
    let old_title = json(&s.base, &format!("/api/collections/incidents/items/{ID}"))["properties"]
        ["title"]
        .as_str()
        .unwrap()
        .to_string();
    let records = data.read("records.csv");
    assert!(records.contains(&old_title));
    data.write(
        "records.csv",
        &records.replacen(&old_title, "Journal edit", 1),
    );
    delete_record(&data, GONE);
    s.signal("HUP");
    until("the edit served", || {
        get(&s.base, &format!("/api/collections/incidents/items/{GONE}")).status == 404
    });
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        2
    );
    let check = |base: &str, who: &str| {
        for ((p, plain), d) in paths.iter().zip(&then).zip(&dated_then) {
            let now = get(base, &dated(p, &t0));
            assert_eq!(now.status, 200, "{who} {p}: {}", now.body);
            assert!(
                now.body == d.body,
                "{who} {p}: as_of before the edit answers as before it"
            );
            assert_eq!(now.etag, plain.etag, "{who} {p}: the tag of that state");
        }
    };
    // The state the reload replaced is kept as it was served: the as_of answers above come from it,
    // and none is rebuilt from the journal (a rebuild answers the same: the restart below).
    assert_eq!(
        metric(&s.base, "iskp_past_states"),
        1.0,
        "the replaced state is kept"
    );
    check(&s.base, "the server");
    assert_eq!(metric(&s.base, "iskp_past_states_built_total"), 0.0);
    // The change feed: the title edit and the delete (record and its citations).
    let feed = json(&s.base, "/api/changes");
    let changes: Vec<(String, String, String)> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("table"), s("op"), s("id"))
        })
        .collect();
    for want in [
        ("records".to_string(), "updated".to_string(), ID.to_string()),
        ("records".into(), "deleted".into(), GONE.into()),
        ("citations".into(), "deleted".into(), GONE.into()),
    ] {
        assert!(changes.contains(&want), "{want:?} in {changes:?}");
    }
    let updated = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == ID)
        .unwrap();
    assert_eq!(updated["fields"], serde_json::json!(["title"]));
    // A reload of unchanged files adds nothing.
    s.signal("HUP");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        2
    );
    drop(s);
    // A crash mid-append: the last line cut short. The restart reports it, cuts it off, and
    // answers as before.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("{\"seq\":3,\"at\":\"2026-");
    std::fs::write(&journal, &text).unwrap();
    let s = serve(&data, &journal);
    assert!(
        s.startup_log
            .iter()
            .any(|l| l.contains("history.ndjson:3: journal: the last line is incomplete")),
        "{:?}",
        s.startup_log
    );
    check(&s.base, "the restarted server");
    assert_eq!(
        metric(&s.base, "iskp_past_states_built_total"),
        1.0,
        "a restart rebuilds the state before the edit"
    );
    assert!(
        std::fs::read_to_string(&journal).unwrap().ends_with("}\n"),
        "the cut line is gone"
    );
    // The next entry starts on a line of its own and is read back.
    delete_record(&data, "2021-08-kabul-airport-bombing");
    s.signal("HUP");
    until("the second delete served", || {
        get(
            &s.base,
            "/api/collections/incidents/items/2021-08-kabul-airport-bombing",
        )
        .status
            == 404
    });
    drop(s);
    let s = serve(&data, &journal);
    check(&s.base, "after a third entry");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        3
    );
    drop(s);
    // A bad line that is not the last stops the start, naming the file and line.
    let lines: Vec<String> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    std::fs::write(
        &journal,
        format!("{}\nnot json\n{}\n", lines[0], lines[1..].join("\n")),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iskp-map"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data",
            data.dir.to_str().unwrap(),
            "--history",
            journal.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("history.ndjson:2: journal: not a journal entry"),
        "{said}"
    );
}
