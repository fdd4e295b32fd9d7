//! OGC API – Tiles: vector tiles of every collection, decoded and checked against the items they
//! come from.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{get, send_to, store};
use geozero::mvt::{tile, Message, Tile};
use std::collections::HashMap;

const BASE: &str = "/api/collections";

/// The features of a tile's one layer, each as its tags (`name → value`, values as text).
fn decode(body: &[u8]) -> (String, Vec<HashMap<String, String>>) {
    let t = Tile::decode(body).expect("a tile decodes as MVT");
    assert_eq!(t.layers.len(), 1, "one layer a tile");
    let l = &t.layers[0];
    assert_eq!(l.version, 2);
    assert_eq!(l.extent, Some(4096));
    let text = |v: &tile::Value| {
        v.string_value
            .clone()
            .or(v.uint_value.map(|n| n.to_string()))
            .or(v.int_value.map(|n| n.to_string()))
            .or(v.bool_value.map(|b| b.to_string()))
            .unwrap_or_default()
    };
    let feats = l
        .features
        .iter()
        .map(|f| {
            assert!(!f.geometry.is_empty(), "every feature has a geometry");
            f.tags
                .chunks(2)
                .map(|kv| {
                    (
                        l.keys[kv[0] as usize].clone(),
                        text(&l.values[kv[1] as usize]),
                    )
                })
                .collect()
        })
        .collect();
    (l.name.clone(), feats)
}

/// Sum of `count` over a tile's features: a record's own, a cluster's `total`.
fn counted(feats: &[HashMap<String, String>]) -> u64 {
    feats
        .iter()
        .map(|f| {
            f.get("total")
                .or(f.get("count"))
                .map(|v| v.parse::<u64>().unwrap())
                .unwrap()
        })
        .sum()
}

async fn tile(path: &str) -> Vec<HashMap<String, String>> {
    let a = get(path).await;
    match a.status {
        StatusCode::NO_CONTENT => Vec::new(),
        StatusCode::OK => {
            assert_eq!(
                a.header("content-type"),
                Some("application/vnd.mapbox-vector-tile")
            );
            assert!(a.header("etag").is_some());
            decode(&a.body).1
        }
        s => panic!("{path}: {s} {}", a.text()),
    }
}

