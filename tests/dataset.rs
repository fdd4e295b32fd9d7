//! The dataset against the documents: every total the five sources state is reproduced by summing
//! `count` through the API's statistics, and record text is served as plain text.

mod common;

use common::{get, send_to, Scratch};
use iskp_map::{FileSource, Store};
use serde_json::Value;
use std::sync::Arc;

async fn stats(q: &str) -> Value {
    let a = get(&format!("/api/stats?{q}")).await;
    assert_eq!(a.status, 200, "{q}: {}", a.text());
    a.json()
}

fn group(v: &Value, id: &str, field: &str) -> u64 {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .map_or(0, |g| g[field].as_u64().unwrap())
}

/// S1 (Zelin, PolicyWatch 3778): fifteen interdicted plots by country, by September 2023.
#[tokio::test]
async fn plots_per_country_match_the_washington_institute_count() {
    let v = stats("kind=plot&datetime=../2023-09-11").await;
    let stated = [
        ("IND", 3),
        ("IRN", 4),
        ("DEU", 3),
        ("MDV", 1),
        ("QAT", 1),
        ("TUR", 3),
    ];
    for (c, n) in stated {
        assert_eq!(group(&v, c, "plot"), n, "{c}");
    }
    assert_eq!(stated.iter().map(|(_, n)| n).sum::<u64>(), 15);
}

/// S1: arrests for recruiting and fundraising since 2020.
#[tokio::test]
async fn arrests_per_country_match() {
    let v = stats("kind=arrest&datetime=2020-01-01/2023-09-11").await;
    for (c, n) in [("GBR", 2), ("IND", 3), ("TUR", 1), ("PAK", 1), ("USA", 2)] {
        assert_eq!(group(&v, c, "arrest"), n, "{c}");
    }
}

/// S1: claimed attacks in Afghanistan per August-to-July year; S5: thirteen claimed in H1 2024.
#[tokio::test]
async fn annual_series_of_claimed_attacks_in_afghanistan() {
    for (window, n) in [
        ("2018-08-01/2019-07-31", 400),
        ("2019-08-01/2020-07-31", 157),
        ("2020-08-01/2021-07-31", 275),
        ("2021-08-01/2022-07-31", 314),
        ("2022-08-01/2023-07-31", 69),
        ("2024-01-01/2024-06-30", 13),
    ] {
        let v = stats(&format!(
            "kind=attack&country=AFG&claim=claimed&datetime={window}"
        ))
        .await;
        assert_eq!(v["all"]["attack"], n, "{window}");
    }
}

/// S3 (ISW): about 37 attacks in April 2022, four of them 1-16 April.
#[tokio::test]
async fn april_2022_tally() {
    let v =
        stats("kind=attack&country=AFG&claim=claimed&period=month&datetime=2022-04-01/2022-05-01")
            .await;
    let april = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2022-04")
        .expect("April 2022");
    assert_eq!(april["attack"], 37, "records starting in April 2022");
    let early =
        stats("kind=attack&country=AFG&claim=claimed&period=month&datetime=2022-04-01/2022-04-16")
            .await;
    let starting_early: u64 =
        get("/api/collections/attacks/items?datetime=2022-04-01/2022-04-16&limit=1000")
            .await
            .json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["date"] == "2022-04-01")
            .map(|f| f["properties"]["count"].as_u64().unwrap())
            .sum();
    assert_eq!(starting_early, 4);
    assert!(early["all"]["attack"].as_u64().unwrap() >= 4);
}

/// S1: 36 Taliban raids from July 2022; S1: thirteen people designated in one action.
#[tokio::test]
async fn raids_and_designations() {
    let v = stats("kind=raid&country=AFG&datetime=2022-07-01/2023-09-11").await;
    assert_eq!(v["all"]["raid"], 36);
    let d = get("/api/collections/designations/items").await.json();
    assert_eq!(d["numberMatched"], 1);
    let p = &d["features"][0]["properties"];
    assert_eq!(p["country"], "MDV");
    assert!(p["summary"].as_str().unwrap().contains("thirteen"));
}

/// Casualty figures the sources give.
#[tokio::test]
async fn casualties_of_the_major_attacks() {
    for (id, dead) in [
        ("2024-03-22-crocus-city-hall", 145),
        ("2024-01-kerman-bombings", 96),
        ("2021-08-kabul-airport-bombing", 183),
    ] {
        let v = get(&format!("/api/collections/attacks/items/{id}"))
            .await
            .json();
        assert_eq!(v["properties"]["fatalities"], dead, "{id}");
    }
    let termez = get("/api/collections/attacks/items/2022-04-18-termez-rocket-attack")
        .await
        .json();
    assert_eq!(
        termez["properties"]["denied_by"],
        serde_json::json!(["UZB", "AFG"])
    );
    assert_eq!(termez["properties"]["origin"]["country"], "AFG");
    let tjk = get("/api/collections/attacks/items/2022-05-07-tajikistan-rocket-attack")
        .await
        .json();
    assert_eq!(tjk["properties"]["origin"]["geo_precision"], "district");
}

