//! Reading the gazetteer files: curated `places.csv` and GeoNames-derived `cities.csv`.

use super::csvrows::{each_row, Row};
use super::error::Errors;
use crate::geo::gazetteer::{Place, PlaceLevel, Provenance};
use crate::geo::jurisdictions::Jurisdictions;
use crate::model::columns::{CITY_COLUMNS, PLACE_COLUMNS};

/// Reads `places.csv`: `name,aliases,country,level,lon,lat,note`. Aliases are separated by `|`.
/// Each point must lie in (or within snapping distance of) its stated country.
pub fn read_curated(
    file: &str,
    text: &str,
    jur: &Jurisdictions,
    errors: &mut Errors,
) -> Vec<Place> {
    let mut out = Vec::new();
    each_row(file, text, PLACE_COLUMNS, errors, |row, errors| {
        if let Some(p) = curated_row(row, jur, errors) {
            out.push(p);
        }
    });
    out
}

fn curated_row(row: &Row, jur: &Jurisdictions, errors: &mut Errors) -> Option<Place> {
    let before = errors.0.len();
    let name = row.required("name", errors);
    let aliases: Vec<String> = row
        .get("aliases")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let country = row.country("country", jur, errors);
    let level = row.parse_with("level", PlaceLevel::parse, errors);
    let (lon, lat) = (row.lon("lon", errors), row.lat("lat", errors));
    row.required("note", errors);
    if errors.0.len() > before {
        return None;
    }
    let (name, country, level, lon, lat) = (name?, country?, level?, lon?, lat?);
    match jur.country_at(lon, lat) {
        Some((c, _)) if jur.countries[c].id == country => {}
        Some((c, _)) => {
            row.error(
                errors,
                "lon",
                format!(
                    "({lon}, {lat}) lies in {}, not {country}",
                    jur.countries[c].id
                ),
            );
            return None;
        }
        None => {
            row.error(errors, "lon", format!("({lon}, {lat}) lies in no country"));
            return None;
        }
    }
    Some(Place {
        name,
        aliases,
        country,
        lon,
        lat,
        level,
        population: 0,
        provenance: Provenance::Curated { line: row.line },
    })
}

/// Reads `cities.csv`: `geonameid,name,country,lon,lat,population,feature_code,admin1_code`.
pub fn read_cities(file: &str, text: &str, errors: &mut Errors) -> Vec<Place> {
    let mut out = Vec::with_capacity(text.len() / 48);
    each_row(file, text, CITY_COLUMNS, errors, |row, errors| {
        let id = row.parse_with(
            "geonameid",
            |s| {
                s.parse::<u64>()
                    .map_err(|_| format!("{s:?} is not a number"))
            },
            errors,
        );
        let name = row.required("name", errors);
        let country = row.required("country", errors).filter(|c| {
            let ok = c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase());
            if !ok {
                row.error(
                    errors,
                    "country",
                    format!("{c:?} is not an ISO 3166-1 alpha-3 code"),
                );
            }
            ok
        });
        let (lon, lat) = (row.lon("lon", errors), row.lat("lat", errors));
        let population = row.parse_with(
            "population",
            |s| {
                s.parse::<u64>()
                    .map_err(|_| format!("{s:?} is not a count"))
            },
            errors,
        );
        if let (Some(id), Some(name), Some(country), Some(lon), Some(lat), Some(population)) =
            (id, name, country, lon, lat, population)
        {
            out.push(Place {
                name,
                aliases: Vec::new(),
                country,
                lon,
                lat,
                level: PlaceLevel::City,
                population,
                provenance: Provenance::GeoNames { id },
            });
        }
    });
    out
}

/// Gazetteer entries for every province and country, at their representative points.
pub fn jurisdiction_places(jur: &Jurisdictions) -> Vec<Place> {
    let provinces = jur.provinces.iter().map(|p| Place {
        name: p.name.clone(),
        aliases: p.names.clone(),
        country: p.country.clone(),
        lon: p.label.0,
        lat: p.label.1,
        level: PlaceLevel::Province,
        population: 0,
        provenance: Provenance::Province { id: p.id.clone() },
    });
    let countries = jur.countries.iter().map(|c| Place {
        name: c.name.clone(),
        aliases: c
            .names
            .iter()
            .cloned()
            .chain(std::iter::once(c.id.clone()))
            .collect(),
        country: c.id.clone(),
        lon: c.label.0,
        lat: c.label.1,
        level: PlaceLevel::Country,
        population: 0,
        provenance: Provenance::Country { id: c.id.clone() },
    });
    provinces.chain(countries).collect()
}
