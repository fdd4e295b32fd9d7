//! Every query-string parser of the API on arbitrary input: none may panic, and what they accept
//! must be in range.
#![no_main]
use iskp_map::http::query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(b) = params::bbox(s) {
        assert!(b.minx.abs() <= 180.0 && b.maxx.abs() <= 180.0 && b.miny <= b.maxy && b.maxy.abs() <= 90.0);
    }
    if let Ok(d) = params::datetime(s) {
        if let (Some(a), Some(b)) = (d.start, d.end) {
            assert!(a <= b);
        }
        assert!(d.start.is_some() || d.end.is_some());
    }
    if let Ok(n) = params::limit(Some(s)) {
        assert!((1..=params::MAX_LIMIT).contains(&n));
    }
    let _ = params::offset(Some(s));
    let _ = params::kind(s);
    let _ = params::claim(s);
    let _ = params::geo_precision(s);
    let _ = params::country(s);
    let _ = params::province(s);
    let _ = params::Params::parse(Some(s), &["bbox", "datetime", "limit", "offset", "f"]);
});
