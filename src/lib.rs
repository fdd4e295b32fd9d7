//! # iskp-map
//!
//! A geospatial service that maps the activity of the Islamic State's Khorasan Province by
//! jurisdiction. Records cite the documents they come from; their places are geocoded through a
//! gazetteer, assigned to a country and province by point-in-polygon against Natural Earth
//! boundaries, indexed in an `rstar` R-tree, and served as OGC API – Features GeoJSON by an `axum`
//! server, beside a bundled Leaflet page.
//!
//! The pipeline, module by module:
//!
//! 1. [`load`] reads `geodata/` (every error as `file:line: field: reason`) — or, in team mode,
//!    [`db`] reads the same inputs from PostgreSQL/PostGIS and follows its changes;
//! 2. [`geocode`] resolves place names and locates points in jurisdictions;
//! 3. [`index`] holds the records in an R-tree with pre-serialised features ([`feature`]);
//! 4. [`aggregate`] and [`layers`] total the activity per jurisdiction and period;
//! 5. [`snapshot`] freezes all of it and swaps it atomically on reload;
//! 6. [`api`] serves it.

pub mod cli;
pub mod db;
pub mod export;
pub mod geo;
pub mod http;
pub mod index;
pub mod load;
pub mod model;
pub mod store;
pub mod synth;
pub mod views;

pub use http::{app, AppState};
pub use store::{DataSource, FileSource, Snapshot, Store};
