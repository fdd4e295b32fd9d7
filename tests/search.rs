//! The free-text search `q` and the `link`, `fatalities_min` and `fatalities_max` filters: on items,
//! statistics and downloads alike, in OpenAPI and the queryables, and every bad value a `400`
//! naming its parameter.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{get, send_to, Scratch};
use serde_json::Value;
use std::sync::Arc;

fn ids(v: &Value) -> Vec<String> {
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

async fn items(query: &str) -> Value {
    let a = get(&format!(
        "/api/collections/incidents/items?limit=1000&{query}"
    ))
    .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{query}: {}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()
}

#[tokio::test]
async fn q_finds_records_by_title_summary_place_and_sources() {
    let v = items("q=Crocus").await;
    assert!(
        ids(&v).contains(&"2024-03-22-crocus-city-hall".to_string()),
        "{:?}",
        ids(&v)
    );
    // Case, diacritics and word order do not matter; the last word is also a prefix.
    for q in ["KERMĀN%20bombing", "bombing%20kerman", "kerman%20bomb"] {
        let v = items(&format!("q={q}")).await;
        assert!(
            ids(&v).contains(&"2024-01-kerman-bombings".to_string()),
            "{q}: {:?}",
            ids(&v)
        );
    }
    // "Tajik" is in summaries (Kerman, Crocus): a word, and the start of "Tajikistan".
    let tajik = ids(&items("q=Tajik").await);
    assert!(
        tajik.contains(&"2024-01-kerman-bombings".to_string()),
        "{tajik:?}"
    );
    assert!(
        tajik.contains(&"2024-03-22-crocus-city-hall".to_string()),
        "{tajik:?}"
    );
    // Every word must be there.
    let both = ids(&items("q=Crocus%20Kerman").await);
    let crocus = ids(&items("q=Crocus").await);
    let kerman = ids(&items("q=Kerman").await);
    assert!(both.len() < crocus.len() && both.len() <= kerman.len());
    assert!(both
        .iter()
        .all(|i| crocus.contains(i) && kerman.contains(i)));
    assert_eq!(items("q=Crocus%20zzqxw").await["numberMatched"], 0);
    assert_eq!(items("q=zzqxw").await["numberMatched"], 0);
    // Document titles count: every record cites one, so some word of one finds records.
    let docs = get("/api/sources").await.json();
    let title = docs["sources"][0]["title"]
        .as_str()
        .or_else(|| docs[0]["title"].as_str())
        .unwrap_or("")
        .to_string();
    let word = title
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.chars().count() >= 6)
        .unwrap_or("Islamic")
        .to_string();
    assert!(
        items(&format!("q={word}")).await["numberMatched"]
            .as_u64()
            .unwrap()
            > 0,
        "{word}"
    );
}

