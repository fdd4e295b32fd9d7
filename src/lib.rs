//! # iskp-map
//!
//! A geospatial service that maps the activity of the Islamic State's Khorasan Province by
//! jurisdiction. Records cite the documents they come from; their places are geocoded through a
//! gazetteer, assigned to a country and province by point-in-polygon against Natural Earth
//! boundaries, indexed in an `rstar` R-tree, and served as OGC API – Features GeoJSON by an `axum`
//! server, beside a bundled Leaflet page.
//!
//! The layers, each using only those above it in this list (ARCHITECTURE.md has the map; a test
//! fails on any import that goes the other way):
//!
//! 1. [`model`]: records, their codes and dates, and the one table of their fields;
//! 2. [`geo`]: the gazetteer (names to points) and jurisdictions (points to countries, provinces);
//! 3. [`index`]: the catalog of compact entries, Feature text and an R-tree, and its filters;
//! 4. [`load`]: the validator that turns the data files' texts into a catalog (`file:line: field:
//!    reason`);
//! 5. [`views`]: totals per jurisdiction and period, the polygon layers, map clusters;
//! 6. [`store`]: immutable snapshots, the `DataSource` seam (files, database) and the store that
//!    swaps snapshots on reload;
//! 7. [`db`]: team mode, PostgreSQL/PostGIS as the shared source;
//! 8. [`export`]: CSV and FlatGeobuf files of a selection;
//! 9. [`synth`]: synthetic records and data directories for scale tests;
//! 10. [`http`]: the OGC API, the map page and the server loop;
//! 11. [`cli`]: the commands.

#![warn(missing_docs)]

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
