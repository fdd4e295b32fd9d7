//! GeoJSON `Polygon` and `MultiPolygon` geometries read straight into `geo` types, without the
//! `serde_json::Value` tree in between.
//!
//! The boundaries are ~6 MB of coordinates read at every start; through `Value` each number became a
//! tagged value in a vector of its own, and that parse was an eighth of a start from the catalog
//! cache at a million records. This reader accepts only what
//! [`super::boundaries::parse_multipolygon`] accepts, and gives the same polygons for it; it takes
//! less (an object with only `type` and `coordinates`, every position exactly two finite numbers,
//! every ring closed and at least four positions long, a polygon at least one ring), so that nothing
//! it skips goes unchecked. It says nothing about what it refuses: the caller then reads the file
//! through `Value` again, which takes the rest or names the fault.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::de::{Deserializer, Error as _, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A geometry object: its type and its coordinates, kept raw until the type says their depth.
/// Any other member sends the file to the `Value` reader (which checks what it holds).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Geometry<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow)]
    coordinates: &'a RawValue,
}

/// A position: exactly two finite numbers.
struct Position(Coord<f64>);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Position;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("[lon, lat]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Position, A::Error> {
                let x: Option<f64> = seq.next_element()?;
                let y: Option<f64> = seq.next_element()?;
                let more = seq.next_element::<IgnoredAny>()?.is_some();
                match (x, y) {
                    (Some(x), Some(y)) if x.is_finite() && y.is_finite() && !more => {
                        Ok(Position(Coord { x, y }))
                    }
                    _ => Err(A::Error::custom("not [lon, lat]")),
                }
            }
        }
        d.deserialize_seq(V)
    }
}

/// A polygon's rings, each checked as [`super::boundaries::parse_multipolygon`] checks them.
fn polygon(rings: Vec<Vec<Position>>) -> Option<Polygon<f64>> {
    let mut rings = rings.into_iter().map(|r| {
        let coords: Vec<Coord<f64>> = r.into_iter().map(|p| p.0).collect();
        (coords.len() >= 4 && coords.first() == coords.last()).then(|| LineString::new(coords))
    });
    let exterior = rings.next()??;
    Some(Polygon::new(exterior, rings.collect::<Option<_>>()?))
}

/// The geometry of `raw` (a GeoJSON geometry object's text), or `None` when it is not one this
/// reader takes whole — not a valid Polygon or MultiPolygon, or beyond what it takes (a member
/// besides `type` and `coordinates`, a position of three numbers, a repeated key).
pub fn read(raw: &str) -> Option<MultiPolygon<f64>> {
    // serde's derived structs also read a JSON array, field by field; an object only here.
    if !raw.trim_start().starts_with('{') {
        return None;
    }
    let g: Geometry = serde_json::from_str(raw).ok()?;
    let coords = g.coordinates.get();
    match g.kind.as_str() {
        "Polygon" => {
            let rings: Vec<Vec<Position>> = serde_json::from_str(coords).ok()?;
            Some(MultiPolygon::new(vec![polygon(rings)?]))
        }
        "MultiPolygon" => {
            let polys: Vec<Vec<Vec<Position>>> = serde_json::from_str(coords).ok()?;
            let polys = polys.into_iter().map(polygon).collect::<Option<_>>()?;
            Some(MultiPolygon::new(polys))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::boundaries::parse_multipolygon;

    /// Whatever this reader takes, the `Value` reader takes too, into the same polygons; the
    /// plain cases it takes itself.
    #[test]
    fn agrees_with_the_value_reader() {
        let ring = "[[0,0],[1,0],[1,1],[0,0]]";
        let cases = [
            format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#),
            format!(r#"{{"coordinates":[[{ring}],[{ring},{ring}]],"type":"MultiPolygon"}}"#),
            format!(r#"{{"type":"Polygon","coordinates":[{ring}],"bbox":[0,0,1,1]}}"#),
            r#"{"type":"Polygon","coordinates":[[[0,0,9],[1,0,"x"],[1,1,[]],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1.5e0],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,"0"],[1,0],[1,1],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[]]}"#.into(),
            r#"{"type":"Polygon","coordinates":{}}"#.into(),
            r#"{"type":"Point","coordinates":[0,0]}"#.into(),
            r#"{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#.into(),
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1e999,0],[1,1],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0,1e999],[1,0],[1,1],[0,0]]]}"#.into(),
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"x":"\ud800"}"#.into(),
            format!(r#"["Polygon",[{ring}]]"#),
            format!(r#"{{"type":"Poly\u0067on","coordinates":[{ring}]}}"#),
        ];
        for raw in &cases {
            let slow = serde_json::from_str::<serde_json::Value>(raw)
                .ok()
                .and_then(|v| parse_multipolygon(&v).ok());
            if let Some(fast) = read(raw) {
                assert_eq!(Some(fast), slow, "{raw}");
            }
        }
        for raw in &cases[..2] {
            assert!(read(raw).is_some(), "{raw}");
        }
    }
}
