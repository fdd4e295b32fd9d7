//! Point → jurisdiction: which country and which province a point lies in.
//!
//! Countries (Natural Earth admin-0) and provinces (admin-1) are each held in an `rstar` R-tree of
//! the envelopes of their polygon parts (one per island, so Russia's or Fiji's envelope does not
//! cover half the globe); a jurisdiction with a part whose envelope holds the point is then tested
//! exactly with an interval-tree index of its edges (`geo::indexed::IntervalTreeMultiPolygon`), which
//! is correct for multipolygons, holes and islands. A point in no polygon — on a coastline that the
//! simplified boundary cuts, or in a harbour — is snapped to the jurisdiction of the nearest boundary
//! edge within [`SNAP_KM`] kilometres, found in a second R-tree of all boundary edges.

use geo::indexed::IntervalTreeMultiPolygon;
use geo::{BoundingRect, Contains, Distance, Haversine, Intersects, MultiPolygon, Point, Rect};
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{RTree, AABB};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// How far (km) a point outside every polygon may lie from a jurisdiction and still be assigned to it.
pub const SNAP_KM: f64 = 10.0;

/// Administrative level of a jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Admin-0.
    Country,
    /// Admin-1.
    Province,
}

/// One country or province.
pub struct Jurisdiction {
    /// ISO 3166-1 alpha-3 (countries) or Natural Earth `adm1_code` (provinces).
    pub id: String,
    /// Admin level.
    pub level: Level,
    /// ISO 3166-1 alpha-3 of the country it belongs to (its own id for a country).
    pub country: String,
    /// Display name.
    pub name: String,
    /// Every name and alias it is known by.
    pub names: Vec<String>,
    /// ISO 3166-2 subdivision code, where one exists.
    pub iso_3166_2: Option<String>,
    /// Whether the country code is a real ISO 3166-1 code (false for Natural Earth's own codes).
    pub iso_3166: bool,
    /// A representative point inside the polygon.
    pub label: (f64, f64),
    /// Bounding box.
    pub bbox: Rect<f64>,
    /// The boundary.
    pub geometry: MultiPolygon<f64>,
    index: IntervalTreeMultiPolygon<f64>,
}

/// What a boundary needs to become a [`Jurisdiction`].
#[derive(Debug, Clone)]
pub struct Boundary {
    /// ISO 3166-1 alpha-3 (countries) or Natural Earth `adm1_code` (provinces).
    pub id: String,
    /// Admin level.
    pub level: Level,
    /// ISO 3166-1 alpha-3 of its country.
    pub country: String,
    /// Display name.
    pub name: String,
    /// Every name and alias (the display name is added if missing).
    pub names: Vec<String>,
    /// ISO 3166-2 code, where one exists.
    pub iso_3166_2: Option<String>,
    /// Whether the country code is a real ISO 3166-1 code.
    pub iso_3166: bool,
    /// A representative point, which must lie inside (or on) the polygon.
    pub label: (f64, f64),
    /// The polygon.
    pub geometry: MultiPolygon<f64>,
}

/// Why a boundary cannot be a jurisdiction: the field at fault and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct BoundaryError {
    /// The property at fault (`country`, `geometry`, `label`).
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn fault(field: &'static str, reason: impl Into<String>) -> BoundaryError {
    BoundaryError {
        field,
        reason: reason.into(),
    }
}

impl Jurisdiction {
    /// Checks a boundary (a 3-letter country code, coordinates on the globe, the label inside)
    /// and indexes its edges.
    pub fn new(b: Boundary) -> Result<Self, BoundaryError> {
        let Boundary {
            id,
            level,
            country,
            name,
            mut names,
            iso_3166_2,
            iso_3166,
            label,
            geometry,
        } = b;
        if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(fault(
                "country",
                format!("{country:?} is not a 3-letter upper-case code"),
            ));
        }
        if !names.contains(&name) {
            names.insert(0, name.clone());
        }
        let bbox = geometry
            .bounding_rect()
            .ok_or_else(|| fault("geometry", "is empty"))?;
        if bbox.min().x < -180.0
            || bbox.max().x > 180.0
            || bbox.min().y < -90.0
            || bbox.max().y > 90.0
        {
            return Err(fault(
                "geometry",
                "coordinates outside lon -180..180, lat -90..90",
            ));
        }
        let index = IntervalTreeMultiPolygon::new(&geometry);
        let j = Jurisdiction {
            id,
            level,
            country,
            name,
            names,
            iso_3166_2,
            iso_3166,
            label,
            bbox,
            geometry,
            index,
        };
        let p = Point::new(label.0, label.1);
        if !(j.contains(p) || on_boundary(&j.geometry, p)) {
            return Err(fault(
                "label",
                format!("({}, {}) is not inside the polygon", label.0, label.1),
            ));
        }
        Ok(j)
    }

    fn contains(&self, p: Point<f64>) -> bool {
        self.bbox.intersects(&p) && self.index.contains(&p)
    }
}

