//! Derived views of a catalog: totals per jurisdiction and period, the country and province layers,
//! grid clusters for maps, and vector tiles.

pub mod clusters;
pub mod layers;
pub mod tiles;
pub mod totals;
