//! Query-string parsing, and the typed query of a collection. Every parser returns an [`ApiError`]
//! naming the parameter; nothing here panics on any input.
//!
//! [`record_filter`] is the one reading of the record filters, shared by items, clusters, stats and
//! downloads; [`CollectionQuery`] is a collection's whole query (filter, order, shape), read once
//! and applied to a snapshot.

use super::error::ApiError;
use super::shape::Shape;
use crate::geo::jurisdictions::Level;
use crate::index::predicate::SortKey;
use crate::index::{Bbox, Filter};
use crate::model::dates::{parse_datetime, DayMatch, DayRange};
use crate::model::{Claim, GeoPrecision, Kind, Link};
use crate::store::collections::{Collection, PolygonFilter, Selection};
use crate::store::Snapshot;

/// The query parameters of the record filters (read by [`record_filter`]), followed by a
/// handler's own: one list, so a new filter reaches items, clusters, stats and downloads at once.
macro_rules! record_filter_params {
    ($($own:literal),* $(,)?) => {
        &[
            "bbox",
            "datetime",
            "datetime_match",
            "kind",
            "country",
            "province",
            "claim",
            "geo_precision",
            "link",
            "fatalities_min",
            "fatalities_max",
            "q",
            "filter",
            "filter-lang",
            "filter-crs",
            $($own),*
        ]
    };
}
pub(crate) use record_filter_params;

/// The parameters a collection's `items` accept.
pub fn item_params(c: Collection) -> &'static [&'static str] {
    match c {
        Collection::Records(_) => record_filter_params![
            "limit",
            "offset",
            "f",
            "sortby",
            "properties",
            "skipGeometry",
            "as_of"
        ],
        Collection::Polygons(Level::Country) => &[
            "bbox",
            "limit",
            "offset",
            "f",
            "as_of",
            "max-allowable-offset",
        ],
        Collection::Polygons(Level::Province) => &[
            "bbox",
            "limit",
            "offset",
            "country",
            "f",
            "as_of",
            "max-allowable-offset",
        ],
    }
}

/// The collection a path names; unknown ids are a 404 that lists the collections.
pub fn collection(id: &str) -> Result<Collection, ApiError> {
    Collection::find(id).ok_or_else(|| {
        let mut shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
        if shown.len() < id.len() {
            shown.push('…');
        }
        let ids: Vec<&str> = Collection::all().iter().map(|c| c.id()).collect();
        ApiError::NotFound(format!(
            "collection {shown:?} does not exist; see /api/collections ({})",
            ids.join(", ")
        ))
    })
}

/// The record filter of a query: `bbox`, `datetime`, `datetime_match`, and a parameter per
/// filtered field of [`crate::model::columns::RECORD_FIELDS`]. `kind` is the collection's own kind,
/// which a `kind` parameter may repeat but not contradict.
pub fn record_filter(kind: Option<Kind>, p: &Params) -> Result<Filter, ApiError> {
    let mut f = Filter {
        kind,
        ..Filter::default()
    };
    if let Some(v) = p.get("bbox") {
        f.bbox = Some(bbox(v)?);
    }
    if let Some(v) = p.get("datetime") {
        f.days = Some(datetime(v)?);
    }
    if let Some(v) = p.get("datetime_match") {
        f.day_match = datetime_match(v)?;
        if f.days.is_none() {
            return Err(ApiError::bad(
                "datetime_match",
                "needs a datetime window to compare with",
            ));
        }
    }
    if let Some(v) = p.get("kind") {
        let k = self::kind(v)?;
        if let Some(own) = kind.filter(|own| *own != k) {
            return Err(ApiError::bad(
                "kind",
                format!(
                    "collection {} holds only {}",
                    own.collection(),
                    own.as_str()
                ),
            ));
        }
        f.kind = Some(k);
    }
    if let Some(v) = p.get("country") {
        f.country = Some(country(v)?);
    }
    if let Some(v) = p.get("province") {
        f.admin1_id = Some(province(v)?);
    }
    if let Some(v) = p.get("claim") {
        f.claim = Some(claim(v)?);
    }
    if let Some(v) = p.get("geo_precision") {
        f.geo_precision = Some(geo_precision(v)?);
    }
    if let Some(v) = p.get("link") {
        f.link = Some(link(v)?);
    }
    f.fatalities = fatalities(p.get("fatalities_min"), p.get("fatalities_max"))?;
    if let Some(v) = p.get("q") {
        f.text =
            crate::views::search::query_words(v).map_err(|e| ApiError::bad("q", e.to_string()))?;
    }
    f.predicate = super::filter::predicate(p)?.map(std::sync::Arc::new);
    crate::index::predicate::lower(&mut f);
    Ok(f)
}

