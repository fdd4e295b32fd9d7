//! An immutable snapshot: everything a query needs, built once from a validated data set.

use crate::geo::jurisdictions::{Jurisdictions, Level};
use crate::geo::shared_gazetteer::SharedGazetteer;
use crate::index::Catalog;
use crate::views::layers::PolygonLayer;
use crate::views::search::RecordSearch;
use std::sync::Arc;
use time::OffsetDateTime;

/// Everything a query needs, frozen.
#[derive(Debug)]
pub struct Snapshot {
    /// The records, indexed.
    pub catalog: Catalog,
    /// Countries and provinces.
    pub jurisdictions: Arc<Jurisdictions>,
    /// Place names (built on first use after a start from the catalog image).
    pub gazetteer: SharedGazetteer,
    /// The `countries` layer.
    pub countries: PolygonLayer,
    /// The `provinces` layer.
    pub provinces: PolygonLayer,
    /// Free-text search over the records: built on first need (a request with `q`), so that
    /// start-up does not wait for it
    /// (at a million records it reads every record once, seconds of work).
    search: std::sync::OnceLock<RecordSearch>,
    /// The data version ([`crate::index::version::DataVersion`], hex); the same data gives the same version
    /// on every replica.
    pub version: String,
    /// The hash of the input texts its catalog image is kept under ([`crate::load::cache`]);
    /// `None` when it was not read from whole texts (an edit applied to the previous snapshot).
    pub image_key: Option<String>,
    /// Whether it was made by applying an edit to the snapshot before
    /// ([`crate::index::Catalog::patch`]) rather than by loading all the data.
    pub from_edit: bool,
    /// When the data last changed, to the second: the `timeStamp` of every response from it.
    pub changed_at: OffsetDateTime,
    /// When this snapshot was built (readiness reports its age).
    pub loaded_at: OffsetDateTime,
    /// Record indices, ascending: every record, then every record of each kind in
    /// [`crate::model::Kind::ALL`] order. A page of an unfiltered collection is a slice of these.
    pub by_kind: Vec<Arc<[u32]>>,
    /// What entity tags are made from: the version and the change time, since both show in
    /// answers. Replicas holding the same data at the same change time tag alike.
    pub tag: String,
    /// The changes the data went through, when the source keeps them (team mode).
    pub history: Option<super::changes::History>,
    /// Answers already made from this snapshot.
    pub answers: super::answers::Answers,
    /// Clusters of whole kinds per zoom, made on first need.
    pyramid: crate::views::clusters::Pyramid,
}

impl Snapshot {
    /// The snapshot with the history its source keeps.
    pub fn with_history(mut self, history: super::changes::History) -> Self {
        self.history = Some(history);
        self
    }

    /// The record search index, built on first use.
    pub fn search(&self) -> &RecordSearch {
        self.search
            .get_or_init(|| RecordSearch::build(&self.catalog))
    }

    /// Builds a snapshot from validated parts.
    pub fn build(
        catalog: Catalog,
        jurisdictions: Arc<Jurisdictions>,
        gazetteer: SharedGazetteer,
        version: String,
        changed_at: OffsetDateTime,
    ) -> Self {
        let countries = PolygonLayer::new(&catalog, &jurisdictions, Level::Country);
        let provinces = PolygonLayer::new(&catalog, &jurisdictions, Level::Province);
        let by_kind = by_kind(&catalog);
        let loaded_at = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        Snapshot {
            catalog,
            jurisdictions,
            gazetteer,
            countries,
            provinces,
            search: std::sync::OnceLock::new(),
            history: None,
            answers: super::answers::Answers::default(),
            pyramid: Default::default(),
            tag: format!("{version}.{:x}", changed_at.unix_timestamp()),
            image_key: None,
            from_edit: false,
            by_kind,
            version,
            changed_at,
            loaded_at,
        }
    }

