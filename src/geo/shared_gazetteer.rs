//! A gazetteer shared by the snapshots that use it, built when first asked for or given built.
//!
//! A start from the catalog image needs no place names to load: its records were geocoded by the
//! load that wrote the image, from the same inputs by the same program, and those inputs were
//! valid. Such a start hands the gazetteer's texts to [`SharedGazetteer::lazy`], and only the
//! first request that looks up a name (`/api/geocode`) pays for parsing and indexing them.

use super::gazetteer::Gazetteer;
use std::sync::{Arc, LazyLock};

type Build = Box<dyn FnOnce() -> Gazetteer + Send>;

/// A gazetteer, built or to be built on first use; clones share it.
#[derive(Clone)]
pub struct SharedGazetteer(Arc<LazyLock<Gazetteer, Build>>);

impl SharedGazetteer {
    /// One already built.
    pub fn built(g: Gazetteer) -> Self {
        let shared = SharedGazetteer(Arc::new(LazyLock::new(Box::new(move || g))));
        LazyLock::force(&shared.0);
        shared
    }

    /// Whether two handles share one gazetteer.
    pub fn same(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    /// One `build` makes when first dereferenced (on the thread that first asks; others wait).
    pub fn lazy(build: impl FnOnce() -> Gazetteer + Send + 'static) -> Self {
        SharedGazetteer(Arc::new(LazyLock::new(Box::new(build))))
    }
}

impl std::ops::Deref for SharedGazetteer {
    type Target = Gazetteer;
    fn deref(&self) -> &Gazetteer {
        &self.0
    }
}

impl std::fmt::Debug for SharedGazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedGazetteer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A lazy gazetteer is built once, on first use, and shared by its clones.
    #[test]
    fn built_once_on_first_use() {
        static BUILDS: AtomicUsize = AtomicUsize::new(0);
        let g = SharedGazetteer::lazy(|| {
            BUILDS.fetch_add(1, Ordering::SeqCst);
            Gazetteer::new(Vec::new())
        });
        let other = g.clone();
        assert_eq!(BUILDS.load(Ordering::SeqCst), 0);
        assert!(g.resolve("Kabul", None, None).is_err());
        assert!(other.resolve("Kabul", None, None).is_err());
        assert_eq!(BUILDS.load(Ordering::SeqCst), 1);
    }
}
