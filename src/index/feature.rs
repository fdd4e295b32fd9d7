//! GeoJSON (RFC 7946) serialisation of records, done once per snapshot.
//!
//! A record's Feature is stored in two pieces: its *head*, everything up to and including
//! `"sources":`, written once per record; and one pre-serialised object per distinct
//! (document, section) citation, shared by every record that cites it. A served Feature is the head,
//! `[`, its citation objects joined by `,`, and `]}}`. The head is also the only copy of a record's
//! text the catalog keeps: [`parse_head`] reads a record back from it.
//!
//! Record text is JSON-escaped, never HTML: a summary holding `<img onerror=…>` travels as a plain
//! string, and the page inserts it as text.

use crate::model::dates::{format_date, parse_date, DateError};
use crate::model::{
    Area, Claim, CodeError, CountBasis, DatePrecision, Document, EndPrecision, GeoPrecision, Kind,
    LaunchSite, Link, Record,
};
use serde::{Deserialize, Serialize};

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
struct LaunchSiteOut<'a> {
    place: &'a str,
    country: &'a str,
    lon: f64,
    lat: f64,
    geo_precision: &'a str,
}

#[derive(Serialize)]
struct AreaOut<'a> {
    id: &'a str,
    members: &'a [String],
    bbox: [f64; 4],
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
    start_precision: Option<&'a str>,
    end_precision: Option<&'a str>,
    split: Option<&'a str>,
    place: &'a str,
    admin1: Option<&'a str>,
    admin1_id: Option<&'a str>,
    country: Option<&'a str>,
    country_name: Option<&'a str>,
    geo_precision: &'a str,
    where_prec: u8,
    area: Option<AreaOut<'a>>,
    count: u32,
    count_basis: &'a str,
    fatalities: Option<u32>,
    injured: Option<u32>,
    claim: &'a str,
    link: Option<&'a str>,
    denied_by: &'a [String],
    target: Option<&'a str>,
    origin: Option<LaunchSiteOut<'a>>,
    sources: [(); 0],
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
    /// `null` for a record known only to an area (RFC 7946 §3.2).
    geometry: Option<Geometry>,
    /// The area's extent, for a record known only to an area (RFC 7946 §5).
    #[serde(skip_serializing_if = "Option::is_none")]
    bbox: Option<[f64; 4]>,
    properties: Properties<'a>,
}

/// What every head ends with: the opening of the `sources` array is written by the reader.
const HEAD_END: &[u8] = b"\"sources\":";

/// Appends the head of a record's Feature (compact JSON up to and including `"sources":`) to `out`.
pub fn write_head(r: &Record, out: &mut Vec<u8>) {
    let props = Properties {
        id: &r.id,
        kind: r.kind.as_str(),
        title: &r.title,
        summary: &r.summary,
        date: format_date(r.date),
        date_end: r.date_end.map(format_date),
        date_precision: r.date_precision.as_str(),
        start_precision: r.start_precision.map(|p| p.as_str()),
        end_precision: r.end_precision.map(|p| p.as_str()),
        split: r.split.as_deref(),
        place: &r.place,
        admin1: r.admin1.as_deref(),
        admin1_id: r.admin1_id.as_deref(),
        country: r.country.as_deref(),
        country_name: r.country_name.as_deref(),
        geo_precision: r.geo_precision.as_str(),
        where_prec: r.geo_precision.ucdp_where_prec(),
        area: r.area.as_ref().map(|a| AreaOut {
            id: &a.id,
            members: &a.members,
            bbox: a.bbox,
        }),
        count: r.count,
        count_basis: r.count_basis.as_str(),
        fatalities: r.fatalities,
        injured: r.injured,
        claim: r.claim.as_str(),
        link: r.link.map(|l| l.as_str()),
        denied_by: &r.denied_by,
        target: r.target.as_deref(),
        origin: r.launch_site.as_ref().map(|o| LaunchSiteOut {
            place: &o.place,
            country: &o.country,
            lon: o.lon,
            lat: o.lat,
            geo_precision: o.precision.as_str(),
        }),
        sources: [],
    };
    let f = Feature {
        r#type: "Feature",
        id: &r.id,
        geometry: r.point.map(|coordinates| Geometry {
            r#type: "Point",
            coordinates,
        }),
        bbox: r.area.as_ref().map(|a| a.bbox),
        properties: props,
    };
    let start = out.len();
    // Writing to a Vec cannot fail, and every field serialises.
    let _ = serde_json::to_writer(&mut *out, &f);
    // The serialiser ends with `"sources":[]}}`; keep everything up to `"sources":`.
    out.truncate(out.len().saturating_sub(4).max(start));
    debug_assert!(out.ends_with(HEAD_END));
}

