//! A CQL2 `filter` against the plain parameters that select the same records, over 1 000 000
//! synthetic records: the cost of parsing and checking the filter, and of evaluating its
//! predicate tree on the entries instead of the fixed filter fields. Figures (as ratios) go to
//! BENCHMARKS.md. Run with `cargo bench --bench filter`.

use criterion::{criterion_group, criterion_main, Criterion};
use iskp_map::index::cql::{self, Lang};
use iskp_map::index::{Bbox, Catalog, Filter};
use iskp_map::model::{Claim, Kind};
use iskp_map::synth;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const N: usize = 1_000_000;
const SEED: u64 = 42;

/// The filter as the server holds it: parsed, checked, and its plain terms lowered into fields.
fn with(filter: &str) -> Filter {
    let mut f = unlowered(filter);
    iskp_map::index::predicate::lower(&mut f);
    f
}

/// The filter evaluated as a predicate tree only, every term on the entries.
fn unlowered(filter: &str) -> Filter {
    Filter {
        predicate: Some(Arc::new(
            cql::parse(filter, Lang::Text).expect("a valid filter"),
        )),
        ..Filter::default()
    }
}

fn filters(c: &mut Criterion) {
    let cat = Catalog::new(synth::records(N, SEED), vec![synth::document()]).expect("records fit");
    let (cx, cy) = synth::centres(SEED)[0];
    let b = Bbox {
        minx: cx - 2.0,
        miny: cy - 2.0,
        maxx: cx + 2.0,
        maxy: cy + 2.0,
    };
    let texts = [
        "kind = 'attack' AND claim = 'claimed'".to_string(),
        format!(
            "S_INTERSECTS(geometry, BBOX({}, {}, {}, {})) AND kind = 'attack'",
            b.minx, b.miny, b.maxx, b.maxy
        ),
        "T_INTERSECTS(datetime, INTERVAL('2020-01-01', '2020-12-31'))".to_string(),
    ];
    let cases: Vec<(&str, Filter, Filter)> = vec![
        (
            "kind_and_claim",
            Filter {
                kind: Some(Kind::Attack),
                claim: Some(Claim::Claimed),
                ..Filter::default()
            },
            with("kind = 'attack' AND claim = 'claimed'"),
        ),
        (
            "bbox_and_kind",
            Filter {
                bbox: Some(b),
                kind: Some(Kind::Attack),
                ..Filter::default()
            },
            with(&format!(
                "S_INTERSECTS(geometry, BBOX({}, {}, {}, {})) AND kind = 'attack'",
                b.minx, b.miny, b.maxx, b.maxy
            )),
        ),
        (
            "datetime_year",
            Filter {
                days: Some(
                    iskp_map::model::dates::parse_datetime("2020-01-01/2020-12-31").unwrap(),
                ),
                ..Filter::default()
            },
            with("T_INTERSECTS(datetime, INTERVAL('2020-01-01', '2020-12-31'))"),
        ),
    ];
    let mut g = c.benchmark_group("filter_1m");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, plain, cql) in &cases {
        assert_eq!(
            cat.matching(plain),
            cat.matching(cql),
            "{name}: the filter selects what the parameters select"
        );
        g.bench_function(format!("{name}/plain"), |bn| {
            bn.iter(|| black_box(cat.matching(plain).len()))
        });
        g.bench_function(format!("{name}/cql2"), |bn| {
            bn.iter(|| black_box(cat.matching(cql).len()))
        });
    }
    // The same filters with nothing lowered: the predicate tree evaluated on every candidate.
    for ((name, plain, _), text) in cases.iter().zip(&texts) {
        let tree = unlowered(text);
        assert_eq!(cat.matching(plain), cat.matching(&tree), "{name}");
        g.bench_function(format!("{name}/cql2_tree_only"), |bn| {
            bn.iter(|| black_box(cat.matching(&tree).len()))
        });
    }
    g.bench_function("parse_and_check", |bn| {
        bn.iter(|| {
            black_box(cql::parse(
                "kind = 'attack' AND claim = 'claimed' AND S_INTERSECTS(geometry, BBOX(60, 29, 75, 39)) AND T_INTERSECTS(datetime, INTERVAL('2020-01-01', '2020-12-31'))",
                Lang::Text,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, filters);
criterion_main!(benches);
