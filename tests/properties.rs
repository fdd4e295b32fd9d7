//! Property tests: the R-tree query equals a brute-force scan, for any box (antimeridian boxes
//! included), any datetime interval and any property filter.

use iskp_map::index::{Bbox, Catalog, Filter};
use iskp_map::model::dates::DayRange;
use iskp_map::model::{Claim, Kind};
use iskp_map::synth;
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| {
        Catalog::new(synth::records(20_000, 3), vec![synth::document()])
            .expect("synthetic records fit")
    })
}

fn brute(cat: &Catalog, f: &Filter) -> Vec<u32> {
    (0..cat.len() as u32)
        .filter(|&i| {
            let r = cat.entry(i);
            let (s, e) = cat.span(i);
            f.bbox.is_none_or(|b| b.contains(r.lon, r.lat))
                && f.days.is_none_or(|d| d.intersects(s, e))
                && f.kind.is_none_or(|k| r.kind == k)
                && f.claim.is_none_or(|c| r.claim == c)
        })
        .collect()
}

fn bbox() -> impl Strategy<Value = Bbox> {
    (
        -180.0f64..=180.0,
        -180.0f64..=180.0,
        -90.0f64..=90.0,
        -90.0f64..=90.0,
    )
        .prop_map(|(x1, x2, y1, y2)| Bbox {
            minx: x1,
            maxx: x2, // either order: minx > maxx crosses the antimeridian
            miny: y1.min(y2),
            maxy: y1.max(y2),
        })
}

fn days() -> impl Strategy<Value = Option<DayRange>> {
    let day = 2_457_000i32..2_461_000;
    prop_oneof![
        Just(None),
        (day.clone(), 0i32..800).prop_map(|(a, len)| Some(DayRange {
            start: Some(a),
            end: Some(a + len)
        })),
        day.clone().prop_map(|a| Some(DayRange {
            start: None,
            end: Some(a)
        })),
        day.prop_map(|a| Some(DayRange {
            start: Some(a),
            end: None
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn rtree_query_equals_brute_force(
        b in bbox(),
        d in days(),
        kind in proptest::option::of(proptest::sample::select(Kind::ALL.to_vec())),
        claim in proptest::option::of(proptest::sample::select(Claim::ALL.to_vec())),
    ) {
        let f = Filter { bbox: Some(b), days: d, kind, claim, ..Filter::default() };
        prop_assert_eq!(catalog().matching(&f), brute(catalog(), &f));
    }

    #[test]
    fn antimeridian_boxes_are_the_union_of_their_two_halves(x1 in 0.0f64..180.0, x2 in -180.0f64..0.0, y in 0.0f64..60.0) {
        let cross = Filter { bbox: Some(Bbox { minx: x1, miny: -y, maxx: x2, maxy: y }), ..Filter::default() };
        let east = Filter { bbox: Some(Bbox { minx: x1, miny: -y, maxx: 180.0, maxy: y }), ..Filter::default() };
        let west = Filter { bbox: Some(Bbox { minx: -180.0, miny: -y, maxx: x2, maxy: y }), ..Filter::default() };
        let mut union = catalog().matching(&east);
        union.extend(catalog().matching(&west));
        union.sort_unstable();
        union.dedup();
        prop_assert_eq!(catalog().matching(&cross), union);
    }
}

/// The catalog keeps one copy of each record's text (its Feature head); every record reads back
/// from it exactly as it went in, its served Feature is the one-piece serialisation, and the index
/// order is date then id.
#[test]
fn every_record_reads_back_from_the_catalog() {
    let records = synth::records(5_000, 11);
    let sources = vec![synth::document()];
    let cat = Catalog::new(records.clone(), sources.clone()).expect("synthetic records fit");
    assert_eq!(cat.len(), records.len());
    for r in &records {
        let i = cat.find(&r.id).expect("every id is found");
        assert_eq!(&cat.record(i), r);
        assert_eq!(
            cat.feature(i),
            iskp_map::index::feature::record_feature(r, &sources)
        );
        assert_eq!(cat.country(i), r.country.as_deref());
        assert_eq!(cat.admin1_id(i), r.admin1_id.as_deref());
    }
    for i in 1..cat.len() as u32 {
        let (a, b) = (cat.record(i - 1), cat.record(i));
        assert!(
            (a.date, &a.id) < (b.date, &b.id),
            "{} before {}",
            a.id,
            b.id
        );
    }
    assert_eq!(cat.find("no-such-record"), None);
}
