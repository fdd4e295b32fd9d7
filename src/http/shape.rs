//! What a page of records holds and in which order: `sortby` (OGC API – Features Part 8 style,
//! `+date,-fatalities`), `properties` (a subset of the properties, in GeoJSON, CSV and HTML) and
//! `skipGeometry=true`.

use super::error::ApiError;
use super::query::Params;
use crate::index::predicate::{Prop, SortKey};
use crate::model::columns::RECORD_FIELDS;
use crate::store::collections::Selection;
use crate::store::{Ids, Snapshot};
use serde_json::Value;

/// Most keys in one `sortby`.
pub const MAX_SORT_KEYS: usize = 5;

/// The parameters this module reads.
pub const PARAMS: &[&str] = &["sortby", "properties", "skipGeometry"];

/// Parses `sortby`: comma-separated property names, each optionally prefixed by `+` (ascending,
/// the default; a `+` left unencoded in a query string arrives as a space, read the same) or `-`.
pub fn sortby(p: &Params) -> Result<Vec<SortKey>, ApiError> {
    let Some(v) = p.get("sortby") else {
        return Ok(Vec::new());
    };
    let mut keys = Vec::new();
    for part in v.split(',') {
        let t = part.trim_end();
        let (name, descending) = if let Some(n) = t.strip_prefix('-') {
            (n, true)
        } else if let Some(n) = t.strip_prefix('+') {
            (n, false)
        } else {
            (t.trim_start(), false)
        };
        let names: Vec<&str> = Prop::ALL.iter().map(|p| p.name()).collect();
        let prop = Prop::find(name).ok_or_else(|| {
            ApiError::bad(
                "sortby",
                format!(
                    "unknown property '{}'; sortable are {}",
                    name.chars()
                        .filter(|c| !c.is_control())
                        .take(64)
                        .collect::<String>(),
                    names.join(", ")
                ),
            )
        })?;
        if keys.iter().any(|k: &SortKey| k.prop == prop) {
            return Err(ApiError::bad(
                "sortby",
                format!("names '{}' twice", prop.name()),
            ));
        }
        keys.push(SortKey { prop, descending });
    }
    if keys.len() > MAX_SORT_KEYS {
        return Err(ApiError::bad(
            "sortby",
            format!("has more than {MAX_SORT_KEYS} keys"),
        ));
    }
    Ok(keys)
}

/// Sorts a record selection by `keys` (stable; no keys: left as it is).
pub fn sort(snap: &Snapshot, sel: &mut Selection, keys: &[SortKey]) {
    if keys.is_empty() {
        return;
    }
    if let Selection::Records(ids) = sel {
        let mut v = ids.to_vec();
        snap.catalog.sort(&mut v, keys);
        *ids = Ids::List(v);
    }
}

/// What each feature of an answer keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// The properties kept, in the order asked (`None`: all).
    pub properties: Option<Vec<&'static str>>,
    /// Whether the geometry is dropped (`null`).
    pub skip_geometry: bool,
}

impl Shape {
    /// Parses `properties` and `skipGeometry`.
    pub fn parse(p: &Params) -> Result<Self, ApiError> {
        let skip_geometry = match p.get("skipGeometry") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::bad("skipGeometry", "is true or false")),
        };
        let properties = match p.get("properties") {
            None => None,
            Some(v) => {
                let mut list: Vec<&'static str> = Vec::new();
                for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let f = RECORD_FIELDS
                        .iter()
                        .find(|f| f.property && f.name == name)
                        .ok_or_else(|| {
                            ApiError::bad(
                                "properties",
                                format!(
                                    "unknown property '{}'; see the collection's schema",
                                    name.chars()
                                        .filter(|c| !c.is_control())
                                        .take(64)
                                        .collect::<String>()
                                ),
                            )
                        })?;
                    if !list.contains(&f.name) {
                        list.push(f.name);
                    }
                }
                Some(list)
            }
        };
        Ok(Shape {
            properties,
            skip_geometry,
        })
    }

    /// Whether features are written as stored.
    pub fn is_whole(&self) -> bool {
        self.properties.is_none() && !self.skip_geometry
    }

    /// Appends a stored Feature to `out`, shaped. The stored text is what this program wrote, so
    /// it reads back; should it not, it is written whole.
    pub fn write(&self, feature: &str, out: &mut String) {
        if self.is_whole() {
            out.push_str(feature);
            return;
        }
        let Ok(mut v) = serde_json::from_str::<Value>(feature) else {
            out.push_str(feature);
            return;
        };
        if self.skip_geometry {
            v["geometry"] = Value::Null;
        }
        if let Some(keep) = &self.properties {
            if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
                let mut kept = serde_json::Map::new();
                for k in keep {
                    if let Some(x) = props.remove(*k) {
                        kept.insert((*k).to_string(), x);
                    }
                }
                *props = kept;
            }
        }
        out.push_str(&v.to_string());
    }
}
