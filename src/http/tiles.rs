//! OGC API – Tiles: every collection as Mapbox Vector Tiles in the `WebMercatorQuad` tile matrix
//! set (see [`crate::views::tiles`]), with the tile matrix set, tileset metadata and a TileJSON
//! document that clients (QGIS, MapLibre, GDAL's `MVT` driver) start from.
//!
//! - `/api/tileMatrixSets`, `/api/tileMatrixSets/WebMercatorQuad`
//! - `/api/collections/{id}/tiles` (the tilesets), `/tiles/WebMercatorQuad` (one tileset's
//!   metadata), `/tiles/WebMercatorQuad/tilejson.json`
//! - `/api/collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`: the tile (the
//!   OGC order: zoom, then row `y`, then column `x`), with the record filters of `items` (`bbox`
//!   excepted: a tile's box is its own). An empty tile is `204 No Content`.
//!
//! Tiles are made on the [`work`](super::work) pool, tagged per tile and snapshot, and kept for the
//! snapshot ([`TileCache`]): the first request of a tile pays for it, the next ones do not.

use super::context::{link, ApiPath, Fresh, JSON};
use super::error::ApiError;
use super::query::{self, record_filter};
use super::AppState;
use crate::geo::jurisdictions::Level;
use crate::store::collections::Collection;
use crate::views::tiles::{self as vt, TileId, EXTENT, MAX_ZOOM};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The media type of a tile.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";
/// The one tile matrix set served.
pub const TMS: &str = "WebMercatorQuad";
/// Its registered URI.
pub const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
/// Web Mercator.
const CRS_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
/// The conformance classes of OGC API – Tiles and the tile matrix set standard implemented here.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];
/// Query parameters of a tile: the record filters (their `bbox` is refused).
pub const PARAMS: &[&str] = super::query::record_filter_params![];

/// Shallowest tile matrix of the provinces: above it a tile would hold thousands of provinces a
/// pixel or two wide (a quarter of a megabyte at zoom 2).
pub const PROVINCES_FROM: u8 = 3;
/// Most bytes of polygon tiles kept.
pub const CACHE_BYTES: usize = 64 << 20;

/// Tiles made for one snapshot, by request (their entity tag, which names the data version, the
/// path and the query). Polygon tiles are the same for every request; a records tile is the same
/// for the same filters. The cache empties when the snapshot changes or when it would grow past
/// [`CACHE_BYTES`].
#[derive(Debug, Default)]
pub struct TileCache {
    inner: std::sync::Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    tag: String,
    bytes: usize,
    tiles: std::collections::HashMap<String, Bytes>,
}

impl TileCache {
    fn get(&self, snapshot: &str, request: &str) -> Option<Bytes> {
        let g = self.inner.lock().ok()?;
        (g.tag == snapshot)
            .then(|| g.tiles.get(request).cloned())
            .flatten()
    }

    fn put(&self, snapshot: &str, request: &str, tile: Bytes) {
        let Ok(mut g) = self.inner.lock() else { return };
        if g.tag != snapshot || g.bytes + tile.len() > CACHE_BYTES {
            g.tiles.clear();
            g.bytes = 0;
            g.tag = snapshot.to_string();
        }
        g.bytes += tile.len();
        g.tiles.insert(request.to_string(), tile);
    }
}

fn min_zoom(c: Collection) -> u8 {
    match c {
        Collection::Polygons(Level::Province) => PROVINCES_FROM,
        _ => 0,
    }
}

/// Half the equator in Web Mercator metres.
const HALF_WORLD: f64 = 20_037_508.342_789_244;

fn tiling_scheme_link(fresh: &Fresh) -> Value {
    link(
        &fresh.ctx.url(&format!("/api/tileMatrixSets/{TMS}")),
        "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
        JSON,
        "The WebMercatorQuad tile matrix set",
    )
}

