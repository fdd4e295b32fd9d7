//! The gazetteer loaders (curated places.csv and cities.csv) on arbitrary CSV.
#![no_main]
use iskp_map::load::error::Errors;
use iskp_map::load::places::{read_cities, read_curated};
use iskp_map::FileSource;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn jur() -> &'static iskp_map::geo::jurisdictions::Jurisdictions {
    static J: OnceLock<iskp_map::geo::jurisdictions::Jurisdictions> = OnceLock::new();
    J.get_or_init(|| FileSource::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../geodata")).read_geo().expect("geodata").0)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut errors = Errors::default();
    for p in read_curated("places.csv", text, jur(), &mut errors) {
        assert!(p.lon.is_finite() && p.lat.is_finite());
    }
    let _ = read_cities("cities.csv", text, &mut errors);
});