/// The filter of a polygon collection: `bbox` and `country`.
pub fn polygon_filter(p: &Params) -> Result<PolygonFilter, ApiError> {
    Ok(PolygonFilter {
        bbox: p.get("bbox").map(bbox).transpose()?,
        country: p.get("country").map(country).transpose()?,
    })
}

/// A collection's filter, read from the query string.
#[derive(Debug, Clone)]
pub enum CollectionFilter {
    /// The filter of a record collection.
    Records(Filter),
    /// The filter of a polygon collection, with the collection's level.
    Polygons(Level, PolygonFilter),
}

/// What a query asks of a collection, read once from the query string: its filter, the order
/// of its answer (`sortby`) and the shape of each feature (`properties`, `skipGeometry`). Reading
/// it validates every one of those parameters, so a handler reads it before the 304 check and
/// hands it to the work that builds the answer, which never parses the query again.
#[derive(Debug, Clone)]
pub struct CollectionQuery {
    /// The collection asked for.
    pub collection: Collection,
    /// Its filter.
    pub filter: CollectionFilter,
    /// The order asked for (empty: the collection's own order).
    pub sortby: Vec<SortKey>,
    /// What each feature keeps.
    pub shape: Shape,
    /// How far, in degrees, a polygon's simplified outline may stray from its boundary
    /// (`max-allowable-offset`; 0: not simplified).
    pub max_offset: f64,
}

impl CollectionQuery {
    /// Reads the filter, order and shape of a query of collection `c`.
    pub fn read(c: Collection, p: &Params) -> Result<Self, ApiError> {
        let filter = match c {
            Collection::Records(kind) => CollectionFilter::Records(record_filter(kind, p)?),
            Collection::Polygons(level) => CollectionFilter::Polygons(level, polygon_filter(p)?),
        };
        Ok(CollectionQuery {
            collection: c,
            filter,
            sortby: super::shape::sortby(p)?,
            shape: Shape::parse(p)?,
            max_offset: max_allowable_offset(p.get("max-allowable-offset"))?,
        })
    }

    /// Whether the answer is a slice of a list the snapshot holds: records filtered by nothing
    /// but their kind, in their own order, features as stored.
    pub fn is_plain(&self, snap: &Snapshot) -> bool {
        match &self.filter {
            CollectionFilter::Records(f) => {
                self.sortby.is_empty()
                    && self.shape.is_whole()
                    && snap.catalog.restricts_only_kind(f)
            }
            CollectionFilter::Polygons(..) => false,
        }
    }

    /// The `datetime` window over the whole map this query asks, in the collection's own order
    /// (see [`Catalog::window`](crate::index::Catalog::window)).
    pub fn window(&self, snap: &Snapshot) -> Option<crate::index::window::Window> {
        match &self.filter {
            CollectionFilter::Records(f) if self.sortby.is_empty() => snap.catalog.window(f),
            _ => None,
        }
    }

    /// The collection's members that match, in the order asked.
    pub fn select(&self, snap: &Snapshot) -> Selection {
        match &self.filter {
            CollectionFilter::Records(f) => {
                let mut sel = Selection::records(snap, f);
                super::shape::sort(snap, &mut sel, &self.sortby);
                sel
            }
            CollectionFilter::Polygons(level, f) => Selection::polygons(snap, *level, f),
        }
    }
}

/// Default page size of `items`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger `limit`s are clamped to it.
pub const MAX_LIMIT: usize = 10_000;
/// Longest accepted value of any parameter, in bytes.
pub const MAX_VALUE_LEN: usize = 2048;

