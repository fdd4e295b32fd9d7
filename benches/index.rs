//! Criterion benchmarks on deterministic synthetic data (issue 2) and on the real boundaries and
//! gazetteer (issue 3). Run with `cargo bench --bench index`; figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use iskp_map::geo::normalize::{edit_distance, key};
use iskp_map::index::feature::record_feature;
use iskp_map::index::{Bbox, Catalog, Filter, PointParams};
use iskp_map::synth::{self, Rng};
use iskp_map::FileSource;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1_000_000;
const SEED: u64 = 42;

/// A box around `(lon, lat)` grown until it holds about `target` records.
fn calibrate(cat: &Catalog, lon: f64, lat: f64, target: usize) -> (Bbox, usize) {
    let (mut lo, mut hi) = (1e-4_f64, 60.0_f64);
    let mut best = None;
    for _ in 0..40 {
        let h = (lo * hi).sqrt();
        let b = Bbox {
            minx: lon - h,
            miny: (lat - h).max(-90.0),
            maxx: lon + h,
            maxy: (lat + h).min(90.0),
        };
        let n = cat
            .matching(&Filter {
                bbox: Some(b),
                ..Filter::default()
            })
            .len();
        best = Some((b, n));
        if n < target {
            lo = h;
        } else {
            hi = h;
        }
        if n.abs_diff(target) * 20 <= target {
            break;
        }
    }
    best.unwrap()
}

fn index(c: &mut Criterion) {
    let records = synth::records(N, SEED);
    let mut g = c.benchmark_group("load_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let points: Vec<GeomWithData<[f64; 2], u32>> = records
        .iter()
        .enumerate()
        .map(|(i, r)| GeomWithData::new(r.point.unwrap_or_default(), i as u32))
        .collect();
    g.bench_function("rtree_bulk_load", |b| {
        b.iter_batched(
            || points.clone(),
            |p| black_box(RTree::<_, PointParams>::bulk_load_with_params(p)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("catalog_new_with_serialisation", |b| {
        b.iter_batched(
            || records.clone(),
            |r| black_box(Catalog::new(r, vec![synth::document()]).expect("records fit")),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    // The records in catalog order, for serialising from scratch.
    let mut originals = records.clone();
    originals.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    let cat = Catalog::new(records, vec![synth::document()]).expect("records fit");
    let (cx, cy) = synth::centres(SEED)[0];
    let mut g = c.benchmark_group("bbox_1m");
    for target in [10usize, 1_000, 10_000] {
        let (bbox, n) = calibrate(&cat, cx, cy, target);
        println!("bbox for ~{target}: {bbox:?} holds {n} records");
        let f = Filter {
            bbox: Some(bbox),
            ..Filter::default()
        };
        g.bench_function(format!("query_{target}"), |b| {
            b.iter(|| black_box(cat.matching(&f)))
        });
        g.bench_function(format!("query_and_geojson_{target}"), |b| {
            b.iter(|| {
                let ids = cat.matching(&f);
                let mut s = String::with_capacity(ids.len() * 700 + 64);
                s.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
                for (k, &i) in ids.iter().enumerate() {
                    if k > 0 {
                        s.push(',');
                    }
                    cat.write_feature(i, &mut s);
                }
                s.push_str("]}");
                black_box(s)
            })
        });
        g.bench_function(format!("query_and_serialise_from_scratch_{target}"), |b| {
            let sources = vec![synth::document()];
            b.iter(|| {
                let ids = cat.matching(&f);
                let v: Vec<String> = ids
                    .iter()
                    .map(|&i| record_feature(&originals[i as usize], &sources))
                    .collect();
                black_box(v)
            })
        });
    }
    g.finish();
}

fn geocoding(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    let (jur, gaz) = FileSource::new(dir).read_geo().expect("geodata loads");
    // 100 000 names drawn from the gazetteer itself, lower-cased and stripped of diacritics half the
    // time, each with its country as the hint.
    let mut rng = Rng::new(7);
    let places = gaz.places();
    let names: Vec<(String, String)> = (0..100_000)
        .map(|i| {
            let p = &places[(rng.next_u64() % places.len() as u64) as usize];
            let n = if i % 2 == 0 {
                p.name.clone()
            } else {
                p.name.to_lowercase()
            };
            (n, p.country.clone())
        })
        .collect();
    let resolved = names
        .iter()
        .filter(|(n, c)| gaz.resolve(n, Some(c), None).is_ok())
        .count();
    println!("geocode: {resolved} of {} names resolve to one place (the rest are ambiguous within their country)", names.len());
    let mut g = c.benchmark_group("geocode");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("resolve_100k_names", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for (n, c) in &names {
                ok += usize::from(gaz.resolve(n, Some(c), None).is_ok());
            }
            black_box(ok)
        })
    });
    // 1 000 names with one letter dropped from the middle ("Peshwar"), resolved without a hint:
    // each is unresolved and gathers suggestions from the trigram index. The reference is the
    // linear scan the gazetteer did before (edit distance against every name), in the same run, over
    // the first 100 (it takes about 100 times as long a name).
    let misspelt: Vec<String> = (0..1_000)
        .map(|_| {
            let p = &places[(rng.next_u64() % places.len() as u64) as usize];
            let mut chars: Vec<char> = p.name.chars().collect();
            if chars.len() > 4 {
                chars.remove(chars.len() / 2);
            }
            chars.into_iter().collect()
        })
        .collect();
    let keys: Vec<String> = places.iter().map(|p| key(&p.name)).collect();
    g.bench_function("suggest_1k_misspelt_trigrams", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for name in &misspelt {
                n += usize::from(gaz.resolve(name, None, None).is_err());
            }
            black_box(n)
        })
    });
    g.bench_function("suggest_100_misspelt_linear_scan_reference", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for name in misspelt.iter().take(100) {
                let k = key(name);
                let max = (k.chars().count() / 3).clamp(1, 3);
                n += keys
                    .iter()
                    .filter(|k2| edit_distance(&k, k2, max) <= max)
                    .count();
            }
            black_box(n)
        })
    });
    g.bench_function("search_1k_misspelt", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for name in &misspelt {
                n += gaz.search(name, None, 8, &|_| false).len();
            }
            black_box(n)
        })
    });
    let mut rng = Rng::new(11);
    let points: Vec<(f64, f64)> = (0..1_000_000)
        .map(|_| (rng.range(-180.0, 180.0), rng.range(-60.0, 75.0)))
        .collect();
    let located = points
        .iter()
        .filter(|(x, y)| jur.locate(*x, *y).is_some())
        .count();
    println!(
        "reverse: {located} of {} random points lie in (or within 10 km of) a country",
        points.len()
    );
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("reverse_1m_random_points", |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for &(x, y) in &points {
                hits += usize::from(jur.locate(x, y).is_some());
            }
            black_box(hits)
        })
    });
    g.finish();
}

criterion_group!(benches, index, geocoding);
criterion_main!(benches);
