//! Geocoding: place names to points ([`gazetteer`]) and points to jurisdictions ([`jurisdictions`]).

pub mod gazetteer;
pub mod jurisdictions;
pub mod normalize;
