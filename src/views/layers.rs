//! The `countries` and `provinces` polygon layers: boundaries with their all-time activity totals,
//! serialised once per snapshot, and on request with their outlines simplified
//! ([`PolygonLayer::simplified`], the `max-allowable-offset` of `items`).

use crate::geo::jurisdictions::{Jurisdiction, Jurisdictions, Level};
use crate::geo::simplify::Simplified;
use crate::index::Catalog;
use crate::views::totals::{jurisdiction_totals, Totals};
use serde::Serialize;
use std::borrow::Cow;

/// Largest `max-allowable-offset` accepted, in degrees: past it every outline is its few extreme
/// points.
pub const MAX_OFFSET: f64 = 10.0;

/// One polygon layer, aligned index for index with its jurisdiction list.
#[derive(Debug)]
pub struct PolygonLayer {
    /// Admin level.
    pub level: Level,
    /// Pre-serialised GeoJSON Features.
    pub features: Vec<Box<str>>,
    /// All-time totals.
    pub totals: Vec<Totals>,
}

#[derive(Serialize)]
struct Props<'a> {
    id: &'a str,
    name: &'a str,
    level: &'a str,
    country: &'a str,
    country_name: Option<&'a str>,
    iso_3166_2: Option<&'a str>,
    iso_3166: bool,
    label_lon: f64,
    label_lat: f64,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct Feature<'a, G: Serialize> {
    r#type: &'static str,
    id: &'a str,
    geometry: G,
    properties: Props<'a>,
}

impl PolygonLayer {
    /// Builds the layer for one level.
    pub fn new(catalog: &Catalog, jur: &Jurisdictions, level: Level) -> Self {
        let list = jur.of(level);
        let totals = jurisdiction_totals(catalog, jur, level);
        let features = list
            .iter()
            .zip(&totals)
            .map(|(j, t)| {
                let geometry = geojson::Geometry::from(&j.geometry);
                feature_text(jur, level, j, t, geometry).into_boxed_str()
            })
            .collect();
        PolygonLayer {
            level,
            features,
            totals,
        }
    }

    /// The `i`-th feature, its outline simplified (Ramer–Douglas–Peucker) when `offset` is above
    /// 0 so that no vertex left out lies farther than `offset` degrees from the outline drawn: for
    /// a map at a zoom where that is under a pixel, the same picture from a fraction of the
    /// vertices. Every vertex kept is one of the boundary's own; a ring keeps at least four
    /// coordinates, so none is dropped, but a simplified ring may cross another (the result is for
    /// drawing, not for overlay). `offset` 0 is the stored text, not copied.
    pub fn feature(&self, jur: &Jurisdictions, i: usize, offset: f64) -> Cow<'_, str> {
        if offset <= 0.0 {
            return Cow::Borrowed(&self.features[i]);
        }
        let j = &jur.of(self.level)[i];
        let outline = Simplified::new(&j.geometry, offset);
        Cow::Owned(feature_text(jur, self.level, j, &self.totals[i], outline))
    }
}

/// The GeoJSON Feature of jurisdiction `j` with outline `geometry` and totals `t`.
fn feature_text<G: Serialize>(
    jur: &Jurisdictions,
    level: Level,
    j: &Jurisdiction,
    t: &Totals,
    geometry: G,
) -> String {
    let f = Feature {
        r#type: "Feature",
        id: &j.id,
        geometry,
        properties: Props {
            id: &j.id,
            name: &j.name,
            level: match level {
                Level::Country => "country",
                Level::Province => "province",
            },
            country: &j.country,
            country_name: jur.country(&j.country).map(|c| c.name.as_str()),
            iso_3166_2: j.iso_3166_2.as_deref(),
            iso_3166: j.iso_3166,
            label_lon: j.label.0,
            label_lat: j.label.1,
            totals: *t,
        },
    };
    serde_json::to_string(&f).unwrap_or_default()
}
