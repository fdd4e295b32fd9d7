//! Every endpoint of the API and every error of issue 2, through `app(state)` with `oneshot`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{get, send_to, store};
use serde_json::Value;
use std::collections::HashSet;

fn rels(v: &Value) -> Vec<(String, String)> {
    v["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| {
            (
                l["rel"].as_str().unwrap().to_string(),
                l["type"].as_str().expect("every link is typed").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn landing_page_links_everything_gdal_needs() {
    let a = get("/api").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let r = rels(&a.json());
    for (rel, media) in [
        ("self", "application/json"),
        (
            "service-desc",
            "application/vnd.oai.openapi+json;version=3.0",
        ),
        ("service-doc", "text/html"),
        ("conformance", "application/json"),
        ("data", "application/json"),
    ] {
        assert!(
            r.contains(&(rel.to_string(), media.to_string())),
            "missing {rel} {media}: {r:?}"
        );
    }
    assert_eq!(get("/api/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn conformance_claims_only_what_is_implemented() {
    let v = get("/api/conformance").await.json();
    let c: Vec<&str> = v["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(c.iter().any(|x| x.ends_with("/conf/core")));
    assert!(c.iter().any(|x| x.ends_with("/conf/geojson")));
    assert!(c.iter().any(|x| x.ends_with("/conf/oas30")));
    assert!(
        c.iter().any(|x| x.ends_with("/conf/html")),
        "every resource has an HTML view (tests/gis.rs)"
    );
}

#[tokio::test]
async fn openapi_has_concrete_paths_and_the_limit_parameter() {
    for uri in ["/api/openapi.json", "/api/api"] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(
            a.header("content-type"),
            Some("application/vnd.oai.openapi+json;version=3.0")
        );
        let v = a.json();
        assert!(v["openapi"].as_str().unwrap().starts_with("3.0"));
        for c in common::COLLECTIONS {
            assert!(
                v["paths"][format!("/collections/{c}/items")].is_object(),
                "{c}"
            );
            assert!(
                v["paths"][format!("/collections/{c}/items/{{featureId}}")].is_object(),
                "{c}"
            );
        }
        assert_eq!(
            v["components"]["parameters"]["limit"]["schema"]["default"],
            100
        );
        assert_eq!(
            v["components"]["parameters"]["limit"]["schema"]["maximum"],
            10000
        );
        assert_eq!(v["servers"][0]["url"], "http://127.0.0.1:8080/api");
    }
    let docs = get("/api/docs").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text().contains("/collections/plots/items"));
}

#[tokio::test]
async fn collections_list_every_layer_with_extents_and_typed_links() {
    let v = get("/api/collections").await.json();
    let ids: Vec<&str> = v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, common::COLLECTIONS);
    for c in v["collections"].as_array().unwrap() {
        let r = rels(c);
        assert!(
            r.contains(&("items".into(), "application/geo+json".into())),
            "{r:?}"
        );
        let bbox = &c["extent"]["spatial"]["bbox"][0];
        assert_eq!(bbox.as_array().unwrap().len(), 4, "{}", c["id"]);
    }
    let inc = get("/api/collections/incidents").await.json();
    let interval = &inc["extent"]["temporal"]["interval"][0];
    assert_eq!(interval[0], "2015-01-01T00:00:00Z");
    assert!(interval[1].as_str().unwrap().starts_with("2024-12-31"));
}

#[tokio::test]
async fn items_are_geojson_with_counts_and_stable_paging() {
    let a = get("/api/collections/incidents/items?limit=7").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/geo+json"));
    let v = a.json();
    assert_eq!(v["type"], "FeatureCollection");
    let matched = v["numberMatched"].as_u64().unwrap();
    assert_eq!(matched as usize, store().current().catalog.len());
    assert_eq!(v["numberReturned"], 7);
    assert!(v["timeStamp"].as_str().unwrap().ends_with('Z'));
    assert!(v.get("crs").is_none(), "RFC 7946 has no crs member");
    // Follow next links to the end: every record once, in order.
    let mut seen = Vec::new();
    let mut next = Some("/api/collections/incidents/items?limit=7".to_string());
    while let Some(uri) = next {
        let page = get(&uri).await.json();
        for f in page["features"].as_array().unwrap() {
            seen.push(f["id"].as_str().unwrap().to_string());
        }
        next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| {
                l["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://127.0.0.1:8080")
                    .to_string()
            });
    }
    assert_eq!(seen.len() as u64, matched);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "no record twice"
    );
    let second = get("/api/collections/incidents/items?limit=7&offset=7")
        .await
        .json();
    let prev = second["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "prev")
        .expect("prev link");
    assert!(prev["href"].as_str().unwrap().contains("offset=0"));
    assert_eq!(
        get("/api/collections/incidents/items").await.json()["numberReturned"]
            .as_u64()
            .unwrap(),
        matched.min(100)
    );
}

#[tokio::test]
async fn limit_is_clamped_and_offset_past_the_end_is_empty() {
    let v = get("/api/collections/incidents/items?limit=1000000")
        .await
        .json();
    assert_eq!(v["numberReturned"], v["numberMatched"]);
    let v = get("/api/collections/incidents/items?offset=99999999999999999999")
        .await
        .json();
    assert_eq!(v["numberReturned"], 0);
    assert!(v["numberMatched"].as_u64().unwrap() > 0);
}

/// A bbox selects the records known to lie inside it: points inside the box, and records known only
/// to an area (province, region, country, group of countries) whose whole area is inside.
#[tokio::test]
async fn bbox_returns_only_records_known_to_lie_inside() {
    let inside = |x: f64, y: f64| (60.0..=75.0).contains(&x) && (29.0..=39.0).contains(&y);
    let v = get("/api/collections/incidents/items?bbox=60,29,75,39&limit=10000")
        .await
        .json();
    let feats = v["features"].as_array().unwrap();
    assert!(!feats.is_empty());
    for f in feats {
        if f["geometry"].is_null() {
            let b = &f["bbox"];
            let b: Vec<f64> = (0..4).map(|k| b[k].as_f64().unwrap()).collect();
            assert!(
                inside(b[0], b[1]) && inside(b[2], b[3]),
                "{}: {b:?}",
                f["id"]
            );
        } else {
            let c = &f["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            assert!(inside(x, y), "{x},{y}");
        }
    }
    let snap = store().current();
    let brute = (0..snap.catalog.len() as u32)
        .map(|i| snap.catalog.record(i))
        .filter(|r| match (&r.point, &r.area) {
            (Some([x, y]), _) => inside(*x, *y),
            (None, Some(a)) => inside(a.bbox[0], a.bbox[1]) && inside(a.bbox[2], a.bbox[3]),
            _ => false,
        })
        .count();
    assert_eq!(feats.len(), brute);
    let none = get("/api/collections/incidents/items?bbox=-170,-80,-160,-70")
        .await
        .json();
    assert_eq!(none["numberMatched"], 0);
    let world = get("/api/collections/incidents/items?bbox=-180,-90,180,90&limit=1")
        .await
        .json();
    assert_eq!(
        world["numberMatched"].as_u64().unwrap() as usize,
        store().current().catalog.len()
    );
    let three_d = get("/api/collections/incidents/items?bbox=60,29,-100,75,39,100&limit=1").await;
    assert_eq!(
        three_d.status,
        StatusCode::OK,
        "6-number boxes drop the heights"
    );
}

#[tokio::test]
async fn datetime_matches_records_whose_interval_intersects() {
    let cases = [
        ("2024-03-22", "2024-03-22", "2024-03-22"),
        ("2022-04-01/2022-04-30", "2022-04-01", "2022-04-30"),
        ("../2020-12-31", "0000-01-01", "2020-12-31"),
        ("2024-01-01T00:00:00Z/..", "2024-01-01", "9999-12-31"),
        (
            "2022-04-24T10:00:00+04:30/2022-04-25T00:00:00Z",
            "2022-04-24",
            "2022-04-25",
        ),
    ];
    for (q, lo, hi) in cases {
        let v = get(&format!(
            "/api/collections/incidents/items?limit=10000&datetime={}",
            q.replace('+', "%2B")
        ))
        .await
        .json();
        let feats = v["features"].as_array().unwrap();
        assert!(!feats.is_empty(), "{q}");
        for f in feats {
            let p = &f["properties"];
            let start = p["date"].as_str().unwrap();
            let end = p["date_end"].as_str().unwrap_or(start);
            let end = if p["date_precision"] == "month" || p["date_precision"] == "year" {
                "9999"
            } else {
                end
            };
            assert!(start <= hi && end >= lo, "{q}: {} {start}..{end}", p["id"]);
        }
    }
    let crocus = get("/api/collections/incidents/items?datetime=2024-03-22")
        .await
        .json();
    assert!(crocus["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "2024-03-22-crocus-city-hall"));
}

#[tokio::test]
async fn property_filters_narrow_the_result() {
    for (param, prop, value) in [
        ("kind", "kind", "plot"),
        ("country", "country", "IRN"),
        ("claim", "claim", "suspected"),
        ("geo_precision", "geo_precision", "province"),
    ] {
        let v = get(&format!(
            "/api/collections/incidents/items?limit=10000&{param}={value}"
        ))
        .await
        .json();
        let feats = v["features"].as_array().unwrap();
        assert!(!feats.is_empty(), "{param}");
        assert!(
            feats.iter().all(|f| f["properties"][prop] == value),
            "{param}"
        );
    }
    let lower = get("/api/collections/incidents/items?country=irn&limit=1")
        .await
        .json();
    assert!(
        lower["numberMatched"].as_u64().unwrap() > 0,
        "country codes are case-insensitive"
    );
    let plots = get("/api/collections/plots/items?limit=10000").await.json();
    assert!(plots["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["kind"] == "plot"));
    let clash = get("/api/collections/plots/items?kind=attack").await;
    assert_eq!(clash.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn single_features_and_their_links() {
    let a = get("/api/collections/incidents/items/2024-03-22-crocus-city-hall").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/geo+json"));
    let v = a.json();
    assert_eq!(v["type"], "Feature");
    assert_eq!(v["properties"]["country"], "RUS");
    assert_eq!(v["properties"]["fatalities"], 145);
    assert!(v["properties"]["sources"].as_array().unwrap().len() >= 2);
    assert!(rels(&v).contains(&("collection".into(), "application/json".into())));
    assert_eq!(
        get("/api/collections/attacks/items/2024-03-22-crocus-city-hall")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get("/api/collections/plots/items/2024-03-22-crocus-city-hall")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let afg = get("/api/collections/countries/items/AFG").await.json();
    assert_eq!(afg["geometry"]["type"], "MultiPolygon");
    assert!(afg["properties"]["attack"].as_u64().unwrap() > 1000);
    let kunar = get("/api/collections/provinces/items/AFG-1762")
        .await
        .json();
    assert_eq!(kunar["properties"]["name"], "Kunar");
    assert!(kunar["properties"]["presence"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn polygon_collections_page_and_filter() {
    let v = get("/api/collections/countries/items?limit=1000")
        .await
        .json();
    assert_eq!(v["numberMatched"], 255);
    let p = get("/api/collections/provinces/items?limit=1").await.json();
    assert_eq!(p["numberMatched"], 4595);
    let afg = get("/api/collections/provinces/items?country=AFG&limit=100")
        .await
        .json();
    assert_eq!(afg["numberMatched"], 34);
    let near = get("/api/collections/countries/items?bbox=69,34,70,35")
        .await
        .json();
    let ids: Vec<&str> = near["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"AFG"), "{ids:?}");
    let bad = get("/api/collections/countries/items?datetime=2024-01-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "polygons have no time");
}

/// Every malformed parameter of issue 2 answers 400 (or 404) with a JSON body naming it.
#[tokio::test]
async fn malformed_parameters_are_named_in_a_400() {
    let cases = [
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=nan,0,1,1", "bbox"),
        ("bbox=0,0,inf,1", "bbox"),
        ("bbox=0,0,1e309,1", "bbox"),
        ("bbox=0,-91,1,1", "bbox"),
        ("bbox=0,0,1,95", "bbox"),
        ("bbox=0,10,1,5", "bbox"),
        ("bbox=", "bbox"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=1.5", "limit"),
        ("offset=-3", "offset"),
        ("datetime=2024-01-02/2024-01-01", "datetime"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2024-02-30", "datetime"),
        ("datetime=../..", "datetime"),
        ("datetime=", "datetime"),
        ("kind=plots", "kind"),
        ("claim=maybe", "claim"),
        ("geo_precision=vague", "geo_precision"),
        ("country=Afghanistan", "country"),
        ("bogus=1", "bogus"),
        ("limit=1&limit=2", "limit"),
    ];
    for (q, param) in cases {
        let a = get(&format!("/api/collections/incidents/items?{q}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(a.header("content-type"), Some("application/json"), "{q}");
        let v = a.json();
        assert_eq!(v["parameter"], param, "{q}: {v}");
        assert!(
            v["description"].as_str().unwrap().starts_with(param),
            "{q}: {v}"
        );
        assert!(v["code"].is_string());
    }
    let f = get("/api/collections/incidents/items?f=xml").await;
    assert_eq!(f.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn unknown_collections_features_and_paths_are_404_json() {
    for uri in [
        "/api/collections/nope",
        "/api/collections/nope/items",
        "/api/collections/incidents/items/no-such-record",
        "/api/collections/countries/items/XXX",
        "/api/nothing",
        "/api/collections/../../etc/passwd",
        "/api/collections/%2e%2e/%2e%2e/etc/passwd",
        "/api/collections/incidents/items/..%2F..%2Fetc%2Fpasswd",
        "/etc/passwd",
    ] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(a.json()["code"], "NotFound", "{uri}");
        assert!(!a.text().contains("root:"), "{uri}");
    }
}

#[tokio::test]
async fn etags_revalidate_to_304() {
    let a = get("/api/collections/incidents/items?limit=3").await;
    let tag = a.header("etag").expect("etag").to_string();
    assert!(tag.starts_with("W/\""));
    let req = Request::get("/api/collections/incidents/items?limit=3")
        .header("host", "127.0.0.1:8080")
        .header("if-none-match", &tag)
        .body(Body::empty())
        .unwrap();
    let b = send_to(store(), req).await;
    assert_eq!(b.status, StatusCode::NOT_MODIFIED);
    assert!(b.body.is_empty());
    assert_eq!(b.header("etag"), Some(tag.as_str()));
    let other = get("/api/collections/incidents/items?limit=4").await;
    assert_ne!(
        other.header("etag"),
        Some(tag.as_str()),
        "another query, another tag"
    );
}

#[tokio::test]
async fn methods_head_options_compression_and_cors() {
    let head = send_to(
        store(),
        Request::head("/api/collections")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let opt = send_to(
        store(),
        Request::options("/api/collections")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(opt.status, StatusCode::NO_CONTENT);
    assert_eq!(opt.header("allow"), Some("GET, HEAD, OPTIONS"));
    let post = send_to(
        store(),
        Request::post("/api/collections")
            .body(Body::from("x"))
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.json()["code"], "MethodNotAllowed");
    for enc in ["gzip", "br"] {
        let z = send_to(
            store(),
            Request::get("/api/collections/incidents/items")
                .header("accept-encoding", enc)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(z.header("content-encoding"), Some(enc));
    }
    let small = send_to(
        store(),
        Request::get("/api/tileMatrixSets")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        small.header("content-encoding"),
        None,
        "small bodies are not compressed"
    );
    let cors = send_to(
        store(),
        Request::get("/api/collections")
            .header("origin", "https://example.org")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(cors.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn statistics_group_by_jurisdiction_and_period() {
    let v = get("/api/stats?by=province&period=month&country=AFG")
        .await
        .json();
    assert_eq!(v["by"], "province");
    let groups = v["groups"].as_array().unwrap();
    assert!(groups
        .iter()
        .any(|g| g["id"] == "AFG-1762" && g["name"] == "Kunar"));
    assert!(
        v["unassigned"]["total"].as_u64().unwrap() > 0,
        "country-level records have no province"
    );
    let months: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert!(months.windows(2).all(|w| w[0] < w[1]));
    assert!(months.contains(&"2022-04"));
    let total: u64 = v["all"]["total"].as_u64().unwrap();
    let spread: f64 = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["spread"].as_f64().unwrap())
        .sum();
    assert!(
        (spread - total as f64).abs() < 0.5,
        "spread {spread} sums to total {total}"
    );
    // One answer gives every kind's series: `spread_by_kind` adds up to `spread`, and each kind's
    // equals the `spread` of an answer asked for that kind alone.
    for p in v["timeline"].as_array().unwrap() {
        let by = &p["spread_by_kind"];
        let sum: f64 = iskp_map::model::Kind::ALL
            .iter()
            .map(|k| by[k.as_str()].as_f64().unwrap())
            .sum();
        assert!((sum - p["spread"].as_f64().unwrap()).abs() < 0.01, "{p}");
    }
    let attacks = get("/api/stats?by=province&period=month&country=AFG&kind=attack")
        .await
        .json();
    for a in attacks["timeline"].as_array().unwrap() {
        let all = v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["period"] == a["period"])
            .unwrap();
        let (x, y) = (
            all["spread_by_kind"]["attack"].as_f64().unwrap(),
            a["spread"].as_f64().unwrap(),
        );
        assert!((x - y).abs() < 0.01, "{}: {x} vs {y}", a["period"]);
    }
    for bad in ["by=city", "period=week", "kind=x", "bbox=1,2"] {
        assert_eq!(
            get(&format!("/api/stats?{bad}")).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn geocoder_and_sources_endpoints() {
    let v = get("/api/geocode?q=Mazar-i-Sharif&exact=true").await.json();
    assert_eq!(v["features"][0]["properties"]["level"], "city");
    assert_eq!(v["features"][0]["properties"]["country"], "AFG");
    let s = get("/api/geocode?q=kand&country=AFG&limit=5").await.json();
    let names: Vec<&str> = s["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Kandahar"), "{names:?}");
    // English exonyms, misspellings and names inside names; countries holding records first.
    let first = |v: &serde_json::Value, k: &str| v["features"][0]["properties"][k].clone();
    let v = get("/api/geocode?q=Cologne&country=DEU&exact=true")
        .await
        .json();
    assert_eq!(first(&v, "name"), "Köln");
    let v = get("/api/geocode?q=Peshwar&limit=3").await.json();
    assert_eq!(first(&v, "name"), "Peshawar");
    assert_eq!(first(&v, "match"), "similar");
    let v = get("/api/geocode?q=Jallalabad&limit=3").await.json();
    assert_eq!(first(&v, "country"), "AFG", "{v}");
    let v = get("/api/geocode?q=sharif&country=AFG&limit=3")
        .await
        .json();
    assert_eq!(first(&v, "match"), "contains");
    let v = get("/api/geocode?q=Qwertyuiopzx").await.json();
    assert_eq!(v["numberReturned"], 0);
    assert_eq!(get("/api/geocode").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get("/api/geocode?q=%20").await.status,
        StatusCode::BAD_REQUEST
    );
    let missing = get("/api/geocode?q=Qwertyuiop&exact=true").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let src = get("/api/sources").await.json();
    assert_eq!(src["sources"].as_array().unwrap().len(), 5);
    // S1's plots abroad: 3 before the takeover (the fourth is the April 2020 German plot, a record
    // of its own), 5 in 2022, 6 in 2023, shared by the six countries' records.
    let sp = get("/api/splits").await.json();
    let s1 = &sp["splits"][0];
    assert_eq!(s1["id"], "s1-plots");
    assert_eq!(s1["total"], 14);
    let counts: Vec<u64> = s1["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 5, 6]);
    assert_eq!(s1["periods"][1]["from"], "2022-01-01");
    assert_eq!(s1["cited"][0]["document"], "S1");
    assert_eq!(s1["records"].as_array().unwrap().len(), 6);
    assert_eq!(
        get("/api/splits?bogus=1").await.status,
        StatusCode::BAD_REQUEST
    );
    let page = get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Afghanistan"));
}

/// No query string, however hostile, makes the server answer 5xx.
#[tokio::test]
async fn no_input_gives_a_server_error() {
    let values = [
        "",
        "%",
        "%zz",
        "%00",
        "\u{0}",
        "1e309",
        "-0",
        "NaN",
        "🙂",
        "'; DROP TABLE x;--",
        "<script>",
        "..",
        "../..",
        "1,1,1,1",
        "-180,-90,180,90",
        "180,90,-180,-90",
        "9999999999999999999999999",
        "2024-01-01T00:00:00Z",
        "/",
        ",,,",
    ];
    let params = [
        "bbox",
        "datetime",
        "limit",
        "offset",
        "kind",
        "country",
        "claim",
        "geo_precision",
        "f",
        "by",
        "period",
        "q",
    ];
    let paths = [
        "/api/collections/incidents/items",
        "/api/collections/provinces/items",
        "/api/stats",
        "/api/geocode",
        "/api/citation",
    ];
    for path in paths {
        for p in params {
            for v in values {
                let enc: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                let a = get(&format!("{path}?{p}={enc}")).await;
                assert!(
                    a.status.as_u16() < 500,
                    "{path}?{p}={v:?} gave {}",
                    a.status
                );
                if a.status != StatusCode::OK {
                    assert!(a.json()["code"].is_string(), "{path}?{p}={v:?}");
                }
            }
        }
    }
}

/// Clusters gather exactly the located records the same query selects (records known only to an
/// area have no point to gather), at any zoom; a bad or missing zoom is a 400 naming it; polygon
/// collections have no clusters.
#[tokio::test]
async fn clusters_hold_every_selected_record_once() {
    let located = |v: &serde_json::Value| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !f["geometry"].is_null())
            .count() as u64
    };
    for q in [
        "bbox=-180,-90,180,90",
        "bbox=60,29,75,39&datetime=2021-08-01/2022-07-31",
        "country=PAK",
    ] {
        let items = get(&format!("/api/collections/incidents/items?{q}&limit=10000"))
            .await
            .json();
        let matched = located(&items);
        for zoom in [0, 4, 9, 22] {
            let c = get(&format!(
                "/api/collections/incidents/clusters?{q}&zoom={zoom}"
            ))
            .await;
            assert_eq!(c.status, StatusCode::OK, "{q} zoom {zoom}");
            let v = c.json();
            assert_eq!(
                v["numberMatched"].as_u64(),
                Some(matched),
                "{q} zoom {zoom}"
            );
            let feats = v["features"].as_array().unwrap();
            let records: u64 = feats
                .iter()
                .map(|f| f["properties"]["records"].as_u64().unwrap())
                .sum();
            assert_eq!(records, matched, "{q} zoom {zoom}");
            for f in feats {
                let p = &f["properties"];
                assert_eq!(p["record"].is_string(), p["records"] == 1);
            }
        }
    }
    let attacks = get("/api/collections/attacks/clusters?zoom=3").await.json();
    let att = get("/api/collections/attacks/items?limit=10000")
        .await
        .json();
    assert_eq!(attacks["numberMatched"], located(&att));
    for f in attacks["features"].as_array().unwrap() {
        let t = f["properties"]["totals"].as_object().unwrap();
        assert!(t.keys().all(|k| k == "attack"), "{t:?}");
    }
    for (q, param) in [
        ("", "zoom"),
        ("zoom=23", "zoom"),
        ("zoom=-1", "zoom"),
        ("zoom=3&bbox=1,2", "bbox"),
        ("zoom=3&limit=5", "limit"),
    ] {
        let r = get(&format!("/api/collections/incidents/clusters?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(
            r.json()["description"].as_str().unwrap().contains(param),
            "{q}: {}",
            r.json()
        );
    }
    let polygons = get("/api/collections/countries/clusters?zoom=3").await;
    assert_eq!(polygons.status, StatusCode::NOT_FOUND);
}

#[test]
fn unfiltered_pages_come_from_shared_lists_equal_to_a_scan() {
    use iskp_map::index::{Bbox, Filter};
    use iskp_map::model::Kind;
    use iskp_map::store::Ids;
    let snap = common::store().current();
    let world = Bbox {
        minx: -180.0,
        miny: -90.0,
        maxx: 180.0,
        maxy: 90.0,
    };
    let kinds = std::iter::once(None).chain(Kind::ALL.iter().copied().map(Some));
    for kind in kinds {
        for bbox in [None, Some(world)] {
            let f = Filter {
                kind,
                bbox,
                ..Filter::default()
            };
            let ids = snap.matching(&f);
            assert!(matches!(ids, Ids::Shared(_)), "only the kind is restricted");
            assert_eq!(&ids[..], &snap.catalog.matching(&f)[..], "{f:?}");
        }
    }
    let narrowed = Filter {
        claim: Some(iskp_map::model::Claim::Claimed),
        ..Filter::default()
    };
    assert!(matches!(snap.matching(&narrowed), Ids::List(_)));
    assert_eq!(
        &snap.matching(&narrowed)[..],
        &snap.catalog.matching(&narrowed)[..]
    );
    let boxed = Filter {
        bbox: Some(Bbox {
            minx: 60.0,
            miny: 29.0,
            maxx: 75.0,
            maxy: 38.0,
        }),
        ..Filter::default()
    };
    assert!(matches!(snap.matching(&boxed), Ids::List(_)));
}

/// A time window says how much of each total falls inside it: counts shared by days (`inside`)
/// and the records that reach outside it (`partial`); `datetime_match=within` keeps only records
/// wholly inside.
#[tokio::test]
async fn time_windows_say_how_much_of_a_total_falls_inside() {
    // The August 2022 - July 2023 series of 69 claimed attacks: 212 of its 365 days are in 2023.
    let v = get("/api/stats?kind=attack&country=AFG&claim=claimed&datetime=2023-01-01/2023-12-31")
        .await
        .json();
    let series: f64 = 69.0 * 212.0 / 365.0;
    let inside = v["all_window"]["inside"]["attack"].as_f64().unwrap();
    assert!(
        (inside - (series * 1000.0).round() / 1000.0).abs() < 0.002,
        "{inside} vs {series}"
    );
    assert_eq!(v["all_window"]["partial"]["attack"], 69);
    let afg = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "AFG")
        .unwrap();
    assert_eq!(afg["inside"]["attack"], v["all_window"]["inside"]["attack"]);
    assert_eq!(afg["partial"]["records"], 1);

    // Without a window everything is inside and nothing is partial.
    let all = get("/api/stats").await.json();
    assert_eq!(
        all["all_window"]["inside"]["total"].as_f64().unwrap(),
        all["all"]["total"].as_f64().unwrap()
    );
    assert_eq!(all["all_window"]["partial"]["records"], 0);

    // `within` keeps only records wholly inside the window, everywhere the filters apply.
    let w = get("/api/stats?kind=attack&datetime=2023-01-01/2023-12-31&datetime_match=within")
        .await
        .json();
    assert_eq!(w["all_window"]["partial"]["records"], 0);
    let items = get(
        "/api/collections/attacks/items?datetime=2023-01-01/2023-12-31&datetime_match=within&limit=1000",
    )
    .await
    .json();
    assert_eq!(items["numberMatched"], w["numberMatched"]);
    for f in items["features"].as_array().unwrap() {
        let p = &f["properties"];
        let end = p["date_end"]
            .as_str()
            .unwrap_or(p["date"].as_str().unwrap());
        assert!(
            p["date"].as_str().unwrap() >= "2023-01-01" && end <= "2023-12-31",
            "{p}"
        );
    }
    let wide = get("/api/collections/attacks/items?datetime=2023-01-01/2023-12-31&limit=1000")
        .await
        .json();
    assert!(wide["numberMatched"].as_u64() > items["numberMatched"].as_u64());

    for bad in [
        "/api/stats?datetime_match=during&datetime=2023-01-01",
        "/api/collections/incidents/items?datetime_match=within",
    ] {
        let a = get(bad).await;
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(a.json()["parameter"], "datetime_match", "{bad}");
    }
}

/// An answer made on the work pool is kept with its snapshot: the same request again is served
/// the same bytes without being made again, a request differing in anything (query, accepted
/// encoding) is made anew, and after a reload the new data answers, not the kept bytes.
#[test]
fn answers_are_kept_per_snapshot_and_die_with_it() {
    use iskp_map::store::{FileSource, Store};
    let scratch = common::Scratch::new("answers");
    let store = std::sync::Arc::new(Store::open(Box::new(FileSource::new(&scratch.dir))).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ask = |uri: &str, gzip: bool| {
        let mut req = Request::get(uri).header("host", "127.0.0.1:8080");
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        rt.block_on(send_to(store.clone(), req.body(Body::empty()).unwrap()))
    };
    let uri = "/api/stats?by=country&kind=attack";
    let first = ask(uri, false);
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(store.current().answers.counts(), (0, 1));
    let again = ask(uri, false);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(store.current().answers.counts(), (1, 1));
    ask("/api/stats?by=country&kind=plot", false);
    ask(uri, true);
    ask("/api/collections/incidents/clusters?zoom=2", false);
    ask("/api/collections/incidents/clusters?zoom=2", false);
    assert_eq!(store.current().answers.counts(), (2, 4));
    // A bad request is an error every time, never kept.
    assert_eq!(
        ask("/api/collections/incidents/clusters?zoom=x", false).status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(store.current().answers.counts(), (2, 4));

    // Change one attack's count; the reload's snapshot answers from the new data.
    let path = scratch.dir.join("records.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let before = first.json()["all"]["attack"].as_u64().unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let kind = headers.iter().position(|h| h == "kind").unwrap();
    let count = headers.iter().position(|h| h == "count").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).unwrap();
    let mut changed = false;
    for r in rows.records() {
        let r = r.unwrap();
        let mut fields: Vec<String> = r.iter().map(str::to_string).collect();
        if !changed && &r[kind] == "attack" {
            let n: u64 = r[count].parse().unwrap();
            fields[count] = (n + 5).to_string();
            changed = true;
        }
        out.write_record(&fields).unwrap();
    }
    std::fs::write(&path, out.into_inner().unwrap()).unwrap();
    store.reload().unwrap();
    assert_eq!(store.current().answers.counts(), (0, 0));
    let after = ask(uri, false);
    assert_eq!(after.json()["all"]["attack"].as_u64().unwrap(), before + 5);
    assert_ne!(after.header("etag"), first.header("etag"));
}

/// `by=kind` gives in one answer what asking each kind apart gives: a group per kind holding
/// the kind's `all`, its window shares and its number of records, inside a box and a window.
#[tokio::test]
async fn stats_by_kind_equal_the_stats_of_each_kind() {
    let q = "bbox=40,20,80,45&datetime=2021-08-15%2F2023-06-30";
    let one = get(&format!("/api/stats?by=kind&{q}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one = one.json();
    assert_eq!(one["by"], "kind");
    let groups = one["groups"].as_array().unwrap();
    assert!(groups.len() >= 3, "{groups:?}");
    let mut records = 0;
    for kind in iskp_map::model::Kind::ALL.iter().map(|k| k.as_str()) {
        let apart = get(&format!("/api/stats?kind={kind}&{q}")).await.json();
        let n = apart["numberMatched"].as_u64().unwrap();
        let Some(g) = groups.iter().find(|g| g["id"] == kind) else {
            assert_eq!(n, 0, "{kind} has records but no group");
            continue;
        };
        assert!(g.get("country").is_none(), "a kind is no jurisdiction: {g}");
        assert_eq!(g["records"].as_u64().unwrap(), n, "{kind}");
        assert_eq!(g[kind], apart["all"][kind], "{kind}");
        assert_eq!(g["total"], apart["all"]["total"], "{kind}");
        assert_eq!(g["inside"], apart["all_window"]["inside"], "{kind}");
        assert_eq!(g["partial"], apart["all_window"]["partial"], "{kind}");
        records += n;
    }
    assert_eq!(one["numberMatched"].as_u64().unwrap(), records);
    let bad = get("/api/stats?by=kinds").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("\"by\""), "{}", bad.text());
}

/// Every position of a GeoJSON (Multi)Polygon geometry, ring by ring.
fn rings(g: &Value) -> Vec<Vec<(f64, f64)>> {
    let polygons: Vec<&Value> = match g["type"].as_str() {
        Some("Polygon") => vec![&g["coordinates"]],
        Some("MultiPolygon") => g["coordinates"].as_array().unwrap().iter().collect(),
        t => panic!("not a polygon: {t:?}"),
    };
    polygons
        .iter()
        .flat_map(|p| p.as_array().unwrap())
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn max_allowable_offset_simplifies_outlines_from_their_own_vertices() {
    let full = get("/api/collections/countries/items?limit=1000")
        .await
        .json();
    let coarse = get("/api/collections/countries/items?limit=1000&max-allowable-offset=0.04").await;
    assert_eq!(coarse.status, StatusCode::OK);
    let coarse = coarse.json();
    assert_eq!(coarse["numberMatched"], full["numberMatched"]);
    let (mut before, mut after) = (0, 0);
    for (f, c) in full["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(coarse["features"].as_array().unwrap())
    {
        assert_eq!(f["id"], c["id"]);
        assert_eq!(f["properties"], c["properties"], "{}", f["id"]);
        let (fr, cr) = (rings(&f["geometry"]), rings(&c["geometry"]));
        assert_eq!(fr.len(), cr.len(), "{}: every ring is kept", f["id"]);
        for (a, b) in fr.iter().zip(&cr) {
            assert!(
                b.len() >= 4 || b.len() == a.len(),
                "{}: a ring of {}",
                f["id"],
                b.len()
            );
            assert_eq!(a.first(), b.first());
            assert_eq!(a.last(), b.last());
            // Every vertex kept is one of the boundary's, in its order.
            let mut it = a.iter();
            assert!(b.iter().all(|p| it.any(|q| q == p)), "{}", f["id"]);
            before += a.len();
            after += b.len();
        }
    }
    assert!(after * 2 < before, "{after} of {before} vertices kept");
    let self_link = coarse["links"][0]["href"].as_str().unwrap();
    assert!(
        self_link.contains("max-allowable-offset=0.04"),
        "{self_link}"
    );

    let one = get("/api/collections/countries/items/AFG?max-allowable-offset=0.04")
        .await
        .json();
    for (rel, link) in [("self", 0), ("alternate", 1)] {
        let href = one["links"][link]["href"].as_str().unwrap();
        assert_eq!(one["links"][link]["rel"], rel);
        assert!(href.contains("max-allowable-offset=0.04"), "{rel}: {href}");
    }
    let afg = coarse["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "AFG")
        .unwrap();
    assert_eq!(one["geometry"], afg["geometry"]);
    let zero = get("/api/collections/provinces/items?limit=10&max-allowable-offset=0")
        .await
        .json();
    let stored = get("/api/collections/provinces/items?limit=10")
        .await
        .json();
    assert_eq!(
        zero["features"], stored["features"],
        "0 is the stored outline"
    );

    for (url, param) in [
        (
            "/api/collections/countries/items?max-allowable-offset=-1",
            "max-allowable-offset",
        ),
        (
            "/api/collections/countries/items?max-allowable-offset=11",
            "max-allowable-offset",
        ),
        (
            "/api/collections/provinces/items?max-allowable-offset=NaN",
            "max-allowable-offset",
        ),
        (
            "/api/collections/countries/items/AFG?max-allowable-offset=x",
            "max-allowable-offset",
        ),
        (
            "/api/collections/incidents/items?max-allowable-offset=1",
            "max-allowable-offset",
        ),
    ] {
        let r = get(url).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}");
        assert_eq!(r.json()["parameter"], param, "{url}");
    }
}

/// A `datetime` window over the whole map is answered from the day index; the same window with a
/// CQL2 filter that holds for every record takes the pass over the records. Both must give the
/// same pages and the same statistics, over the real data's ranges, months and time splits.
#[tokio::test]
async fn a_window_over_the_map_answers_as_the_pass_does() {
    let always = "&filter=count%20%3E%3D%200";
    let windows = [
        "2021-08-26",
        "2021-08-01/2021-08-31",
        "2022-01-01/2022-12-31",
        "2015-01-01/2019-06-30",
        "../2018-12-31",
        "2023-03-01/..",
    ];
    for w in windows {
        for how in ["", "&datetime_match=within"] {
            for path in ["incidents", "attacks", "arrests"] {
                for page in ["limit=5", "limit=5&offset=3", "limit=1000"] {
                    let uri = format!("/api/collections/{path}/items?datetime={w}{how}&{page}");
                    let fast = get(&uri).await.json();
                    let slow = get(&format!("{uri}{always}")).await.json();
                    assert_eq!(fast["numberMatched"], slow["numberMatched"], "{uri}");
                    assert_eq!(fast["features"], slow["features"], "{uri}");
                }
            }
            for by in ["country", "province", "kind"] {
                for period in ["year", "month"] {
                    let uri = format!("/api/stats?by={by}&period={period}&datetime={w}{how}");
                    let fast = get(&uri).await.json();
                    let slow = get(&format!("{uri}{always}")).await.json();
                    assert_eq!(fast, slow, "{uri}");
                }
            }
        }
    }
    let some = get("/api/collections/incidents/items?datetime=2022-01-01/2022-12-31&limit=1")
        .await
        .json();
    assert!(some["numberMatched"].as_u64().unwrap() > 1, "{some}");
}
