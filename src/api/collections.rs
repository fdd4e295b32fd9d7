//! The collections the API serves: `incidents`, one per kind, `countries` and `provinces`.

use super::error::ApiError;
use crate::geocode::jurisdictions::Level;
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

    /// Parses a collection id; unknown ids are a 404.
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        Collection::all().into_iter().find(|c| c.id() == id).ok_or_else(|| {
            let mut shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
            if shown.len() < id.len() {
                shown.push('…');
            }
            ApiError::NotFound(format!(
                "collection {shown:?} does not exist; see /api/collections (incidents, attacks, plots, arrests, designations, raids, presence, countries, provinces)"
            ))
        })
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

    /// Query parameters its `items` accept.
    pub fn item_params(self) -> &'static [&'static str] {
        match self {
            Collection::Records(_) => super::params::record_filter_params!["limit", "offset", "f"],
            Collection::Polygons(Level::Country) => &["bbox", "limit", "offset", "f"],
            Collection::Polygons(Level::Province) => &["bbox", "limit", "offset", "country", "f"],
        }
    }
}
