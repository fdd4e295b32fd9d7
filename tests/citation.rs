//! Citation manifests (`/api/citation`) over the bundled data, and the link every download carries
//! to its manifest. The CSL-JSON is checked against the official schema in
//! `web/tests/citation.test.mjs`.

mod common;

use axum::http::StatusCode;
use common::{geodata, get};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Per source id, the records (of those `keep` accepts) citing it, read from the data files.
fn expected(
    keep: impl Fn(&csv::StringRecord, &csv::StringRecord) -> bool,
) -> BTreeMap<String, usize> {
    let mut recs = csv::Reader::from_path(geodata().join("records.csv")).unwrap();
    let head = recs.headers().unwrap().clone();
    let kept: HashSet<String> = recs
        .records()
        .map(|r| r.unwrap())
        .filter(|r| keep(&head, r))
        .map(|r| r[0].to_string())
        .collect();
    let mut per: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut cites = csv::Reader::from_path(geodata().join("citations.csv")).unwrap();
    for c in cites.records() {
        let c = c.unwrap();
        if kept.contains(&c[0]) {
            per.entry(c[1].to_string())
                .or_default()
                .insert(c[0].to_string());
        }
    }
    per.into_iter().map(|(k, v)| (k, v.len())).collect()
}

fn field<'a>(head: &csv::StringRecord, r: &'a csv::StringRecord, name: &str) -> &'a str {
    let i = head.iter().position(|h| h == name).unwrap();
    &r[i]
}

fn documents(m: &Value) -> BTreeMap<String, usize> {
    m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["citedBy"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

/// A BibTeX entry: type, key and fields (name, value without its braces).
type Entry = (String, String, Vec<(String, String)>);

/// The entries of a BibTeX text: (type, key, fields), checking that braces balance (escaped
/// `\{` and `\}` aside) and that nothing but entries and blank space stands outside them.
fn bibtex_entries(text: &str) -> Vec<Entry> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_whitespace() {
            i += 1;
            continue;
        }
        assert_eq!(b[i], '@', "only entries at the top level, at {i}: {text}");
        let open = i + b[i..].iter().position(|&c| c == '{').unwrap();
        let kind: String = b[i + 1..open].iter().collect();
        // Find the matching close brace.
        let (mut depth, mut j) = (0i32, open);
        loop {
            match b[j] {
                '\\' => j += 1,
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
            assert!(j < b.len(), "unbalanced braces in {text}");
        }
        let body: String = b[open + 1..j].iter().collect();
        let (key, rest) = body.split_once(',').expect("a key");
        let mut fields = Vec::new();
        for line in rest.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, value) = line.split_once(" = ").expect("name = {value}");
            let value = value.trim_end_matches(',');
            assert!(value.starts_with('{') && value.ends_with('}'), "{line}");
            fields.push((name.to_string(), value[1..value.len() - 1].to_string()));
        }
        out.push((kind, key.trim().to_string(), fields));
        i = j + 1;
    }
    out
}

#[tokio::test]
async fn a_kind_names_the_documents_its_records_cite() {
    let a = get("/api/citation?kind=plot").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(
        a.header("etag"),
        None,
        "accessedAt changes per answer: no ETag"
    );
    let m = a.json();
    let want = expected(|h, r| field(h, r, "kind") == "plot");
    assert_eq!(documents(&m), want);
    let items = get("/api/collections/incidents/items?kind=plot&limit=1").await;
    assert_eq!(m["numberMatched"], items.json()["numberMatched"]);
    assert_eq!(m["request"]["collection"], "incidents");
    assert_eq!(
        m["request"]["filters"],
        serde_json::json!({ "kind": "plot" })
    );
    assert_eq!(
        m["request"]["url"],
        "http://127.0.0.1:8080/api/collections/incidents/items?kind=plot"
    );
    // One CSL item per document and one for the data set; as many BibTeX entries.
    let csl = m["csl"].as_array().unwrap();
    assert_eq!(csl.len(), want.len() + 1);
    assert_eq!(csl.last().unwrap()["type"], "dataset");
    let bib = bibtex_entries(m["bibtex"].as_str().unwrap());
    assert_eq!(bib.len(), want.len() + 1);
    let keys: HashSet<&str> = bib.iter().map(|(_, k, _)| k.as_str()).collect();
    assert_eq!(keys.len(), bib.len(), "keys are unique");
    for (d, (_, key, _)) in m["documents"].as_array().unwrap().iter().zip(&bib) {
        assert_eq!(
            d["key"].as_str().unwrap(),
            key,
            "documents and entries in one order"
        );
    }
    let csl_ids: Vec<&str> = csl.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let bib_keys: Vec<&str> = bib.iter().map(|(_, k, _)| k.as_str()).collect();
    assert_eq!(csl_ids, bib_keys, "CSL ids are the BibTeX keys");
}

