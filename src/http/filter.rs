//! The CQL2 query parameters (OGC API – Features Part 3): `filter`, `filter-lang` and
//! `filter-crs`, read into the record filter's predicate for items, clusters, stats and
//! downloads alike, and the conformance classes they implement.

use super::error::ApiError;
use super::query::Params;
use crate::index::cql::{self, Lang};
use crate::index::predicate::Predicate;

/// The only CRS a filter's geometries may be in.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The Part 3 and CQL2 conformance classes `/api/conformance` declares: each is implemented and
/// tested (`tests/filter.rs`).
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
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
];

/// The values `filter-lang` accepts (`cql-text` is the draft's name, which GDAL 3.6 sends and
/// looks for in the OpenAPI document before it pushes a `-where` down).
pub const LANGS: &[&str] = &["cql2-text", "cql2-json", "cql-text"];

/// The predicate of `filter` (none without one); `filter-lang` and `filter-crs` need a `filter`.
pub fn predicate(p: &Params) -> Result<Option<Predicate>, ApiError> {
    let lang = match p.get("filter-lang") {
        None | Some("cql2-text") | Some("cql-text") => Lang::Text,
        Some("cql2-json") => Lang::Json,
        Some(other) => {
            return Err(ApiError::bad(
                "filter-lang",
                format!(
                    "{:?} is not one of cql2-text, cql2-json",
                    other.chars().take(64).collect::<String>()
                ),
            ))
        }
    };
    if let Some(crs) = p.get("filter-crs") {
        if crs != CRS84 {
            return Err(ApiError::bad(
                "filter-crs",
                format!("only {CRS84} (longitude, latitude) is supported"),
            ));
        }
    }
    let Some(text) = p.get("filter") else {
        for other in ["filter-lang", "filter-crs"] {
            if p.get(other).is_some() {
                return Err(ApiError::bad(other, "needs a filter"));
            }
        }
        return Ok(None);
    };
    cql::parse(text, lang)
        .map(Some)
        .map_err(|e| ApiError::bad("filter", e.0))
}

/// Adds the OpenAPI definitions of `filter`, `filter-lang`, `filter-crs`, `sortby`,
/// `properties` and `skipGeometry` to a document's `components.parameters`.
pub fn document_parameters(params: &mut serde_json::Value) {
    use crate::index::cql::{MAX_DEPTH, MAX_FILTER_LEN, MAX_TERMS, MAX_VERTICES};
    use crate::index::predicate::Prop;
    use serde_json::json;
    let names: Vec<&str> = Prop::ALL.iter().map(|p| p.name()).collect();
    params["filter"] = json!({
        "name": "filter", "in": "query", "required": false,
        "description": format!(
            "A CQL2 filter (OGC API - Features Part 3) on the queryables ({}, datetime in T_ functions, geometry in S_INTERSECTS). \
             Basic CQL2, LIKE/BETWEEN/IN, CASEI, S_INTERSECTS with any geometry or BBOX (a record known only to an area matches when its whole area is inside), \
             temporal functions on the record's [date, date_end]. At most {MAX_FILTER_LEN} bytes, {MAX_DEPTH} levels of brackets, {MAX_TERMS} terms and {MAX_VERTICES} vertices.",
            names.join(", ")
        ),
        "schema": { "type": "string", "maxLength": MAX_FILTER_LEN }
    });
    params["filter-lang"] = json!({
        "name": "filter-lang", "in": "query", "required": false,
        "description": "The encoding of filter: cql2-text (default) or cql2-json; cql-text (the draft's name, sent by GDAL 3.6) is read as cql2-text.",
        "schema": { "type": "string", "enum": LANGS, "default": "cql2-text" }
    });
    params["filter-crs"] = json!({
        "name": "filter-crs", "in": "query", "required": false,
        "description": "The CRS of the filter's geometries; only CRS84 (longitude, latitude).",
        "schema": { "type": "string", "enum": [CRS84], "default": CRS84 }
    });
    params["sortby"] = json!({
        "name": "sortby", "in": "query", "required": false, "style": "form", "explode": false,
        "description": format!(
            "Sort keys, comma-separated, each +name (ascending, default) or -name, at most {} of: {}. Stable (ties keep date then id order), nulls last; next links keep it.",
            super::shape::MAX_SORT_KEYS,
            names.join(", ")
        ),
        "schema": { "type": "array", "items": { "type": "string" } }
    });
    params["properties"] = json!({
        "name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
        "description": "Only these properties of each feature (GeoJSON, HTML; CSV downloads keep id, and lon and lat unless skipGeometry; refused with format=fgb).",
        "schema": { "type": "array", "items": { "type": "string" } }
    });
    params["skipGeometry"] = json!({
        "name": "skipGeometry", "in": "query", "required": false,
        "description": "true: every feature's geometry is null (CSV downloads: no lon, lat; refused with format=fgb).",
        "schema": { "type": "boolean", "default": false }
    });
}
