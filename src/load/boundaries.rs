//! Reading `countries.geojson` and `provinces.geojson` into [`Jurisdictions`]: every bad feature
//! reported as `file:line: property: reason`.

use super::error::{Errors, LoadError, Reason};
use super::polygons;
use crate::geo::jurisdictions::{Boundary, Jurisdiction, Jurisdictions, Level};
use geo::MultiPolygon;
use serde_json::Value;
use std::collections::HashMap;

/// Builds the jurisdictions from the text of `countries.geojson` and `provinces.geojson`; every
/// province's country must be among the countries.
pub fn read(
    countries_file: &str,
    countries_text: &str,
    provinces_file: &str,
    provinces_text: &str,
) -> Result<Jurisdictions, LoadError> {
    let mut errors = Errors::default();
    let countries = parse_features(countries_file, countries_text, Level::Country, &mut errors);
    let countries_whole = errors.is_empty();
    let provinces = parse_features(provinces_file, provinces_text, Level::Province, &mut errors);
    // Provinces are checked against the countries only when the countries file read whole: a
    // broken line there would otherwise also fail every province of the world. One error per
    // missing country, at its first province, says how many provinces name it.
    if countries_whole {
        let codes: std::collections::HashSet<&str> =
            countries.iter().map(|(c, _)| c.id.as_str()).collect();
        let mut missing: Vec<(&str, u64, usize)> = Vec::new();
        for (p, line) in &provinces {
            if codes.contains(p.country.as_str()) {
                continue;
            }
            match missing.iter_mut().find(|(c, _, _)| *c == p.country) {
                Some(m) => m.2 += 1,
                None => missing.push((p.country.as_str(), *line, 1)),
            }
        }
        for (country, line, n) in missing {
            let more = if n > 1 {
                format!(" (nor for {} more provinces naming it)", n - 1)
            } else {
                String::new()
            };
            errors.push(
                provinces_file,
                line,
                "country",
                format!("{country} is not a country in {countries_file}{more}"),
            );
        }
    }
    let strip = |v: Vec<(Jurisdiction, u64)>| v.into_iter().map(|(j, _)| j).collect();
    errors.finish(Jurisdictions::new(strip(countries), strip(provinces)))
}

/// The jurisdictions of one GeoJSON file, with the line of each; every bad feature is in `errors`.
fn parse_features(
    file: &str,
    text: &str,
    level: Level,
    errors: &mut Errors,
) -> Vec<(Jurisdiction, u64)> {
    // The fast reader takes a well-formed file whole; anything it does not take is read again
    // through `Value`, whose checks name the fault.
    let props: Vec<Option<Value>>;
    let whole: Value;
    let features: Vec<(Option<&Value>, Geometry)> = match read_fast(text) {
        Some(f) => {
            let geometries: Vec<MultiPolygon<f64>>;
            (props, geometries) = f.into_iter().unzip();
            props
                .iter()
                .map(Option::as_ref)
                .zip(geometries.into_iter().map(Geometry::Read))
                .collect()
        }
        None => {
            whole = match serde_json::from_str::<Value>(text) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(file, e.line() as u64, "json", e.to_string());
                    return Vec::new();
                }
            };
            let Some(features) = whole.get("features").and_then(Value::as_array) else {
                errors.push(file, 1, "features", "not a GeoJSON FeatureCollection");
                return Vec::new();
            };
            features
                .iter()
                .map(|f| (f.get("properties"), Geometry::Value(f.get("geometry"))))
                .collect()
        }
    };
    // The committed files hold one feature per line after a header line, so the feature's line is
    // exact; for a file laid out otherwise the error names line 1 and the feature's index.
    let one_per_line = text.lines().count() == features.len() + 2;
    let mut out = Vec::with_capacity(features.len());
    let mut seen = HashMap::new();
    for (i, (props, geometry)) in features.into_iter().enumerate() {
        let line = if one_per_line { i as u64 + 2 } else { 1 };
        match parse_feature(props, geometry, level) {
            Ok(j) => {
                if let Some(prev) = seen.insert(j.id.clone(), line) {
                    errors.push(
                        file,
                        line,
                        "id",
                        format!("{} already used on line {prev}", j.id),
                    );
                } else {
                    out.push((j, line));
                }
            }
            Err((field, reason)) if one_per_line => errors.push(file, line, field, reason),
            Err((field, reason)) => {
                errors.push(file, line, &format!("features[{i}].{field}"), reason)
            }
        }
    }
    out
}