/// A parsed query string: pairs in order, each name at most once, each name allowed.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `query` (without `?`), accepting only the names in `allowed`.
    pub fn parse(query: Option<&str>, allowed: &[&'static str]) -> Result<Self, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if k.is_empty() && v.is_empty() {
                continue;
            }
            if !allowed.contains(&k.as_ref()) {
                return Err(ApiError::UnknownParameter {
                    parameter: printable(&k),
                    allowed: allowed.to_vec(),
                });
            }
            if pairs.iter().any(|(k2, _)| *k2 == k) {
                return Err(ApiError::bad(&k, "appears more than once"));
            }
            let cap = if k == "filter" {
                crate::index::cql::MAX_FILTER_LEN
            } else {
                MAX_VALUE_LEN
            };
            if v.len() > cap {
                return Err(ApiError::bad(&k, format!("is longer than {cap} bytes")));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    /// The raw value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The pairs with `name` set to `value` (or appended), re-encoded as a query string.
    pub fn with(&self, name: &str, value: &str) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let mut done = false;
        for (k, v) in &self.pairs {
            if k == name {
                s.append_pair(k, value);
                done = true;
            } else {
                s.append_pair(k, v);
            }
        }
        if !done {
            s.append_pair(name, value);
        }
        s.finish()
    }

    /// The pairs, in the order given.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The pairs re-encoded as a query string.
    pub fn encode(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

/// A parameter name made safe to echo: control characters dropped, at most 64 characters.
pub(crate) fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Parses a finite decimal number.
fn number(param: &str, s: &str) -> Result<f64, ApiError> {
    let t = s.trim();
    let v: f64 = t
        .parse()
        .map_err(|_| ApiError::bad(param, format!("{:?} is not a number", printable(t))))?;
    if !v.is_finite() {
        return Err(ApiError::bad(
            param,
            format!("{:?} is not a finite number", printable(t)),
        ));
    }
    Ok(v)
}

/// Parses `bbox`: `minLon,minLat,maxLon,maxLat` (or the 6-number 3-D form, heights ignored), WGS 84.
/// `minLon > maxLon` selects a box across the antimeridian.
pub fn bbox(s: &str) -> Result<Bbox, ApiError> {
    let parts: Vec<&str> = s.split(',').collect();
    let nums: Vec<f64> = parts
        .iter()
        .map(|p| number("bbox", p))
        .collect::<Result<_, _>>()?;
    let (minx, miny, maxx, maxy) = match nums[..] {
        [a, b, c, d] => (a, b, c, d),
        [a, b, _, d, e, _] => (a, b, d, e),
        _ => {
            return Err(ApiError::bad(
                "bbox",
                format!(
                    "expected 4 numbers (minLon,minLat,maxLon,maxLat), got {}",
                    parts.len()
                ),
            ))
        }
    };
    for (v, what, lim) in [
        (minx, "minimum longitude", 180.0),
        (maxx, "maximum longitude", 180.0),
    ]
    .into_iter()
    .chain([
        (miny, "minimum latitude", 90.0),
        (maxy, "maximum latitude", 90.0),
    ]) {
        if v.abs() > lim {
            return Err(ApiError::bad(
                "bbox",
                format!("{what} {v} is outside -{lim}..{lim}"),
            ));
        }
    }
    if miny > maxy {
        return Err(ApiError::bad(
            "bbox",
            format!("minimum latitude {miny} is north of maximum latitude {maxy}"),
        ));
    }
    Ok(Bbox {
        minx,
        miny,
        maxx,
        maxy,
    })
}

/// Parses `datetime` (see [`parse_datetime`]).
pub fn datetime(s: &str) -> Result<DayRange, ApiError> {
    parse_datetime(s).map_err(|e| ApiError::bad("datetime", e.to_string()))
}

/// Parses `datetime_match`: `intersects` (the default: a record matches when its interval overlaps
/// `datetime`) or `within` (only records whose whole interval lies inside `datetime`).
pub fn datetime_match(s: &str) -> Result<DayMatch, ApiError> {
    match s {
        "intersects" => Ok(DayMatch::Intersects),
        "within" => Ok(DayMatch::Within),
        other => Err(ApiError::bad(
            "datetime_match",
            format!("{:?} is not one of intersects, within", printable(other)),
        )),
    }
}

/// Parses `limit`: a whole number ≥ 1; values above [`MAX_LIMIT`] are clamped to it.
pub fn limit(s: Option<&str>) -> Result<usize, ApiError> {
    let Some(s) = s else { return Ok(DEFAULT_LIMIT) };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(
            "limit",
            format!(
                "{:?} is not a whole number from 1 to {MAX_LIMIT}",
                printable(s)
            ),
        ));
    }
    match s.parse::<u64>() {
        Ok(0) => Err(ApiError::bad("limit", "must be at least 1")),
        Ok(n) => Ok((n.min(MAX_LIMIT as u64)) as usize),
        Err(_) => Ok(MAX_LIMIT),
    }
}