/// Every record cites a source; every source is cited; records known only to an area (province,
/// region, country, group of countries) have no point, and their area is the whole jurisdiction.
#[tokio::test]
async fn every_record_is_cited_and_honestly_placed() {
    let store = common::store();
    let snap = store.current();
    let mut cited = std::collections::HashSet::new();
    for i in 0..snap.catalog.len() as u32 {
        let r = snap.catalog.record(i);
        assert!(!r.citations.is_empty(), "{}", r.id);
        for c in &r.citations {
            cited.insert(c.document);
        }
        assert_eq!(r.point.is_none(), r.geo_precision.is_area(), "{}", r.id);
        assert_eq!(r.area.is_some(), r.geo_precision.is_area(), "{}", r.id);
        if r.geo_precision == iskp_map::model::GeoPrecision::Country {
            assert!(
                r.admin1.is_none(),
                "{} is country-level but has a province",
                r.id
            );
            let c = snap
                .jurisdictions
                .country(r.country.as_deref().unwrap())
                .unwrap();
            let b = r.area.as_ref().unwrap().bbox;
            assert_eq!(
                b,
                [
                    c.bbox.min().x,
                    c.bbox.min().y,
                    c.bbox.max().x,
                    c.bbox.max().y
                ],
                "{} covers its whole country",
                r.id
            );
        }
    }
    assert_eq!(cited.len(), snap.catalog.documents().len());
}

/// A summary holding HTML travels as a JSON string, untouched and unrendered.
#[tokio::test]
async fn html_in_a_summary_is_served_as_plain_text() {
    let s = Scratch::new("html");
    let evil = "<img src=x onerror=alert(1)> & <script>alert(2)</script>";
    s.append(
        "records.csv",
        &format!("zz-html-test,presence,\"<b>bold</b> title\",\"{evil}\",2024-01-01,,day,Kabul,AFG,near,,,1,,,,attributed,,,,,,,,"),
    );
    s.append("citations.csv", "zz-html-test,S1,test");
    let store = Arc::new(Store::open(Box::new(FileSource::new(&s.dir))).expect("loads"));
    let req = axum::http::Request::get("/api/collections/incidents/items/zz-html-test")
        .body(axum::body::Body::empty())
        .unwrap();
    let a = send_to(store, req).await;
    assert_eq!(a.header("content-type"), Some("application/geo+json"));
    let v = a.json();
    assert_eq!(v["properties"]["summary"], evil);
    assert_eq!(v["properties"]["title"], "<b>bold</b> title");
}

/// The statement ledger (`geodata/statements.csv`) accounts for every record: every statement has an
/// outcome, every record is fed by a statement, some document's statements add up to every count,
/// and every citation is named by the ledger (see `load::ledger`).
#[test]
fn the_statement_ledger_accounts_for_every_record_and_citation() {
    let n = iskp_map::load::ledger::check_dir(&common::geodata())
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("geodata/ has a ledger");
    let text = std::fs::read_to_string(common::geodata().join("statements.csv")).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(n, rows.len());
    // Every document has rows, and the ledger records more than it leaves out of nothing.
    for doc in ["S1", "S2", "S3", "S4", "S5"] {
        assert!(
            rows.iter().any(|r| r.starts_with(&format!("{doc}."))),
            "{doc} has no statement"
        );
    }
}

/// The ledger check fails when a record is fed by nothing, or a citation names a section the ledger
/// does not have.
#[test]
fn the_ledger_check_catches_unfed_records_and_stray_citations() {
    let s = Scratch::new("ledger");
    std::fs::copy(
        common::geodata().join("statements.csv"),
        s.path("statements.csv"),
    )
    .unwrap();
    s.append(
        "records.csv",
        "zz-unfed,attack,T,S,2024-01-01,,day,Kabul,AFG,near,,,1,,,,claimed,,,,,,,,",
    );
    s.append("citations.csv", "zz-unfed,S1,nowhere");
    let e = iskp_map::load::ledger::check_dir(&s.dir)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("record \"zz-unfed\" is fed by no statement"),
        "{e}"
    );
    assert!(
        e.contains("no `record` statement of S1 at \"nowhere\""),
        "{e}"
    );
}
