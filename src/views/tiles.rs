//! Vector tiles: the records and the polygon layers cut into Mapbox Vector Tiles (MVT 2.1) of the
//! OGC `WebMercatorQuad` tile matrix set, straight from the snapshot's index (no second copy of the
//! data).
//!
//! A tile is `EXTENT` × `EXTENT` units. Records are gathered into cells a sixteenth of the tile
//! wide ([`clusters`](super::clusters) at two zooms deeper), so a tile holds at most a few hundred
//! features however many records it covers: a cell of one record is that record, with its
//! properties; a cell of several is a cluster point with their number and totals per kind. Each
//! record lies in exactly one tile (the tile's west and north edges belong to it, its east and
//! south edges to the neighbours), so clusters of neighbouring tiles never count a record twice.
//! Records known only to an area (a province or larger) have no point and are in no point tile;
//! the polygon layers carry their totals.
//!
//! Polygons are projected to tile units, simplified by [`SIMPLIFY`] units, clipped to the tile and a
//! buffer of [`BUFFER`] units (so that outlines do not show seams), and oriented as MVT wants
//! (exterior rings of positive area in tile coordinates, y pointing down).

use crate::geo::jurisdictions::Jurisdiction;
use crate::index::{Bbox, Catalog};
use crate::model::Kind;
use crate::views::clusters::{self, Cluster};
use crate::views::totals::Totals;
use geo::{
    BooleanOps, BoundingRect, Coord, MapCoords, MultiPolygon, Orient, Point, Rect, Simplify,
};
use geozero::mvt::{tile, Message, TagsBuilder, Tile, TileValue};
use geozero::ToMvt;
use std::f64::consts::PI;

/// Tile size in tile units (the MVT default).
pub const EXTENT: u32 = 4096;
/// Units around a polygon tile that its polygons reach into.
pub const BUFFER: f64 = 64.0;
/// How far (in tile units) simplification may move an outline: a quarter of a pixel of a 256-pixel
/// tile shown at 512 pixels.
pub const SIMPLIFY: f64 = 4.0;
/// Smallest polygon part kept, in square tile units (a sixteenth of a pixel of a 256-pixel tile).
pub const MIN_AREA: f64 = 1.0;
/// Deepest tile matrix served.
pub const MAX_ZOOM: u8 = 22;
/// Northernmost latitude of the square Web Mercator world.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// One tile of `WebMercatorQuad`: tile matrix (zoom), row (`y`, from the north) and column (`x`,
/// from the antimeridian eastwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    /// Zoom (tile matrix id).
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

