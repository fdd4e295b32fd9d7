//! The point R-tree's node size, A/B in one run: rstar's default (at most 6 children) against
//! wider nodes, for the bulk load a start pays and the box queries a page pays, over 1 000 000
//! synthetic points. Run with `cargo bench --bench nodes`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use iskp_map::synth;
use rstar::primitives::GeomWithData;
use rstar::{RStarInsertionStrategy, RTree, RTreeParams, AABB};
use std::hint::black_box;
use std::time::Duration;

type Point = GeomWithData<[f64; 2], u32>;

/// Nodes of `MAX` children at most.
struct Wide<const MIN: usize, const MAX: usize>;

impl<const MIN: usize, const MAX: usize> RTreeParams for Wide<MIN, MAX> {
    const MIN_SIZE: usize = MIN;
    const MAX_SIZE: usize = MAX;
    const REINSERTION_COUNT: usize = 2;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

fn run<P: RTreeParams>(c: &mut Criterion, name: &str, points: &[Point], boxes: &[AABB<[f64; 2]>]) {
    let mut g = c.benchmark_group(format!("nodes_{name}"));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("bulk_load_1m", |b| {
        b.iter_batched(
            || points.to_vec(),
            |p| black_box(RTree::<Point, P>::bulk_load_with_params(p)),
            BatchSize::LargeInput,
        )
    });
    let tree = RTree::<Point, P>::bulk_load_with_params(points.to_vec());
    g.bench_function("200_boxes", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for env in boxes {
                n += tree
                    .locate_in_envelope(env)
                    .map(|p| p.data as usize)
                    .sum::<usize>()
                    & 1;
            }
            black_box(n)
        })
    });
    g.finish();
}

fn nodes(c: &mut Criterion) {
    let records = synth::records(1_000_000, 42);
    let points: Vec<Point> = records
        .iter()
        .enumerate()
        .map(|(i, r)| GeomWithData::new(r.point.unwrap_or_default(), i as u32))
        .collect();
    // Boxes of 0.5 to 2 degrees around records' own points: a few to a few thousand points each.
    let boxes: Vec<AABB<[f64; 2]>> = points
        .iter()
        .step_by(5_000)
        .enumerate()
        .map(|(k, p)| {
            let [x, y] = *p.geom();
            let h = 0.25 + (k % 4) as f64 * 0.25;
            AABB::from_corners([x - h, y - h], [x + h, y + h])
        })
        .collect();
    let held: usize = {
        let t = RTree::bulk_load(points.clone());
        boxes.iter().map(|e| t.locate_in_envelope(e).count()).sum()
    };
    println!("{} boxes hold {held} points in all", boxes.len());
    // A, B, C, then A and B again: on a noisy machine the second pair shows the drift.
    run::<rstar::DefaultParams>(c, "6", &points, &boxes);
    run::<Wide<6, 16>>(c, "16", &points, &boxes);
    run::<Wide<12, 32>>(c, "32", &points, &boxes);
    run::<rstar::DefaultParams>(c, "6_again", &points, &boxes);
    run::<Wide<6, 16>>(c, "16_again", &points, &boxes);
}

criterion_group!(benches, nodes);
criterion_main!(benches);
