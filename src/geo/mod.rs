//! Places and jurisdictions: names to points (the gazetteer) and points to countries and provinces
//! (point-in-polygon). Built from parsed values; reading the files is `load`'s work.

pub mod gazetteer;
pub mod jurisdictions;
pub mod normalize;
pub mod shared_gazetteer;
pub mod simplify;
pub mod trigrams;
