//! Reading the gazetteer files: curated `places.csv` and GeoNames-derived `cities.csv`.

use super::csvrows::{each_row, Row};
use super::error::Errors;
use crate::geo::gazetteer::{Place, PlaceLevel, Provenance};
use crate::geo::jurisdictions::Jurisdictions;
use crate::model::columns::{CITY_COLUMNS, PLACE_COLUMNS};

/// Reads `places.csv`: `name,aliases,country,level,lon,lat,note,members`. Aliases are separated by
/// `|`. Each point must lie in (or within snapping distance of) its stated country. A `region`
/// (several provinces of one country) lists its provinces' ISO 3166-2 codes in `members`; a
/// `multinational` entry (a group of countries) lists their ISO alpha-3 codes and has no `country`.
/// Both may leave `lon`/`lat` empty: their label anchor is then their first member's.
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
    let level = row.parse_with("level", PlaceLevel::parse, errors)?;
    let country = if level == PlaceLevel::Multinational {
        if !row.get("country").is_empty() {
            row.error(
                errors,
                "country",
                "a multinational entry spans several countries: leave country empty and list them in members",
            );
        }
        Some(String::new())
    } else {
        row.country("country", jur, errors)
    };
    row.required("note", errors);
    let members: Vec<&str> = row
        .get("members")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let members = area_members(row, level, country.as_deref(), &members, jur, errors);
    // A region or group of countries without a point is anchored at its first member's label.
    let anchor = members.as_ref().and_then(|m| m.first()).and_then(|first| {
        let j = match level {
            PlaceLevel::Region => jur.province_index(first).map(|i| &jur.provinces[i]),
            _ => jur.country(first),
        };
        j.map(|j| j.label)
    });
    let (lon, lat) = match (
        level,
        row.get("lon").is_empty() && row.get("lat").is_empty(),
    ) {
        (PlaceLevel::Region | PlaceLevel::Multinational, true) => {
            (anchor.map(|a| a.0), anchor.map(|a| a.1))
        }
        _ => (row.lon("lon", errors), row.lat("lat", errors)),
    };
    if errors.0.len() > before {
        return None;
    }
    let (name, country, lon, lat, members) = (name?, country?, lon?, lat?, members?);
    if level == PlaceLevel::Multinational {
        return Some(Place {
            name,
            aliases,
            country,
            members,
            lon,
            lat,
            level,
            population: 0,
            provenance: Provenance::Curated { line: row.line },
        });
    }
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
        members,
        lon,
        lat,
        level,
        population: 0,
        provenance: Provenance::Curated { line: row.line },
    })
}

/// The members of a region (provinces of `country`, given by ISO 3166-2 code, returned as their
/// `adm1_code`) or of a multinational entry (countries, by ISO alpha-3); none for other levels.
/// `None` after recording an error.
fn area_members(
    row: &Row,
    level: PlaceLevel,
    country: Option<&str>,
    members: &[&str],
    jur: &Jurisdictions,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    let wants = matches!(level, PlaceLevel::Region | PlaceLevel::Multinational);
    if !wants {
        if !members.is_empty() {
            row.error(
                errors,
                "members",
                "only a region or a multinational entry has members",
            );
            return None;
        }
        return Some(Vec::new());
    }
    if members.len() < 2 {
        row.error(
            errors,
            "members",
            format!(
                "a {} lists at least two members, separated by |",
                level.as_str()
            ),
        );
        return None;
    }
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        match level {
            PlaceLevel::Region => {
                let found = jur
                    .provinces
                    .iter()
                    .find(|p| p.iso_3166_2.as_deref() == Some(*m));
                match found {
                    Some(p) if Some(p.country.as_str()) == country => out.push(p.id.clone()),
                    Some(p) => row.error(
                        errors,
                        "members",
                        format!(
                            "{m} is a province of {}, not of {}",
                            p.country,
                            country.unwrap_or("")
                        ),
                    ),
                    None => row.error(
                        errors,
                        "members",
                        format!("{m:?} is not the ISO 3166-2 code of a province in the boundaries"),
                    ),
                }
            }
            _ => match jur.country(m) {
                Some(c) => out.push(c.id.clone()),
                None => row.error(
                    errors,
                    "members",
                    format!("{m:?} is not the ISO alpha-3 code of a country in the boundaries"),
                ),
            },
        }
    }
    (out.len() == members.len()).then_some(out)
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
                members: Vec::new(),
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
        members: Vec::new(),
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
        members: Vec::new(),
        lon: c.label.0,
        lat: c.label.1,
        level: PlaceLevel::Country,
        population: 0,
        provenance: Provenance::Country { id: c.id.clone() },
    });
    provinces.chain(countries).collect()
}
