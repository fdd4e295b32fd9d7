//! Reading `geodata/`: the one validator that turns the texts of a data directory (or of the
//! database's tables) into a [`Dataset`].
//!
//! The files, in the order they are validated:
//!
//! | file | holds |
//! |---|---|
//! | `countries.geojson`, `provinces.geojson` | Natural Earth boundaries (derived by `scripts/geodata`) |
//! | `cities.csv` | GeoNames places (derived) |
//! | `places.csv` | curated gazetteer entries: landmarks, districts, aliases |
//! | `sources.csv` | the documents |
//! | `records.csv` | the records |
//! | `citations.csv` | which document (and section) each record comes from |
//!
//! Every problem in any file is collected and reported as `file:line: field: reason`; a data set with
//! any problem is not loaded at all.

pub mod boundaries;
pub mod cache;
pub mod csvrows;
pub mod error;
pub mod ledger;
pub mod places;
pub mod polygons;
pub mod records;
pub mod version;

use crate::geo::gazetteer::Gazetteer;
use crate::geo::jurisdictions::Jurisdictions;
use crate::geo::shared_gazetteer::SharedGazetteer;
use crate::index::Catalog;
use error::{Errors, LoadError};
use std::path::Path;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
pub use version::{content_version, VersionHash};

/// The data files, by name.
pub const FILES: &[&str] = &[
    "countries.geojson",
    "provinces.geojson",
    "cities.csv",
    "places.csv",
    "sources.csv",
    "records.csv",
    "citations.csv",
    "splits.csv",
];

/// Everything read from a data directory, validated.
pub struct Dataset {
    /// The records, indexed.
    pub catalog: Catalog,
    /// Boundaries.
    pub jurisdictions: Arc<Jurisdictions>,
    /// Place names.
    pub gazetteer: SharedGazetteer,
    /// The data version ([`crate::index::version::DataVersion`]).
    pub version: String,
    /// The hash of the eight input texts ([`content_version`]), which its catalog image is found
    /// under; `None` for data not read from whole texts (an edit applied to a catalog).
    pub key: Option<String>,
    /// When the data last changed (files: the newest modification time; database: the last
    /// committed edit). Every response's `timeStamp`, so replicas of the same data answer alike.
    pub changed_at: OffsetDateTime,
    /// Whether the catalog came from the cache rather than the files.
    pub from_cache: bool,
}

