//! Derived views of a catalog: totals per jurisdiction and period, the country and province layers,
//! grid clusters for maps, free-text search over records, vector tiles, and citation manifests.

pub mod citation;
pub mod clusters;
pub mod layers;
pub mod search;
pub mod tiles;
pub mod totals;
pub mod windowed;