#[tokio::test]
async fn a_country_names_its_documents_and_the_sections_cited() {
    let m = get("/api/citation?country=DEU&kind=plot").await.json();
    let want = expected(|h, r| field(h, r, "country") == "DEU" && field(h, r, "kind") == "plot");
    assert!(!want.is_empty());
    assert_eq!(documents(&m), want);
    // The sections are those the matched records cite.
    let fc = get("/api/collections/incidents/items?country=DEU&kind=plot&limit=1000")
        .await
        .json();
    let mut sections: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        for s in f["properties"]["sources"].as_array().unwrap() {
            sections
                .entry(s["id"].as_str().unwrap().into())
                .or_default()
                .insert(s["section"].as_str().unwrap().into());
        }
    }
    for d in m["documents"].as_array().unwrap() {
        let got: BTreeSet<String> = d["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, sections[d["id"].as_str().unwrap()]);
    }
}

#[tokio::test]
async fn the_version_and_change_time_are_those_of_the_items() {
    let m = get("/api/citation?claim=claimed").await.json();
    let items = get("/api/collections/incidents/items?claim=claimed&limit=1").await;
    let tag = items.header("etag").unwrap().to_string();
    let version = m["dataVersion"].as_str().unwrap();
    assert!(
        tag.starts_with(&format!("W/\"{version}.")),
        "{tag} vs {version}"
    );
    assert_eq!(m["changedAt"], items.json()["timeStamp"]);
    let ready = get("/readyz").await.json();
    assert_eq!(ready["version"].as_str().unwrap(), version);
    let accessed = time::OffsetDateTime::parse(
        m["accessedAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    assert!(
        (now - accessed).whole_seconds().abs() < 60,
        "accessedAt is now"
    );
    let dataset = m["csl"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(dataset["version"].as_str().unwrap(), version);
    assert_eq!(
        dataset["accessed"]["date-parts"][0][0].as_i64().unwrap(),
        i64::from(accessed.year())
    );
    assert_eq!(dataset["URL"], m["request"]["url"]);
}

#[tokio::test]
async fn only_stated_fields_are_written() {
    let m = get("/api/citation").await.json();
    let sources = get("/api/sources").await.json();
    let by_id: BTreeMap<&str, &Value> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s))
        .collect();
    let docs = m["documents"].as_array().unwrap();
    for (d, item) in docs.iter().zip(m["csl"].as_array().unwrap()) {
        let s = by_id[d["id"].as_str().unwrap()];
        assert_eq!(item["title"], s["title"]);
        assert_eq!(item["author"][0]["literal"], s["author"]);
        assert_eq!(item.get("publisher").is_some(), !s["publisher"].is_null());
        assert_eq!(item.get("issued").is_some(), !s["published"].is_null());
        assert_eq!(item.get("URL").is_some(), !s["url"].is_null());
        let keys: BTreeSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let allowed: BTreeSet<&str> = [
            "id",
            "type",
            "title",
            "author",
            "publisher",
            "issued",
            "URL",
        ]
        .into();
        assert!(keys.is_subset(&allowed), "{keys:?}");
    }
}