    /// The records a filter selects, ascending. A filter that restricts nothing but the kind is
    /// answered with one of [`Snapshot::by_kind`], shared and not computed (a page of it then costs
    /// its own length); any other asks [`Catalog::matching`]. A free-text search starts from its
    /// words' postings, intersected with what the rest of the filter selects.
    pub fn matching(&self, f: &crate::index::Filter) -> Ids {
        if !f.has_text() {
            return self.matching_entries(f);
        }
        let plain = crate::index::Filter {
            text: Vec::new(),
            ..f.clone()
        };
        let base = self.matching_entries(&plain);
        let mut hits = self.search().find(&f.text);
        match base {
            // Only the kind restricts the rest.
            Ids::Shared(_) => {
                hits.retain(|&i| f.kind.is_none_or(|k| self.catalog.entry(i).kind == k))
            }
            Ids::List(v) => hits = crate::views::search::intersect(&hits, &v),
        }
        Ids::List(hits)
    }

    /// The records a filter selects gathered into the cells of `zoom`
    /// ([`crate::views::clusters`]). A filter restricting nothing but the kind and the box is
    /// answered from the kept cells of the whole kind ([`crate::views::clusters::Pyramid`]), the
    /// same answer without a pass over the records in the box.
    pub fn clusters(
        &self,
        f: &crate::index::Filter,
        zoom: u8,
    ) -> Vec<crate::views::clusters::Cluster> {
        use crate::views::clusters;
        let unboxed = crate::index::Filter {
            bbox: None,
            ..f.clone()
        };
        if self.catalog.restricts_only_kind(&unboxed) {
            if let Ids::Shared(all) = self.matching_entries(&unboxed) {
                if let Some(cs) =
                    self.pyramid
                        .clusters(&self.catalog, &all, f.kind, f.bbox.as_ref(), zoom)
                {
                    return cs;
                }
            }
        }
        clusters::clusters(&self.catalog, &self.matching(f), zoom)
    }

    /// [`Snapshot::matching`] of the fields the catalog's entries hold.
    fn matching_entries(&self, f: &crate::index::Filter) -> Ids {
        if self.catalog.restricts_only_kind(f) {
            let slot = match f.kind {
                None => Some(0),
                Some(k) => crate::model::Kind::ALL
                    .iter()
                    .position(|x| *x == k)
                    .map(|p| p + 1),
            };
            if let Some(list) = slot.and_then(|s| self.by_kind.get(s)) {
                return Ids::Shared(list.clone());
            }
        }
        Ids::List(self.catalog.matching(f))
    }

    /// Builds the snapshot of a validated data set.
    pub fn from_dataset(d: crate::load::Dataset) -> Self {
        let mut snap = Snapshot::build(
            d.catalog,
            d.jurisdictions,
            d.gazetteer,
            d.version,
            d.changed_at,
        );
        snap.image_key = d.key;
        snap
    }
}

/// Selected record indices, ascending: computed for one request, or shared with the snapshot.
#[derive(Debug, Clone)]
pub enum Ids {
    /// Computed by [`Catalog::matching`].
    List(Vec<u32>),
    /// One of [`Snapshot::by_kind`].
    Shared(Arc<[u32]>),
}

impl std::ops::Deref for Ids {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        match self {
            Ids::List(v) => v,
            Ids::Shared(a) => a,
        }
    }
}

/// All record indices, then those of each kind.
fn by_kind(catalog: &Catalog) -> Vec<Arc<[u32]>> {
    let kinds = crate::model::Kind::ALL;
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); kinds.len()];
    for (i, e) in catalog.entries().iter().enumerate() {
        if let Some(k) = kinds.iter().position(|x| *x == e.kind) {
            lists[k].push(i as u32);
        }
    }
    let all: Arc<[u32]> = (0..catalog.len() as u32).collect();
    std::iter::once(all)
        .chain(lists.into_iter().map(Arc::from))
        .collect()
}
