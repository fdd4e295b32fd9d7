//! Free-text search over records, built once per snapshot on first need.
//!
//! A record's searchable text is its title, summary, place, target and the titles of the documents
//! it cites. Each is cut into words by the gazetteer's normaliser ([`crate::geo::normalize::key`]:
//! case and diacritics folded, apostrophes and transliteration marks joined, Persian and Arabic
//! linking particles dropped), so *Kermān*, *KERMAN* and *kerman* are one word. Every word then
//! has a posting list: the ascending indices of the records holding it. A query's words must all
//! be present, each also as the start of a longer word — the last from two characters on, so that
//! a search box finds *Tajik* while the reader types *Taj*, the others from four (*bombing* finds
//! *bombings*, while *us* does not find *used*).
//!
//! Cost: the words are one sorted text, looked up by binary search; a query touches only its
//! words' postings (a prefix: the postings of the words it begins), at most [`MAX_WORDS`] words
//! of a query of at most [`MAX_QUERY_CHARS`] characters.

use crate::geo::normalize::key;
use crate::index::Catalog;
use crate::model::Record;
use rustc_hash::FxHashMap;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words a query may hold.
pub const MAX_WORDS: usize = 8;
/// Shortest last word matched as a prefix; a shorter one must match a whole word.
const MIN_PREFIX: usize = 2;
/// Shortest other word matched as a prefix.
const MIN_PREFIX_INNER: usize = 4;
/// Words too common to say anything; not indexed, and left out of queries (but for the last word,
/// which may be the start of a longer one).
const STOP: &[&str] = &[
    "a", "an", "and", "at", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on", "or",
    "that", "the", "to", "was", "were", "which", "with",
];

/// Why a query cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    /// More words than [`MAX_WORDS`].
    #[error("holds more than {MAX_WORDS} words")]
    TooManyWords,
    /// No letter or digit, or only words too common to search for.
    #[error("holds no word to search for")]
    Empty,
}

/// The words of a free-text query, normalised as the index is (each is also matched as the start
/// of a longer word: see the module's documentation).
///
/// ```
/// use iskp_map::views::search::query_words;
/// assert_eq!(query_words("  Kermān BOMBING ").unwrap(), ["kerman", "bombing"]);
/// assert_eq!(query_words("the Crocus").unwrap(), ["crocus"]);
/// assert!(query_words("…").is_err());
/// ```
pub fn query_words(q: &str) -> Result<Vec<String>, QueryError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let k = key(q);
    let all: Vec<&str> = k.split(' ').filter(|w| !w.is_empty()).collect();
    if all.len() > MAX_WORDS {
        return Err(QueryError::TooManyWords);
    }
    let last = all.len().saturating_sub(1);
    let words: Vec<String> = all
        .iter()
        .enumerate()
        .filter(|(i, w)| *i == last || !STOP.contains(w))
        .map(|(_, w)| (*w).to_string())
        .collect();
    if words.is_empty() {
        return Err(QueryError::Empty);
    }
    Ok(words)
}

/// The indices in both of two ascending lists, ascending: a binary search of the longer for each of
/// the shorter when one is much shorter, else one merging pass over both.
pub fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len().saturating_mul(16) < long.len() {
        return short
            .iter()
            .copied()
            .filter(|i| long.binary_search(i).is_ok())
            .collect();
    }
    let mut out = Vec::with_capacity(short.len());
    let (mut x, mut y) = (0, 0);
    while x < short.len() && y < long.len() {
        match short[x].cmp(&long[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                out.push(short[x]);
                x += 1;
                y += 1;
            }
        }
    }
    out
}

/// The search index: every word of the records, with the records holding it.
#[derive(Debug, Default)]
pub struct RecordSearch {
    /// Every indexed word, sorted, concatenated.
    text: String,
    /// Start of each word in `text`, and `text.len()` last.
    word_at: Vec<u32>,
    /// Start of each word's postings in `postings`, and `postings.len()` last.
    post_at: Vec<u32>,
    /// Record indices, ascending within each word.
    postings: Vec<u32>,
    /// How many records were indexed.
    records: usize,
}