/// Parses `zoom` (required): a whole number from 0 to
/// [`MAX_ZOOM`](crate::views::clusters::MAX_ZOOM).
pub fn zoom(s: Option<&str>) -> Result<u8, ApiError> {
    let max = crate::views::clusters::MAX_ZOOM;
    let Some(s) = s else {
        return Err(ApiError::bad(
            "zoom",
            format!("is required: the map zoom level, 0 to {max}"),
        ));
    };
    match s.parse::<u8>() {
        Ok(z) if z <= max && s.bytes().all(|b| b.is_ascii_digit()) => Ok(z),
        _ => Err(ApiError::bad(
            "zoom",
            format!("{:?} is not a whole number from 0 to {max}", printable(s)),
        )),
    }
}

/// Parses `max-allowable-offset` (as pg_featureserv and ldproxy name it): degrees, from 0 (the
/// boundaries as stored, also the default) to [`MAX_OFFSET`](crate::views::layers::MAX_OFFSET).
pub fn max_allowable_offset(s: Option<&str>) -> Result<f64, ApiError> {
    const NAME: &str = "max-allowable-offset";
    let Some(s) = s else { return Ok(0.0) };
    let max = crate::views::layers::MAX_OFFSET;
    let v = number(NAME, s)?;
    if !(0.0..=max).contains(&v) {
        return Err(ApiError::bad(
            NAME,
            format!("is in degrees, from 0 to {max}, not {}", printable(s)),
        ));
    }
    Ok(v)
}

/// Parses `offset`: a whole number ≥ 0.
pub fn offset(s: Option<&str>) -> Result<usize, ApiError> {
    let Some(s) = s else { return Ok(0) };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(
            "offset",
            format!("{:?} is not a whole number ≥ 0", printable(s)),
        ));
    }
    Ok(s.parse::<u64>()
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)))
}

/// Parses `kind`.
pub fn kind(s: &str) -> Result<Kind, ApiError> {
    Kind::parse(s).map_err(|e| ApiError::bad("kind", e.to_string()))
}

/// Parses `claim`.
pub fn claim(s: &str) -> Result<Claim, ApiError> {
    Claim::parse(s).map_err(|e| ApiError::bad("claim", e.to_string()))
}

/// Parses `geo_precision`.
pub fn geo_precision(s: &str) -> Result<GeoPrecision, ApiError> {
    GeoPrecision::parse(s).map_err(|e| ApiError::bad("geo_precision", e.to_string()))
}

/// Parses `link`.
pub fn link(s: &str) -> Result<Link, ApiError> {
    Link::parse(s).map_err(|e| ApiError::bad("link", e.to_string()))
}

/// Parses `fatalities_min` and `fatalities_max` (whole numbers ≥ 0, min ≤ max) into the inclusive
/// range they select; `None` when neither is given.
pub fn fatalities(min: Option<&str>, max: Option<&str>) -> Result<Option<(u32, u32)>, ApiError> {
    let whole = |name: &str, s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                ApiError::bad(
                    name,
                    format!(
                        "{:?} is not a whole number from 0 to {}",
                        printable(s),
                        u32::MAX
                    ),
                )
            })
    };
    let lo = min.map(|s| whole("fatalities_min", s)).transpose()?;
    let hi = max.map(|s| whole("fatalities_max", s)).transpose()?;
    if let (Some(a), Some(b)) = (lo, hi) {
        if a > b {
            return Err(ApiError::bad(
                "fatalities_min",
                format!("{a} is more than fatalities_max {b}"),
            ));
        }
    }
    Ok((lo.is_some() || hi.is_some()).then(|| (lo.unwrap_or(0), hi.unwrap_or(u32::MAX))))
}

/// Parses `country`: an ISO 3166-1 alpha-3 code (case-insensitive).
pub fn country(s: &str) -> Result<String, ApiError> {
    let up = s.trim().to_ascii_uppercase();
    if up.len() != 3 || !up.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad(
            "country",
            format!(
                "{:?} is not an ISO 3166-1 alpha-3 code such as AFG",
                printable(s)
            ),
        ));
    }
    Ok(up)
}

