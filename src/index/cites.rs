//! The citation table: every distinct (document, section) pair of a snapshot, numbered once and
//! shared by the records that cite it.

use crate::index::feature::citation_json;
use crate::model::Document;
use rustc_hash::FxHashMap;

/// Distinct citations, numbered in the order first seen.
#[derive(Debug, Default, Clone)]
pub struct CiteTable {
    entries: Vec<(usize, Box<str>)>,
    /// Per source index: section → number.
    index: Vec<FxHashMap<Box<str>, u32>>,
}

impl CiteTable {
    /// The number of `(source, section)`, adding it if new.
    pub fn intern(&mut self, source: usize, section: &str) -> u32 {
        if self.index.len() <= source {
            self.index.resize_with(source + 1, FxHashMap::default);
        }
        if let Some(&i) = self.index[source].get(section) {
            return i;
        }
        let i = self.entries.len() as u32;
        self.entries.push((source, section.into()));
        self.index[source].insert(section.into(), i);
        i
    }

    /// The number of `(source, section)`, if present.
    pub fn get(&self, source: usize, section: &str) -> Option<u32> {
        self.index.get(source)?.get(section).copied()
    }

    /// Document index and section of a citation number.
    pub fn entry(&self, i: u32) -> (usize, &str) {
        let (s, section) = &self.entries[i as usize];
        (*s, section)
    }

    /// Number of distinct citations.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each citation's JSON object, by number.
    pub(super) fn to_json(&self, sources: &[Document]) -> Vec<Box<str>> {
        self.entries
            .iter()
            .map(|(s, section)| {
                sources
                    .get(*s)
                    .map_or_else(String::new, |src| citation_json(src, section))
                    .into()
            })
            .collect()
    }
}
