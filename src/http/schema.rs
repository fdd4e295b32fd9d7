//! JSON Schemas of the collections: `queryables` (what can be filtered on) and `schema` (the
//! properties of the features, which GDAL reads through the `describedby` link to type its fields).

use super::collections::SCHEMA_JSON;
use super::context::ApiPath;
use super::context::{Ctx, Fresh};
use super::error::ApiError;
use super::query;
use crate::geo::jurisdictions::Level;
use crate::index::predicate::Prop;
use crate::model::columns::{
    filter_fields, record_field, Field, FieldType, RECORD_FIELDS, TOTAL_FIELDS,
};
use crate::store::collections::Collection;
use axum::response::Response;
use serde_json::{json, Map, Value};

fn string(title: &str) -> Value {
    json!({ "type": "string", "title": title })
}

/// A property that may be null. The type stays a single string, with `nullable` (as in OpenAPI
/// 3.0) beside it: GDAL types its fields from `type` and gives up on a `["integer", "null"]` list.
fn nullable(t: &str, title: &str) -> Value {
    json!({ "type": t, "nullable": true, "title": title })
}

/// The JSON Schema of one field of the table.
pub fn field_schema(f: &Field) -> Value {
    let mut v = match f.ty {
        FieldType::Text => json!({ "type": "string" }),
        FieldType::Integer => json!({ "type": "integer" }),
        FieldType::Number => json!({ "type": "number" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Code(codes) => {
            let mut list: Vec<Value> = codes.iter().map(|c| json!(c)).collect();
            if f.nullable {
                list.push(Value::Null);
            }
            json!({ "type": "string", "enum": list })
        }
        FieldType::List => json!({ "type": "array", "items": { "type": "string" } }),
        FieldType::Object => json!({ "type": ["object", "null"] }),
        FieldType::Citations => json!({ "type": "array", "items": { "type": "object" } }),
    };
    if f.nullable && !matches!(f.ty, FieldType::Object) {
        v["nullable"] = json!(true);
    }
    if let Some(m) = f.minimum {
        v["minimum"] = json!(m);
    }
    if let Some(t) = f.title {
        v["title"] = json!(t);
    }
    v
}

/// The JSON Schema of a collection's feature properties.
pub fn properties(c: Collection) -> Map<String, Value> {
    let mut m = Map::new();
    match c {
        Collection::Records(_) => {
            for f in RECORD_FIELDS.iter().filter(|f| f.property) {
                m.insert(f.name.into(), field_schema(f));
            }
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
            for k in TOTAL_FIELDS {
                m.insert(k.into(), json!({ "type": "integer", "minimum": 0 }));
            }
        }
    }
    m
}

/// The record filters that are not one field's value, as OpenAPI parameters: the fatalities range
/// and the free-text search `q`.
pub fn extra_filter_params() -> [(&'static str, Value); 3] {
    let whole = |name: &str, what: &str| {
        json!({ "name": name, "in": "query", "required": false,
                "description": format!("{what} fatalities (inclusive); records that state no fatalities do not match."),
                "schema": { "type": "integer", "minimum": 0 } })
    };
    [
        (
            "fatalities_min",
            whole("fatalities_min", "At least this many"),
        ),
        (
            "fatalities_max",
            whole("fatalities_max", "At most this many"),
        ),
        (
            "q",
            json!({ "name": "q", "in": "query", "required": false,
            "description": Q_DESCRIPTION,
            "schema": { "type": "string", "minLength": 1, "maxLength": crate::views::search::MAX_QUERY_CHARS } }),
        ),
    ]
}

/// What `q` does, for OpenAPI and the queryables.
const Q_DESCRIPTION: &str = "Free-text search: records whose title, summary, place, target or cited documents' titles hold every word (case and diacritics ignored; a word also matches the start of a longer one, the last word from 2 characters, the others from 4), at most 200 characters and 8 words.";

/// The properties a collection's `items` can filter on (besides `bbox` and `datetime`): for
/// records, every property a CQL2 `filter` may name ([`Prop::ALL`]), the code lists as `enum`;
/// those with a plain query parameter (`kind`, `country`, …) are named as the parameter is, so a
/// client (GDAL turning `-where "kind = 'plot'"` into `kind=plot`) can forward them as they are.
pub fn queryable_properties(c: Collection) -> Map<String, Value> {
    match c {
        Collection::Records(_) => {
            let mut m: Map<String, Value> = filter_fields()
                .filter(|(_, p)| p.queryable)
                .map(|(f, p)| (p.name.to_string(), field_schema(f)))
                .collect();
            for p in Prop::ALL {
                if let Some(f) = record_field(p.name()) {
                    m.entry(p.name()).or_insert_with(|| field_schema(f));
                }
            }
            m
        }
        Collection::Polygons(Level::Country) => Map::new(),
        Collection::Polygons(Level::Province) => {
            let all = properties(c);
            all.get("country")
                .map(|v| ("country".to_string(), v.clone()))
                .into_iter()
                .collect()
        }
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
    json!({ "format": format, "title": "Geometry (filter with bbox or S_INTERSECTS)" })
}

/// `GET /api/collections/{id}/schema`.
pub async fn schema(ApiPath(id): ApiPath<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    query::format(fresh.ctx.params(&["f"])?.get("f"))?;
    fresh.revalidate()?;
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
    let v = document(&fresh.ctx, &format!("Features of {}", c.id()), feature);
    Ok(fresh.ok(SCHEMA_JSON, v.to_string()))
}

/// `GET /api/collections/{id}/queryables`.
pub async fn queryables(ApiPath(id): ApiPath<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    query::format(fresh.ctx.params(&["f"])?.get("f"))?;
    fresh.revalidate()?;
    // Each queryable is also the name of the query parameter that filters on it, so a client (GDAL
    // turning `-where "kind = 'plot'"` into `kind=plot`) can forward it as it is.
    let mut props = queryable_properties(c);
    props.insert("geometry".into(), geometry(c));
    if matches!(c, Collection::Records(_)) {
        // The countries and provinces the records hold, for clients' drop-downs.
        let cat = &fresh.snap.catalog;
        let mut values = |name: &str, table: &[(Box<str>, Box<str>)]| {
            let mut v: Vec<&str> = table.iter().map(|(code, _)| &**code).collect();
            v.sort_unstable();
            let mut list: Vec<Value> = v.into_iter().map(|c| json!(c)).collect();
            list.push(Value::Null);
            if let Some(q) = props.get_mut(name) {
                q["enum"] = Value::Array(list);
            }
        };
        values("country", cat.country_table());
        values("admin1_id", cat.province_table());
        props.insert(
            "q".into(),
            json!({ "type": "string", "title": "Free text", "description": Q_DESCRIPTION }),
        );
        props.insert(
            "datetime".into(),
            json!({ "type": "string", "format": "date-time", "title": "The record's [date, date_end] interval" }),
        );
    }
    let v = document(&fresh.ctx, &format!("Queryables of {}", c.id()), props);
    Ok(fresh.ok(SCHEMA_JSON, v.to_string()))
}
