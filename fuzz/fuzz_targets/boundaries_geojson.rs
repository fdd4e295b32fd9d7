//! The boundaries loader on arbitrary GeoJSON text (as countries, with no provinces), and point
//! lookups on whatever it accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;

const EMPTY: &str = "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(j) = iskp_map::load::boundaries::read("countries.geojson", text, "provinces.geojson", EMPTY) {
        for (x, y) in [(0.0, 0.0), (66.0, 33.8), (-179.9, -18.0), (180.0, 90.0)] {
            let _ = j.locate(x, y);
        }
    }
});
