//! The collections a snapshot offers — `incidents`, one per kind, `countries` and `provinces` —
//! and what a query selects from one.

use super::{Ids, Snapshot};
use crate::geo::jurisdictions::Level;
use crate::index::{Bbox, Filter};
use crate::model::Kind;

/// One collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Every record (`None`) or the records of one kind.
    Records(Option<Kind>),
    /// Country or province polygons with totals.
    Polygons(Level),
}

impl Collection {
    /// Every collection, in the order `/collections` lists them.
    pub fn all() -> Vec<Collection> {
        let mut v = vec![Collection::Records(None)];
        v.extend(Kind::ALL.iter().map(|&k| Collection::Records(Some(k))));
        v.push(Collection::Polygons(Level::Country));
        v.push(Collection::Polygons(Level::Province));
        v
    }

    /// The collection with this id.
    pub fn find(id: &str) -> Option<Self> {
        Collection::all().into_iter().find(|c| c.id() == id)
    }

    /// The id in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Collection::Records(None) => "incidents",
            Collection::Records(Some(k)) => k.collection(),
            Collection::Polygons(Level::Country) => "countries",
            Collection::Polygons(Level::Province) => "provinces",
        }
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Collection::Records(None) => "All ISKP activity",
            Collection::Records(Some(Kind::Attack)) => "Attacks",
            Collection::Records(Some(Kind::Plot)) => "Interdicted plots",
            Collection::Records(Some(Kind::Arrest)) => {
                "Arrests for recruiting, fundraising and facilitation"
            }
            Collection::Records(Some(Kind::Designation)) => "Sanctions designations",
            Collection::Records(Some(Kind::Raid)) => "Counter-terrorism raids",
            Collection::Records(Some(Kind::Presence)) => "Other signs of presence",
            Collection::Polygons(Level::Country) => "Countries with activity totals",
            Collection::Polygons(Level::Province) => "Provinces with activity totals",
        }
    }

    /// Human description.
    pub fn description(self) -> &'static str {
        match self {
            Collection::Records(_) => {
                "Points, one per record; a record may stand for several events (property count). Country- and province-precision records sit at a representative point inside their jurisdiction (property geo_precision) and are not exact locations."
            }
            Collection::Polygons(Level::Country) => {
                "Natural Earth admin-0 boundaries with all-time totals (sum of count) per kind."
            }
            Collection::Polygons(Level::Province) => {
                "Natural Earth admin-1 boundaries with all-time totals (sum of count) per kind of the records known to province level or better."
            }
        }
    }
}

/// What selects countries or provinces: a box their envelope meets, and a country.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolygonFilter {
    /// Jurisdictions whose envelope meets the box.
    pub bbox: Option<Bbox>,
    /// Jurisdictions of this country (ISO alpha-3).
    pub country: Option<String>,
}

/// What a query selects from a collection, in collection order.
pub enum Selection {
    /// Record indices.
    Records(Ids),
    /// Country or province indices.
    Polygons(Level, Vec<usize>),
}

impl Selection {
    /// The records a filter selects.
    pub fn records(snap: &Snapshot, f: &Filter) -> Self {
        Selection::Records(snap.matching(f))
    }

    /// The countries or provinces a filter selects.
    pub fn polygons(snap: &Snapshot, level: Level, f: &PolygonFilter) -> Self {
        let list = snap.jurisdictions.of(level);
        let mut ids: Vec<usize> = match &f.bbox {
            None => (0..list.len()).collect(),
            Some(b) => {
                let mut v: Vec<usize> = b
                    .envelopes()
                    .iter()
                    .flat_map(|e| match level {
                        Level::Country => snap.jurisdictions.countries_in(e.lower(), e.upper()),
                        Level::Province => snap.jurisdictions.provinces_in(e.lower(), e.upper()),
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            }
        };
        if let Some(cc) = &f.country {
            ids.retain(|&i| &list[i].country == cc);
        }
        Selection::Polygons(level, ids)
    }

    /// How many features.
    pub fn len(&self) -> usize {
        match self {
            Selection::Records(v) => v.len(),
            Selection::Polygons(_, v) => v.len(),
        }
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the pre-serialised GeoJSON of the `k`-th selected feature to `out`; a polygon's
    /// outline simplified within `max_offset` degrees when that is above 0
    /// ([`PolygonLayer::feature`](crate::views::layers::PolygonLayer::feature)).
    pub fn write_feature(&self, snap: &Snapshot, k: usize, max_offset: f64, out: &mut String) {
        let (layer, i) = match self {
            Selection::Records(v) => return snap.catalog.write_feature(v[k], out),
            Selection::Polygons(Level::Country, v) => (&snap.countries, v[k]),
            Selection::Polygons(Level::Province, v) => (&snap.provinces, v[k]),
        };
        out.push_str(&layer.feature(&snap.jurisdictions, i, max_offset));
    }
}
