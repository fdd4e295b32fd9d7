//! JSON Schemas of the collections: `queryables` (what can be filtered on) and `schema` (the
//! properties of the features, which GDAL reads through the `describedby` link to type its fields).

use super::collections::Collection;
use super::error::ApiError;
use super::ogc::SCHEMA_JSON;
use super::params::{self, Params};
use super::respond::{ok, Ctx};
use super::AppState;
use crate::geocode::jurisdictions::Level;
use crate::model::{Claim, GeoPrecision, Kind};
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

fn codes<T: Copy>(all: &[T], f: impl Fn(T) -> &'static str) -> Value {
    Value::Array(
        all.iter()
            .map(|&x| Value::String(f(x).to_string()))
            .collect(),
    )
}

fn string(title: &str) -> Value {
    json!({ "type": "string", "title": title })
}

/// A property that may be null. The type stays a single string, with `nullable` (as in OpenAPI
/// 3.0) beside it: GDAL types its fields from `type` and gives up on a `["integer", "null"]` list.
fn nullable(t: &str, title: &str) -> Value {
    json!({ "type": t, "nullable": true, "title": title })
}

/// The JSON Schema of a collection's feature properties.
pub fn properties(c: Collection) -> Map<String, Value> {
    let mut m = Map::new();
    match c {
        Collection::Records(_) => {
            m.insert("id".into(), string("Stable record id"));
            m.insert("kind".into(), json!({ "type": "string", "enum": codes(Kind::ALL, Kind::as_str), "title": "Kind of activity" }));
            m.insert("title".into(), string("Title"));
            m.insert("summary".into(), string("Summary"));
            m.insert(
                "date".into(),
                json!({ "type": "string", "format": "date", "title": "First day" }),
            );
            m.insert("date_end".into(), json!({ "type": "string", "nullable": true, "format": "date", "title": "Last day, for periods" }));
            m.insert(
                "date_precision".into(),
                json!({ "type": "string", "enum": ["day", "month", "year", "period"] }),
            );
            m.insert("place".into(), string("Place as the source gives it"));
            m.insert("admin1".into(), nullable("string", "Province"));
            m.insert(
                "admin1_id".into(),
                nullable("string", "Province id (Natural Earth adm1_code)"),
            );
            m.insert("country".into(), string("ISO 3166-1 alpha-3"));
            m.insert("country_name".into(), string("Country"));
            m.insert(
                "geo_precision".into(),
                json!({ "type": "string", "enum": codes(GeoPrecision::ALL, GeoPrecision::as_str) }),
            );
            m.insert(
                "where_prec".into(),
                json!({ "type": "integer", "title": "UCDP where_prec" }),
            );
            m.insert(
                "count".into(),
                json!({ "type": "integer", "minimum": 1, "title": "Events the record stands for" }),
            );
            m.insert(
                "count_basis".into(),
                json!({ "type": "string", "enum": ["exact", "approx", "minimum"] }),
            );
            m.insert("fatalities".into(), nullable("integer", "Killed"));
            m.insert("injured".into(), nullable("integer", "Injured"));
            m.insert(
                "claim".into(),
                json!({ "type": "string", "enum": codes(Claim::ALL, Claim::as_str) }),
            );
            m.insert("link".into(), json!({ "type": "string", "nullable": true, "enum": ["directed", "guided", "inspired", null] }));
            m.insert("denied_by".into(), json!({ "type": "array", "items": { "type": "string" }, "title": "States that denied it" }));
            m.insert("target".into(), nullable("string", "Target"));
            m.insert(
                "origin".into(),
                json!({ "type": ["object", "null"], "title": "Launch site of cross-border fire" }),
            );
            m.insert("sources".into(), json!({ "type": "array", "items": { "type": "object" }, "title": "Documents and sections" }));
        }
        Collection::Polygons(level) => {
            m.insert(
                "id".into(),
                string(if level == Level::Country {
                    "ISO 3166-1 alpha-3"
                } else {
                    "Natural Earth adm1_code"
                }),
            );
            m.insert("name".into(), string("Name"));
            m.insert(
                "level".into(),
                json!({ "type": "string", "enum": ["country", "province"] }),
            );
            m.insert("country".into(), string("ISO 3166-1 alpha-3"));
            m.insert("country_name".into(), nullable("string", "Country"));
            m.insert("iso_3166_2".into(), nullable("string", "ISO 3166-2"));
            m.insert("iso_3166".into(), json!({ "type": "boolean" }));
            m.insert("label_lon".into(), json!({ "type": "number" }));
            m.insert("label_lat".into(), json!({ "type": "number" }));
            for k in crate::aggregate::TOTAL_FIELDS {
                m.insert(k.into(), json!({ "type": "integer", "minimum": 0 }));
            }
        }
    }
    m
}

