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

/// S1 splits its fourteen undated plots by period (with the dated April 2020 German plot: four
/// before the Taliban takeover, five in 2022, six in 2023) but not by country: per-year statistics
/// over the six countries reproduce the split, not the start year of each country's total.
#[tokio::test]
async fn the_s1_plots_split_by_period_is_reproduced_by_yearly_stats() {
    let mut by_year: std::collections::BTreeMap<String, f64> = Default::default();
    for c in ["IND", "IRN", "DEU", "MDV", "QAT", "TUR"] {
        let v = stats(&format!(
            "kind=plot&country={c}&period=year&datetime=../2023-09-11"
        ))
        .await;
        for p in v["timeline"].as_array().unwrap() {
            *by_year
                .entry(p["period"].as_str().unwrap().to_string())
                .or_default() += p["spread"].as_f64().unwrap();
        }
    }
    let before: f64 = by_year
        .iter()
        .filter(|(y, _)| y.as_str() <= "2021")
        .map(|(_, n)| n)
        .sum();
    let near = |a: f64, b: f64| (a - b).abs() < 0.01;
    assert!(
        near(before, 4.0),
        "before the takeover: {before} ({by_year:?})"
    );
    assert!(near(by_year["2022"], 5.0), "2022: {by_year:?}");
    assert!(near(by_year["2023"], 6.0), "2023: {by_year:?}");
    // September to December 2021 holds none of them: no period of the split covers it.
    let gap = get("/api/collections/plots/items?datetime=2021-09-01/2021-12-31&limit=100")
        .await
        .json();
    let split_members = gap["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["split"] == "s1-plots")
        .count();
    assert_eq!(split_members, 0);
}

/// A box over any Afghan province returns only what is known to lie in it: points inside the box,
/// and records known only to an area whose whole area is inside. Afghanistan's national series,
/// which once sat at the country's representative point in Daykundi, is in none of them.
#[tokio::test]
async fn a_box_over_any_afghan_province_holds_only_what_is_known_to_lie_in_it() {
    let provinces = get("/api/collections/provinces/items?country=AFG&limit=100")
        .await
        .json();
    let list = provinces["features"].as_array().unwrap();
    assert_eq!(list.len(), 34);
    let snap = common::store().current();
    for p in list {
        let id = p["id"].as_str().unwrap();
        let j = &snap.jurisdictions.provinces[snap.jurisdictions.province_index(id).unwrap()];
        let b = [
            j.bbox.min().x,
            j.bbox.min().y,
            j.bbox.max().x,
            j.bbox.max().y,
        ];
        let inside = |x: f64, y: f64| b[0] <= x && x <= b[2] && b[1] <= y && y <= b[3];
        let v = get(&format!(
            "/api/collections/incidents/items?bbox={},{},{},{}&limit=10000",
            b[0], b[1], b[2], b[3]
        ))
        .await
        .json();
        for f in v["features"].as_array().unwrap() {
            let prec = f["properties"]["geo_precision"].as_str().unwrap();
            assert!(
                !matches!(prec, "country" | "multinational"),
                "{id}: {} is known only to a larger area",
                f["id"]
            );
            match f["geometry"]["coordinates"].as_array() {
                Some(c) => assert!(inside(c[0].as_f64().unwrap(), c[1].as_f64().unwrap())),
                None => {
                    let a: Vec<f64> = (0..4).map(|k| f["bbox"][k].as_f64().unwrap()).collect();
                    assert!(
                        inside(a[0], a[1]) && inside(a[2], a[3]),
                        "{id}: {}",
                        f["id"]
                    );
                }
            }
        }
    }
    let daykundi = get("/api/collections/incidents/items?bbox=65.8,33.6,66.3,34.0&limit=100")
        .await
        .json();
    assert_eq!(daykundi["numberMatched"], 0, "{daykundi}");
}

/// Four attacks S5 places in Kunar and Badakhshan together are a record of the region the two
/// make up: no point, no province, both members, found by a box holding both provinces only.
#[tokio::test]
async fn kunar_and_badakhshan_together_are_a_region() {
    let f = get("/api/collections/attacks/items/afg-2024-h1-kunar-badakhshan-attacks")
        .await
        .json();
    let p = &f["properties"];
    assert!(f["geometry"].is_null());
    assert_eq!(p["geo_precision"], "region");
    assert_eq!(p["where_prec"], 5);
    assert_eq!(p["country"], "AFG");
    assert!(p["admin1_id"].is_null());
    assert_eq!(
        p["area"]["members"],
        serde_json::json!(["AF-KNR", "AF-BDS"])
    );
    let both = get("/api/collections/attacks/items?bbox=69,33,75.5,39&limit=1000")
        .await
        .json();
    assert!(both["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "afg-2024-h1-kunar-badakhshan-attacks"));
    let kunar_only = get("/api/collections/attacks/items?bbox=70.5,34.5,71.7,35.6&limit=1000")
        .await
        .json();
    assert!(!kunar_only["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "afg-2024-h1-kunar-badakhshan-attacks"));
}

/// S5's "tens of foiled plots in Europe, Russia, Iran and Turkey" over the campaign's years: the
/// plots recorded by country that can be among them and the multinational remainder add up to at
/// least twenty.
#[tokio::test]
async fn tens_of_foiled_plots_are_at_least_twenty() {
    let v = stats("kind=plot&datetime=2021-01-01/2024-01-31").await;
    let europe_russia_iran_turkey = ["DEU", "AUT", "RUS", "IRN", "TUR"]
        .iter()
        .map(|c| group(&v, c, "plot"))
        .sum::<u64>();
    let several = v["unassigned"]["plot"].as_u64().unwrap();
    assert_eq!(several, 9, "the multinational remainder");
    assert!(europe_russia_iran_turkey + several >= 20);
    let f = get("/api/collections/plots/items/plots-2021-2024-europe-russia-iran-turkey")
        .await
        .json();
    assert!(f["properties"]["country"].is_null());
    assert_eq!(f["properties"]["where_prec"], 7);
    assert!(f["properties"]["area"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "RUS"));
}

/// No period starts on an invented 1 January: a period whose `date` is 1 January says how that
/// start is known (`month` or `year` as the document gives it, or `unknown` when it gives none).
#[tokio::test]
async fn no_period_starts_on_an_invented_first_of_january() {
    let v = get("/api/collections/incidents/items?limit=10000")
        .await
        .json();
    for f in v["features"].as_array().unwrap() {
        let p = &f["properties"];
        if p["date_precision"] == "period" && p["date"].as_str().unwrap().ends_with("-01-01") {
            assert!(
                ["month", "year", "unknown"].contains(&p["start_precision"].as_str().unwrap_or("")),
                "{}: {}",
                f["id"],
                p["start_precision"]
            );
        }
    }
}

/// Every stated total against every record its statement could include, whatever the claim class:
/// the records a query over the total's kind, place and window returns are exactly the total's
/// members (whose counts add up to it) and records judged distinct, each with the reason
/// `geodata/README.md` gives. A new record that could double count a total fails here until
/// someone decides.
#[tokio::test]
async fn stated_totals_hold_across_claim_classes() {
    struct Total {
        what: &'static str,
        query: &'static str,
        stated: u64,
        members: &'static [&'static str],
        distinct: &'static [(&'static str, &'static str)],
    }
    let totals = [
        Total {
            what: "S1: 314 claimed attacks in Afghanistan, August 2021 - July 2022",
            query: "kind=attack&country=AFG&datetime=2021-08-01/2022-07-31",
            stated: 314,
            members: &[
                "2021-08-kabul-airport-bombing",
                "afg-claimed-attacks-2021-2022-remainder",
                "afg-attacks-2022-04-01-16",
                "2022-04-kunduz-campaign-attacks",
                "2022-04-mazar-i-sharif-campaign-attacks",
                "afg-two-sheikhs-attacks-2022-remainder",
                "2022-04-24-faizabad-mines-director",
            ],
            distinct: &[
                ("2022-04-kabul-hazara-school-attacks", "unclaimed; S1 counts claims"),
                ("2022-04-kabul-sufi-mosque-attack", "unclaimed; S1 counts claims"),
            ],
        },
        Total {
            what: "S5: 13 claimed attacks in Afghanistan, January - June 2024",
            query: "kind=attack&country=AFG&datetime=2024-01-01/2024-06-30",
            stated: 13,
            members: &[
                "afg-2024-h1-bamyan-attack",
                "afg-2024-h1-claimed-attacks-remainder",
                "afg-2024-h1-daikundi-attack",
                "afg-2024-h1-ghor-attack",
                "afg-2024-h1-kabul-attacks",
                "afg-2024-h1-kandahar-attack",
                "afg-2024-h1-kunar-badakhshan-attacks",
            ],
            distinct: &[(
                "2024-05-spanish-tourists-killed",
                "S5 gives no claim; may be the Bamyan or Daikundi attack (README)",
            )],
        },
        Total {
            what: "S1: 36 Taliban raids from July 2022",
            query: "kind=raid&country=AFG&datetime=2022-07-01/2023-09-11",
            stated: 36,
            members: &["afg-taliban-raids-2022-07-2023-09"],
            distinct: &[],
        },
        Total {
            what: "S1: fifteen interdicted plots (India 3, Iran 4, Germany 3, Maldives 1, Qatar 1, Turkey 3)",
            query: "kind=plot&datetime=../2023-09-11",
            stated: 15,
            members: &[
                "deu-plots-2020-2023",
                "2020-04-germany-tajik-cell-plot",
                "ind-plots-2020-2023",
                "irn-plots-2020-2023",
                "mdv-plots-2020-2023",
                "qat-plots-2020-2023",
                "tur-plots-2020-2023",
            ],
            distinct: &[
                ("aut-plot-2022-2024", "S2's Austria is not among S1's countries"),
                ("rus-plots-2022-2023", "S5's Russia is not among S1's countries"),
                (
                    "plots-2021-2024-europe-russia-iran-turkey",
                    "S5's remainder beyond every plot recorded by country",
                ),
            ],
        },
        Total {
            what: "S1: arrests for recruiting and fundraising (Britain 2, India 3, Turkey 1, Pakistan 1, US 2)",
            query: "kind=arrest&datetime=2020-01-01/2023-09-11",
            stated: 9,
            members: &[
                "gbr-arrests-2020-2023",
                "ind-arrests-2020-2023",
                "pak-arrests-2020-2023",
                "tur-arrests-2020-2023",
                "usa-arrests-2020-2023",
            ],
            distinct: &[
                ("afg-taliban-detentions-isk-infiltration-2023-2024", "Afghanistan, not among S1's countries"),
                ("2022-02-european-recruits-arrested", "Afghanistan, not among S1's countries"),
                ("afg-gdi-reported-arrests-2022-07-2023-09", "Afghanistan, not among S1's countries"),
            ],
        },
    ];
    for t in totals {
        let v = get(&format!(
            "/api/collections/incidents/items?{}&limit=10000",
            t.query
        ))
        .await
        .json();
        let found: std::collections::BTreeMap<String, u64> = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["properties"]["count"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected: std::collections::BTreeSet<&str> = t
            .members
            .iter()
            .copied()
            .chain(t.distinct.iter().map(|(id, _)| *id))
            .collect();
        let got: std::collections::BTreeSet<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(got, expected, "{}: records to decide on", t.what);
        let sum: u64 = t.members.iter().map(|m| found[*m]).sum();
        assert_eq!(sum, t.stated, "{}", t.what);
    }
}

/// Groups of countries a document names without naming a country in them are recorded at the
/// group: S4's networks reaching Central Asia (its five republics) and S5's fund-raising among
/// donors mostly in the Gulf monarchies (the six of the Gulf Cooperation Council). A box around
/// one member does not return them; a box around all of them does.
#[tokio::test]
async fn central_asia_and_the_gulf_monarchies_are_groups_of_countries() {
    for (id, members, one, all) in [
        (
            "central-asia-fundraising-recruitment-networks",
            vec!["KAZ", "KGZ", "TJK", "TKM", "UZB"],
            "67.3,36.6,75.2,41.1",
            "46,35,88,56",
        ),
        (
            "gulf-2023-2024-fundraising-campaigns",
            vec!["ARE", "BHR", "KWT", "OMN", "QAT", "SAU"],
            "50.7,24.4,51.7,26.2",
            "34,16,60,33",
        ),
    ] {
        let f = get(&format!("/api/collections/presence/items/{id}"))
            .await
            .json();
        let p = &f["properties"];
        assert!(f["geometry"].is_null(), "{id}");
        assert!(p["country"].is_null(), "{id}");
        assert_eq!(p["geo_precision"], "multinational", "{id}");
        let mut got: Vec<String> = p["area"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, members, "{id}");
        let found = |bbox: &str| {
            let url = format!("/api/collections/presence/items?bbox={bbox}&limit=1000");
            async move {
                get(&url).await.json()["features"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["id"] == id)
            }
        };
        assert!(!found(one).await, "{id}: a box around one member");
        assert!(found(all).await, "{id}: a box around all members");
    }
}
