//! Applying a small edit to a catalog of 1 000 000 synthetic records (issue 20's team-mode goal):
//! what a replica does when an SQL edit reaches it, without the database read. Run with
//! `cargo bench --bench patch`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use iskp_map::index::{Catalog, CiteTable, Part};
use iskp_map::model::Record;
use iskp_map::synth;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1_000_000;
const SEED: u64 = 42;

/// A catalog of `records` with a content hash per record, as the loader builds one (the hash of
/// the record's id and title stands for its row's).
fn hashed(records: &[Record]) -> Catalog {
    let mut part = Part::default();
    let mut table = CiteTable::default();
    let mut ids = Vec::new();
    for r in records {
        ids.clear();
        ids.extend(
            r.citations
                .iter()
                .map(|c| table.intern(c.document, &c.section)),
        );
        let mut h = DefaultHasher::new();
        (&r.id, &r.title, r.point.map(|p| p.map(f64::to_bits))).hash(&mut h);
        part.push_hashed(r, &ids, h.finish()).expect("fits");
    }
    Catalog::assemble(vec![part], table, vec![synth::document()], &[]).expect("unique ids")
}

fn patch(c: &mut Criterion) {
    let records = synth::records(N, SEED);
    let cat = hashed(&records);
    let mut g = c.benchmark_group("patch_1m");
    g.sample_size(20).measurement_time(Duration::from_secs(20));
    for size in [1usize, 10, 1_000] {
        // `size` records moved a little and retitled, spread over the whole set.
        let edit: Vec<Record> = records
            .iter()
            .step_by(N / size)
            .take(size)
            .map(|r| {
                let mut r = r.clone();
                r.title.push_str(" (edited)");
                if let Some(p) = r.point.as_mut() {
                    p[0] += 0.01;
                }
                r
            })
            .collect();
        let ids: Vec<&str> = edit.iter().map(|r| r.id.as_str()).collect();
        g.bench_function(format!("edit_of_{size}"), |b| {
            b.iter_batched(
                || hashed(&edit),
                |e| black_box(cat.patch(&ids, e).expect("applies")),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, patch);
criterion_main!(benches);