impl std::fmt::Debug for Jurisdiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jurisdiction")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}

type Envelope = GeomWithData<Rectangle<[f64; 2]>, usize>;
type Edge = GeomWithData<Line<[f64; 2]>, usize>;

/// Size in degrees of the cells of [`LevelIndex::cells`].
const CELL_DEG: f64 = 0.2;
const CELL_COLS: usize = (360.0 / CELL_DEG) as usize;
const CELL_ROWS: usize = (180.0 / CELL_DEG) as usize;
/// Cell state: not yet looked at.
const CELL_UNKNOWN: u32 = 0;
/// Cell state: a boundary crosses it, or no polygon covers it; look each point up.
const CELL_MIXED: u32 = 1;
/// Lookups a level answers exactly before it uses (and builds) its cells.
const FEW_LOOKUPS: u32 = 512;

/// One level's polygons, indexed twice: part envelopes for containment, edges for snapping; and a
/// lazily filled grid of cells that lie wholly inside one jurisdiction.
///
/// The edges' tree is built on first use, and the cells (which need it) are used only after
/// [`FEW_LOOKUPS`]: a start from the catalog cache locates only the few curated places, and
/// building the tree (a quarter of a million edges at both levels) was an eighth of such a start.
struct LevelIndex {
    parts: RTree<Envelope>,
    edges: OnceLock<RTree<Edge>>,
    /// Lookups so far, counted up to about [`FEW_LOOKUPS`].
    lookups: AtomicU32,
    /// Per cell of [`CELL_DEG`] degrees: [`CELL_UNKNOWN`], [`CELL_MIXED`], or 2 + the index of the
    /// jurisdiction whose interior holds the whole cell. Filled on first use by any thread; two
    /// threads filling the same cell compute the same value.
    cells: Vec<AtomicU32>,
}

impl LevelIndex {
    /// The jurisdiction (of all, unfiltered) that holds the whole cell of the point, if one does.
    /// No boundary edge comes near such a cell, so every point in it lies in that jurisdiction and
    /// in no other: the answer a full lookup would give.
    fn interior(&self, items: &[Jurisdiction], lon: f64, lat: f64) -> Option<usize> {
        let col = (((lon + 180.0) / CELL_DEG) as usize).min(CELL_COLS - 1);
        let row = (((lat + 90.0) / CELL_DEG) as usize).min(CELL_ROWS - 1);
        let cell = &self.cells[row * CELL_COLS + col];
        let mut state = cell.load(Ordering::Relaxed);
        if state == CELL_UNKNOWN {
            let min = [col as f64 * CELL_DEG - 180.0, row as f64 * CELL_DEG - 90.0];
            let max = [min[0] + CELL_DEG, min[1] + CELL_DEG];
            let crossed = self
                .edges(items)
                .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
                .next()
                .is_some();
            let centre = (min[0] + CELL_DEG / 2.0, min[1] + CELL_DEG / 2.0);
            state = match (
                crossed,
                containing(self, items, centre.0, centre.1, |_| true),
            ) {
                (false, Some(i)) => i as u32 + 2,
                _ => CELL_MIXED,
            };
            cell.store(state, Ordering::Relaxed);
        }
        (state >= 2).then(|| (state - 2) as usize)
    }
}

