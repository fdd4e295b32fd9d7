//! Applying an edit to a catalog: the records of some ids taken out, the records an edit made of
//! those ids put in, everything else kept. The kept records' feature texts are shared with the
//! catalog patched, not copied (a new catalog costs its entries and indexes, not its texts, which
//! are most of its bytes); their order is merged, not sorted again.
//!
//! The result is the catalog a full load of the edited data would build, but for two things no
//! answer shows: the numbering of citations, countries, provinces and areas (tables the entries
//! point into), and the texts of replaced records, which stay in their part until the next full
//! load ([`Catalog::dead_bytes`] says how many).

use super::part::{Entry, NO_AREA, NO_COUNTRY, NO_PROVINCE};
use super::{prefix, AreaSlot, Catalog, Leaf};
use rustc_hash::FxHashMap;

/// An edit touching more leaves than this (taken out plus put in) bulk-loads the point R-tree
/// again rather than changing it leaf by leaf, which also resets the drift of its shape. At 1M
/// records an edit of 10 000 records (20 000 leaves) cost the same either way in
/// `cargo bench --bench patch` (489 ms leaf by leaf; 507 and 553 ms bulk-loaded, run before and
/// after), so this is where they cross; below it leaf by leaf wins (1 000 records: 84 against
/// 241 ms).
const TREE_EDIT_MAX: usize = 20_000;

/// Why an edit cannot be applied to a catalog (a full load then decides).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// A catalog was built without content hashes (from an older image, or from records).
    #[error("the catalog has no content hashes")]
    NoHashes,
    /// The edit was read against other documents or time splits than the catalog's.
    #[error("the edit was read against other documents or time splits")]
    OtherTables,
    /// A record of the edit has the id of a record the edit did not take out.
    #[error("{0:?} is already used by a record the edit keeps")]
    DuplicateId(String),
    /// More parts, countries or time splits than an entry can number.
    #[error("the catalog cannot number so many {0}")]
    TooMany(&'static str),
    /// The records sharing a time split no longer count what its periods count.
    #[error("the periods of split {id:?} count {periods}, the records sharing it count {members}")]
    SplitTotal {
        /// The split.
        id: String,
        /// What its periods count.
        periods: u64,
        /// What the records sharing it count.
        members: u64,
    },
}

/// Numbers `key`s of another catalog's table in this one's, adding those it lacks.
struct Renumber<'a, T> {
    index: FxHashMap<&'a str, u32>,
    table: Vec<T>,
}

impl<'a, T: Clone> Renumber<'a, T> {
    fn new(table: &'a [T], key: impl Fn(&'a T) -> &'a str) -> Self {
        Renumber {
            index: table
                .iter()
                .enumerate()
                .map(|(i, t)| (key(t), i as u32))
                .collect(),
            table: table.to_vec(),
        }
    }

    /// The numbers in this table of each row of `other`.
    fn map(&mut self, other: &'a [T], key: impl Fn(&'a T) -> &'a str) -> Vec<u32> {
        other
            .iter()
            .map(|t| {
                let k = key(t);
                *self.index.entry(k).or_insert_with(|| {
                    self.table.push(t.clone());
                    (self.table.len() - 1) as u32
                })
            })
            .collect()
    }
}