/// A feature as the fast reader took it: its properties, and its geometry already read.
type FastFeature = (Option<Value>, MultiPolygon<f64>);

/// Every feature of a FeatureCollection whose geometries [`polygons::read`] takes, or `None`.
/// It takes only objects (serde's derived structs would read an array too) with the members the
/// committed files have, each read and so checked; anything else goes to the `Value` reader.
fn read_fast(text: &str) -> Option<Vec<FastFeature>> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Collection<'a> {
        #[serde(rename = "type")]
        _kind: Option<Value>,
        #[serde(borrow)]
        features: Vec<&'a RawValue>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Feature<'a> {
        #[serde(rename = "type")]
        _kind: Option<Value>,
        #[serde(rename = "id")]
        _id: Option<Value>,
        properties: Option<Value>,
        #[serde(borrow)]
        geometry: Option<&'a RawValue>,
    }
    let object = |t: &str| t.trim_start().starts_with('{');
    if !object(text) {
        return None;
    }
    let c: Collection = serde_json::from_str(text).ok()?;
    c.features
        .into_iter()
        .map(|raw| {
            if !object(raw.get()) {
                return None;
            }
            let f: Feature = serde_json::from_str(raw.get()).ok()?;
            Some((f.properties, polygons::read(f.geometry?.get())?))
        })
        .collect()
}

/// A feature's geometry: read already (the fast reader's), or its `Value` still to be read.
enum Geometry<'a> {
    Read(MultiPolygon<f64>),
    Value(Option<&'a Value>),
}

fn parse_feature(
    props: Option<&Value>,
    geometry: Geometry,
    level: Level,
) -> Result<Jurisdiction, (&'static str, String)> {
    let props = props
        .and_then(Value::as_object)
        .ok_or(("properties", "missing".to_string()))?;
    let text = |k: &'static str| -> Result<String, (&'static str, String)> {
        props
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .ok_or((k, "missing or empty".to_string()))
    };
    let (id, country) = match level {
        Level::Country => {
            let a3 = text("iso_a3")?;
            (a3.clone(), a3)
        }
        Level::Province => (text("id")?, text("country")?),
    };
    let name = text("name")?;
    let names: Vec<String> = props
        .get("names")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let iso_3166_2 = props
        .get("iso_3166_2")
        .and_then(Value::as_str)
        .map(str::to_string);
    let iso_3166 = props
        .get("iso_3166")
        .and_then(Value::as_bool)
        .unwrap_or(level == Level::Province);
    let geometry: MultiPolygon<f64> = match geometry {
        Geometry::Read(g) => g,
        Geometry::Value(v) => {
            let v = v.ok_or(("geometry", "missing".to_string()))?;
            parse_multipolygon(v).map_err(|e| ("geometry", e.0))?
        }
    };
    let label = props
        .get("label")
        .and_then(Value::as_array)
        .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)))
        .ok_or(("label", "missing; expected [lon, lat]".to_string()))?;
    Jurisdiction::new(Boundary {
        id,
        level,
        country,
        name,
        names,
        iso_3166_2,
        iso_3166,
        label,
        geometry,
    })
    .map_err(|e| (e.field, e.reason))
}

