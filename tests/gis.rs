//! What GIS tools and analysts use: the HTML view, queryables, schemas, downloads, and the real GDAL
//! (`ogrinfo`, `ogr2ogr`) against the real server binary, running the commands of the README's
//! "Use it from QGIS / GDAL" section.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{get, send_to, store};
use std::process::Command;

#[tokio::test]
async fn every_resource_has_an_html_view() {
    for uri in [
        "/api?f=html",
        "/api/conformance?f=html",
        "/api/collections?f=html",
        "/api/collections/plots?f=html",
        "/api/collections/plots/items?f=html",
        "/api/collections/provinces/items?f=html&country=AFG",
        "/api/collections/attacks/items/2024-03-22-crocus-city-hall?f=html",
    ] {
        let a = get(uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(
            a.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{uri}"
        );
        assert!(a.header("content-security-policy").is_some(), "{uri}");
        assert!(a.text().starts_with("<!doctype html>"), "{uri}");
    }
    let browser = send_to(
        store(),
        Request::get("/api/collections")
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        browser.header("content-type"),
        Some("text/html; charset=utf-8"),
        "browsers get HTML"
    );
    let gdal = send_to(
        store(),
        Request::get("/api/collections")
            .header("accept", "application/json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gdal.header("content-type"), Some("application/json"));
    let items = get("/api/collections/plots/items?f=html").await.text();
    assert!(
        items.contains("/api/collections/plots/items/2020-04-germany-tajik-cell-plot?f=html"),
        "rows link to their feature"
    );
}

#[tokio::test]
async fn html_views_escape_record_text() {
    let s = common::Scratch::new("gis-html");
    s.append("records.csv", "zz-html,presence,\"<script>alert(1)</script>\",\"<img src=x onerror=alert(2)>\",2024-01-01,,day,Kabul,AFG,near,,,1,,,,attributed,,,,,,,,");
    s.append("citations.csv", "zz-html,S1,test");
    let st = std::sync::Arc::new(
        iskp_map::Store::open(Box::new(iskp_map::FileSource::new(&s.dir))).unwrap(),
    );
    for uri in [
        "/api/collections/presence/items/zz-html?f=html",
        "/api/collections/presence/items?f=html&limit=1000",
    ] {
        let a = send_to(st.clone(), Request::get(uri).body(Body::empty()).unwrap()).await;
        let t = a.text();
        assert!(
            !t.contains("<script>alert") && !t.contains("<img src=x"),
            "{uri}"
        );
        assert!(
            t.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || t.contains("&lt;img src=x"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn queryables_and_schemas_are_json_schema() {
    for c in ["incidents", "plots", "countries", "provinces"] {
        for what in ["queryables", "schema"] {
            let a = get(&format!("/api/collections/{c}/{what}")).await;
            assert_eq!(a.status, StatusCode::OK, "{c}/{what}");
            assert_eq!(a.header("content-type"), Some("application/schema+json"));
            let v = a.json();
            assert_eq!(v["type"], "object");
            assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
            assert!(v["properties"].is_object());
        }
    }
    let q = get("/api/collections/incidents/queryables").await.json();
    for k in [
        "kind",
        "country",
        "claim",
        "geo_precision",
        "datetime",
        "geometry",
    ] {
        assert!(q["properties"][k].is_object(), "{k}");
    }
    // The queryables a plain query parameter filters on carry its name (the others are for
    // CQL2 filters, tests/filter.rs).
    for k in q["properties"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| ["kind", "country", "claim", "geo_precision"].contains(&k.as_str()))
    {
        let value = q["properties"][k]["enum"][0].as_str().unwrap_or("AFG");
        let a = get(&format!("/api/collections/incidents/items?{k}={value}")).await;
        assert_eq!(a.status, StatusCode::OK, "{k}");
    }
    let s = get("/api/collections/incidents/schema").await.json();
    let props = &s["properties"]["properties"]["properties"];
    assert_eq!(props["fatalities"]["type"], "integer");
    assert_eq!(props["fatalities"]["nullable"], true);
    let c = get("/api/collections/incidents").await.json();
    let rels: Vec<(&str, &str)> = c["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["rel"].as_str().unwrap(), l["type"].as_str().unwrap()))
        .collect();
    assert!(rels.contains(&("describedby", "application/schema+json")));
    assert!(rels.contains(&(
        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        "application/schema+json"
    )));
    assert_eq!(rels.iter().filter(|(r, _)| *r == "enclosure").count(), 3);
}

#[tokio::test]
async fn downloads_in_three_formats() {
    let n = store().current().catalog.len();
    let g = get("/api/collections/incidents/download?format=geojson").await;
    assert_eq!(g.header("content-type"), Some("application/geo+json"));
    assert_eq!(
        g.header("content-disposition"),
        Some("attachment; filename=\"iskp-map-incidents.geojson\"")
    );
    assert_eq!(g.json()["features"].as_array().unwrap().len(), n);
    let c = get("/api/collections/incidents/download?format=csv").await;
    assert_eq!(c.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut rdr = csv::Reader::from_reader(c.body.as_slice());
    let header = rdr.headers().unwrap().clone();
    assert!(header.iter().any(|h| h == "lon") && header.iter().any(|h| h == "lat"));
    assert_eq!(rdr.records().count(), n);
    let f = get("/api/collections/incidents/download?format=fgb").await;
    assert_eq!(f.header("content-type"), Some("application/flatgeobuf"));
    assert_eq!(&f.body[..3], b"fgb", "FlatGeobuf magic bytes");
    let plots = get("/api/collections/plots/download?format=csv&country=DEU").await;
    assert_eq!(
        csv::Reader::from_reader(plots.body.as_slice())
            .records()
            .count(),
        2
    );
    let provinces = get("/api/collections/provinces/download?format=geojson&country=AFG").await;
    assert_eq!(provinces.json()["features"].as_array().unwrap().len(), 34);
    assert_eq!(
        get("/api/collections/incidents/download").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get("/api/collections/incidents/download?format=shp")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get("/api/collections/incidents/download?format=csv&limit=3")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

// ---- the real GDAL against the real server ------------------------------------------------------------

/// Runs a GDAL command; GDAL must be installed (`.ci/run` installs Debian's gdal-bin).
fn gdal(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} is not installed ({e}); install Debian's gdal-bin (.ci/run does)",
                args[0]
            )
        });
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed:\n{text}");
    text
}

fn feature_count(info: &str) -> u64 {
    info.lines()
        .find_map(|l| l.strip_prefix("Feature Count: "))
        .expect("a feature count")
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn gdal_reads_every_layer_and_copies_every_record() {
    let server = common::Server::start(&common::geodata());
    let api = format!("OAPIF:{}/api", server.base);
    let listing = gdal(&["ogrinfo", "-ro", "-q", &api]);
    for c in common::COLLECTIONS {
        assert!(
            listing.contains(&format!(": {c} (")),
            "{c} listed:\n{listing}"
        );
    }
    for c in common::COLLECTIONS {
        let info = gdal(&["ogrinfo", "-ro", "-so", &api, c]);
        let n = common::matched(&server.base, &format!("/api/collections/{c}/items?limit=1")).await;
        assert_eq!(feature_count(&info), n, "{c}");
        assert!(info.contains("Extent: ("), "{c} has an extent");
    }

    let dir = common::Scratch::new("gdal");
    let gpkg = dir.path("iskp.gpkg").display().to_string();
    gdal(&["ogr2ogr", "-f", "GPKG", &gpkg, &api, "incidents"]);
    let info = gdal(&["ogrinfo", "-ro", "-so", &gpkg, "incidents"]);
    assert_eq!(
        feature_count(&info) as usize,
        store().current().catalog.len(),
        "every record, across pages"
    );
    for (field, ty) in [
        ("count", "Integer"),
        ("where_prec", "Integer"),
        ("fatalities", "Integer"),
        ("injured", "Integer"),
        ("date", "Date"),
        ("date_end", "Date"),
        ("kind", "String"),
    ] {
        assert!(
            info.contains(&format!("{field}: {ty}")),
            "{field} typed {ty}:\n{info}"
        );
    }

    // -spat and -where give the records the API gives for the same bbox and property.
    let spat = gdal(&[
        "ogrinfo",
        "-ro",
        "-so",
        "-spat",
        "60",
        "29",
        "75",
        "39",
        &api,
        "incidents",
    ]);
    // GDAL's spatial filter keeps features with a geometry: the located records of the API's
    // answer (records known only to an area have none, and are listed by the API when their whole
    // area is inside the box).
    let page: serde_json::Value = reqwest::get(format!(
        "{}/api/collections/incidents/items?bbox=60,29,75,39&limit=10000",
        server.base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let features = page["features"].as_array().unwrap();
    let located = features.iter().filter(|f| !f["geometry"].is_null()).count() as u64;
    assert!(
        located < features.len() as u64,
        "the box holds area records too"
    );
    assert_eq!(feature_count(&spat), located);
    let plots_gpkg = dir.path("plots.gpkg").display().to_string();
    gdal(&[
        "ogr2ogr",
        "-f",
        "GPKG",
        &plots_gpkg,
        &api,
        "incidents",
        "-where",
        "kind = 'plot'",
    ]);
    let where_info = gdal(&["ogrinfo", "-ro", "-so", &plots_gpkg, "incidents"]);
    let plots_api = common::matched(
        &server.base,
        "/api/collections/incidents/items?kind=plot&limit=1",
    )
    .await;
    assert_eq!(feature_count(&where_info), plots_api);

    // A GeoJSON items URL opens as a plain GeoJSON file.
    let url = format!("{}/api/collections/plots/items?limit=1000", server.base);
    let plain = gdal(&["ogrinfo", "-ro", "-so", &url, "OGRGeoJSON"]);
    assert_eq!(feature_count(&plain), plots_api);
    // And the FlatGeobuf download is typed throughout.
    let fgb = dir.path("incidents.fgb");
    let url = format!(
        "{}/api/collections/incidents/download?format=fgb",
        server.base
    );
    gdal(&["curl", "-sSf", "-o", &fgb.display().to_string(), &url]);
    let info = gdal(&["ogrinfo", "-ro", "-so", "-al", &fgb.display().to_string()]);
    assert_eq!(
        feature_count(&info) as usize,
        store().current().catalog.len()
    );
    assert!(info.contains("fatalities: Integer64"), "{info}");
}

/// The `id` field of every feature `ogrinfo -al` lists, sorted.
fn listed_ids(info: &str) -> Vec<String> {
    let mut v: Vec<String> = info
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id (String) = "))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// Runs GDAL with its HTTP requests logged (`CPL_CURL_VERBOSE`) and returns (stdout, the URLs
/// asked for).
fn gdal_logged(args: &[&str]) -> (String, String) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .env("CPL_DEBUG", "ON")
        .env("CPL_CURL_VERBOSE", "YES")
        .output()
        .expect("GDAL is installed (.ci/run installs Debian's gdal-bin)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    let requests: String = stderr
        .lines()
        .filter(|l| l.starts_with("> GET ") || l.contains("HTTP: Fetch"))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), requests)
}

#[tokio::test]
async fn gdal_pushes_where_down_as_a_cql2_filter_with_the_same_features() {
    let server = common::Server::start(&common::geodata());
    let api = format!("OAPIF:{}/api", server.base);
    // Without push-down: every record copied, then filtered by GDAL itself.
    let dir = common::Scratch::new("gdal-cql");
    let gpkg = dir.path("all.gpkg").display().to_string();
    gdal(&["ogr2ogr", "-f", "GPKG", &gpkg, &api, "incidents"]);
    let local = |args: &[&str]| {
        let mut a = vec!["ogrinfo", "-ro", "-al", "-q"];
        a.extend_from_slice(args);
        a.push(&gpkg);
        a.push("incidents");
        listed_ids(&gdal(&a))
    };

    // -where is sent as a CQL2 filter (GDAL 3.6 finds filter-lang with cql-text in the OpenAPI
    // document), and the server's answer is what GDAL computes from the whole copy.
    let (out, requests) = gdal_logged(&[
        "ogrinfo",
        "-ro",
        "-al",
        "-q",
        "-where",
        "kind = 'plot'",
        &api,
        "incidents",
    ]);
    assert!(
        requests.contains("filter=kind") && requests.contains("filter-lang=cql-text"),
        "GDAL sent the filter to the server:\n{requests}"
    );
    let pushed = listed_ids(&out);
    assert!(!pushed.is_empty());
    assert_eq!(pushed, local(&["-where", "kind = 'plot'"]));
    let mut api_ids: Vec<String> = reqwest::get(format!(
        "{}/api/collections/incidents/items?filter=kind%3D%27plot%27&limit=10000",
        server.base
    ))
    .await
    .unwrap()
    .json::<serde_json::Value>()
    .await
    .unwrap()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    api_ids.sort();
    assert_eq!(pushed, api_ids);

    // A conjunction the server can answer whole, with -spat: the box travels as bbox, the rest
    // as the filter; the located records are what GDAL finds in its copy.
    let (out, requests) = gdal_logged(&[
        "ogrinfo",
        "-ro",
        "-al",
        "-q",
        "-spat",
        "60",
        "29",
        "75",
        "39",
        "-where",
        "kind = 'attack' AND country = 'AFG'",
        &api,
        "incidents",
    ]);
    assert!(
        requests.contains("bbox=60")
            && requests.contains("filter=")
            && requests.contains("country"),
        "GDAL sent the box and the filter:\n{requests}"
    );
    let pushed = listed_ids(&out);
    assert!(!pushed.is_empty());
    assert_eq!(
        pushed,
        local(&[
            "-spat",
            "60",
            "29",
            "75",
            "39",
            "-where",
            "kind = 'attack' AND country = 'AFG'"
        ])
    );
}

/// GDAL's `MVT` driver reads the vector tiles: a tile of records (its features and their fields) and
/// a tile of countries (polygons, Afghanistan among them), placed where the tile is.
#[tokio::test]
async fn gdal_reads_vector_tiles() {
    let dir = common::Scratch::new("mvt");
    for (collection, (z, y, x), geometry, needle) in [
        (
            "incidents",
            (3, 3, 5),
            "Geometry: Point",
            "kind (String) = attack",
        ),
        (
            "countries",
            (3, 3, 5),
            "Geometry: Multi Polygon",
            "name (String) = Afghanistan",
        ),
    ] {
        let a = get(&format!(
            "/api/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}"
        ))
        .await;
        assert_eq!(a.status, StatusCode::OK, "{collection}");
        let file = dir.path(&format!("{collection}.mvt"));
        std::fs::write(&file, &a.body).unwrap();
        let f = file.display().to_string();
        let (zs, ys, xs) = (format!("Z={z}"), format!("Y={y}"), format!("X={x}"));
        let summary = gdal(&[
            "ogrinfo", "-ro", "-so", "-al", "-oo", &zs, "-oo", &ys, "-oo", &xs, &f,
        ]);
        assert!(summary.contains(geometry), "{collection}:\n{summary}");
        assert!(
            summary.contains(&format!("Layer name: {collection}")),
            "{summary}"
        );
        // The tile's extent in Web Mercator metres: x 5/8 to 6/8 of the world, y 3/8 to 4/8 from the north.
        let half = 20_037_508.342_789_244;
        let (w, n) = (
            -half + 5.0 / 8.0 * 2.0 * half,
            half - 3.0 / 8.0 * 2.0 * half,
        );
        let extent = summary
            .lines()
            .find_map(|l| l.strip_prefix("Extent: "))
            .expect("an extent");
        let nums: Vec<f64> = extent
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|t| t.parse().ok())
            .collect();
        let tile = 2.0 * half / 8.0;
        let slack = tile * 64.0 / 4096.0 + 1.0;
        assert!(
            nums[0] >= w - slack
                && nums[2] <= w + tile + slack
                && nums[3] <= n + slack
                && nums[1] >= n - tile - slack,
            "{collection}: {extent}"
        );
        let all = gdal(&[
            "ogrinfo", "-ro", "-al", "-oo", &zs, "-oo", &ys, "-oo", &xs, &f,
        ]);
        assert!(all.contains(needle), "{collection}: {needle}\n{all}");
    }
}

/// QGIS itself (Debian's `python3-qgis`, offscreen): every layer through its OAPIF provider with
/// the API's counts and fields, an expression filter and a rectangle giving what the API gives, and
/// the vector tiles added as layers and drawn. `QGIS_PYTHON` names the interpreter that has PyQGIS
/// (default `/usr/bin/python3`; `.ci/run` installs `python3-qgis`).
#[tokio::test]
async fn qgis_reads_every_layer_filters_and_draws_vector_tiles() {
    let server = common::Server::start(&common::geodata());
    let python = std::env::var("QGIS_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qgis/read_layers.py");
    let out = tokio::task::spawn_blocking({
        let base = server.base.clone();
        move || {
            Command::new(&python)
                .arg(script)
                .arg(base)
                .env("QT_QPA_PLATFORM", "offscreen")
                .env("XDG_RUNTIME_DIR", runtime_dir())
                .output()
                .unwrap_or_else(|e| {
                    panic!(
                        "{python} did not run ({e}); install Debian's python3-qgis (.ci/run does)"
                    )
                })
        }
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "QGIS failed:\n{stderr}");
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    for c in common::COLLECTIONS {
        let layer = &seen["layers"][c];
        assert_eq!(layer["valid"], true, "{c}: {stderr}");
        let n = common::matched(&server.base, &format!("/api/collections/{c}/items?limit=1")).await;
        assert_eq!(layer["count"], n, "{c}: every feature, across pages");
        assert!(
            layer["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "id"),
            "{c}: {layer}"
        );
    }
    let ids = |v: &serde_json::Value, located_only: bool| -> Vec<String> {
        let mut ids: Vec<String> = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !located_only || !f["geometry"].is_null())
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let get_json = |path: String| async move {
        reqwest::get(path)
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let plots = get_json(format!(
        "{}/api/collections/plots/items?limit=1000",
        server.base
    ))
    .await;
    let mut big: Vec<String> = plots["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["count"].as_u64().unwrap() >= 2)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    big.sort();
    assert_eq!(
        seen["expression"],
        serde_json::json!(big),
        "kind = 'plot' AND count >= 2"
    );
    // A rectangle in QGIS keeps the features whose geometry meets it: the located records of the box.
    let boxed = get_json(format!(
        "{}/api/collections/incidents/items?bbox=60,29,75,39&limit=1000",
        server.base
    ))
    .await;
    assert_eq!(seen["rectangle"], serde_json::json!(ids(&boxed, true)));
    for c in ["incidents", "countries"] {
        let t = &seen["tiles"][c];
        assert_eq!(t["valid"], true, "{c}");
        assert_eq!(t["errors"], serde_json::json!([]), "{c}");
        assert!(
            t["drawn"].as_u64().unwrap() > 20,
            "{c}: QGIS drew the tiles: {t}"
        );
    }
}

/// A private runtime directory for Qt (it refuses a world-writable one).
fn runtime_dir() -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let d = std::env::temp_dir().join(format!("iskp-map-qt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}