impl Catalog {
    /// The catalog with the records of `ids` taken out (ids it does not hold are skipped) and the
    /// records of `edit` put in. `edit` must have been read against this catalog's documents and
    /// time splits, and every one of its ids must be among `ids`: the ids an edit touched. Checks
    /// what a full load checks across records — unique ids, the time splits' totals — and keeps
    /// the content hashes, so the data version is the one a full load would compute.
    pub fn patch(&self, ids: &[&str], edit: Catalog) -> Result<Catalog, PatchError> {
        if !self.has_hashes() || !edit.has_hashes() {
            return Err(PatchError::NoHashes);
        }
        let same_docs = self.documents.len() == edit.documents.len()
            && self
                .documents
                .iter()
                .zip(&edit.documents)
                .all(|(a, b)| a.id == b.id);
        let same_splits = self.splits.len() == edit.splits.len()
            && self
                .splits
                .iter()
                .zip(&edit.splits)
                .all(|(a, b)| a.id == b.id);
        if !same_docs || !same_splits {
            return Err(PatchError::OtherTables);
        }
        let mut gone = vec![false; self.entries.len()];
        for id in ids {
            if let Some(i) = self.find(id) {
                gone[i as usize] = true;
            }
        }
        for i in 0..edit.len() as u32 {
            let id = edit.id(i);
            if self.find(id).is_some_and(|k| !gone[k as usize]) {
                return Err(PatchError::DuplicateId(id.to_string()));
            }
        }

        // The edit's tables numbered in this catalog's.
        let mut countries = Renumber::new(&self.countries, |c| &*c.0);
        let cmap = countries.map(&edit.countries, |c| &*c.0);
        let mut provinces = Renumber::new(&self.provinces, |p| &*p.0);
        let pmap = provinces.map(&edit.provinces, |p| &*p.0);
        let mut areas = Renumber::new(&self.areas, |a: &AreaSlot| &*a.key);
        let amap = areas.map(&edit.areas, |a: &AreaSlot| &*a.key);
        if countries.table.len() > usize::from(NO_COUNTRY) {
            return Err(PatchError::TooMany("countries"));
        }
        let mut cites = self.cites.clone();
        let cite_map: Vec<u32> = (0..edit.cites.len() as u32)
            .map(|i| {
                let (s, section) = edit.cites.entry(i);
                cites.intern(s, section)
            })
            .collect();
        let part_base = self.texts.len();
        if part_base + edit.texts.len() >= 1 << 24 {
            return Err(PatchError::TooMany("text parts"));
        }

        // Merge the kept entries and the edit's, both in (first day, id) order: each of the
        // edit's goes where a binary search over the old ones puts it, and the old ones are copied
        // in runs, their citations left where they are in the list (the edit's are appended).
        fn key<'c>(c: &'c Catalog, e: &Entry) -> (i32, u128, &'c str) {
            let id = c.entry_id(e);
            (e.first_day, prefix(id), id)
        }
        let n = self.entries.len() - gone.iter().filter(|g| **g).count() + edit.entries.len();
        let mut entries: Vec<Entry> = Vec::with_capacity(n);
        let mut hashes: Vec<u64> = Vec::with_capacity(n);
        let mut cite_list = self.cite_list.clone();
        // New index of each old entry (u32::MAX: taken out) and of each of the edit's.
        let mut old_at = vec![u32::MAX; self.entries.len()];
        let mut edit_at = vec![0u32; edit.entries.len()];
        let mut a = 0usize;
        let mut copy_old = |end: usize, entries: &mut Vec<Entry>, hashes: &mut Vec<u64>| {
            for i in a..end.max(a) {
                if !gone[i] {
                    old_at[i] = entries.len() as u32;
                    entries.push(self.entries[i]);
                    hashes.push(self.hashes[i]);
                }
            }
            a = end.max(a);
        };
        for (b, &e) in edit.entries.iter().enumerate() {
            let kb = key(&edit, &e);
            let end = self.entries.partition_point(|x| key(self, x) < kb);
            copy_old(end, &mut entries, &mut hashes);
            let mut e = e;
            let from = e.cites as usize;
            e.cites = cite_list.len() as u32;
            cite_list.extend(
                edit.cite_list[from..from + usize::from(e.ncites)]
                    .iter()
                    .map(|&c| cite_map[c as usize]),
            );
            e.text = ((e.part() + part_base) as u64) << 40 | e.offset() as u64;
            if e.country != NO_COUNTRY {
                e.country = cmap[usize::from(e.country)] as u16;
            }
            if e.admin1 != NO_PROVINCE {
                e.admin1 = pmap[e.admin1 as usize];
            }
            if e.area != NO_AREA {
                e.area = amap[e.area as usize];
            }
            edit_at[b] = entries.len() as u32;
            entries.push(e);
            hashes.push(edit.hashes[b]);
        }
        copy_old(self.entries.len(), &mut entries, &mut hashes);