/// Parses `province`: a Natural Earth admin-1 id such as `AFG-1762` (see the `provinces` collection).
pub fn province(s: &str) -> Result<String, ApiError> {
    let t = s.trim();
    let ok = t.len() <= 16
        && t.len() >= 5
        && t.as_bytes()[3] == b'-'
        && t.bytes().all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'?'
        });
    if !ok {
        return Err(ApiError::bad(
            "province",
            format!("{:?} is not a province id such as AFG-1762", printable(s)),
        ));
    }
    Ok(t.to_string())
}

/// How an OGC resource is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON (GeoJSON for features).
    Json,
    /// A browsable HTML page.
    Html,
}

/// Parses `f` on a resource that also has an HTML view: `f=html`, `f=json`, or no `f`, in which
/// case a client whose `Accept` header asks for `text/html` (a browser) gets HTML.
pub fn encoding(s: Option<&str>, accepts_html: bool) -> Result<Encoding, ApiError> {
    match s {
        Some("html") | Some("text/html") => Ok(Encoding::Html),
        None if accepts_html => Ok(Encoding::Html),
        other => format(other).map(|()| Encoding::Json),
    }
}

/// Parses `f`: the response format. Only JSON (GeoJSON for features) is produced.
pub fn format(s: Option<&str>) -> Result<(), ApiError> {
    match s {
        None
        | Some("json")
        | Some("geojson")
        | Some("application/json")
        | Some("application/geo+json") => Ok(()),
        Some(other) => Err(ApiError::NotAcceptable(format!(
            "f={:?} is not available; use f=json (GeoJSON for features) or, where a page exists, f=html",
            printable(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bboxes() {
        assert_eq!(
            bbox("60,29,75,39").unwrap(),
            Bbox {
                minx: 60.0,
                miny: 29.0,
                maxx: 75.0,
                maxy: 39.0
            }
        );
        assert_eq!(
            bbox("170,-20,-170,20").unwrap().minx,
            170.0,
            "antimeridian boxes are kept as given"
        );
        assert_eq!(
            bbox("60,29,0,75,39,100").unwrap().maxy,
            39.0,
            "3-D boxes drop the heights"
        );
        for bad in [
            "1,2,3",
            "1,2,3,4,5",
            "",
            "a,b,c,d",
            "nan,0,1,1",
            "inf,0,1,1",
            "0,0,1e309,1",
            "0,-91,1,1",
            "0,0,181,1",
            "0,10,1,5",
            "0,0,1,1,",
            " , , , ",
        ] {
            let e = bbox(bad).unwrap_err();
            assert!(
                matches!(&e, ApiError::BadParameter { parameter, .. } if parameter == "bbox"),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn limits_and_offsets() {
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(Some("5")).unwrap(), 5);
        assert_eq!(limit(Some("1000000")).unwrap(), MAX_LIMIT);
        assert_eq!(limit(Some("99999999999999999999999")).unwrap(), MAX_LIMIT);
        for bad in ["-1", "0", "abc", "", "1.5", " 3", "+3"] {
            assert!(limit(Some(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(offset(Some("10")).unwrap(), 10);
        assert_eq!(offset(Some("99999999999999999999999")).unwrap(), usize::MAX);
        assert!(offset(Some("-1")).is_err());
    }

    #[test]
    fn params_reject_unknown_and_repeated_names() {
        let allowed = &["bbox", "limit"];
        assert!(Params::parse(Some("bbox=1,2,3,4&limit=3"), allowed).is_ok());
        assert!(matches!(
            Params::parse(Some("bogus=1"), allowed),
            Err(ApiError::UnknownParameter { .. })
        ));
        assert!(matches!(
            Params::parse(Some("limit=1&limit=2"), allowed),
            Err(ApiError::BadParameter { .. })
        ));
        let p = Params::parse(Some("limit=3&bbox=1%2C2%2C3%2C4"), allowed).unwrap();
        assert_eq!(p.get("bbox"), Some("1,2,3,4"));
        assert_eq!(p.with("offset", "3"), "limit=3&bbox=1%2C2%2C3%2C4&offset=3");
    }

    #[test]
    fn codes_and_countries() {
        assert_eq!(kind("plot").unwrap(), Kind::Plot);
        assert!(kind("plots").is_err());
        assert_eq!(country("afg").unwrap(), "AFG");
        assert!(country("AF").is_err() && country("A1G").is_err());
        assert!(format(Some("json")).is_ok() && format(Some("xml")).is_err());
    }
}
