//! OGC API – Features Part 3 (CQL2 `filter`), `sortby`, `properties`, `skipGeometry` and the
//! queryables' values, through `app(state)` over the real data.

mod common;

use axum::http::StatusCode;
use common::get;
use serde_json::Value;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The ids `uri` answers (all of them: `limit=10000`).
async fn ids(uri: &str) -> Vec<String> {
    let sep = if uri.contains('?') { '&' } else { '?' };
    let a = get(&format!("{uri}{sep}limit=10000")).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
    a.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

async fn filtered(collection: &str, filter: &str) -> Vec<String> {
    ids(&format!(
        "/api/collections/{collection}/items?filter={}",
        enc(filter)
    ))
    .await
}

async fn refused(uri: &str) -> Value {
    let a = get(uri).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text());
    a.json()
}

/// The whole data set, for comparisons.
async fn everything() -> Vec<Value> {
    get("/api/collections/incidents/items?limit=10000")
        .await
        .json()["features"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn filter_kind_equals_the_kind_parameter() {
    let plain = ids("/api/collections/incidents/items?kind=plot").await;
    assert!(!plain.is_empty());
    assert_eq!(filtered("incidents", "kind = 'plot'").await, plain);
    assert_eq!(filtered("incidents", "kind='plot'").await, plain);
    let json = r#"{"op":"=","args":[{"property":"kind"},"plot"]}"#;
    assert_eq!(
        ids(&format!(
            "/api/collections/incidents/items?filter-lang=cql2-json&filter={}",
            enc(json)
        ))
        .await,
        plain
    );
    // GDAL 3.6 sends the draft's name.
    assert_eq!(
        ids(&format!(
            "/api/collections/incidents/items?filter-lang=cql-text&filter={}",
            enc("kind = 'plot'")
        ))
        .await,
        plain
    );
    // A collection of one kind filtered on another holds nothing.
    assert!(filtered("attacks", "kind = 'plot'").await.is_empty());
}

#[tokio::test]
async fn filters_equal_the_plain_parameters() {
    for (filter, plain) in [
        ("country = 'AFG'", "country=AFG"),
        ("claim = 'claimed'", "claim=claimed"),
        ("geo_precision = 'country'", "geo_precision=country"),
        (
            "S_INTERSECTS(geometry, BBOX(60, 29, 75, 39))",
            "bbox=60,29,75,39",
        ),
        (
            "S_INTERSECTS(geometry, POLYGON((60 29, 75 29, 75 39, 60 39, 60 29)))",
            "bbox=60,29,75,39",
        ),
        (
            "T_INTERSECTS(datetime, INTERVAL('2022-01-01', '2022-12-31'))",
            "datetime=2022-01-01/2022-12-31",
        ),
        (
            "T_INTERSECTS(datetime, INTERVAL('..', '2019-06-30'))",
            "datetime=../2019-06-30",
        ),
        (
            "kind = 'attack' AND country = 'PAK' AND S_INTERSECTS(geometry, BBOX(60,20,80,40))",
            "kind=attack&country=PAK&bbox=60,20,80,40",
        ),
    ] {
        let want = ids(&format!("/api/collections/incidents/items?{plain}")).await;
        assert_eq!(
            filtered("incidents", filter).await,
            want,
            "{filter} vs {plain}"
        );
        // Not a conjunction, so nothing is lowered into the plain fields: the predicate tree
        // itself decides, and decides the same.
        let tree = format!("({filter}) OR FALSE");
        assert_eq!(
            filtered("incidents", &tree).await,
            want,
            "{tree} vs {plain}"
        );
    }
}

#[tokio::test]
async fn the_standards_examples_that_apply_to_our_queryables() {
    let all = everything().await;
    let prop = |f: &Value, p: &str| f["properties"][p].clone();
    // (cql2-text, the same in cql2-json, which records it selects)
    type Check = fn(&Value) -> bool;
    let cases: Vec<(&str, &str, Check)> = vec![
        // Basic CQL2 (examples 1–6: comparison, AND/OR/NOT, IS NULL).
        (
            "count > 5",
            r#"{"op":">","args":[{"property":"count"},5]}"#,
            |f| f["properties"]["count"].as_u64().unwrap() > 5,
        ),
        (
            "count <= 1 AND kind <> 'attack'",
            r#"{"op":"and","args":[{"op":"<=","args":[{"property":"count"},1]},{"op":"<>","args":[{"property":"kind"},"attack"]}]}"#,
            |f| {
                f["properties"]["count"].as_u64().unwrap() <= 1
                    && f["properties"]["kind"] != "attack"
            },
        ),
        (
            "kind = 'plot' OR kind = 'arrest'",
            r#"{"op":"or","args":[{"op":"=","args":[{"property":"kind"},"plot"]},{"op":"=","args":[{"property":"kind"},"arrest"]}]}"#,
            |f| f["properties"]["kind"] == "plot" || f["properties"]["kind"] == "arrest",
        ),
        (
            "NOT (kind = 'attack')",
            r#"{"op":"not","args":[{"op":"=","args":[{"property":"kind"},"attack"]}]}"#,
            |f| f["properties"]["kind"] != "attack",
        ),
        (
            "fatalities IS NULL",
            r#"{"op":"isNull","args":[{"property":"fatalities"}]}"#,
            |f| f["properties"]["fatalities"].is_null(),
        ),
        (
            "fatalities IS NOT NULL",
            r#"{"op":"not","args":[{"op":"isNull","args":[{"property":"fatalities"}]}]}"#,
            |f| !f["properties"]["fatalities"].is_null(),
        ),
        (
            "fatalities >= 10",
            r#"{"op":">=","args":[{"property":"fatalities"},10]}"#,
            |f| {
                f["properties"]["fatalities"]
                    .as_u64()
                    .is_some_and(|n| n >= 10)
            },
        ),
        (
            "link = 'directed'",
            r#"{"op":"=","args":[{"property":"link"},"directed"]}"#,
            |f| f["properties"]["link"] == "directed",
        ),
        (
            "date >= DATE('2022-01-01')",
            r#"{"op":">=","args":[{"property":"date"},{"date":"2022-01-01"}]}"#,
            |f| f["properties"]["date"].as_str().unwrap() >= "2022-01-01",
        ),
        // Advanced comparison operators: LIKE, BETWEEN, IN.
        (
            "country LIKE 'A%'",
            r#"{"op":"like","args":[{"property":"country"},"A%"]}"#,
            |f| {
                f["properties"]["country"]
                    .as_str()
                    .is_some_and(|c| c.starts_with('A'))
            },
        ),
        (
            "id NOT LIKE '%a%'",
            r#"{"op":"not","args":[{"op":"like","args":[{"property":"id"},"%a%"]}]}"#,
            |f| !f["id"].as_str().unwrap().contains('a'),
        ),
        (
            "count BETWEEN 2 AND 10",
            r#"{"op":"between","args":[{"property":"count"},2,10]}"#,
            |f| (2..=10).contains(&f["properties"]["count"].as_u64().unwrap()),
        ),
        (
            "kind IN ('plot', 'raid')",
            r#"{"op":"in","args":[{"property":"kind"},["plot","raid"]]}"#,
            |f| f["properties"]["kind"] == "plot" || f["properties"]["kind"] == "raid",
        ),
        (
            "country NOT IN ('AFG', 'PAK')",
            r#"{"op":"not","args":[{"op":"in","args":[{"property":"country"},["AFG","PAK"]]}]}"#,
            |f| f["properties"]["country"] != "AFG" && f["properties"]["country"] != "PAK",
        ),
        // Case-insensitive comparison.
        (
            "CASEI(country) = casei('afg')",
            r#"{"op":"=","args":[{"op":"casei","args":[{"property":"country"}]},{"op":"casei","args":["afg"]}]}"#,
            |f| f["properties"]["country"] == "AFG",
        ),
        (
            "CASEI(kind) LIKE casei('PL%')",
            r#"{"op":"like","args":[{"op":"casei","args":[{"property":"kind"}]},{"op":"casei","args":["PL%"]}]}"#,
            |f| f["properties"]["kind"] == "plot",
        ),
        // Basic spatial functions (plus): points, boxes, polygons.
        (
            "S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-180,-90,180,90]}]}"#,
            |_| true,
        ),
        (
            "S_INTERSECTS(geometry, POLYGON((-180 -90, 180 -90, 180 90, -180 90, -180 -90)))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}]}"#,
            |_| true,
        ),
        // Temporal functions on [date, date_end].
        (
            "T_BEFORE(datetime, DATE('2020-01-01'))",
            r#"{"op":"t_before","args":[{"property":"datetime"},{"date":"2020-01-01"}]}"#,
            |f| {
                f["properties"]["date_end"]
                    .as_str()
                    .or(f["properties"]["date"].as_str())
                    .unwrap()
                    < "2020-01-01"
            },
        ),
        (
            "T_AFTER(datetime, TIMESTAMP('2023-06-30T23:59:59Z'))",
            r#"{"op":"t_after","args":[{"property":"datetime"},{"timestamp":"2023-06-30T23:59:59Z"}]}"#,
            |f| f["properties"]["date"].as_str().unwrap() > "2023-06-30",
        ),
    ];
    for (text, json, want) in cases {
        let expect: Vec<String> = all
            .iter()
            .filter(|f| want(f))
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        let t = filtered("incidents", text).await;
        let j = ids(&format!(
            "/api/collections/incidents/items?filter-lang=cql2-json&filter={}",
            enc(json)
        ))
        .await;
        assert_eq!(t, j, "{text}: text and JSON differ");
        // Month- and year-precision dates reach further than `date_end` says; the predicates
        // above read the properties, so only compare where they decide alone.
        if !text.starts_with("T_") {
            assert_eq!(t, expect, "{text}");
        } else {
            assert!(!t.is_empty() || expect.is_empty(), "{text}");
        }
    }
    let _ = prop;
}

#[tokio::test]
async fn area_records_are_inside_a_region_only_whole() {
    let all = everything().await;
    let area: Vec<&Value> = all.iter().filter(|f| f["geometry"].is_null()).collect();
    assert!(
        !area.is_empty(),
        "the data holds records known only to an area"
    );
    // A point inside Kabul: no area record is inside a point.
    let at_kabul = filtered("incidents", "S_INTERSECTS(geometry, POINT(69.17 34.53))").await;
    for f in &area {
        assert!(!at_kabul.contains(&f["id"].as_str().unwrap().to_string()));
    }
    // The whole world holds every area.
    let world = filtered("incidents", "S_INTERSECTS(geometry, BBOX(-180,-90,180,90))").await;
    assert_eq!(world.len(), all.len());
}

#[tokio::test]
async fn not_and_its_complement_add_up() {
    let all = everything().await.len();
    let yes = filtered("incidents", "fatalities > 0").await.len();
    let no = filtered("incidents", "NOT (fatalities > 0)").await.len();
    assert_eq!(yes + no, all);
    let null = filtered("incidents", "fatalities IS NULL").await.len();
    let zero = filtered("incidents", "fatalities = 0").await.len();
    assert_eq!(yes + null + zero, all);
}

#[tokio::test]
async fn filter_reaches_stats_clusters_and_downloads() {
    let f = enc("kind = 'attack'");
    for (with, without) in [
        (
            format!("/api/stats?filter={f}"),
            "/api/stats?kind=attack".to_string(),
        ),
        (
            format!("/api/collections/incidents/clusters?zoom=3&filter={f}"),
            "/api/collections/incidents/clusters?zoom=3&kind=attack".to_string(),
        ),
        (
            format!("/api/collections/incidents/download?format=csv&filter={f}"),
            "/api/collections/incidents/download?format=csv&kind=attack".to_string(),
        ),
    ] {
        let a = get(&with).await;
        let b = get(&without).await;
        assert_eq!(a.status, StatusCode::OK, "{with}: {}", a.text());
        if with.contains("format=csv") {
            assert_eq!(a.text(), b.text(), "{with}");
        } else {
            let (mut x, mut y) = (a.json(), b.json());
            for v in [&mut x, &mut y] {
                if let Some(o) = v.as_object_mut() {
                    o.remove("links");
                }
            }
            assert_eq!(x, y, "{with}");
        }
    }
}

#[tokio::test]
async fn bad_filters_are_400s_naming_the_parameter_and_the_problem() {
    let base = "/api/collections/incidents/items";
    let v = refused(&format!("{base}?filter={}", enc("foo = 1"))).await;
    assert_eq!(v["code"], "InvalidParameterValue");
    assert_eq!(v["parameter"], "filter");
    let d = v["description"].as_str().unwrap();
    assert!(
        d.contains("unknown property 'foo'") && d.contains("at character 1"),
        "{d}"
    );
    for (filter, says) in [
        ("count = 'many'", "property 'count'"),
        ("kind = 3", "property 'kind'"),
        ("date > 'soon'", "property 'date'"),
        (
            "kind = 'plots'",
            "'plots' is not a value of property 'kind'",
        ),
        ("kind LIKE", "not valid cql2-text"),
        ("S_WITHIN(geometry, POINT(1 2))", "S_INTERSECTS"),
        ("S_INTERSECTS(geometry, POINT(500 2))", "longitude"),
        (
            "T_INTERSECTS(foo, DATE('2020-01-01'))",
            "unknown property 'foo'",
        ),
        ("datetime = '2020-01-01'", "temporal"),
        ("count + 1 > 2", "not supported"),
        ("", "empty"),
    ] {
        let v = refused(&format!("{base}?filter={}", enc(filter))).await;
        assert_eq!(v["parameter"], "filter", "{filter}");
        let d = v["description"].as_str().unwrap();
        assert!(d.contains(says), "{filter}: {d}");
    }
    let v = refused(&format!("{base}?filter-lang=sql&filter=x")).await;
    assert_eq!(v["parameter"], "filter-lang");
    let v = refused(&format!(
        "{base}?filter-crs={}&filter={}",
        enc("http://www.opengis.net/def/crs/EPSG/0/3857"),
        enc("kind = 'plot'")
    ))
    .await;
    assert_eq!(v["parameter"], "filter-crs");
    let ok = get(&format!(
        "{base}?filter-crs={}&filter={}",
        enc("http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
        enc("kind = 'plot'")
    ))
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let v = refused(&format!("{base}?filter-lang=cql2-json")).await;
    assert_eq!(v["parameter"], "filter-lang");
    let v = refused(&format!("/api/stats?filter={}", enc("bogus > 1"))).await;
    assert_eq!(v["parameter"], "filter");
}

#[tokio::test]
async fn filter_limits_are_400s() {
    use iskp_map::index::cql::{MAX_DEPTH, MAX_FILTER_LEN, MAX_TERMS};
    let base = "/api/collections/incidents/items";
    let deep = format!(
        "{}kind = 'plot'{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let v = refused(&format!("{base}?filter={}", enc(&deep))).await;
    assert!(v["description"].as_str().unwrap().contains("deeper"));
    let fits = format!(
        "{}kind = 'plot'{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert_eq!(
        get(&format!("{base}?filter={}", enc(&fits))).await.status,
        StatusCode::OK
    );
    let many = vec!["count = 1"; MAX_TERMS + 1].join(" OR ");
    let v = refused(&format!("{base}?filter={}", enc(&many))).await;
    assert!(v["description"].as_str().unwrap().contains("terms"));
    let long = format!("id = '{}'", "x".repeat(MAX_FILTER_LEN));
    let v = refused(&format!("{base}?filter={}", enc(&long))).await;
    assert_eq!(v["parameter"], "filter");
    let json_deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let a = get(&format!(
        "{base}?filter-lang=cql2-json&filter={}",
        enc(&json_deep)
    ))
    .await;
    assert!(a.status.is_client_error(), "{}", a.status);
}

#[tokio::test]
async fn conformance_declares_the_filter_classes() {
    let v = get("/api/conformance").await.json();
    let c: Vec<&str> = v["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    for class in [
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
        "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    ] {
        assert!(c.contains(&class), "{class}");
    }
    assert!(!c
        .iter()
        .any(|x| x.ends_with("/arithmetic") || x.ends_with("/spatial-functions")));
}

#[tokio::test]
async fn queryables_give_code_lists_and_the_values_present() {
    let v = get("/api/collections/incidents/queryables").await.json();
    let p = &v["properties"];
    assert!(p["kind"]["enum"]
        .as_array()
        .unwrap()
        .contains(&Value::from("plot")));
    assert!(p["claim"]["enum"].as_array().is_some());
    assert!(p["geo_precision"]["enum"].as_array().is_some());
    assert!(p["link"]["enum"].as_array().is_some());
    let countries = p["country"]["enum"].as_array().unwrap();
    assert!(countries.contains(&Value::from("AFG")));
    let all = everything().await;
    for f in &all {
        assert!(countries.contains(&f["properties"]["country"]), "{f}");
        assert!(p["admin1_id"]["enum"]
            .as_array()
            .unwrap()
            .contains(&f["properties"]["admin1_id"]));
    }
    for q in ["count", "fatalities", "date", "datetime", "geometry", "id"] {
        assert!(p[q].is_object(), "{q}");
    }
}

#[tokio::test]
async fn sortby_is_stable_and_pages_consistently() {
    let all = everything().await;
    // Descending fatalities, nulls last, ties in catalog order (date, then id).
    let mut want: Vec<&Value> = all.iter().collect();
    want.sort_by(|a, b| {
        let (x, y) = (
            a["properties"]["fatalities"].as_u64(),
            b["properties"]["fatalities"].as_u64(),
        );
        match (x, y) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    let want: Vec<String> = want
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids("/api/collections/incidents/items?sortby=-fatalities").await,
        want
    );
    // Paging through next links gives the same order, each record once.
    let mut paged = Vec::new();
    let mut uri = "/api/collections/incidents/items?sortby=-fatalities&limit=7".to_string();
    loop {
        let v = get(&uri).await.json();
        paged.extend(
            v["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
        let next = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
        match next {
            Some(h) => uri = h.trim_start_matches("http://127.0.0.1:8080").to_string(),
            None => break,
        }
    }
    assert_eq!(paged, want);
    // Several keys; '+' unencoded arrives as a space.
    let by_kind_date = ids("/api/collections/incidents/items?sortby=kind,-date").await;
    let mut w: Vec<&Value> = all.iter().collect();
    w.sort_by(|a, b| {
        a["properties"]["kind"]
            .as_str()
            .cmp(&b["properties"]["kind"].as_str())
            .then_with(|| {
                b["properties"]["date"]
                    .as_str()
                    .cmp(&a["properties"]["date"].as_str())
            })
    });
    let w: Vec<String> = w
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(by_kind_date, w);
    assert_eq!(
        ids("/api/collections/incidents/items?sortby=+date").await,
        ids("/api/collections/incidents/items?sortby=%2Bdate").await
    );
    assert_eq!(
        ids("/api/collections/incidents/items?sortby=date").await,
        ids("/api/collections/incidents/items").await,
        "date ascending is the catalog's own order"
    );
    // Sorting combines with a filter.
    let f = ids(&format!(
        "/api/collections/incidents/items?sortby=-count&filter={}",
        enc("kind = 'plot'")
    ))
    .await;
    assert_eq!(
        f.len(),
        ids("/api/collections/incidents/items?kind=plot")
            .await
            .len()
    );
    for bad in ["foo", "-", "date,date", "a,b,c,d,e,f"] {
        let v = refused(&format!("/api/collections/incidents/items?sortby={bad}")).await;
        assert_eq!(v["parameter"], "sortby", "{bad}");
    }
}

#[tokio::test]
async fn properties_and_skip_geometry_shape_every_answer() {
    let v = get("/api/collections/incidents/items?properties=kind,date&skipGeometry=true&limit=5")
        .await
        .json();
    for f in v["features"].as_array().unwrap() {
        assert!(f["geometry"].is_null());
        let keys: Vec<&String> = f["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kind", "date"], "{f}");
        assert!(f["id"].is_string());
    }
    let next = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(next["href"]
        .as_str()
        .unwrap()
        .contains("properties=kind%2Cdate"));
    // HTML shows those columns.
    let html = get("/api/collections/incidents/items?properties=country&f=html")
        .await
        .text();
    assert!(
        html.contains("<th>country</th>") && !html.contains("<th>title</th>"),
        "{html}"
    );
    // CSV download: the asked columns, with id, lon and lat.
    let csv = get("/api/collections/incidents/download?format=csv&properties=kind,count").await;
    assert_eq!(csv.status, StatusCode::OK);
    let first = csv.text().lines().next().unwrap().to_string();
    assert_eq!(first, "id,kind,count,lon,lat");
    // Without the geometry, the CSV has no coordinates.
    let csv =
        get("/api/collections/incidents/download?format=csv&properties=kind&skipGeometry=true")
            .await
            .text();
    assert_eq!(csv.lines().next().unwrap(), "id,kind");
    // FlatGeobuf has one schema: shaping it is refused, not ignored.
    for (bad, name) in [
        ("properties=kind", "properties"),
        ("skipGeometry=true", "skipGeometry"),
    ] {
        let v = refused(&format!(
            "/api/collections/incidents/download?format=fgb&{bad}"
        ))
        .await;
        assert_eq!(v["parameter"], name);
    }
    // GeoJSON download too.
    let g = get(
        "/api/collections/incidents/download?format=geojson&properties=count&skipGeometry=true",
    )
    .await
    .json();
    for f in g["features"].as_array().unwrap() {
        assert!(f["geometry"].is_null() && f["properties"].as_object().unwrap().len() == 1);
    }
    for bad in ["properties=nope", "skipGeometry=yes"] {
        let v = refused(&format!("/api/collections/incidents/items?{bad}")).await;
        assert_eq!(v["parameter"], bad.split('=').next().unwrap());
    }
}
