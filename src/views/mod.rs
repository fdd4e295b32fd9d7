//! Derived views of a catalog: totals per jurisdiction and period, the country and province layers,
//! grid clusters for maps, and free-text search over records.

pub mod clusters;
pub mod layers;
pub mod search;
pub mod totals;
