//! A trigram index over name keys: the keys sharing the most three-letter pieces with a query
//! (closest spellings: "Peshwar" finds Peshawar) and the keys holding every piece of it (names
//! that contain the query), without comparing the query with every key.
//!
//! Each key is padded with a space at both ends, so its first and last letters make trigrams of
//! their own (" ka", "ul "): a misspelling in the middle of a word still shares the ends. The index
//! is compressed rows: trigrams sorted, and for each the ascending ids of the keys holding it.

/// A trigram, three characters packed into 63 bits.
type Gram = u64;

fn grams(key: &str) -> Vec<Gram> {
    let chars: Vec<char> = std::iter::once(' ')
        .chain(key.chars())
        .chain(std::iter::once(' '))
        .collect();
    let mut out: Vec<Gram> = chars
        .windows(3)
        .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The index.
#[derive(Debug, Default)]
pub struct Trigrams {
    grams: Vec<Gram>,
    /// `starts[g]..starts[g + 1]` are the postings of `grams[g]`.
    starts: Vec<u32>,
    postings: Vec<u32>,
    keys: usize,
}

/// Longest query (in characters) the index looks at: longer input is cut, so the work per query
/// is bounded whatever a client sends.
pub const MAX_QUERY: usize = 64;

impl Trigrams {
    /// Indexes `keys` (their position is their id).
    pub fn new<'a>(keys: impl Iterator<Item = &'a str>) -> Self {
        let mut pairs: Vec<(Gram, u32)> = Vec::new();
        let mut n = 0usize;
        for (id, k) in keys.enumerate() {
            n = id + 1;
            pairs.extend(grams(k).into_iter().map(|g| (g, id as u32)));
        }
        pairs.sort_unstable();
        let mut t = Trigrams {
            keys: n,
            ..Trigrams::default()
        };
        t.postings.reserve(pairs.len());
        for (g, id) in pairs {
            if t.grams.last() != Some(&g) {
                t.grams.push(g);
                t.starts.push(t.postings.len() as u32);
            }
            t.postings.push(id);
        }
        t.starts.push(t.postings.len() as u32);
        t
    }

    fn posting(&self, g: Gram) -> &[u32] {
        match self.grams.binary_search(&g) {
            Ok(i) => &self.postings[self.starts[i] as usize..self.starts[i + 1] as usize],
            Err(_) => &[],
        }
    }

    fn query_grams(query: &str) -> Vec<Gram> {
        let q: String = query.chars().take(MAX_QUERY).collect();
        grams(&q)
    }

    /// The ids of the `n` keys sharing the most trigrams with `query`, most first (ties: lower
    /// id), each with the number shared; keys sharing fewer than `min_shared` are left out.
    pub fn similar(&self, query: &str, n: usize, min_shared: u16) -> Vec<(u32, u16)> {
        let mut counts = vec![0u16; self.keys];
        let mut touched: Vec<u32> = Vec::new();
        for g in Self::query_grams(query) {
            for &id in self.posting(g) {
                let c = &mut counts[id as usize];
                if *c == 0 {
                    touched.push(id);
                }
                *c = c.saturating_add(1);
            }
        }
        let mut hits: Vec<(u32, u16)> = touched
            .into_iter()
            .map(|id| (id, counts[id as usize]))
            .filter(|&(_, c)| c >= min_shared)
            .collect();
        hits.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(n);
        hits
    }

    /// The ids (ascending) of the keys holding every trigram of `query` as a word piece inside a
    /// name (the padding trigrams of the query are not required): a superset of the keys that
    /// contain `query`, for the caller to check. `None` when the query is too short to narrow
    /// anything (fewer than three characters).
    pub fn containing(&self, query: &str) -> Option<Vec<u32>> {
        let q: String = query.chars().take(MAX_QUERY).collect();
        let chars: Vec<char> = q.chars().collect();
        if chars.len() < 3 {
            return None;
        }
        let mut inner: Vec<Gram> = chars
            .windows(3)
            .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
            .collect();
        inner.sort_unstable();
        inner.dedup();
        // Intersect from the shortest posting list.
        let mut lists: Vec<&[u32]> = inner.iter().map(|&g| self.posting(g)).collect();
        lists.sort_by_key(|l| l.len());
        let mut out: Vec<u32> = lists.first().map(|l| l.to_vec()).unwrap_or_default();
        for l in &lists[1..] {
            out.retain(|id| l.binary_search(id).is_ok());
            if out.is_empty() {
                break;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_share_most_trigrams_with_the_right_name() {
        let keys = ["peshawar", "jalalabad", "kabul", "kandahar", "pesh", "war"];
        let t = Trigrams::new(keys.iter().copied());
        assert_eq!(keys[t.similar("peshwar", 1, 2)[0].0 as usize], "peshawar");
        assert_eq!(
            keys[t.similar("jallalabad", 1, 2)[0].0 as usize],
            "jalalabad"
        );
        assert!(t.similar("zzzz", 5, 2).is_empty());
    }

    #[test]
    fn containing_is_a_superset_of_the_substring_matches() {
        let keys = ["mazar sharif", "sharjah", "kabul", "shar"];
        let t = Trigrams::new(keys.iter().copied());
        let ids = t.containing("shar").unwrap();
        let found: Vec<&str> = ids.iter().map(|&i| keys[i as usize]).collect();
        for k in keys.iter().filter(|k| k.contains("shar")) {
            assert!(found.contains(k), "{k}");
        }
        assert!(t.containing("ab").is_none(), "too short to narrow");
    }

    #[test]
    fn long_queries_are_cut() {
        let t = Trigrams::new(["abc"].into_iter());
        let long = "x".repeat(100_000);
        assert!(t.similar(&long, 5, 1).is_empty());
        assert!(t.containing(&long).unwrap().is_empty());
    }
}