/// The tile matrix set definition (OGC 17-083r4, JSON encoding).
fn matrix_set() -> Value {
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * HALF_WORLD / 256.0 / n as f64;
            json!({
                "id": z.to_string(),
                "scaleDenominator": cell / 0.000_28,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF_WORLD, HALF_WORLD],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    json!({
        "id": TMS,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": CRS_3857,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    })
}

/// `GET /api/tileMatrixSets`.
pub async fn matrix_sets(fresh: Fresh) -> Result<Response, ApiError> {
    fresh.ctx.params(&["f"])?;
    fresh.revalidate()?;
    let href = fresh.ctx.url(&format!("/api/tileMatrixSets/{TMS}"));
    let body = json!({
        "tileMatrixSets": [{
            "id": TMS,
            "title": "Google Maps Compatible for the World",
            "uri": TMS_URI,
            "links": [link(&href, "self", JSON, TMS)],
        }],
        "links": [link(&fresh.ctx.url("/api/tileMatrixSets"), "self", JSON, "Tile matrix sets")],
    });
    Ok(fresh.ok(JSON, body.to_string()))
}

/// `GET /api/tileMatrixSets/{id}`.
pub async fn matrix_set_one(
    ApiPath(id): ApiPath<String>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    fresh.ctx.params(&["f"])?;
    known_set(&id)?;
    fresh.revalidate()?;
    Ok(fresh.ok(JSON, matrix_set().to_string()))
}

fn known_set(id: &str) -> Result<(), ApiError> {
    if id == TMS {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "tile matrix set {:?} is not served; the one served is {TMS}",
            id.chars().take(64).collect::<String>()
        )))
    }
}

/// What a tileset holds: record points (and clusters), or polygons.
fn data_kind(c: Collection) -> &'static str {
    match c {
        Collection::Records(_) => "points",
        Collection::Polygons(_) => "polygons",
    }
}

fn tile_template(fresh: &Fresh, c: Collection) -> String {
    fresh.ctx.url(&format!(
        "/api/collections/{}/tiles/{TMS}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}",
        c.id()
    ))
}

fn tileset_summary(fresh: &Fresh, c: Collection) -> Value {
    let base = format!("/api/collections/{}/tiles/{TMS}", c.id());
    json!({
        "title": format!("{} as vector tiles", c.title()),
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(&fresh.ctx.url(&base), "self", JSON, "This tileset"),
            tiling_scheme_link(fresh),
            json!({"href": tile_template(fresh, c), "rel": "item", "type": MVT, "templated": true, "title": "A tile"}),
        ],
    })
}

/// `GET /api/collections/{id}/tiles`: the tilesets of a collection (one).
pub async fn tilesets(ApiPath(id): ApiPath<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    fresh.ctx.params(&["f"])?;
    fresh.revalidate()?;
    let body = json!({
        "tilesets": [tileset_summary(&fresh, c)],
        "links": [link(&fresh.ctx.url(&format!("/api/collections/{}/tiles", c.id())), "self", JSON, "Tilesets")],
    });
    Ok(fresh.ok(JSON, body.to_string()))
}

/// `GET /api/collections/{id}/tiles/{tms}`: one tileset's metadata.
pub async fn tileset(
    ApiPath((id, tms)): ApiPath<(String, String)>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    known_set(&tms)?;
    fresh.ctx.params(&["f"])?;
    fresh.revalidate()?;
    let mut body = tileset_summary(&fresh, c);
    body["layers"] = json!([{
        "id": c.id(),
        "dataType": data_kind(c),
        "minTileMatrix": min_zoom(c).to_string(),
        "maxTileMatrix": MAX_ZOOM.to_string(),
    }]);
    body["tileMatrixSetLimits"] = (min_zoom(c)..=MAX_ZOOM)
        .map(|z| {
            let last = (1u64 << z) - 1;
            json!({"tileMatrix": z.to_string(), "minTileRow": 0, "maxTileRow": last, "minTileCol": 0, "maxTileCol": last})
        })
        .collect();
    if let Some(links) = body["links"].as_array_mut() {
        links.push(link(
            &fresh.ctx.url(&format!(
                "/api/collections/{}/tiles/{TMS}/tilejson.json",
                c.id()
            )),
            "alternate",
            JSON,
            "This tileset as TileJSON",
        ));
    }
    Ok(fresh.ok(JSON, body.to_string()))
}

