//! The `countries` and `provinces` polygon layers: boundaries with their all-time activity totals,
//! serialised once per snapshot.

use crate::geo::jurisdictions::{Jurisdiction, Jurisdictions, Level};
use crate::index::Catalog;
use crate::views::totals::{jurisdiction_totals, Totals};
use serde::Serialize;

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
struct Feature<'a> {
    r#type: &'static str,
    id: &'a str,
    geometry: geojson::Geometry,
    properties: Props<'a>,
}

impl PolygonLayer {
    /// Builds the layer for one level.
    pub fn new(catalog: &Catalog, jur: &Jurisdictions, level: Level) -> Self {
        let list: &[Jurisdiction] = match level {
            Level::Country => &jur.countries,
            Level::Province => &jur.provinces,
        };
        let totals = jurisdiction_totals(catalog, jur, level);
        let features = list
            .iter()
            .zip(&totals)
            .map(|(j, t)| {
                let f = Feature {
                    r#type: "Feature",
                    id: &j.id,
                    geometry: geojson::Geometry::from(&j.geometry),
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
                serde_json::to_string(&f)
                    .unwrap_or_default()
                    .into_boxed_str()
            })
            .collect();
        PolygonLayer {
            level,
            features,
            totals,
        }
    }
}