#[tokio::test]
async fn csl_and_bibtex_alone() {
    let a = get("/api/citation?kind=plot&f=csl").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.header("content-type"),
        Some("application/vnd.citationstyles.csl+json")
    );
    let m = get("/api/citation?kind=plot").await.json();
    let mut csl = a.json();
    let mut whole = m["csl"].clone();
    // The access time may have ticked over between the two answers: compare without it.
    for v in [&mut csl, &mut whole] {
        for item in v.as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("note");
            item.as_object_mut().unwrap().remove("accessed");
        }
    }
    assert_eq!(csl, whole);
    let b = get("/api/citation?kind=plot&f=bibtex").await;
    assert_eq!(b.status, StatusCode::OK);
    assert!(b
        .header("content-type")
        .unwrap()
        .starts_with("application/x-bibtex"));
    let entries = bibtex_entries(&b.text());
    assert_eq!(entries.len(), csl.as_array().unwrap().len());
    let (_, _, fields) = entries.last().unwrap();
    let url = &fields.iter().find(|(n, _)| n == "url").unwrap().1;
    assert_eq!(
        url,
        "http://127.0.0.1:8080/api/collections/incidents/items?kind=plot"
    );
}

#[tokio::test]
async fn countries_and_provinces_cite_the_records_their_totals_count() {
    let m = get("/api/citation?collection=countries").await.json();
    let countries = get("/api/collections/countries/items?limit=1").await.json();
    assert_eq!(m["numberMatched"], countries["numberMatched"]);
    assert_eq!(
        documents(&m),
        expected(|h, r| !field(h, r, "country").is_empty())
    );
    let p = get("/api/citation?collection=provinces&country=AFG")
        .await
        .json();
    let provinces = get("/api/collections/provinces/items?country=AFG&limit=1")
        .await
        .json();
    assert_eq!(p["numberMatched"], provinces["numberMatched"]);
    assert!(!documents(&p).is_empty());
    assert_eq!(
        p["request"]["filters"],
        serde_json::json!({ "country": "AFG" })
    );
}

#[tokio::test]
async fn bad_parameters_are_named() {
    for (uri, name) in [
        ("/api/citation?kind=nope", "kind"),
        ("/api/citation?bbox=1,2,3", "bbox"),
        ("/api/citation?collection=nope", "collection"),
        ("/api/citation?collection=plots&kind=attack", "kind"),
        ("/api/citation?collection=countries&claim=claimed", "claim"),
        ("/api/citation?collection=countries&country=DEU", "country"),
        ("/api/citation?limit=3", "limit"),
        ("/api/citation?bogus=1", "bogus"),
        ("/api/citation?filter=nonsense%20%3D", "filter"),
    ] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text());
        assert_eq!(a.json()["parameter"], name, "{uri}");
    }
    assert_eq!(
        get("/api/citation?f=xml").await.status,
        StatusCode::NOT_ACCEPTABLE
    );
}

#[tokio::test]
async fn every_download_links_to_its_manifest() {
    for format in ["csv", "geojson", "fgb"] {
        let a = get(&format!(
            "/api/collections/plots/download?format={format}&country=DEU&sortby=date"
        ))
        .await;
        assert_eq!(a.status, StatusCode::OK);
        let link = a.header("link").expect("a Link header");
        let want = "<http://127.0.0.1:8080/api/citation?collection=plots&country=DEU>; rel=\"describedby\"";
        assert!(link.starts_with(want), "{format}: {link}");
        let href = link[1..link.find('>').unwrap()].to_string();
        let path = href.strip_prefix("http://127.0.0.1:8080").unwrap();
        let m = get(path).await.json();
        assert_eq!(m["request"]["collection"], "plots");
        if format == "csv" {
            let rows = csv::Reader::from_reader(a.body.as_slice())
                .records()
                .count();
            assert_eq!(m["numberMatched"].as_u64().unwrap() as usize, rows);
        }
        if format == "geojson" {
            let v = a.json();
            assert_eq!(v["links"][0]["href"].as_str().unwrap(), href);
            assert_eq!(v["links"][0]["rel"], "describedby");
            assert_eq!(
                v["features"].as_array().unwrap().len() as u64,
                m["numberMatched"].as_u64().unwrap()
            );
        }
    }
    let p = get("/api/collections/provinces/download?format=geojson&country=AFG").await;
    assert!(p
        .header("link")
        .unwrap()
        .starts_with("<http://127.0.0.1:8080/api/citation?collection=provinces&country=AFG>"));
}