/// Properties that the collection's `items` can filter on (besides `bbox` and `datetime`).
pub fn queryable_names(c: Collection) -> &'static [&'static str] {
    match c {
        Collection::Records(_) => &["kind", "country", "claim", "geo_precision"],
        Collection::Polygons(Level::Country) => &[],
        Collection::Polygons(Level::Province) => &["country"],
    }
}

fn document(ctx: &Ctx, title: &str, props: Map<String, Value>) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ctx.url(&ctx.path),
        "type": "object",
        "title": title,
        "properties": props,
        "additionalProperties": false,
    })
}

fn geometry(c: Collection) -> Value {
    let format = if matches!(c, Collection::Records(_)) {
        "geometry-point"
    } else {
        "geometry-multipolygon"
    };
    json!({ "format": format, "title": "Geometry (filter with bbox)" })
}

/// The collection, its entity tag, or the `304` to answer at once; errors for a bad id or query.
fn opening(
    st: &AppState,
    id: &str,
    ctx: &Ctx,
) -> Result<Result<(Collection, String), Response>, ApiError> {
    let c = Collection::parse(id)?;
    params::format(Params::parse(ctx.query.as_deref(), &["f"])?.get("f"))?;
    let tag = ctx.etag(&st.store.current().tag);
    Ok(match ctx.not_modified(&tag) {
        Some(r) => Err(r),
        None => Ok((c, tag)),
    })
}

/// `GET /api/collections/{id}/schema`.
pub async fn schema(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let (c, tag) = match opening(&st, &id, &ctx)? {
        Ok(x) => x,
        Err(not_modified) => return Ok(not_modified),
    };
    // The schema of a whole GeoJSON Feature, its `properties` member described property by
    // property (the layout GDAL's OAPIF driver reads to type its fields).
    let mut feature = Map::new();
    feature.insert(
        "type".into(),
        json!({ "type": "string", "enum": ["Feature"] }),
    );
    feature.insert("id".into(), json!({ "type": "string" }));
    feature.insert("geometry".into(), geometry(c));
    // `properties.id` repeats the Feature's `id`, which GDAL already makes a field of; listing it again
    // would give a second field, renamed `id2`.
    let mut props = properties(c);
    props.remove("id");
    feature.insert(
        "properties".into(),
        json!({ "type": "object", "properties": props }),
    );
    let v = document(&ctx, &format!("Features of {}", c.id()), feature);
    Ok(ok(SCHEMA_JSON, &tag, v.to_string()))
}

/// `GET /api/collections/{id}/queryables`.
pub async fn queryables(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let (c, tag) = match opening(&st, &id, &ctx)? {
        Ok(x) => x,
        Err(not_modified) => return Ok(not_modified),
    };
    // Each queryable is also the name of the query parameter that filters on it, so a client (GDAL
    // turning `-where "kind = 'plot'"` into `kind=plot`) can forward it as it is.
    let all = properties(c);
    let mut props: Map<String, Value> = queryable_names(c)
        .iter()
        .filter_map(|k| all.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    props.insert("geometry".into(), geometry(c));
    if matches!(c, Collection::Records(_)) {
        props.insert(
            "datetime".into(),
            json!({ "type": "string", "format": "date-time", "title": "The record's [date, date_end] interval" }),
        );
    }
    let v = document(&ctx, &format!("Queryables of {}", c.id()), props);
    Ok(ok(SCHEMA_JSON, &tag, v.to_string()))
}