/// Sum of `count` of the located records (not known only to an area) that `query` selects.
async fn located_count(query: &str) -> u64 {
    let v = get(&format!("{BASE}/incidents/items?limit=10000&{query}"))
        .await
        .json();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["geometry"].is_null())
        .map(|f| f["properties"]["count"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_world_tile_counts_every_located_record_once_and_its_four_children_too() {
    let all = located_count("").await;
    assert!(all > 0);
    let world = tile(&format!("{BASE}/incidents/tiles/WebMercatorQuad/0/0/0")).await;
    assert_eq!(counted(&world), all, "zoom 0");
    let mut children = 0;
    for (y, x) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        children +=
            counted(&tile(&format!("{BASE}/incidents/tiles/WebMercatorQuad/1/{y}/{x}")).await);
    }
    assert_eq!(children, all, "zoom 1: each record in exactly one tile");
    // Deep enough, Kabul's records are single features with their own properties.
    let kabul = tile(&format!(
        "{BASE}/incidents/tiles/WebMercatorQuad/12/1628/2835"
    ))
    .await;
    assert!(
        kabul
            .iter()
            .any(|f| f.get("id").is_some() && f["kind"] == "attack"),
        "{kabul:?}"
    );
}

#[tokio::test]
async fn tiles_take_the_record_filters_of_items() {
    for (collection, query, items) in [
        ("plots", "", "kind=plot"),
        (
            "incidents",
            "?kind=attack&claim=claimed",
            "kind=attack&claim=claimed",
        ),
        (
            "incidents",
            "?datetime=2022-04-01/2022-04-30",
            "datetime=2022-04-01/2022-04-30",
        ),
        ("incidents", "?country=IRN", "country=IRN"),
    ] {
        let feats = tile(&format!(
            "{BASE}/{collection}/tiles/WebMercatorQuad/0/0/0{query}"
        ))
        .await;
        assert_eq!(
            counted(&feats),
            located_count(items).await,
            "{collection}{query}"
        );
    }
}

#[tokio::test]
async fn polygon_tiles_carry_the_layers_totals() {
    let feats = tile(&format!("{BASE}/countries/tiles/WebMercatorQuad/3/3/5")).await;
    let afg = feats
        .iter()
        .find(|f| f["id"] == "AFG")
        .expect("Afghanistan");
    let layer = get(&format!("{BASE}/countries/items/AFG")).await.json();
    assert_eq!(
        afg["records"],
        layer["properties"]["records"].as_u64().unwrap().to_string()
    );
    assert_eq!(afg["name"], "Afghanistan");
    let provinces = tile(&format!("{BASE}/provinces/tiles/WebMercatorQuad/5/12/22")).await;
    assert!(provinces
        .iter()
        .any(|f| f["name"] == "Kabul" && f["country"] == "AFG"));
    // The same tile twice: the cached copy is the same bytes.
    let path = format!("{BASE}/countries/tiles/WebMercatorQuad/2/1/2");
    assert_eq!(get(&path).await.body, get(&path).await.body);
}

#[tokio::test]
async fn tile_metadata_tile_matrix_sets_and_tilejson() {
    let conf = get("/api/conformance").await.json();
    for c in [
        "core",
        "tileset",
        "tilesets-list",
        "geodata-tilesets",
        "mvt",
    ] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{c}");
        assert!(
            conf["conformsTo"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == &uri),
            "{uri}"
        );
    }
    let sets = get("/api/tileMatrixSets").await.json();
    assert_eq!(sets["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    let tms = get("/api/tileMatrixSets/WebMercatorQuad").await.json();
    let m = tms["tileMatrices"].as_array().unwrap();
    assert_eq!(m.len(), 23);
    assert_eq!(m[3]["matrixWidth"], 8);
    assert!((m[0]["scaleDenominator"].as_f64().unwrap() - 559_082_264.028_717_8).abs() < 1e-3);
    let coll = get(&format!("{BASE}/plots")).await.json();
    assert!(coll["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"));
    let sets = get(&format!("{BASE}/plots/tiles")).await.json();
    let item = sets["tilesets"][0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "item")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(item.ends_with(
        "/api/collections/plots/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
    ));
    let ts = get(&format!("{BASE}/provinces/tiles/WebMercatorQuad"))
        .await
        .json();
    assert_eq!(ts["layers"][0]["minTileMatrix"], "3");
    assert_eq!(ts["tileMatrixSetLimits"][0]["tileMatrix"], "3");
    let tj = get(&format!("{BASE}/plots/tiles/WebMercatorQuad/tilejson.json"))
        .await
        .json();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert!(tj["tiles"][0]
        .as_str()
        .unwrap()
        .ends_with("/api/collections/plots/tiles/WebMercatorQuad/{z}/{y}/{x}"));
    assert_eq!(tj["vector_layers"][0]["id"], "plots");
}

#[tokio::test]
async fn bad_tiles_are_clear_errors_and_tags_revalidate() {
    for (path, status, needle) in [
        ("incidents/tiles/WebMercatorQuad/3/9/5", 404, "outside"),
        ("incidents/tiles/WebMercatorQuad/23/0/0", 404, "beyond"),
        ("incidents/tiles/WebMercatorQuad/a/0/0", 400, "tileMatrix"),
        ("incidents/tiles/WebMercatorQuad/1/-1/0", 400, "tileRow"),
        (
            "incidents/tiles/WorldCRS84Quad/0/0/0",
            404,
            "WebMercatorQuad",
        ),
        (
            "incidents/tiles/WebMercatorQuad/0/0/0?bbox=1,2,3,4",
            400,
            "bbox",
        ),
        (
            "incidents/tiles/WebMercatorQuad/0/0/0?kind=bogus",
            400,
            "kind",
        ),
        ("incidents/tiles/WebMercatorQuad/0/0/0?zoom=3", 400, "zoom"),
        (
            "countries/tiles/WebMercatorQuad/0/0/0?kind=plot",
            400,
            "kind",
        ),
        (
            "provinces/tiles/WebMercatorQuad/2/1/2",
            404,
            "from tile matrix 3",
        ),
        ("nothing/tiles/WebMercatorQuad/0/0/0", 404, "does not exist"),
    ] {
        let a = get(&format!("{BASE}/{path}")).await;
        assert_eq!(a.status.as_u16(), status, "{path}: {}", a.text());
        assert!(a.text().contains(needle), "{path}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("application/json"), "{path}");
    }
    let path = format!("{BASE}/incidents/tiles/WebMercatorQuad/0/0/0");
    let first = get(&path).await;
    let tag = first.header("etag").unwrap().to_string();
    let again = send_to(
        store(),
        Request::get(&path)
            .header("host", "127.0.0.1:8080")
            .header("if-none-match", &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let other = get(&format!("{BASE}/incidents/tiles/WebMercatorQuad/1/0/1")).await;
    assert_ne!(other.header("etag"), Some(tag.as_str()), "a tag per tile");
}