impl TileId {
    /// The tile, if it exists: `z` at most [`MAX_ZOOM`], `x` and `y` below `2^z`.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, String> {
        if z > u32::from(MAX_ZOOM) {
            return Err(format!(
                "tile matrix {z} is beyond {MAX_ZOOM}, the deepest served"
            ));
        }
        let n = 1u32 << z;
        if x >= n || y >= n {
            return Err(format!(
                "tile matrix {z} has rows and columns 0 to {}; row {y}, column {x} is outside",
                n - 1
            ));
        }
        Ok(TileId { z: z as u8, x, y })
    }

    fn n(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// `[west, south, east, north]` in degrees.
    pub fn bounds(self) -> [f64; 4] {
        let n = self.n();
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| (PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
        let (x, y) = (f64::from(self.x), f64::from(self.y));
        [lon(x), lat(y + 1.0), lon(x + 1.0), lat(y)]
    }

    /// A position in this tile's units (may lie outside 0..EXTENT).
    pub fn project(self, lon: f64, lat: f64) -> (f64, f64) {
        let n = self.n();
        let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
        let fx = (lon + 180.0) / 360.0 * n;
        let fy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * n;
        let e = f64::from(EXTENT);
        ((fx - f64::from(self.x)) * e, (fy - f64::from(self.y)) * e)
    }

    /// The box a record query for this tile asks for (records on its edges included; [`point_tile`]
    /// keeps each in one tile).
    pub fn query_box(self) -> Bbox {
        let [w, s, e, n] = self.bounds();
        Bbox {
            minx: w,
            miny: s,
            maxx: e,
            maxy: n,
        }
    }
}

fn value_str(s: &str) -> TileValue {
    TileValue::Str(s.to_string())
}

fn value_u64(v: u64) -> TileValue {
    TileValue::Uint(v)
}

/// Adds a point feature in tile units with its tags.
fn push_point(
    layer: &mut tile::Layer,
    tags: &mut TagsBuilder,
    at: (f64, f64),
    props: &[(&str, TileValue)],
) {
    let p = Point::new(at.0.round(), at.1.round());
    let Ok(mut f) = geo::Geometry::Point(p).to_mvt_unscaled() else {
        return;
    };
    for (k, v) in props {
        let (ki, vi) = tags.insert_ref(k, v.clone());
        f.tags.push(ki);
        f.tags.push(vi);
    }
    layer.features.push(f);
}

fn finish(mut layer: tile::Layer, tags: TagsBuilder) -> Vec<u8> {
    let (keys, values) = tags.into_tags();
    layer.keys = keys;
    layer.values = values.into_iter().map(tile::Value::from).collect();
    if layer.features.is_empty() {
        return Vec::new();
    }
    Tile {
        layers: vec![layer],
    }
    .encode_to_vec()
}

fn new_layer(name: &str) -> tile::Layer {
    tile::Layer {
        version: 2,
        name: name.to_string(),
        extent: Some(EXTENT),
        ..Default::default()
    }
}

/// The records `ids` (ascending, already selected by the tile's box and the request's filters) as
/// one MVT layer named `layer`; an empty tile is no bytes. Records on the tile's east or south edge
/// belong to the neighbouring tile.
pub fn point_tile(cat: &Catalog, ids: &[u32], t: TileId, layer: &str) -> Vec<u8> {
    // The tile owns its west and north edges; its neighbours compute the same edges from the same
    // formula, so every record falls in exactly one tile.
    let [w, s, e, n] = t.bounds();
    let inside: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|&i| cat.area_slot(i).is_none())
        .filter(|&i| {
            let en = cat.entry(i);
            en.lon >= w && en.lon < e && en.lat <= n && en.lat > s
        })
        .collect();
    let cells = clusters::clusters(cat, &inside, (t.z + 2).min(clusters::MAX_ZOOM));
    let mut out = new_layer(layer);
    let mut tags = TagsBuilder::new();
    for c in &cells {
        push_cell(cat, c, t, &mut out, &mut tags);
    }
    finish(out, tags)
}

fn push_cell(cat: &Catalog, c: &Cluster, t: TileId, out: &mut tile::Layer, tags: &mut TagsBuilder) {
    let at = t.project(c.lon, c.lat);
    if let Some(i) = c.record.as_deref().and_then(|id| cat.find(id)) {
        let r = cat.record(i);
        let mut props = vec![
            ("id", value_str(&r.id)),
            ("kind", value_str(r.kind.as_str())),
            ("title", value_str(&r.title)),
            ("date", value_str(&r.date.to_string())),
            ("date_precision", value_str(r.date_precision.as_str())),
            ("count", value_u64(u64::from(r.count))),
            ("claim", value_str(r.claim.as_str())),
            ("geo_precision", value_str(r.geo_precision.as_str())),
            ("place", value_str(&r.place)),
        ];
        if let Some(d) = r.date_end {
            props.push(("date_end", value_str(&d.to_string())));
        }
        if let Some(c) = &r.country {
            props.push(("country", value_str(c)));
        }
        if let Some(f) = r.fatalities {
            props.push(("fatalities", value_u64(u64::from(f))));
        }
        push_point(out, tags, at, &props);
        return;
    }
    let mut props = vec![
        ("cluster", TileValue::Bool(true)),
        ("records", value_u64(c.records)),
        ("total", value_u64(c.totals.iter().sum())),
    ];
    for (k, n) in Kind::ALL.iter().zip(c.totals) {
        props.push((k.as_str(), value_u64(n)));
    }
    push_point(out, tags, at, &props);
}