/// The normalised texts of record `i` (title, summary, place, target, its documents' titles), whose
/// words are indexed.
fn record_keys(catalog: &Catalog, i: u32, r: &Record, docs: &[String], keys: &mut Vec<String>) {
    keys.clear();
    keys.push(key(&r.title));
    keys.push(key(&r.summary));
    keys.push(key(&r.place));
    if let Some(t) = &r.target {
        keys.push(key(t));
    }
    for (d, _) in catalog.citations(i) {
        if let Some(doc) = docs.get(d) {
            keys.push(doc.clone());
        }
    }
}

/// One thread's share of the index: postings per word of records `from..to`.
struct Chunk {
    words: FxHashMap<Box<str>, Vec<u32>>,
}

fn chunk(catalog: &Catalog, from: u32, to: u32) -> Chunk {
    let mut c = Chunk {
        words: FxHashMap::default(),
    };
    let mut keys = Vec::new();
    // The documents' titles, normalised once.
    let docs: Vec<String> = catalog.documents().iter().map(|d| key(&d.title)).collect();
    for i in from..to {
        let r = catalog.record(i);
        record_keys(catalog, i, &r, &docs, &mut keys);
        let mut seen: Vec<&str> = keys
            .iter()
            .flat_map(|k| k.split(' '))
            .filter(|w| !w.is_empty() && !STOP.contains(w))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for w in &seen {
            // Only a word seen for the first time is copied.
            match c.words.get_mut(*w) {
                Some(list) => list.push(i),
                None => {
                    c.words.insert((*w).into(), vec![i]);
                }
            }
        }
    }
    c
}

