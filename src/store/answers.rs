//! Finished answers kept with the snapshot they were made from.
//!
//! A snapshot never changes, so an answer computed from it (a page of a filtered selection,
//! statistics, clusters) is the same for every request with the same base URL, path, query and
//! accepted encodings, until the next snapshot: the page of every reader asks the same world-wide
//! statistics and clusters first, and at a million records each costs a scan of tens of
//! milliseconds. [`Answers`] keeps the bodies — compressed when they were sent compressed — up to
//! a byte budget, least recently used first out, and dies with its snapshot, so a reload needs
//! no invalidation. Two identical requests at once compute the answer once: the second waits for
//! the first (and computes it itself if the first fails).
//!
//! The key is the whole request text, not a hash of it: a crafted query must not be able to
//! collide with another and be served its answer.

use bytes::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes of answers kept per snapshot.
pub const BUDGET: u64 = 64 << 20;

/// Answers larger than this are not kept (a large download is a stream, not kept either).
pub const MAX_KEPT: usize = 8 << 20;

/// One finished answer.
#[derive(Debug)]
pub struct Answer {
    /// Its media type.
    pub content_type: &'static str,
    /// The body as sent.
    pub body: Bytes,
    /// Whether `body` is gzip-compressed.
    pub gzip: bool,
}

#[derive(Clone)]
struct Weight;

impl quick_cache::Weighter<String, Arc<Answer>> for Weight {
    fn weight(&self, key: &String, a: &Arc<Answer>) -> u64 {
        // Zero would never be evicted; every entry weighs at least its bookkeeping.
        (key.len() + a.body.len() + 128) as u64
    }
}

/// The answers kept for one snapshot.
pub struct Answers {
    cache: quick_cache::sync::Cache<String, Arc<Answer>, Weight>,
    hits: AtomicU64,
    made: AtomicU64,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("kept", &self.cache.len())
            .field("bytes", &self.cache.weight())
            .field("hits", &self.hits.load(Ordering::Relaxed))
            .field("made", &self.made.load(Ordering::Relaxed))
            .finish()
    }
}

impl Default for Answers {
    fn default() -> Self {
        Answers::new(BUDGET)
    }
}

impl Answers {
    /// Keeps at most `budget` bytes of answers.
    pub fn new(budget: u64) -> Self {
        Answers {
            cache: quick_cache::sync::Cache::with_weighter(1024, budget, Weight),
            hits: AtomicU64::new(0),
            made: AtomicU64::new(0),
        }
    }

    /// The answer kept under `key`, or the one `make` gives, kept unless it is larger than
    /// [`MAX_KEPT`]. An error is returned and not kept.
    pub fn get_or_make<E>(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Answer, E>,
    ) -> Result<Arc<Answer>, E> {
        use quick_cache::sync::GuardResult;
        match self.cache.get_value_or_guard(key, None) {
            GuardResult::Value(a) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Ok(a)
            }
            GuardResult::Guard(g) => {
                let a = Arc::new(make()?);
                self.made.fetch_add(1, Ordering::Relaxed);
                if a.body.len() <= MAX_KEPT {
                    let _ = g.insert(a.clone());
                }
                Ok(a)
            }
            GuardResult::Timeout => {
                let a = Arc::new(make()?);
                self.made.fetch_add(1, Ordering::Relaxed);
                Ok(a)
            }
        }
    }

    /// The answer kept under `key`, if any (counted as served from the kept ones).
    pub fn get(&self, key: &str) -> Option<Arc<Answer>> {
        let a = self.cache.get(key)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(a)
    }

    /// Answers served from the kept ones, and answers made, since the snapshot was built.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.made.load(Ordering::Relaxed),
        )
    }

    /// Bytes kept.
    pub fn bytes(&self) -> u64 {
        self.cache.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: usize) -> Answer {
        Answer {
            content_type: "application/json",
            body: Bytes::from(vec![b'x'; n]),
            gzip: false,
        }
    }

    /// The second request is served the first one's bytes; errors are not kept; the budget holds.
    #[test]
    fn answers_are_made_once_and_bounded() {
        let a = Answers::new(100_000);
        let one = a.get_or_make::<()>("q=1", || Ok(answer(10))).expect("made");
        let again = a
            .get_or_make::<()>("q=1", || panic!("made twice"))
            .expect("kept");
        assert!(Arc::ptr_eq(&one, &again));
        assert_eq!(a.counts(), (1, 1));
        assert!(a.get_or_make::<&str>("q=2", || Err("bad")).is_err());
        assert!(a.get_or_make::<()>("q=2", || Ok(answer(1))).is_ok());
        for i in 0..200 {
            a.get_or_make::<()>(&format!("k{i}"), || Ok(answer(5_000)))
                .expect("made");
        }
        assert!(a.bytes() <= 100_000, "{} bytes kept", a.bytes());
        // Too large to keep: made every time.
        a.get_or_make::<()>("big", || Ok(answer(MAX_KEPT + 1)))
            .expect("made");
        let (_, made) = a.counts();
        a.get_or_make::<()>("big", || Ok(answer(MAX_KEPT + 1)))
            .expect("made");
        assert_eq!(a.counts().1, made + 1);
    }
}