/// Validates the eight inputs of a data set — `(name, text)` in [`FILES`] order, each named as its
/// errors should be reported — into a [`Dataset`]. Files and the database both load through here,
/// so both are validated alike. `changed_at` is when the data last changed; `what` names the source
/// in the log. With `cache`, an unchanged catalog is read from its image instead of being rebuilt;
/// with `memo`, unchanged boundaries and gazetteer are reused.
pub fn read_inputs(
    texts: &[(String, String)],
    changed_at: OffsetDateTime,
    cache: Option<&Path>,
    memo: Option<&GeoMemo>,
    what: &str,
) -> Result<Dataset, LoadError> {
    let key = content_version(texts.iter().map(|(_, t)| t.as_str()));
    let changed_at = changed_at.replace_nanosecond(0).unwrap_or(changed_at);
    let [countries, provinces, cities, places, sources, records, citations, splits] = texts else {
        return Err(LoadError::Io {
            path: what.to_string(),
            source: std::io::Error::other(format!(
                "{} inputs given, {} expected",
                texts.len(),
                FILES.len()
            )),
        });
    };
    let t = std::time::Instant::now();
    if let Some(dir) = cache {
        let geo = [countries, provinces, cities, places];
        if let Some(d) = read_cached(geo, &key, changed_at, dir, memo, what)? {
            return Ok(d);
        }
    }
    // The documents and citations do not depend on the boundaries: read them alongside.
    let (geo, (cites, time_splits, doc_errors)) = std::thread::scope(|s| {
        let docs = s.spawn(|| {
            let mut errors = Errors::default();
            let srcs = records::read_documents(&sources.0, &sources.1, &mut errors);
            let time_splits = records::read_splits(&splits.0, &splits.1, &srcs, &mut errors);
            let cites = records::read_citations(&citations.0, &citations.1, srcs, &mut errors);
            (cites, time_splits, errors)
        });
        let geo = geo_of(countries, provinces, cities, places, memo);
        let docs = docs.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (geo, docs)
    });
    let (jurisdictions, gazetteer, mut errors) = geo?;
    errors.0.extend(doc_errors.0);
    let t_docs = t.elapsed();
    let resolver = records::Resolver {
        jurisdictions: &jurisdictions,
        gazetteer: &gazetteer,
        splits: &time_splits,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let catalog = records::read_records(
        &records.0,
        &records.1,
        &citations.0,
        cites,
        &splits.0,
        &resolver,
        threads,
        true,
        &mut errors,
    );
    let t_rec = t.elapsed();
    let mut catalog = match catalog {
        Some(c) if errors.is_empty() => c,
        _ => {
            return Err(errors
                .finish(())
                .err()
                .unwrap_or(LoadError::Rows(Vec::new())))
        }
    };
    tracing::info!(
        boundaries_gazetteer_citations = ?t_docs,
        records = ?(t_rec - t_docs),
        "read {what}"
    );
    catalog.set_inputs(crate::index::version::inputs_hash(
        [countries, provinces, cities, places, sources, splits]
            .iter()
            .map(|(_, t)| t.as_str()),
    ));
    Ok(Dataset {
        from_cache: false,
        version: catalog.data_version().id(),
        catalog,
        jurisdictions,
        gazetteer,
        key: Some(key),
        changed_at,
    })
}

/// The data set of the inputs hashed `key` with its catalog from the image in `dir`, beside the
/// boundaries built from their two texts and a gazetteer built on first use from its two
/// (`countries`, `provinces`, `cities`, `places`, as [`FILES`] orders them); `None` when there is
/// no readable image under that key.
/// The other four inputs are not needed: the image is of exactly the data that key hashes.
pub fn read_cached(
    geo: [&(String, String); 4],
    key: &str,
    changed_at: OffsetDateTime,
    dir: &Path,
    memo: Option<&GeoMemo>,
    what: &str,
) -> Result<Option<Dataset>, LoadError> {
    let t = std::time::Instant::now();
    let changed_at = changed_at.replace_nanosecond(0).unwrap_or(changed_at);
    let [countries, provinces, cities, places] = geo;
    // Boundaries always come from the inputs (the gazetteer on first use); the catalog from the
    // image.
    let (geo, cached) = std::thread::scope(|s| {
        let cached = s.spawn(|| cache::read(dir, key));
        let geo = geo_for_image(countries, provinces, cities, places, memo);
        let cached = cached
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (geo, cached)
    });
    let Some(catalog) = cached else {
        return Ok(None);
    };
    let (geo_key, jurisdictions, gazetteer) = geo?;
    // Kept for reloads only now: without an image the gazetteer's inputs are not known to be good,
    // and the full load (`geo_of`) must check them.
    if let Some(memo) = memo {
        memo.set(geo_key, jurisdictions.clone(), gazetteer.clone());
    }
    tracing::info!(elapsed = ?t.elapsed(), "read {what} (catalog from the cache)");
    Ok(Some(Dataset {
        version: catalog.data_version().id(),
        catalog,
        jurisdictions,
        gazetteer,
        key: Some(key.to_string()),
        changed_at,
        from_cache: true,
    }))
}

/// The boundaries and gazetteer of the last load, kept to be reused while their four inputs are
/// unchanged: a reload after an edit of the records then skips the slowest part of a load.
#[derive(Debug, Default)]
pub struct GeoMemo(Mutex<Option<Geo>>);

/// Boundaries and gazetteer, under the hash of the inputs they were built from.
type Geo = (String, Arc<Jurisdictions>, SharedGazetteer);

type Text = (String, String);

/// Builds (or takes from `memo`) the boundaries and the gazetteer, with the gazetteer's errors.
fn geo_of(
    countries: &Text,
    provinces: &Text,
    cities: &Text,
    places: &Text,
    memo: Option<&GeoMemo>,
) -> Result<(Arc<Jurisdictions>, SharedGazetteer, Errors), LoadError> {
    let key = geo_key(countries, provinces, cities, places);
    if let Some((j, g)) = memo.and_then(|m| m.get(&key)) {
        return Ok((j, g, Errors::default()));
    }
    let jurisdictions = Arc::new(read_boundaries(countries, provinces)?);
    let mut errors = Errors::default();
    let gazetteer =
        SharedGazetteer::built(gazetteer_of(&jurisdictions, places, cities, &mut errors));
    if let (Some(memo), true) = (memo, errors.is_empty()) {
        memo.set(key, jurisdictions.clone(), gazetteer.clone());
    }
    Ok((jurisdictions, gazetteer, errors))
}

/// The boundaries for a start from the catalog image, and a gazetteer built on first use, with
/// the key to keep them under: if the image is there, its records were geocoded from these same
/// inputs, which loaded without an error, so nothing at start needs the place names (see
/// [`SharedGazetteer`]). Not kept in `memo` here: only once the image is found.
fn geo_for_image(
    countries: &Text,
    provinces: &Text,
    cities: &Text,
    places: &Text,
    memo: Option<&GeoMemo>,
) -> Result<(String, Arc<Jurisdictions>, SharedGazetteer), LoadError> {
    let key = geo_key(countries, provinces, cities, places);
    if let Some((j, g)) = memo.and_then(|m| m.get(&key)) {
        return Ok((key, j, g));
    }
    let jurisdictions = Arc::new(read_boundaries(countries, provinces)?);
    let (j, places, cities) = (jurisdictions.clone(), places.clone(), cities.clone());
    let gazetteer = SharedGazetteer::lazy(move || {
        let mut errors = Errors::default();
        let g = gazetteer_of(&j, &places, &cities, &mut errors);
        if let Err(e) = errors.finish(()) {
            // Not reached for inputs that loaded once; said rather than hidden if it is.
            tracing::error!(error = %e, "the gazetteer's inputs no longer read cleanly");
        }
        g
    });
    Ok((key, jurisdictions, gazetteer))
}

/// The boundaries from the texts of `countries.geojson` and `provinces.geojson`.
fn read_boundaries(countries: &Text, provinces: &Text) -> Result<Jurisdictions, LoadError> {
    boundaries::read(&countries.0, &countries.1, &provinces.0, &provinces.1)
}

/// The key boundaries and gazetteer are kept under: the hash of their four inputs, names included
/// (they are in the error messages).
fn geo_key(countries: &Text, provinces: &Text, cities: &Text, places: &Text) -> String {
    content_version(
        [countries, provinces, cities, places]
            .iter()
            .flat_map(|(n, t)| [n.as_str(), t.as_str()]),
    )
}

impl GeoMemo {
    fn get(&self, key: &str) -> Option<(Arc<Jurisdictions>, SharedGazetteer)> {
        let held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        held.as_ref()
            .filter(|(k, _, _)| k == key)
            .map(|(_, j, g)| (j.clone(), g.clone()))
    }

    fn set(&self, key: String, j: Arc<Jurisdictions>, g: SharedGazetteer) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, j, g));
    }
}