#[tokio::test]
async fn q_narrows_stats_downloads_and_other_filters_alike() {
    let n = items("q=Tajik").await["numberMatched"].as_u64().unwrap();
    let s = get("/api/stats?q=Tajik").await.json();
    assert_eq!(s["numberMatched"].as_u64().unwrap(), n);
    let csv = get("/api/collections/incidents/download?format=csv&q=Tajik").await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows = String::from_utf8_lossy(&csv.body).lines().count() as u64;
    assert!(rows > n, "a header and {n} rows: {rows}");
    // With a kind, a box and a time.
    let v = items("q=Tajik&kind=attack&datetime=2024-01-01/2024-12-31").await;
    assert!(ids(&v).contains(&"2024-03-22-crocus-city-hall".to_string()));
    let v = items("q=Crocus&bbox=60,29,75,39").await;
    assert!(
        !ids(&v).contains(&"2024-03-22-crocus-city-hall".to_string()),
        "Moscow is outside the box"
    );
    let v = get("/api/collections/attacks/items?q=Crocus").await.json();
    assert!(ids(&v).contains(&"2024-03-22-crocus-city-hall".to_string()));
    assert!(v["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["kind"] == "attack"));
    let v = get("/api/collections/plots/items?q=Crocus%20City%20Hall%20attack")
        .await
        .json();
    assert!(!ids(&v).contains(&"2024-03-22-crocus-city-hall".to_string()));
}

#[tokio::test]
async fn fatalities_and_link_filter_records() {
    let many = ids(&items("fatalities_min=100").await);
    assert!(
        many.contains(&"2024-03-22-crocus-city-hall".to_string()),
        "{many:?}"
    );
    assert!(
        many.contains(&"2021-08-kabul-airport-bombing".to_string()),
        "{many:?}"
    );
    assert!(
        !many.contains(&"2024-01-kerman-bombings".to_string()),
        "96 killed"
    );
    let few = items("fatalities_min=1&fatalities_max=5").await;
    for f in few["features"].as_array().unwrap() {
        let k = f["properties"]["fatalities"].as_u64().expect("stated");
        assert!((1..=5).contains(&k), "{k}");
    }
    // A record that states no fatalities matches no range, not even from 0.
    let from0 = items("fatalities_min=0").await["numberMatched"]
        .as_u64()
        .unwrap();
    let all = items("").await["numberMatched"].as_u64().unwrap();
    assert!(from0 < all);
    let s = get("/api/stats?fatalities_min=100").await.json();
    assert_eq!(s["numberMatched"].as_u64().unwrap(), many.len() as u64);
    // The data states no link: every link selects nothing, and the parameter is checked.
    assert_eq!(items("link=directed").await["numberMatched"], 0);
}

#[tokio::test]
async fn link_selects_the_records_that_state_it() {
    let s = Scratch::new("search-link");
    s.append(
        "records.csv",
        "zz-link-directed,attack,Directed test attack,Summary,2023-06-01,,day,Kandahar,AFG,near,,,1,,12,,claimed,directed,,,,,,,",
    );
    s.append("citations.csv", "zz-link-directed,S1,test record");
    let store = Arc::new(
        iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir))).expect("loads"),
    );
    let ask = |q: &str| {
        let store = store.clone();
        let uri = format!("/api/collections/incidents/items?{q}");
        async move {
            send_to(store, Request::get(uri).body(Body::empty()).unwrap())
                .await
                .json()
        }
    };
    assert_eq!(ids(&ask("link=directed").await), ["zz-link-directed"]);
    assert_eq!(ask("link=guided").await["numberMatched"], 0);
    assert_eq!(
        ids(&ask("link=directed&fatalities_min=12&fatalities_max=12&q=directed%20test").await),
        ["zz-link-directed"]
    );
    assert_eq!(
        ask("link=directed&fatalities_min=13").await["numberMatched"],
        0
    );
}

#[tokio::test]
async fn bad_values_are_400_naming_the_parameter() {
    let long = "a".repeat(201);
    let nine = "one+two+three+four+five+six+seven+eight+nine";
    for (query, param) in [
        (format!("q={long}"), "q"),
        (format!("q={nine}"), "q"),
        ("q=...".to_string(), "q"),
        ("q=".to_string(), "q"),
        ("link=remote".to_string(), "link"),
        ("fatalities_min=-1".to_string(), "fatalities_min"),
        ("fatalities_max=1.5".to_string(), "fatalities_max"),
        ("fatalities_max=99999999999".to_string(), "fatalities_max"),
        (
            "fatalities_min=5&fatalities_max=2".to_string(),
            "fatalities_min",
        ),
    ] {
        for path in [
            "/api/collections/incidents/items",
            "/api/stats",
            "/api/collections/incidents/clusters?zoom=3&x=1",
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let path = path.replace("&x=1", "");
            let a = get(&format!("{path}{sep}{query}")).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path} {query}");
            let v = a.json();
            assert_eq!(v["parameter"], param, "{path} {query}: {v}");
        }
    }
}

#[tokio::test]
async fn openapi_and_queryables_describe_the_new_parameters() {
    let doc = get("/api/openapi.json").await.json();
    for p in ["q", "link", "fatalities_min", "fatalities_max"] {
        assert!(doc["components"]["parameters"][p].is_object(), "{p}");
        let items = &doc["paths"]["/collections/incidents/items"]["get"]["parameters"];
        assert!(
            items
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["$ref"].as_str() == Some(&format!("#/components/parameters/{p}"))),
            "{p}"
        );
    }
    assert_eq!(
        doc["components"]["parameters"]["q"]["schema"]["maxLength"],
        200
    );
    let q = get("/api/collections/incidents/queryables").await.json();
    assert!(q["properties"]["q"].is_object());
    assert_eq!(q["properties"]["link"]["enum"][0], "directed");
}
