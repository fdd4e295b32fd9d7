//! Outlines simplified for drawing (Ramer–Douglas–Peucker): the `max-allowable-offset` of the
//! polygon collections. `geo`'s own `Simplify` keeps the same vertices (but for a ring that would
//! fall below four: `geo` stops short of it, this keeps it whole), but allocates a vector per
//! step of its recursion and measures with `hypot`; for the 147 180 vertices of the countries that
//! was ≈ 200 ms a request, most of it the allocator's fresh pages. This keeps a mask and a stack,
//! compares squared distances, and serialises the kept coordinates without copying them into
//! GeoJSON's vector-per-position form.

use geo::{Coord, LineString, MultiPolygon};
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

/// The fewest coordinates a simplified ring keeps (a closed ring: three corners and the first
/// again); a ring that would fall below it is kept whole.
const RING_MIN: usize = 4;

/// Which coordinates of `line` Ramer–Douglas–Peucker keeps for tolerance `offset`: every
/// coordinate left out lies within `offset` of the segment between the kept ones around it. The
/// first and last are always kept.
pub fn kept(line: &[Coord<f64>], offset: f64) -> Vec<bool> {
    let n = line.len();
    let mut keep = vec![false; n];
    if n <= 2 {
        keep.iter_mut().for_each(|k| *k = true);
        return keep;
    }
    keep[0] = true;
    keep[n - 1] = true;
    let limit = offset * offset;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut far, mut far_d) = (a, -1.0);
        for (i, c) in line.iter().enumerate().take(b).skip(a + 1) {
            let d = segment_distance2(*c, line[a], line[b]);
            // Of equally far vertices the last, as `geo` picks.
            if d >= far_d {
                far = i;
                far_d = d;
            }
        }
        if far_d > limit {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
    keep
}

/// The squared distance from `p` to the segment `a`–`b` (to `a` when they are one point).
fn segment_distance2(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a.x + t * dx - p.x, a.y + t * dy - p.y);
    ex * ex + ey * ey
}

/// One ring simplified within `offset`; kept whole when fewer than four coordinates would be left.
fn ring(line: &LineString<f64>, offset: f64) -> Vec<Coord<f64>> {
    let keep = kept(&line.0, offset);
    if keep.iter().filter(|k| **k).count() < RING_MIN {
        return line.0.clone();
    }
    line.0
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| *c)
        .collect()
}

/// A MultiPolygon's outline simplified within `offset` degrees, ready to serialise as a GeoJSON
/// geometry.
pub struct Simplified {
    polygons: Vec<Vec<Vec<Coord<f64>>>>,
}

impl Simplified {
    /// Simplifies every ring of `mp` (exterior and holes alike) within `offset`.
    pub fn new(mp: &MultiPolygon<f64>, offset: f64) -> Self {
        let polygons = mp
            .iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| ring(r, offset))
                    .collect()
            })
            .collect();
        Simplified { polygons }
    }

    /// How many coordinates are left.
    pub fn len(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }

    /// Whether no coordinate is left (an empty MultiPolygon).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A slice written as a JSON array: of positions (a ring), of rings (a polygon), of polygons.
struct Array<'a, T>(&'a [T]);

/// What an [`Array`] holds: a coordinate is a position `[x, y]`, a vector an array of its own.
trait Element {
    fn put<S: SerializeSeq>(&self, seq: &mut S) -> Result<(), S::Error>;
}

impl Element for Coord<f64> {
    fn put<S: SerializeSeq>(&self, seq: &mut S) -> Result<(), S::Error> {
        seq.serialize_element(&[self.x, self.y])
    }
}

impl<T: Element> Element for Vec<T> {
    fn put<S: SerializeSeq>(&self, seq: &mut S) -> Result<(), S::Error> {
        seq.serialize_element(&Array(self))
    }
}

impl<T: Element> Serialize for Array<'_, T> {
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let mut seq = z.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            x.put(&mut seq)?;
        }
        seq.end()
    }
}

impl Serialize for Simplified {
    /// `{"type":"MultiPolygon","coordinates":[[[[x,y],…]]]}`, as `geojson` writes a geometry.
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let mut s = z.serialize_struct("Geometry", 2)?;
        s.serialize_field("type", "MultiPolygon")?;
        s.serialize_field("coordinates", &Array(&self.polygons))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, polygon, Simplify};

    fn wiggly(n: usize) -> MultiPolygon<f64> {
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = 1.0 + 0.05 * (a * 17.0).sin() + 0.01 * (a * 131.0).cos();
                (r * a.cos(), r * a.sin())
            })
            .collect();
        pts.push(pts[0]);
        MultiPolygon::new(vec![geo::Polygon::new(LineString::from(pts), vec![])])
    }

    #[test]
    fn keeps_what_geo_keeps() {
        let mp = wiggly(2000);
        for offset in [0.001, 0.01, 0.05, 0.2] {
            let ours = Simplified::new(&mp, offset).polygons[0][0].clone();
            let theirs = mp.simplify(offset).0[0].exterior().0.clone();
            assert_eq!(ours, theirs, "offset {offset}");
        }
    }

    #[test]
    fn every_vertex_left_out_is_within_the_offset() {
        let mp = wiggly(3000);
        let line = &mp.0[0].exterior().0;
        let offset = 0.02;
        let keep = kept(line, offset);
        let idx: Vec<usize> = (0..line.len()).filter(|&i| keep[i]).collect();
        assert!(
            idx.len() < line.len() / 3,
            "{} of {}",
            idx.len(),
            line.len()
        );
        for w in idx.windows(2) {
            for c in &line[w[0] + 1..w[1]] {
                let d = segment_distance2(*c, line[w[0]], line[w[1]]).sqrt();
                assert!(d <= offset + 1e-12, "{d}");
            }
        }
    }

    #[test]
    fn a_small_ring_is_kept_whole_and_holes_are_kept() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 1.001, y: 1.0), (x: 1.001, y: 1.001), (x: 1.0, y: 1.0)]],
        );
        let s = Simplified::new(&MultiPolygon::new(vec![p]), 0.5);
        assert_eq!(s.polygons[0].len(), 2);
        assert_eq!(s.polygons[0][1].len(), 4);
        assert_eq!(s.polygons[0][0].len(), 5);
        assert_eq!(s.polygons[0][0][0], coord! { x: 0.0, y: 0.0 });
    }

    #[test]
    fn serialises_as_geojson_does() {
        let mp = wiggly(50);
        let ours = serde_json::to_string(&Simplified::new(&mp, 0.0)).unwrap();
        let theirs = serde_json::to_string(&geojson::Geometry::from(&mp)).unwrap();
        assert_eq!(ours, theirs);
    }
}