impl LevelIndex {
    fn new(items: &[Jurisdiction]) -> Self {
        let mut parts = Vec::new();
        for (i, j) in items.iter().enumerate() {
            for poly in &j.geometry.0 {
                if let Some(r) = poly.bounding_rect() {
                    parts.push(GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    ));
                }
            }
        }
        LevelIndex {
            parts: RTree::bulk_load(parts),
            edges: OnceLock::new(),
            lookups: AtomicU32::new(0),
            cells: (0..CELL_COLS * CELL_ROWS)
                .map(|_| AtomicU32::new(CELL_UNKNOWN))
                .collect(),
        }
    }

    /// Whether this level has had more than [`FEW_LOOKUPS`] lookups, counting this one.
    fn many_lookups(&self) -> bool {
        self.lookups.load(Ordering::Relaxed) >= FEW_LOOKUPS
            || self.lookups.fetch_add(1, Ordering::Relaxed) >= FEW_LOOKUPS
    }

    /// Every ring edge of the level's polygons (`items`, those the index was built from), tagged
    /// with its jurisdiction; built by the first caller.
    fn edges(&self, items: &[Jurisdiction]) -> &RTree<Edge> {
        self.edges.get_or_init(|| {
            let mut edges = Vec::new();
            for (i, j) in items.iter().enumerate() {
                for poly in &j.geometry.0 {
                    for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                        edges.extend(ring.lines().map(|l| {
                            GeomWithData::new(
                                Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]),
                                i,
                            )
                        }));
                    }
                }
            }
            RTree::bulk_load(edges)
        })
    }
}

/// Where a point lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    /// Index of the country in [`Jurisdictions::countries`].
    pub country: usize,
    /// Index of the province in [`Jurisdictions::provinces`], if one holds (or is near) the point.
    pub province: Option<usize>,
    /// Distance the point was snapped to reach its country (0 when inside).
    pub snapped_km: f64,
}

/// All countries and provinces, indexed for point lookups.
pub struct Jurisdictions {
    /// Countries, in file order.
    pub countries: Vec<Jurisdiction>,
    /// Provinces, in file order.
    pub provinces: Vec<Jurisdiction>,
    country_index: LevelIndex,
    province_index: LevelIndex,
    country_by_code: HashMap<String, usize>,
    province_by_id: HashMap<String, usize>,
}

impl std::fmt::Debug for Jurisdictions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Jurisdictions({} countries, {} provinces)",
            self.countries.len(),
            self.provinces.len()
        )
    }
}

impl Jurisdictions {
    /// Indexes countries and provinces (each province's country should be among the countries;
    /// the loader checks that).
    pub fn new(countries: Vec<Jurisdiction>, provinces: Vec<Jurisdiction>) -> Self {
        let country_by_code: HashMap<String, usize> = countries
            .iter()
            .enumerate()
            .map(|(i, j)| (j.id.clone(), i))
            .collect();
        let province_by_id: HashMap<String, usize> = provinces
            .iter()
            .enumerate()
            .map(|(i, j)| (j.id.clone(), i))
            .collect();
        Jurisdictions {
            country_index: LevelIndex::new(&countries),
            province_index: LevelIndex::new(&provinces),
            countries,
            provinces,
            country_by_code,
            province_by_id,
        }
    }

    /// The countries or the provinces, in file order.
    pub fn of(&self, level: Level) -> &[Jurisdiction] {
        match level {
            Level::Country => &self.countries,
            Level::Province => &self.provinces,
        }
    }

    /// The country with this ISO 3166-1 alpha-3 (or Natural Earth) code.
    pub fn country(&self, code: &str) -> Option<&Jurisdiction> {
        self.country_by_code.get(code).map(|&i| &self.countries[i])
    }

    /// Index of the country with this code.
    pub fn country_index(&self, code: &str) -> Option<usize> {
        self.country_by_code.get(code).copied()
    }

    /// Index of the province with this Natural Earth id.
    pub fn province_index(&self, id: &str) -> Option<usize> {
        self.province_by_id.get(id).copied()
    }

    /// Finds the jurisdiction of a point: the country that contains it (or the nearest one within
    /// [`SNAP_KM`]), and the province of that country that contains it (or the nearest within
    /// [`SNAP_KM`]).
    pub fn locate(&self, lon: f64, lat: f64) -> Option<Located> {
        let (country, snapped_km) = self.country_at(lon, lat)?;
        let province = self.province_at(lon, lat, &self.countries[country].id);
        Some(Located {
            country,
            province,
            snapped_km,
        })
    }

    /// The country containing the point, or the nearest within [`SNAP_KM`], with the distance.
    pub fn country_at(&self, lon: f64, lat: f64) -> Option<(usize, f64)> {
        locate_in(&self.country_index, &self.countries, lon, lat, |_| true)
    }