        let mut texts = self.texts.clone();
        texts.extend(edit.texts.iter().cloned());
        let mut cat = Catalog {
            entries,
            texts,
            cite_list,
            cite_json: cites.to_json(&self.documents),
            cites,
            countries: countries.table,
            provinces: provinces.table,
            areas: areas.table,
            area_records: Vec::new(),
            area_tree: rstar::RTree::new(),
            splits: self.splits.clone(),
            documents: self.documents.clone(),
            tree: rstar::RTree::new_with_params(),
            by_id: Vec::with_capacity(n),
            hashes,
            inputs: self.inputs,
            dead: self.dead + self.dead_in(&gone),
            extents: Vec::new(),
            long: Vec::new(),
            columns: std::sync::OnceLock::new(),
            day_indexes: Default::default(),
            others: std::sync::OnceLock::new(),
        };
        // Merge the two id indexes the same way.
        let mut by_id = Vec::with_capacity(n);
        let mut a = 0usize;
        for k in 0..=edit.by_id.len() {
            let end = match edit.by_id.get(k) {
                Some(&j) => {
                    let id = edit.id(j);
                    self.by_id.partition_point(|&x| self.id(x) < id)
                }
                None => self.by_id.len(),
            };
            by_id.extend(
                self.by_id[a..end.max(a)]
                    .iter()
                    .map(|&x| old_at[x as usize])
                    .filter(|&x| x != u32::MAX),
            );
            a = end.max(a);
            match edit.by_id.get(k) {
                Some(&j) => by_id.push(edit_at[j as usize]),
                None => break,
            }
        }
        cat.by_id = by_id;
        cat.check_split_totals()?;
        let changed = ids.len() + edit_at.len();
        if changed > TREE_EDIT_MAX {
            cat.index_points();
        } else {
            cat.tree = self.patched_tree(&gone, &old_at, &edit_at, &cat.entries);
            cat.index_rest();
        }
        Ok(cat)
    }

    /// This catalog's point R-tree with the points of the entries marked in `gone` taken out,
    /// every other leaf renumbered by `old_at`, and the points of the new entries at `edit_at`
    /// (indices into `entries`, the patched catalog's) put in. Loading the tree again from all
    /// the points would cost most of an edit's time at a million records; this costs a copy of
    /// the tree and a walk over its leaves.
    fn patched_tree(
        &self,
        gone: &[bool],
        old_at: &[u32],
        edit_at: &[u32],
        entries: &[Entry],
    ) -> rstar::RTree<super::IndexedPoint, super::PointParams> {
        let mut tree = self.tree.clone();
        for (i, e) in self.entries.iter().enumerate() {
            if gone[i] && e.area == NO_AREA {
                let removed = tree.remove(&Leaf::point(i as u32, e));
                debug_assert!(removed.is_some(), "entry {i} was in the tree");
            }
        }
        for p in tree.iter_mut() {
            p.data.index = old_at[p.data.index as usize];
        }
        for &at in edit_at {
            let e = &entries[at as usize];
            if e.area == NO_AREA {
                tree.insert(Leaf::point(at, e));
            }
        }
        tree
    }

    /// Bytes of feature text that no entry points to any more: the records an edit replaced or
    /// removed since the last full load.
    pub fn dead_bytes(&self) -> u64 {
        self.dead
    }

    /// Bytes of feature text of the entries marked in `gone`.
    fn dead_in(&self, gone: &[bool]) -> u64 {
        self.entries
            .iter()
            .zip(gone)
            .filter(|(_, g)| **g)
            .map(|(e, _)| u64::from(e.len))
            .sum()
    }

    /// Bytes of feature text in all, live or dead.
    pub fn text_bytes(&self) -> u64 {
        self.texts.iter().map(|t| t.len() as u64).sum()
    }

    /// Checks that the records sharing each time split count what its periods count.
    fn check_split_totals(&self) -> Result<(), PatchError> {
        let mut members = vec![0u64; self.splits.len()];
        for e in &self.entries {
            if let Some(m) = members.get_mut(usize::from(e.split)) {
                *m += u64::from(e.count);
            }
        }
        for (s, &m) in self.splits.iter().zip(&members) {
            if m != s.total() {
                return Err(PatchError::SplitTotal {
                    id: s.id.clone(),
                    periods: s.total(),
                    members: m,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{CiteTable, Part, Split};
    use crate::model::Record;
    use crate::synth;

    /// A catalog of `records` with content hashes, as the loader builds it (each record's hash
    /// stands for its row: here a hash of the record itself).
    fn hashed(records: &[Record], splits: &[Split]) -> Catalog {
        let mut part = Part::default();
        let mut table = CiteTable::default();
        for r in records {
            let ids: Vec<u32> = r
                .citations
                .iter()
                .map(|c| table.intern(c.document, &c.section))
                .collect();
            let h = xxhash_rust::xxh3::xxh3_64(format!("{r:?}").as_bytes());
            part.push_hashed(r, &ids, h).expect("fits");
        }
        Catalog::assemble(vec![part], table, vec![synth::document()], splits).expect("unique")
    }

    fn records() -> Vec<Record> {
        let mut rs = synth::records(3_000, 5);
        for (n, r) in rs.iter_mut().enumerate() {
            r.country = Some(["AFG", "PAK", "IRN"][n % 3].into());
            r.admin1_id = (n % 4 != 0).then(|| format!("P{}", n % 9));
            if n % 7 == 0 {
                area_only(r, n % 5);
            }
        }
        rs
    }

    /// Makes `r` a record known only to a country, one of five with their own boxes.
    fn area_only(r: &mut Record, which: usize) {
        let x = 60.0 + 2.0 * which as f64;
        r.point = None;
        r.geo_precision = crate::model::GeoPrecision::Country;
        r.area = Some(crate::model::Area {
            id: format!("C{which}"),
            members: Vec::new(),
            bbox: [x, 30.0, x + 1.5, 31.5],
        });
    }

    /// Every answer the catalog gives of its records: order, ids, Features, points, lookups.
    fn assert_same(got: &Catalog, want: &Catalog) {
        assert_eq!(got.len(), want.len());
        assert_eq!(got.data_version(), want.data_version());
        for i in 0..want.len() as u32 {
            assert_eq!(got.id(i), want.id(i), "order at {i}");
            assert_eq!(got.feature(i), want.feature(i), "feature {i}");
            assert_eq!(got.country(i), want.country(i));
            assert_eq!(got.admin1_id(i), want.admin1_id(i));
            assert_eq!(got.find(want.id(i)), Some(i));
        }
        // The point R-tree, by the world and by boxes a tenth of the data's extent wide.
        let ([x0, y0, x1, y1], _) = want.kind_extent(None).expect("records");
        let (w, h) = ((x1 - x0) / 10.0, (y1 - y0) / 10.0);
        let mut boxes = vec![rstar::AABB::from_corners([-180.0, -90.0], [180.0, 90.0])];
        for i in 0..10 {
            for j in 0..10 {
                let lo = [x0 + w * f64::from(i), y0 + h * f64::from(j)];
                boxes.push(rstar::AABB::from_corners(lo, [lo[0] + w, lo[1] + h]));
            }
        }
        // Every leaf sits at its entry's point and carries its fields, once per entry.
        let mut seen = vec![false; got.len()];
        for p in got.tree.iter() {
            let i = p.data.index as usize;
            assert!(
                !std::mem::replace(&mut seen[i], true),
                "entry {i} twice in the tree"
            );
            assert_eq!(
                *p,
                Leaf::point(p.data.index, &got.entries[i]),
                "leaf of entry {i}"
            );
        }
        assert_eq!(got.tree.size(), want.tree.size());
        for b in &boxes {
            let mut got_in: Vec<u32> = got.points_in(b).collect();
            let mut want_in: Vec<u32> = want.points_in(b).collect();
            got_in.sort_unstable();
            want_in.sort_unstable();
            assert_eq!(got_in, want_in, "points in {b:?}");
        }
        assert_eq!(got.kind_extent(None), want.kind_extent(None));
        // Records known only to an area: each one's area, and the records each box holds whole.
        let key = |c: &Catalog, i: u32| c.area_slot(i).map(|s| c.areas[s].key.clone());
        for i in 0..want.len() as u32 {
            assert_eq!(key(got, i), key(want, i), "area of {i}");
        }
        let area_in = |c: &Catalog, b: &rstar::AABB<[f64; 2]>| {
            let mut v: Vec<u32> = c
                .area_tree
                .locate_in_envelope(b)
                .flat_map(|a| c.area_records[a.data as usize].iter().copied())
                .collect();
            v.sort_unstable();
            v
        };
        for b in &boxes {
            assert_eq!(area_in(got, b), area_in(want, b), "areas in {b:?}");
        }
    }

    /// Replacing, removing and adding records gives the catalog a full load of the result
    /// builds, with the same data version; edited records move to their new place in the order.
    #[test]
    fn an_edit_applied_is_the_catalog_of_the_edited_data() {
        let mut all = records();
        let base = hashed(&all[..2_900], &[]);
        let mut edit: Vec<Record> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        for (n, r) in all[100..140].iter_mut().enumerate() {
            r.title = format!("{} (edited)", r.title);
            // Some become known only to an area, and some of those already were move to another.
            if n % 5 == 0 {
                area_only(r, (n / 5) % 5);
            }
            r.date += time::Duration::days(400);
            if let Some(p) = r.point.as_mut() {
                p[0] += 0.5;
                p[1] -= 0.25;
            }
            r.country = Some("TJK".into());
            r.admin1_id = Some("TJK-NEW".into());
            touched.push(r.id.clone());
            edit.push(r.clone());
        }
        // Removed: in `ids`, not in the edit.
        touched.extend(all[200..230].iter().map(|r| r.id.clone()));
        // Added: new ids, and an id the catalog never held that the edit does not bring.
        edit.extend(all[2_900..].iter().cloned());
        touched.extend(all[2_900..].iter().map(|r| r.id.clone()));
        touched.push("not-a-record".into());
        let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
        let patched = base.patch(&ids, hashed(&edit, &[])).expect("applies");
        let mut want: Vec<Record> = all.clone();
        want.drain(200..230);
        let want = hashed(&want, &[]);
        assert_same(&patched, &want);
        assert_ne!(patched.data_version(), base.data_version());
        assert!(patched.dead_bytes() > 0 && patched.dead_bytes() < patched.text_bytes());

        // Undoing the edit gives the first version back.
        let back: Vec<Record> = records()[100..140]
            .iter()
            .chain(&records()[200..230])
            .cloned()
            .collect();
        let undo: Vec<&str> = touched.iter().map(String::as_str).collect();
        let again = patched.patch(&undo, hashed(&back, &[])).expect("applies");
        assert_same(&again, &base);
    }

    /// An edit larger than `TREE_EDIT_MAX` bulk-loads the tree again and gives the same catalog
    /// as one applied leaf by leaf would: that of a full load of the result.
    #[test]
    fn a_large_edit_loads_the_tree_afresh() {
        let mut all = synth::records(TREE_EDIT_MAX / 2 + 2_000, 7);
        let base = hashed(&all, &[]);
        let mut edit: Vec<Record> = Vec::new();
        // Each edited record's leaf is taken out and put in again: two leaves a record.
        for r in all.iter_mut().take(TREE_EDIT_MAX / 2 + 1) {
            if let Some(p) = r.point.as_mut() {
                p[0] = (p[0] + 1.5).min(180.0);
            }
            edit.push(r.clone());
        }
        let ids: Vec<&str> = edit.iter().map(|r| r.id.as_str()).collect();
        let patched = base.patch(&ids, hashed(&edit, &[])).expect("applies");
        assert_same(&patched, &hashed(&all, &[]));
    }

    /// An id the edit brings that a kept record has is refused, as are catalogs without hashes
    /// and an edit read against other documents; and the split totals are checked across all.
    #[test]
    fn an_edit_that_a_full_load_would_refuse_is_refused() {
        let all = records();
        let base = hashed(&all[..1_000], &[]);
        let again = hashed(&all[5..6], &[]);
        assert_eq!(
            base.patch(&[], again).err(),
            Some(PatchError::DuplicateId(all[5].id.clone()))
        );
        let plain = Catalog::new(all[..10].to_vec(), vec![synth::document()]).expect("fits");
        assert_eq!(
            plain.patch(&[], hashed(&all[20..21], &[])).err(),
            Some(PatchError::NoHashes)
        );
        let split = Split {
            id: "S".into(),
            periods: vec![(0, 10_000_000, 2)],
            cited: Vec::new(),
        };
        let mut shared = all[..4].to_vec();
        for r in &mut shared[..2] {
            r.split = Some("S".into());
            r.count = 1;
        }
        let base = hashed(&shared, std::slice::from_ref(&split));
        let mut more = shared[1].clone();
        more.count = 2;
        let err = base
            .patch(
                &[&*shared[1].id],
                hashed(&[more], std::slice::from_ref(&split)),
            )
            .err();
        assert_eq!(
            err,
            Some(PatchError::SplitTotal {
                id: "S".into(),
                periods: 2,
                members: 3
            })
        );
        let fewer = base.patch(&[&*shared[0].id], hashed(&[], std::slice::from_ref(&split)));
        assert!(matches!(
            fewer,
            Err(PatchError::SplitTotal { members: 1, .. })
        ));
        let other = hashed(&shared[2..3], &[]);
        assert_eq!(
            base.patch(&[&*shared[2].id], other).err(),
            Some(PatchError::OtherTables)
        );
    }
}
