//! GeoJSON (RFC 7946) serialisation of records and jurisdictions, done once per snapshot.
//!
//! Record text is JSON-escaped, never HTML: a summary holding `<img onerror=…>` travels as a plain
//! string, and the page inserts it as text.

use crate::dates::format_date;
use crate::model::{Record, Source};
use serde::Serialize;

#[derive(Serialize)]
struct SourceOut<'a> {
    id: &'a str,
    title: &'a str,
    author: &'a str,
    publisher: Option<&'a str>,
    published: Option<&'a str>,
    url: Option<&'a str>,
    section: &'a str,
}

#[derive(Serialize)]
struct OriginOut<'a> {
    place: &'a str,
    country: &'a str,
    lon: f64,
    lat: f64,
    geo_precision: &'a str,
}

#[derive(Serialize)]
struct Properties<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    summary: &'a str,
    date: String,
    date_end: Option<String>,
    date_precision: &'a str,
    place: &'a str,
    admin1: Option<&'a str>,
    admin1_id: Option<&'a str>,
    country: &'a str,
    country_name: &'a str,
    geo_precision: &'a str,
    where_prec: u8,
    count: u32,
    count_basis: &'a str,
    fatalities: Option<u32>,
    injured: Option<u32>,
    claim: &'a str,
    link: Option<&'a str>,
    denied_by: &'a [String],
    target: Option<&'a str>,
    origin: Option<OriginOut<'a>>,
    sources: Vec<SourceOut<'a>>,
}

#[derive(Serialize)]
struct Geometry {
    r#type: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct Feature<'a> {
    r#type: &'static str,
    id: &'a str,
    geometry: Geometry,
    properties: Properties<'a>,
}

/// The GeoJSON Feature of a record, as compact JSON.
pub fn record_feature(r: &Record, sources: &[Source]) -> String {
    let props = Properties {
        id: &r.id,
        kind: r.kind.as_str(),
        title: &r.title,
        summary: &r.summary,
        date: format_date(r.date),
        date_end: r.date_end.map(format_date),
        date_precision: r.date_precision.as_str(),
        place: &r.place,
        admin1: r.admin1.as_deref(),
        admin1_id: r.admin1_id.as_deref(),
        country: &r.country,
        country_name: &r.country_name,
        geo_precision: r.geo_precision.as_str(),
        where_prec: r.geo_precision.ucdp_where_prec(),
        count: r.count,
        count_basis: r.count_basis.as_str(),
        fatalities: r.fatalities,
        injured: r.injured,
        claim: r.claim.as_str(),
        link: r.link.map(|l| l.as_str()),
        denied_by: &r.denied_by,
        target: r.target.as_deref(),
        origin: r.origin.as_ref().map(|o| OriginOut {
            place: &o.place,
            country: &o.country,
            lon: o.lon,
            lat: o.lat,
            geo_precision: o.precision.as_str(),
        }),
        sources: r
            .citations
            .iter()
            .map(|c| {
                let s = &sources[c.source];
                SourceOut {
                    id: &s.id,
                    title: &s.title,
                    author: &s.author,
                    publisher: s.publisher.as_deref(),
                    published: s.published.as_deref(),
                    url: s.url.as_deref(),
                    section: &c.section,
                }
            })
            .collect(),
    };
    let f = Feature {
        r#type: "Feature",
        id: &r.id,
        geometry: Geometry {
            r#type: "Point",
            coordinates: [r.lon, r.lat],
        },
        properties: props,
    };
    serde_json::to_string(&f).unwrap_or_default()
}
