//! The records loader on arbitrary CSV, against the real boundaries and gazetteer (loaded once):
//! it must report errors, never panic, and never accept a record without a point in its country.
#![no_main]
use iskp_map::load::error::Errors;
use iskp_map::load::records::{read_records, Resolver};
use iskp_map::FileSource;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn geo() -> &'static (iskp_map::geo::jurisdictions::Jurisdictions, iskp_map::geo::gazetteer::Gazetteer) {
    static G: OnceLock<(iskp_map::geo::jurisdictions::Jurisdictions, iskp_map::geo::gazetteer::Gazetteer)> =
        OnceLock::new();
    G.get_or_init(|| FileSource::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../geodata")).read_geo().expect("geodata"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (jur, gaz) = geo();
    let resolver = Resolver { jurisdictions: jur, gazetteer: gaz };
    let mut errors = Errors::default();
    // No citations are given, so every record row is an error: whatever the text, the loader
    // reports, never panics, and accepts no record.
    let catalog = read_records("records.csv", text, "citations.csv", Default::default(), &resolver, 2, &mut errors);
    if let Some(c) = catalog {
        assert!(c.is_empty() && errors.is_empty());
    }
});
