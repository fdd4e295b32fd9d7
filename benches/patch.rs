//! Applying a small edit to a catalog of 1 000 000 synthetic records (issue 20's team-mode goal):
//! what a replica does when an SQL edit reaches it, without the database read. Run with
//! `cargo bench --bench patch`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use iskp_map::index::{Bbox, Catalog, CiteTable, Filter, Part};
use iskp_map::model::Record;
use iskp_map::synth::{self, Rng};
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
    for size in [1usize, 10, 1_000, 10_000] {
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

/// Box queries on a point R-tree that edits changed leaf by leaf, against one bulk-loaded from the
/// same records: a patched tree's shape drifts until the next full load, which comes once the
/// replaced texts pass a quarter of all ([`Catalog::patch`] leaves that to the caller). Here 250
/// edits of 1 000 records each, every one moved by up to half a degree: a quarter of the records.
fn drift(c: &mut Criterion) {
    let mut records = synth::records(N, SEED);
    let mut cat = hashed(&records);
    let mut rng = Rng::new(SEED + 1);
    for round in 0..250 {
        let at: Vec<usize> = (round..N).step_by(N / 1_000).take(1_000).collect();
        for &i in &at {
            if let Some(p) = records[i].point.as_mut() {
                p[0] += rng.range(-0.5, 0.5);
                p[1] = (p[1] + rng.range(-0.5, 0.5)).clamp(-90.0, 90.0);
            }
        }
        let edit: Vec<Record> = at.iter().map(|&i| records[i].clone()).collect();
        let ids: Vec<&str> = edit.iter().map(|r| r.id.as_str()).collect();
        cat = cat.patch(&ids, hashed(&edit)).expect("applies");
    }
    let fresh = hashed(&records);
    // 200 boxes a degree wide around records' points (≈ 100–1 000 records each).
    let boxes: Vec<Filter> = (0..200)
        .filter_map(|k| records[k * (N / 200)].point)
        .map(|[x, y]| Filter {
            bbox: Some(Bbox {
                minx: x - 0.5,
                miny: y - 0.5,
                maxx: x + 0.5,
                maxy: y + 0.5,
            }),
            ..Filter::default()
        })
        .collect();
    for f in &boxes {
        assert_eq!(cat.matching(f), fresh.matching(f), "same answers");
    }
    let mut g = c.benchmark_group("drift_1m");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    for (name, cat) in [("after_250_edits", &cat), ("bulk_loaded", &fresh)] {
        g.bench_function(format!("200_boxes_{name}"), |b| {
            b.iter(|| {
                for f in &boxes {
                    black_box(cat.matching(f));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, patch, drift);
criterion_main!(benches);
