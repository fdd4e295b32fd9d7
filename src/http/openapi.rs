//! The OpenAPI 3.0 definition (`/api/openapi.json`, also `/api/api`) and a readable HTML summary of
//! it (`/api/docs`). Paths are concrete per collection, as GDAL and QGIS expect.

use super::context::Fresh;
use super::error::ApiError;
use super::html::html_escape;
use super::query::{item_params, DEFAULT_LIMIT, MAX_LIMIT};
use super::stats::STATS_PARAMS;
use crate::model::columns::{filter_fields, FieldType};
use crate::store::collections::Collection;
use axum::response::Response;
use serde_json::{json, Value};

fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn error_response(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/exception" } } } })
}

/// Builds the OpenAPI document for the server at `base`.
pub fn document(base: &str) -> Value {
    let mut paths = serde_json::Map::new();
    let simple = |id: &str, summary: &str, tag: &str| {
        json!({ "get": {
            "operationId": id, "summary": summary, "tags": [tag],
            "parameters": [param_ref("f")],
            "responses": { "200": { "description": summary, "content": { "application/json": { "schema": { "type": "object" } } } },
                           "400": error_response("Bad parameter") }
        }})
    };
    paths.insert(
        "/".into(),
        simple("getLandingPage", "Landing page", "Capabilities"),
    );
    paths.insert(
        "/conformance".into(),
        simple("getConformance", "Conformance classes", "Capabilities"),
    );
    paths.insert(
        "/collections".into(),
        simple("getCollections", "The collections", "Capabilities"),
    );
    for c in Collection::all() {
        let id = c.id();
        paths.insert(
            format!("/collections/{id}"),
            json!({ "get": {
                "operationId": format!("describe_{id}"), "summary": format!("Describe {}", c.title()), "tags": [id],
                "parameters": [param_ref("f")],
                "responses": { "200": { "description": "The collection", "content": { "application/json": { "schema": { "type": "object" } } } },
                               "404": error_response("No such collection") }
            }}),
        );
        let params: Vec<Value> = item_params(c).iter().map(|p| param_ref(p)).collect();
        paths.insert(
            format!("/collections/{id}/items"),
            json!({ "get": {
                "operationId": format!("get_{id}_items"), "summary": format!("{} as GeoJSON features", c.title()),
                "description": c.description(), "tags": [id],
                "parameters": params,
                "responses": {
                    "200": { "description": "A page of features", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureCollectionGeoJSON" } } } },
                    "304": { "description": "Not modified (If-None-Match)" },
                    "400": error_response("Bad parameter"), "404": error_response("No such collection"),
                    "406": error_response("Format not available")
                }
            }}),
        );
        if let Collection::Records(_) = c {
            let params: Vec<Value> = crate::http::clusters::PARAMS
                .iter()
                .map(|p| param_ref(p))
                .collect();
            paths.insert(
                format!("/collections/{id}/clusters"),
                json!({ "get": {
                    "operationId": format!("get_{id}_clusters"),
                    "summary": format!("{} gathered into grid cells for a map zoom level", c.title()),
                    "description": "Cells are a quarter of a web-map tile at the zoom (360/2^zoom/4 degrees). Each feature is one cell: a point at the position of its record nearest to the mean of its records, with properties records (how many), total and totals (sum of count per kind), bbox (of its records) and record (the id, when the cell holds one). numberMatched is the number of records selected.",
                    "tags": [id],
                    "parameters": params,
                    "responses": {
                        "200": { "description": "One point feature per non-empty cell", "content": { "application/geo+json": { "schema": { "type": "object", "required": ["type", "features", "numberMatched"], "properties": { "type": { "type": "string", "enum": ["FeatureCollection"] }, "features": { "type": "array", "items": { "type": "object" } }, "numberMatched": { "type": "integer", "minimum": 0 } } } } } },
                        "304": { "description": "Not modified (If-None-Match)" },
                        "400": error_response("Bad parameter"), "404": error_response("No such collection")
                    }
                }}),
            );
        }
        paths.insert(
            format!("/collections/{id}/tiles"),
            simple(
                &format!("get_{id}_tilesets"),
                &format!("Tilesets of {} (one: WebMercatorQuad, MVT)", c.title()),
                id,
            ),
        );
        paths.insert(
            format!("/collections/{id}/tiles/WebMercatorQuad"),
            simple(
                &format!("get_{id}_tileset"),
                &format!(
                    "Tileset metadata of {}: layer, tile matrix limits, links",
                    c.title()
                ),
                id,
            ),
        );
        paths.insert(
            format!("/collections/{id}/tiles/WebMercatorQuad/tilejson.json"),
            json!({ "get": {
                "operationId": format!("get_{id}_tilejson"), "summary": format!("{} tiles as a TileJSON 3.0.0 document", c.title()), "tags": [id],
                "responses": { "200": { "description": "TileJSON", "content": { "application/json": { "schema": { "type": "object" } } } } }
            }}),
        );
        let mut tile_params: Vec<Value> = ["tileMatrix", "tileRow", "tileCol"]
            .iter()
            .map(|n| json!({ "name": n, "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0 } }))
            .collect();
        if let Collection::Records(_) = c {
            tile_params.extend(
                crate::http::tiles::PARAMS
                    .iter()
                    .filter(|p| **p != "bbox")
                    .map(|p| param_ref(p)),
            );
        }
        paths.insert(
            format!("/collections/{id}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"),
            json!({ "get": {
                "operationId": format!("get_{id}_tile"),
                "summary": format!("One vector tile (MVT) of {}", c.title()),
                "description": match c {
                    Collection::Records(_) => "Records gathered into cells a sixteenth of the tile wide: a cell of one record is that record (id, kind, title, date, count, …), of several a point with cluster=true, records, total and a total per kind. Each record lies in one tile; records known only to an area are in none. The record filters of items apply.",
                    Collection::Polygons(_) => "Boundaries clipped to the tile with a 64-unit buffer, with all-time totals (records, total, per kind). Provinces from tile matrix 3.",
                },
                "tags": [id],
                "parameters": tile_params,
                "responses": {
                    "200": { "description": "The tile", "content": { "application/vnd.mapbox-vector-tile": { "schema": { "type": "string", "format": "binary" } } } },
                    "204": { "description": "An empty tile" },
                    "304": { "description": "Not modified (If-None-Match)" },
                    "400": error_response("Bad parameter"), "404": error_response("No such collection, tile matrix set or tile")
                }
            }}),
        );
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            json!({ "get": {
                "operationId": format!("get_{id}_feature"), "summary": format!("One feature of {}", c.title()), "tags": [id],
                "parameters": match c {
                    Collection::Records(_) => json!([param_ref("featureId"), param_ref("f"), param_ref("as_of")]),
                    Collection::Polygons(_) => json!([param_ref("featureId"), param_ref("f"), param_ref("as_of"), param_ref("max-allowable-offset")]),
                },
                "responses": {
                    "200": { "description": "A feature", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureGeoJSON" } } } },
                    "404": error_response("No such feature")
                }
            }}),
        );
    }
    let mut stats_params: Vec<Value> = vec![
        json!({ "name": "by", "in": "query", "required": false, "description": "Groups: jurisdictions (country, province) or kinds of record (kind)", "schema": { "type": "string", "enum": ["country", "province", "kind"], "default": "country" } }),
        json!({ "name": "period", "in": "query", "required": false, "schema": { "type": "string", "enum": ["year", "month"], "default": "year" } }),
    ];
    stats_params.extend(
        STATS_PARAMS
            .iter()
            .filter(|p| !matches!(**p, "by" | "period"))
            .map(|p| param_ref(p)),
    );
    paths.insert("/stats".into(), json!({ "get": {
        "operationId": "getStats", "summary": "Totals (sum of count) per jurisdiction or kind and per period", "tags": ["Statistics"],
        "parameters": stats_params,
        "responses": { "200": { "description": "Totals", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": error_response("Bad parameter") }
    }}));
    paths.insert("/geocode".into(), json!({ "get": {
        "operationId": "geocode", "summary": "Places named q, starting with or holding q, or spelt close to it (property match says which; places in countries with records first), or the one place q resolves to (exact=true)", "tags": ["Gazetteer"],
        "parameters": [
            { "name": "q", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1 } },
            { "name": "country", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[A-Za-z]{3}$" } },
            { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 10 } },
            { "name": "exact", "in": "query", "required": false, "schema": { "type": "boolean", "default": false } },
            param_ref("f")
        ],
        "responses": { "200": { "description": "Places", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureCollectionGeoJSON" } } } },
                       "400": error_response("Bad parameter"), "404": error_response("No such place (exact=true)") }
    }}));
    paths.insert("/changes".into(), json!({ "get": {
        "operationId": "getChanges", "tags": ["Sources"],
        "summary": "Changes to the data in commit order (team mode): records, citations and documents created, updated (with the fields changed) or deleted, with time and database role",
        "parameters": [
            { "name": "since", "in": "query", "required": false, "description": "Only changes committed at or after this RFC 3339 instant.", "schema": { "type": "string", "format": "date-time" } },
            { "name": "after", "in": "query", "required": false, "description": "Only changes after this seq (the next link's cursor).", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
            { "name": "limit", "in": "query", "required": false, "description": "Changes per page; larger values are clamped.", "schema": { "type": "integer", "minimum": 1, "maximum": super::changes::MAX_LIMIT, "default": super::changes::DEFAULT_LIMIT } },
            { "name": "f", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "atom"], "default": "json" } }
        ],
        "responses": {
            "200": { "description": "A page of changes", "content": { "application/json": { "schema": { "type": "object" } }, "application/atom+xml": { "schema": { "type": "string" } } } },
            "400": error_response("Bad parameter"),
            "404": error_response("This server keeps no history (file mode)")
        }
    }}));
    let mut citation_params: Vec<Value> = vec![
        json!({ "name": "collection", "in": "query", "required": false, "description": "The collection queried; the filters of its items apply (countries: bbox; provinces: bbox and country).", "schema": { "type": "string", "enum": Collection::all().iter().map(|c| c.id()).collect::<Vec<_>>(), "default": "incidents" } }),
        json!({ "name": "f", "in": "query", "required": false, "description": "json: the manifest; csl: its CSL-JSON items alone; bibtex: its BibTeX entries alone.", "schema": { "type": "string", "enum": ["json", "csl", "bibtex"], "default": "json" } }),
    ];
    citation_params.extend(
        super::citation::PARAMS
            .iter()
            .filter(|p| !matches!(**p, "collection" | "f"))
            .map(|p| param_ref(p)),
    );
    paths.insert("/citation".into(), json!({ "get": {
        "operationId": "getCitation", "tags": ["Sources"],
        "summary": "The citation manifest of a query: data version, change time, the filters, the access time and the documents behind the matched records, as CSL-JSON and BibTeX",
        "description": "Every download links here (Link: rel=\"describedby\"). The answer states accessedAt, the time of the answer, so it is sent with Cache-Control: no-store and no ETag.",
        "parameters": citation_params,
        "responses": {
            "200": { "description": "The manifest (f=json), its CSL-JSON items (f=csl) or its BibTeX entries (f=bibtex)", "content": {
                "application/json": { "schema": { "type": "object", "required": ["title", "dataVersion", "changedAt", "accessedAt", "request", "numberMatched", "documents", "csl", "bibtex"], "properties": {
                    "title": { "type": "string" },
                    "dataVersion": { "type": "string" },
                    "changedAt": { "type": "string", "format": "date-time" },
                    "accessedAt": { "type": "string", "format": "date-time" },
                    "request": { "type": "object", "properties": { "url": { "type": "string" }, "collection": { "type": "string" }, "filters": { "type": "object", "additionalProperties": { "type": "string" } } } },
                    "numberMatched": { "type": "integer", "minimum": 0 },
                    "documents": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" }, "key": { "type": "string" }, "citedBy": { "type": "integer", "minimum": 1 }, "sections": { "type": "array", "items": { "type": "string" } } } } },
                    "csl": { "type": "array", "items": { "type": "object" } },
                    "bibtex": { "type": "string" },
                    "links": { "type": "array", "items": { "type": "object" } } } } },
                "application/vnd.citationstyles.csl+json": { "schema": { "type": "array", "items": { "type": "object" } } },
                "application/x-bibtex": { "schema": { "type": "string" } } } },
            "400": error_response("Bad parameter"),
            "406": error_response("Format not available")
        }
    }}));
    paths.insert(
        "/sources".into(),
        simple("getSources", "The documents records cite", "Sources"),
    );
    paths.insert(
        "/tileMatrixSets".into(),
        simple(
            "getTileMatrixSets",
            "Tile matrix sets of the vector tiles",
            "Tiles",
        ),
    );
    paths.insert(
        "/tileMatrixSets/{tileMatrixSetId}".into(),
        json!({ "get": {
            "operationId": "getTileMatrixSet", "summary": "A tile matrix set definition (OGC 17-083r4)", "tags": ["Tiles"],
            "parameters": [{ "name": "tileMatrixSetId", "in": "path", "required": true, "schema": { "type": "string", "enum": ["WebMercatorQuad"] } }, param_ref("f")],
            "responses": { "200": { "description": "The definition", "content": { "application/json": { "schema": { "type": "object" } } } },
                           "404": error_response("No such tile matrix set") }
        }}),
    );
    paths.insert(
        "/splits".into(),
        simple(
            "getSplits",
            "Stated time splits of totals: periods, counts, citations and the records sharing each",
            "Sources",
        ),
    );

    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "iskp-map",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API - Features over records of ISKP activity by jurisdiction.",
            "license": { "name": "MIT (code); see geodata/README.md for the data" }
        },
        "servers": [{ "url": format!("{base}/api") }],
        "paths": paths,
        "components": {
            "parameters": {
                "f": { "name": "f", "in": "query", "required": false, "description": "Response format; only json (GeoJSON for features).", "schema": { "type": "string", "enum": ["json", "geojson"] } },
                "limit": { "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                           "description": format!("Page size; larger values are clamped to {MAX_LIMIT}."),
                           "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
                "offset": { "name": "offset", "in": "query", "required": false, "description": "Features to skip; next links carry it.", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
                "bbox": { "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                          "description": "minLon,minLat,maxLon,maxLat in WGS 84; minLon > maxLon crosses the antimeridian.",
                          "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } } },
                "datetime": { "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                              "description": "An instant, a/b, ../b or a/.. (RFC 3339 date-times or dates). Matches records whose [date, date_end] intersects it.",
                              "schema": { "type": "string" } },
                "datetime_match": { "name": "datetime_match", "in": "query", "required": false,
                              "description": "intersects (default): records whose [date, date_end] overlaps datetime; within: only records wholly inside it.",
                              "schema": { "type": "string", "enum": ["intersects", "within"], "default": "intersects" } },
                "as_of": { "name": "as_of", "in": "query", "required": false,
                           "description": "An RFC 3339 instant: the answer as the data stood then (team mode keeps the history; over files a 400). The same URL answers the same bytes for ever; the ETag and timeStamp are those of that state.",
                           "schema": { "type": "string", "format": "date-time" } },
                "max-allowable-offset": { "name": "max-allowable-offset", "in": "query", "required": false,
                           "description": format!("Simplifies each outline (Ramer–Douglas–Peucker) so that no vertex left out is farther than this many degrees from the outline returned; every vertex kept is one of the boundary's, every ring keeps at least four, rings may cross. For drawing at a zoom where this is under a pixel (a web map at zoom z: 180/256/2^z is half a pixel at the equator and more away from it: a pixel at 60°). 0, the default: the boundaries as stored."),
                           "schema": { "type": "number", "minimum": 0, "maximum": crate::views::layers::MAX_OFFSET, "default": 0 } },
                "featureId": { "name": "featureId", "in": "path", "required": true, "schema": { "type": "string" } },
                "zoom": { "name": "zoom", "in": "query", "required": true, "description": "Map zoom level; cells are 360/2^zoom/4 degrees wide.", "schema": { "type": "integer", "minimum": 0, "maximum": crate::views::clusters::MAX_ZOOM } }
            },
            "schemas": {
                "exception": { "type": "object", "required": ["code"], "properties": { "code": { "type": "string" }, "description": { "type": "string" }, "parameter": { "type": "string" } } },
                "featureCollectionGeoJSON": { "type": "object", "required": ["type", "features"], "properties": {
                    "type": { "type": "string", "enum": ["FeatureCollection"] },
                    "features": { "type": "array", "items": { "$ref": "#/components/schemas/featureGeoJSON" } },
                    "links": { "type": "array", "items": { "type": "object" } },
                    "timeStamp": { "type": "string", "format": "date-time" },
                    "numberMatched": { "type": "integer", "minimum": 0 },
                    "numberReturned": { "type": "integer", "minimum": 0 } } },
                "featureGeoJSON": { "type": "object", "required": ["type", "geometry", "properties"], "properties": {
                    "type": { "type": "string", "enum": ["Feature"] },
                    "geometry": { "type": "object" },
                    "properties": { "type": "object", "nullable": true },
                    "id": { "oneOf": [{ "type": "string" }, { "type": "integer" }] } } }
            }
        }
    });
    super::filter::document_parameters(&mut doc["components"]["parameters"]);
    // One parameter per filtered field of the field table.
    for (f, p) in filter_fields() {
        let mut schema = json!({ "type": "string" });
        if let FieldType::Code(codes) = f.ty {
            schema["enum"] = json!(codes);
        }
        if let Some(pattern) = p.pattern {
            schema["pattern"] = json!(pattern);
        }
        let mut param =
            json!({ "name": p.name, "in": "query", "required": false, "schema": schema });
        if let Some(d) = p.description {
            param["description"] = json!(d);
        }
        doc["components"]["parameters"][p.name] = param;
    }
    for (name, param) in crate::http::schema::extra_filter_params() {
        doc["components"]["parameters"][name] = param;
    }
    doc
}

/// `GET /api/openapi.json` and `/api/api`.
pub async fn openapi(fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(&["f"])?;
    super::query::format(p.get("f"))?;
    fresh.revalidate()?;
    Ok(fresh.ok(
        "application/vnd.oai.openapi+json;version=3.0",
        document(&fresh.ctx.base).to_string(),
    ))
}

/// `GET /api/docs`: the endpoints and their parameters, as a plain HTML page.
pub async fn docs(fresh: Fresh) -> Result<Response, ApiError> {
    let ctx = &fresh.ctx;
    ctx.params(&[])?;
    fresh.revalidate()?;
    let doc = document(&ctx.base);
    let mut rows = String::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let op = &item["get"];
            let params: Vec<String> = op["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            let r = p["$ref"]
                                .as_str()
                                .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
                            r.unwrap_or_else(|| p["name"].as_str().unwrap_or("").to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            rows.push_str(&format!(
                "<tr><td><code>GET /api{}</code></td><td>{}</td><td>{}</td></tr>\n",
                html_escape(path),
                html_escape(op["summary"].as_str().unwrap_or("")),
                html_escape(&params.join(", "))
            ));
        }
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>iskp-map API</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>\
<h1>iskp-map API</h1><p>OGC API – Features at <code>{base}/api</code>. Machine-readable definition: \
<a href=\"/api/openapi.json\">OpenAPI 3.0</a>. Page size: default {DEFAULT_LIMIT}, maximum {MAX_LIMIT}.</p>\
<table><thead><tr><th>Endpoint</th><th>What</th><th>Parameters</th></tr></thead><tbody>{rows}</tbody></table></body></html>",
        base = html_escape(&ctx.base)
    );
    Ok(super::html::secured(
        fresh.ok("text/html; charset=utf-8", html),
    ))
}