/// The boundaries and the gazetteer alone, from the texts of `countries.geojson`,
/// `provinces.geojson`, `cities.csv` and `places.csv` (for `iskp-map geocode` and `generate`).
pub fn read_geo(
    countries: &(String, String),
    provinces: &(String, String),
    cities: &(String, String),
    places: &(String, String),
) -> Result<(Jurisdictions, Gazetteer), LoadError> {
    let jurisdictions = boundaries::read(&countries.0, &countries.1, &provinces.0, &provinces.1)?;
    let mut errors = Errors::default();
    let gazetteer = gazetteer_of(&jurisdictions, places, cities, &mut errors);
    errors.finish((jurisdictions, gazetteer))
}

/// The gazetteer: curated places, then GeoNames cities, then province and country names; every bad
/// row of `places.csv` and `cities.csv` goes to `errors`.
pub fn gazetteer_of(
    jurisdictions: &Jurisdictions,
    places: &(String, String),
    cities: &(String, String),
    errors: &mut Errors,
) -> Gazetteer {
    let mut entries = places::read_curated(&places.0, &places.1, jurisdictions, errors);
    entries.extend(places::read_cities(&cities.0, &cities.1, errors));
    entries.extend(places::jurisdiction_places(jurisdictions));
    Gazetteer::new(entries)
}