/// Parses a GeoJSON Polygon or MultiPolygon into a `geo` MultiPolygon, checking every position
/// (two finite numbers) and ring (closed, at least four positions) on the way. (The `geojson` crate's
/// own conversion panics on a one-number position; fuzzing found it.)
pub fn parse_multipolygon(v: &Value) -> Result<MultiPolygon<f64>, Reason> {
    let coords = v.get("coordinates").ok_or("no coordinates")?;
    match v.get("type").and_then(Value::as_str) {
        Some("Polygon") => Ok(MultiPolygon::new(vec![polygon(coords)?])),
        Some("MultiPolygon") => {
            let polys = coords
                .as_array()
                .ok_or("MultiPolygon coordinates are not an array")?;
            Ok(MultiPolygon::new(
                polys.iter().map(polygon).collect::<Result<_, _>>()?,
            ))
        }
        Some(other) => Err(format!("expected Polygon or MultiPolygon, found {other}").into()),
        None => Err("geometry has no type".into()),
    }
}

fn polygon(v: &Value) -> Result<geo::Polygon<f64>, Reason> {
    let rings = v
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or("a polygon needs at least one ring")?;
    let mut rings = rings.iter().map(ring);
    let exterior = rings.next().ok_or("a polygon needs at least one ring")??;
    Ok(geo::Polygon::new(
        exterior,
        rings.collect::<Result<_, _>>()?,
    ))
}

fn ring(v: &Value) -> Result<geo::LineString<f64>, Reason> {
    let pts = v.as_array().ok_or("a ring is not an array of positions")?;
    if pts.len() < 4 {
        return Err(format!("a ring needs at least 4 positions, found {}", pts.len()).into());
    }
    let coords: Vec<geo::Coord<f64>> = pts.iter().map(position).collect::<Result<_, _>>()?;
    if coords.first() != coords.last() {
        return Err("a ring must end where it starts".into());
    }
    Ok(geo::LineString::new(coords))
}

fn position(v: &Value) -> Result<geo::Coord<f64>, Reason> {
    let a = v.as_array().ok_or("a position is not an array")?;
    match (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) {
        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(geo::Coord { x, y }),
        _ => Err(format!("position {v} is not [lon, lat]").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed boundaries are read by the fast reader, into the same geometries and
    /// properties as through `Value`.
    #[test]
    fn the_committed_files_take_the_fast_path_to_the_same_features() {
        for name in ["countries.geojson", "provinces.geojson"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("geodata")
                .join(name);
            let text = std::fs::read_to_string(&path).expect("geodata");
            let fast = read_fast(&text).unwrap_or_else(|| panic!("{name}: not read fast"));
            let whole: Value = serde_json::from_str(&text).expect("json");
            let features = whole["features"].as_array().expect("features");
            assert_eq!(fast.len(), features.len(), "{name}");
            for ((props, geometry), f) in fast.iter().zip(features) {
                assert_eq!(props.as_ref(), f.get("properties"), "{name}");
                let slow = parse_multipolygon(&f["geometry"]).expect("valid");
                assert_eq!(geometry, &slow, "{name}");
            }
        }
    }

    /// What the fast reader would only skip, or read as an array where the format has an object,
    /// goes to the `Value` reader instead.
    #[test]
    fn the_fast_reader_leaves_the_doubtful_to_the_value_reader() {
        let geometry = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
        let feature = |extra: &str| {
            format!(
                r#"{{"type":"Feature","properties":{{"name":"x"}},"geometry":{geometry}{extra}}}"#
            )
        };
        let collection =
            |f: &str| format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{f}\n]}}");
        assert!(read_fast(&collection(&feature(""))).is_some());
        for doubtful in [
            collection(&feature(r#","id":1e400"#)),
            collection(&feature(r#","bbox":[0,0,1,1]"#)),
            collection(r#"[{"name":"x"},{"type":"Polygon","coordinates":[]}]"#),
            format!("[{}]", collection(&feature(""))),
            collection(&feature("").replace("[1,1]", "[1,1,1e400]")),
        ] {
            assert!(read_fast(&doubtful).is_none(), "{doubtful}");
        }
    }
}