/// The polygons `which` of `list` (with their all-time `totals`, aligned with `list`) as one MVT
/// layer named `layer`; an empty tile is no bytes.
pub fn polygon_tile(
    list: &[Jurisdiction],
    totals: &[Totals],
    which: &[usize],
    t: TileId,
    layer: &str,
) -> Vec<u8> {
    let e = f64::from(EXTENT);
    let clip = Rect::new(
        Coord {
            x: -BUFFER,
            y: -BUFFER,
        },
        Coord {
            x: e + BUFFER,
            y: e + BUFFER,
        },
    );
    let clip_poly = MultiPolygon::new(vec![clip.to_polygon()]);
    let mut out = new_layer(layer);
    let mut tags = TagsBuilder::new();
    for &k in which {
        let (Some(j), Some(tot)) = (list.get(k), totals.get(k)) else {
            continue;
        };
        let Some(shape) = cut(&j.geometry, t, &clip, &clip_poly) else {
            continue;
        };
        let Ok(mut f) = geo::Geometry::MultiPolygon(shape).to_mvt_unscaled() else {
            continue;
        };
        let mut props = vec![
            ("id", value_str(&j.id)),
            ("name", value_str(&j.name)),
            ("country", value_str(&j.country)),
        ];
        if let Some(c) = &j.iso_3166_2 {
            props.push(("iso_3166_2", value_str(c)));
        }
        // records, total, then one total per kind, as the polygon layers name them.
        for (k, n) in crate::model::columns::TOTAL_FIELDS.iter().zip(tot.values()) {
            props.push((k, value_u64(n)));
        }
        for (k, v) in &props {
            let (ki, vi) = tags.insert_ref(k, v.clone());
            f.tags.push(ki);
            f.tags.push(vi);
        }
        out.features.push(f);
    }
    finish(out, tags)
}

/// A boundary in tile units: projected, simplified, clipped to the tile and its buffer, on the
/// integer grid and oriented for MVT; `None` when nothing of it is left.
fn cut(
    g: &MultiPolygon<f64>,
    t: TileId,
    clip: &Rect<f64>,
    clip_poly: &MultiPolygon<f64>,
) -> Option<MultiPolygon<f64>> {
    let projected: MultiPolygon<f64> = g.map_coords(|c| {
        let (x, y) = t.project(c.x, c.y);
        Coord { x, y }
    });
    let bb = projected.bounding_rect()?;
    if bb.max().x < clip.min().x
        || bb.min().x > clip.max().x
        || bb.max().y < clip.min().y
        || bb.min().y > clip.max().y
    {
        return None;
    }
    let simple = projected.simplify(SIMPLIFY);
    let inside = bb.min().x >= clip.min().x
        && bb.min().y >= clip.min().y
        && bb.max().x <= clip.max().x
        && bb.max().y <= clip.max().y;
    let clipped = if inside {
        simple
    } else {
        simple.intersection(clip_poly)
    };
    let rounded: MultiPolygon<f64> = clipped.map_coords(|c| Coord {
        x: c.x.round(),
        y: c.y.round(),
    });
    let kept: Vec<_> = rounded
        .0
        .into_iter()
        .filter(|p| p.exterior().0.len() >= 4 && geo::Area::unsigned_area(p) >= MIN_AREA)
        .collect();
    if kept.is_empty() {
        return None;
    }
    // Tile y points down: `Orient`'s counter-clockwise exterior (positive area) in these
    // coordinates is what MVT calls an exterior ring.
    Some(MultiPolygon::new(kept).orient(geo::orient::Direction::Default))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_outside_the_matrix_are_refused() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert!(TileId::new(0, 1, 0).is_err());
        assert!(TileId::new(3, 7, 8).is_err());
        assert!(TileId::new(23, 0, 0).is_err());
        assert!(TileId::new(22, (1 << 22) - 1, 0).is_ok());
    }

    #[test]
    fn bounds_and_projection_agree() {
        let t = TileId::new(1, 1, 0).unwrap();
        let [w, s, e, n] = t.bounds();
        assert_eq!((w, e), (0.0, 180.0));
        assert!(s.abs() < 1e-9 && (n - MAX_LAT).abs() < 1e-9, "{s} {n}");
        let (x, y) = t.project(w, n);
        assert!(x.abs() < 1e-6 && y.abs() < 1e-6, "{x} {y}");
        let (x, y) = t.project(e, s);
        assert!(
            (x - 4096.0).abs() < 1e-6 && (y - 4096.0).abs() < 1e-6,
            "{x} {y}"
        );
        // Kabul is in the z=3 tile x=5, y=3.
        let kabul = TileId::new(3, 5, 3).unwrap().project(69.17, 34.53);
        assert!((0.0..4096.0).contains(&kabul.0) && (0.0..4096.0).contains(&kabul.1));
    }
}