/// `GET /api/collections/{id}/tiles/{tms}/tilejson.json`: TileJSON 3.0.0, for MapLibre and other
/// clients that start from one.
pub async fn tilejson(
    ApiPath((id, tms)): ApiPath<(String, String)>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    known_set(&tms)?;
    fresh.ctx.params(&[])?;
    fresh.revalidate()?;
    let template = fresh.ctx.url(&format!(
        "/api/collections/{}/tiles/{TMS}/{{z}}/{{y}}/{{x}}",
        c.id()
    ));
    let fields: Value = match c {
        Collection::Records(_) => json!({
            "id": "record id (a single record)", "kind": "record kind", "title": "title",
            "date": "first day", "date_end": "last day", "count": "events",
            "cluster": "true for a cell of several records", "records": "records in the cell",
            "total": "sum of count",
        }),
        Collection::Polygons(_) => json!({
            "id": "jurisdiction id", "name": "name", "country": "ISO 3166-1 alpha-3",
            "records": "records, all time", "total": "sum of count, all time",
        }),
    };
    let body = json!({
        "tilejson": "3.0.0",
        "name": c.title(),
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": min_zoom(c),
        "maxzoom": MAX_ZOOM,
        "bounds": [-180.0, -vt::MAX_LAT, 180.0, vt::MAX_LAT],
        "attribution": "iskp-map; boundaries Natural Earth; places GeoNames (CC BY 4.0)",
        "vector_layers": [{ "id": c.id(), "fields": fields, "minzoom": min_zoom(c), "maxzoom": MAX_ZOOM }],
    });
    Ok(fresh.ok(JSON, body.to_string()))
}

fn tile_number(name: &'static str, v: &str) -> Result<u32, ApiError> {
    v.parse::<u32>().map_err(|_| {
        ApiError::bad(
            name,
            format!(
                "{:?} is not a whole number",
                v.chars().take(32).collect::<String>()
            ),
        )
    })
}

/// `GET /api/collections/{id}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}`: one tile.
pub async fn tile(
    State(st): State<AppState>,
    ApiPath((id, tms, z, y, x)): ApiPath<(String, String, String, String, String)>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    known_set(&tms)?;
    let (z, y, x) = (
        tile_number("tileMatrix", &z)?,
        tile_number("tileRow", &y)?,
        tile_number("tileCol", &x)?,
    );
    let t = TileId::new(z, x, y).map_err(ApiError::NotFound)?;
    if t.z < min_zoom(c) {
        return Err(ApiError::NotFound(format!(
            "{} are tiled from tile matrix {}; see the tileset's tileMatrixSetLimits",
            c.id(),
            min_zoom(c)
        )));
    }
    let filter = match c {
        Collection::Records(kind) => {
            let p = fresh.ctx.params(PARAMS)?;
            if p.get("bbox").is_some() {
                return Err(ApiError::bad(
                    "bbox",
                    "a tile covers its own box; ask for the tiles of the area instead",
                ));
            }
            let mut f = record_filter(kind, &p)?;
            f.bbox = Some(t.query_box());
            Some(f)
        }
        // Polygon tiles carry all-time totals: no record filters.
        Collection::Polygons(_) => {
            fresh.ctx.params(&[])?;
            None
        }
    };
    fresh.revalidate()?;
    if let Some(hit) = st.tiles.get(&fresh.snap.tag, &fresh.tag) {
        return Ok(mvt_answer(&fresh, hit));
    }
    st.work
        .run(move || {
            let snap = &fresh.snap;
            let bytes = match (c, filter) {
                (Collection::Records(_), Some(f)) => {
                    let ids = snap.matching(&f);
                    Bytes::from(vt::point_tile(&snap.catalog, &ids, t, c.id()))
                }
                (Collection::Polygons(level), _) => {
                    let [w, s, e, n] = t.bounds();
                    // The buffer, in degrees of longitude (and as much of latitude, generously).
                    let pad = (e - w) * vt::BUFFER / f64::from(EXTENT);
                    let (min, max) = ([w - pad, s - pad], [e + pad, n + pad]);
                    let (list, layer, mut which) = match level {
                        Level::Country => (
                            &snap.jurisdictions.countries,
                            &snap.countries,
                            snap.jurisdictions.countries_in(min, max),
                        ),
                        Level::Province => (
                            &snap.jurisdictions.provinces,
                            &snap.provinces,
                            snap.jurisdictions.provinces_in(min, max),
                        ),
                    };
                    which.sort_unstable();
                    which.dedup();
                    Bytes::from(vt::polygon_tile(list, &layer.totals, &which, t, c.id()))
                }
                _ => Bytes::new(),
            };
            st.tiles.put(&snap.tag, &fresh.tag, bytes.clone());
            Ok(mvt_answer(&fresh, bytes))
        })
        .await?
}

/// A tile answer: `204` when empty, else the bytes; both tagged.
fn mvt_answer(fresh: &Fresh, bytes: Bytes) -> Response {
    let mut r = if bytes.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let mut r = bytes.into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(MVT));
        r
    };
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    super::context::set(&mut r, header::ETAG, &fresh.tag);
    r
}
