//! Derived views of a catalog: totals per jurisdiction and period, the country and province layers,
//! and grid clusters for maps.

pub mod clusters;
pub mod layers;
pub mod totals;