    /// The province of `country` containing the point, or the nearest one within [`SNAP_KM`].
    pub fn province_at(&self, lon: f64, lat: f64, country: &str) -> Option<usize> {
        locate_in(&self.province_index, &self.provinces, lon, lat, |j| {
            j.country == country
        })
        .map(|(i, _)| i)
    }

    /// Indices of provinces whose bounding box intersects the box.
    pub fn provinces_in(&self, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        envelopes_in(&self.province_index.parts, min, max)
    }

    /// Indices of countries whose bounding box intersects the box.
    pub fn countries_in(&self, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        envelopes_in(&self.country_index.parts, min, max)
    }
}

fn envelopes_in(tree: &RTree<Envelope>, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
    let mut v: Vec<usize> = tree
        .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
        .map(|g| g.data)
        .collect();
    v.sort_unstable();
    v
}

fn locate_in(
    index: &LevelIndex,
    items: &[Jurisdiction],
    lon: f64,
    lat: f64,
    accept: impl Fn(&Jurisdiction) -> bool,
) -> Option<(usize, f64)> {
    if !(lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat))
    {
        return None;
    }
    // Inside a cell that one jurisdiction holds whole, that one is the answer if it is accepted; the
    // smallest accepted polygon is then also the smallest of all.
    if index.many_lookups() {
        if let Some(i) = index.interior(items, lon, lat) {
            if accept(&items[i]) {
                return Some((i, 0.0));
            }
        }
    }
    if let Some(i) = containing(index, items, lon, lat, &accept) {
        return Some((i, 0.0));
    }
    nearest_edge(index, items, Point::new(lon, lat), &accept)
}

/// The accepted jurisdiction whose polygon contains the point. Where polygons overlap (a micro-state
/// whose hole in its neighbour collapsed in the source data), the smallest one is the most specific
/// answer; ties go to the lower index.
fn containing(
    index: &LevelIndex,
    items: &[Jurisdiction],
    lon: f64,
    lat: f64,
    accept: impl Fn(&Jurisdiction) -> bool,
) -> Option<usize> {
    let p = Point::new(lon, lat);
    let area = |j: &Jurisdiction| j.bbox.width() * j.bbox.height();
    let mut inside: Option<usize> = None;
    for g in index.parts.locate_all_at_point(&[lon, lat]) {
        let j = &items[g.data];
        if inside == Some(g.data) || !accept(j) || !j.contains(p) {
            continue;
        }
        let better = inside.is_none_or(|i| {
            let (a, b) = (area(j), area(&items[i]));
            a < b || (a == b && g.data < i)
        });
        if better {
            inside = Some(g.data);
        }
    }
    inside
}

/// The jurisdiction whose boundary passes nearest to `p`, if within [`SNAP_KM`], with the distance.
fn nearest_edge(
    index: &LevelIndex,
    items: &[Jurisdiction],
    p: Point<f64>,
    accept: &impl Fn(&Jurisdiction) -> bool,
) -> Option<(usize, f64)> {
    let (lon, lat) = (p.x(), p.y());
    let dlat = SNAP_KM / 110.0;
    let dlon = (SNAP_KM / (110.0 * lat.to_radians().cos().max(0.01))).min(360.0);
    let search = AABB::from_corners([lon - dlon, lat - dlat], [lon + dlon, lat + dlat]);
    let mut best: Option<(usize, f64)> = None;
    for e in index.edges(items).locate_in_envelope_intersecting(&search) {
        if !accept(&items[e.data]) {
            continue;
        }
        let q = e.geom().nearest_point(&[lon, lat]);
        let d = Haversine.distance(p, Point::new(q[0], q[1])) / 1000.0;
        if d <= SNAP_KM && best.is_none_or(|(bi, bd)| d < bd || (d == bd && e.data < bi)) {
            best = Some((e.data, d));
        }
    }
    best
}

/// Whether `p` lies on (within a millimetre of) the boundary.
fn on_boundary(mp: &MultiPolygon<f64>, p: Point<f64>) -> bool {
    use geo::{Closest, ClosestPoint};
    match mp.closest_point(&p) {
        Closest::Intersection(_) => true,
        Closest::SinglePoint(q) => Haversine.distance(p, q) < 0.001,
        Closest::Indeterminate => false,
    }
}