/// The JSON object for one citation: the document's fields and the section.
pub fn citation_json(s: &Document, section: &str) -> String {
    serde_json::to_string(&SourceOut {
        id: &s.id,
        title: &s.title,
        author: &s.author,
        publisher: s.publisher.as_deref(),
        published: s.published.as_deref(),
        url: s.url.as_deref(),
        section,
    })
    .unwrap_or_default()
}

/// The GeoJSON Feature of a record, as compact JSON (head and citations in one piece).
pub fn record_feature(r: &Record, sources: &[Document]) -> String {
    let mut out = Vec::new();
    write_head(r, &mut out);
    out.push(b'[');
    for (k, c) in r.citations.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(citation_json(&sources[c.document], &c.section).as_bytes());
    }
    out.extend_from_slice(b"]}}");
    String::from_utf8(out).unwrap_or_default()
}

#[derive(Deserialize)]
struct LaunchSiteIn {
    place: String,
    country: String,
    lon: f64,
    lat: f64,
    geo_precision: String,
}

#[derive(Deserialize)]
struct PropertiesIn {
    id: String,
    kind: String,
    title: String,
    summary: String,
    date: String,
    date_end: Option<String>,
    date_precision: String,
    start_precision: Option<String>,
    end_precision: Option<String>,
    split: Option<String>,
    place: String,
    admin1: Option<String>,
    admin1_id: Option<String>,
    country: Option<String>,
    country_name: Option<String>,
    geo_precision: String,
    area: Option<AreaIn>,
    count: u32,
    count_basis: String,
    fatalities: Option<u32>,
    injured: Option<u32>,
    claim: String,
    link: Option<String>,
    denied_by: Vec<String>,
    target: Option<String>,
    origin: Option<LaunchSiteIn>,
}

#[derive(Deserialize)]
struct AreaIn {
    id: String,
    members: Vec<String>,
    bbox: [f64; 4],
}

#[derive(Deserialize)]
struct GeometryIn {
    coordinates: [f64; 2],
}

#[derive(Deserialize)]
struct FeatureIn {
    geometry: Option<GeometryIn>,
    properties: PropertiesIn,
}

/// Why a stored Feature head does not read back as a record (only a corrupt catalog image or
/// memory can cause it: this program wrote every head from a valid record).
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    /// Not the JSON this program writes.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// A code outside its list.
    #[error("{0}")]
    Code(#[from] CodeError),
    /// A malformed date.
    #[error("{0}")]
    Date(#[from] DateError),
}

/// Reads a record back from the head [`write_head`] wrote. Its citations are left empty: they are
/// kept beside the head, not in it.
pub fn parse_head(head: &str) -> Result<Record, HeadError> {
    let mut text = String::with_capacity(head.len() + 4);
    text.push_str(head);
    text.push_str("[]}}");
    let f: FeatureIn = serde_json::from_str(&text)?;
    let p = f.properties;
    let origin = match p.origin {
        Some(o) => Some(LaunchSite {
            place: o.place,
            country: o.country,
            lon: o.lon,
            lat: o.lat,
            precision: GeoPrecision::parse(&o.geo_precision)?,
        }),
        None => None,
    };
    Ok(Record {
        id: p.id,
        kind: Kind::parse(&p.kind)?,
        title: p.title,
        summary: p.summary,
        date: parse_date(&p.date)?,
        date_end: p.date_end.as_deref().map(parse_date).transpose()?,
        date_precision: DatePrecision::parse(&p.date_precision)?,
        start_precision: p
            .start_precision
            .as_deref()
            .map(EndPrecision::parse)
            .transpose()?,
        end_precision: p
            .end_precision
            .as_deref()
            .map(EndPrecision::parse)
            .transpose()?,
        split: p.split,
        place: p.place,
        admin1: p.admin1,
        admin1_id: p.admin1_id,
        country: p.country,
        country_name: p.country_name,
        geo_precision: GeoPrecision::parse(&p.geo_precision)?,
        point: f.geometry.map(|g| g.coordinates),
        area: p.area.map(|a| Area {
            id: a.id,
            members: a.members,
            bbox: a.bbox,
        }),
        count: p.count,
        count_basis: CountBasis::parse(&p.count_basis)?,
        fatalities: p.fatalities,
        injured: p.injured,
        claim: Claim::parse(&p.claim)?,
        link: p.link.as_deref().map(Link::parse).transpose()?,
        denied_by: p.denied_by,
        target: p.target,
        launch_site: origin,
        citations: Vec::new(),
    })
}