impl RecordSearch {
    /// Indexes every record of a catalog, on every core.
    pub fn build(catalog: &Catalog) -> Self {
        let n = catalog.len() as u32;
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .clamp(1, 16) as u32;
        let step = n.div_ceil(threads).max(1);
        let chunks: Vec<Chunk> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..n)
                .step_by(step as usize)
                .map(|from| sc.spawn(move || chunk(catalog, from, (from + step).min(n))))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut out = RecordSearch {
            records: n as usize,
            ..RecordSearch::default()
        };
        let mut chunks = chunks.into_iter();
        let mut merged = match chunks.next() {
            Some(c) => c.words,
            None => FxHashMap::default(),
        };
        for c in chunks {
            for (w, list) in c.words {
                // Chunks come in record order, so each list stays ascending.
                merged.entry(w).or_default().extend(list);
            }
        }
        let mut words: Vec<(Box<str>, Vec<u32>)> = merged.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (w, list) in words {
            out.word_at.push(out.text.len() as u32);
            out.post_at.push(out.postings.len() as u32);
            out.text.push_str(&w);
            out.postings.extend(list);
        }
        out.word_at.push(out.text.len() as u32);
        out.post_at.push(out.postings.len() as u32);
        out.text.shrink_to_fit();
        out.postings.shrink_to_fit();
        out
    }

    fn words(&self) -> usize {
        self.word_at.len().saturating_sub(1)
    }

    fn word(&self, k: usize) -> &str {
        &self.text[self.word_at[k] as usize..self.word_at[k + 1] as usize]
    }

    fn postings_of(&self, k: usize) -> &[u32] {
        &self.postings[self.post_at[k] as usize..self.post_at[k + 1] as usize]
    }

    /// The first word ≥ `w`.
    fn lower_bound(&self, w: &str) -> usize {
        let (mut lo, mut hi) = (0, self.words());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.word(mid) < w {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The records holding the word `w` (or, with `prefix`, any word starting with it), ascending.
    fn hits(&self, w: &str, prefix: bool) -> Vec<u32> {
        let start = self.lower_bound(w);
        if !prefix {
            return if start < self.words() && self.word(start) == w {
                self.postings_of(start).to_vec()
            } else {
                Vec::new()
            };
        }
        let mut end = start;
        while end < self.words() && self.word(end).starts_with(w) {
            end += 1;
        }
        match end - start {
            0 => Vec::new(),
            1 => self.postings_of(start).to_vec(),
            _ => {
                // A union of several lists: one bit per record, read back in order.
                let mut bits = vec![0u64; self.records.div_ceil(64)];
                for k in start..end {
                    for &i in self.postings_of(k) {
                        if let Some(b) = bits.get_mut(i as usize / 64) {
                            *b |= 1 << (i % 64);
                        }
                    }
                }
                let mut v = Vec::new();
                for (j, &b) in bits.iter().enumerate() {
                    let mut b = b;
                    while b != 0 {
                        v.push(j as u32 * 64 + b.trailing_zeros());
                        b &= b - 1;
                    }
                }
                v
            }
        }
    }

    /// The records holding every word of a query from [`query_words`] (or words they begin),
    /// ascending.
    pub fn find(&self, words: &[String]) -> Vec<u32> {
        let Some((last, rest)) = words.split_last() else {
            return Vec::new();
        };
        let mut lists: Vec<Vec<u32>> = rest
            .iter()
            .map(|w| self.hits(w, w.chars().count() >= MIN_PREFIX_INNER))
            .collect();
        lists.push(self.hits(last, last.chars().count() >= MIN_PREFIX));
        lists.sort_by_key(Vec::len);
        let mut it = lists.into_iter();
        let mut out = it.next().unwrap_or_default();
        for other in it {
            out = intersect(&out, &other);
            if out.is_empty() {
                break;
            }
        }
        out
    }

    /// How many distinct words are indexed.
    pub fn word_count(&self) -> usize {
        self.words()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_bounded_and_normalised() {
        assert_eq!(query_words("Mazār-e Sharīf").unwrap(), ["mazar", "sharif"]);
        assert_eq!(query_words("attack on the").unwrap(), ["attack", "the"]);
        assert_eq!(query_words(&"a".repeat(201)), Err(QueryError::TooLong));
        assert_eq!(
            query_words("one two three four five six seven eight nine"),
            Err(QueryError::TooManyWords)
        );
        assert_eq!(query_words("--- ,,,"), Err(QueryError::Empty));
    }

    #[test]
    fn intersections_by_search_and_by_merge_agree() {
        let a: Vec<u32> = (0..1000).filter(|i| i % 3 == 0).collect();
        let b: Vec<u32> = (0..1000).filter(|i| i % 5 == 0).collect();
        let both: Vec<u32> = (0..1000).filter(|i| i % 15 == 0).collect();
        assert_eq!(intersect(&a, &b), both);
        assert_eq!(intersect(&b, &a), both);
        assert_eq!(intersect(&[15, 30, 999], &a), [15, 30, 999]);
        assert_eq!(intersect(&[], &a), Vec::<u32>::new());
    }

    #[test]
    fn prefixes_union_their_words() {
        let mut records = crate::synth::records(300, 1);
        records[0].summary = "Records of bombings".into();
        records[1].summary = "A record of a bombing".into();
        let (id0, id1) = (records[0].id.clone(), records[1].id.clone());
        let catalog = Catalog::new(records, vec![crate::synth::document()]).unwrap();
        let s = RecordSearch::build(&catalog);
        let find = |q: &str| s.find(&query_words(q).unwrap());
        let at = |id: &str| catalog.find(id).unwrap();
        let (zero, one) = (at(&id0), at(&id1));
        // "record" starts "record" (every other summary) and "records" (the first): a union.
        let rec = find("record");
        assert_eq!(rec.len(), 300);
        assert!(rec.windows(2).all(|w| w[0] < w[1]), "ascending");
        let mut both = vec![zero, one];
        both.sort_unstable();
        assert_eq!(find("record bombing"), both);
        assert_eq!(find("BOMBINGS record"), [zero]);
        assert_eq!(find("records bombing"), [zero]);
        assert!(find("zzz").is_empty());
        assert!(find("record zzz").is_empty());
    }
}
