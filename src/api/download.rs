//! Whole-collection downloads for analysts: GeoJSON, CSV (with `lon`, `lat`) and FlatGeobuf, with
//! the same filters as `items` and no paging.
//!
//! GeoJSON and CSV are streamed in chunks of [`CHUNK`] features from the snapshot the request
//! started with, so memory stays flat however large the answer; FlatGeobuf carries a spatial index
//! that needs every feature first, so it is built whole (off the async threads) and then sent.

use super::collections::Collection;
use super::error::ApiError;
use super::ogc::{select, Selection};
use super::params::Params;
use super::respond::Ctx;
use super::AppState;
use crate::geocode::jurisdictions::{Jurisdiction, Level};
use crate::model::Record;
use crate::snapshot::Snapshot;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Formats: `format` value, media type, name.
pub const FORMATS: [(&str, &str, &str); 3] = [
    ("geojson", "application/geo+json", "GeoJSON"),
    ("csv", "text/csv; charset=utf-8", "CSV"),
    ("fgb", "application/flatgeobuf", "FlatGeobuf"),
];

/// Features per streamed chunk.
pub const CHUNK: usize = 1000;

/// Columns of the records CSV.
pub const RECORD_CSV: &[&str] = &[
    "id",
    "kind",
    "title",
    "summary",
    "date",
    "date_end",
    "date_precision",
    "place",
    "admin1",
    "admin1_id",
    "country",
    "country_name",
    "geo_precision",
    "where_prec",
    "count",
    "count_basis",
    "fatalities",
    "injured",
    "claim",
    "link",
    "denied_by",
    "target",
    "origin_place",
    "origin_country",
    "origin_lon",
    "origin_lat",
    "sources",
    "lon",
    "lat",
];

/// Columns of the jurisdictions CSV: identity, the [`Totals`](crate::aggregate::Totals) fields, and
/// `lon`, `lat` (the representative point).
pub fn polygon_columns() -> Vec<&'static str> {
    let mut v = vec!["id", "name", "level", "country", "iso_3166_2"];
    v.extend(crate::aggregate::TOTAL_FIELDS);
    v.extend(["lon", "lat"]);
    v
}

/// The CSV values of a record, in [`RECORD_CSV`] order.
pub fn record_values(snap: &Snapshot, r: &Record) -> Vec<String> {
    let opt = |v: Option<u32>| v.map_or_else(String::new, |x| x.to_string());
    let sources: Vec<String> = r
        .citations
        .iter()
        .map(|c| format!("{}: {}", snap.catalog.sources()[c.source].id, c.section))
        .collect();
    vec![
        r.id.clone(),
        r.kind.to_string(),
        r.title.clone(),
        r.summary.clone(),
        crate::dates::format_date(r.date),
        r.date_end
            .map(crate::dates::format_date)
            .unwrap_or_default(),
        r.date_precision.to_string(),
        r.place.clone(),
        r.admin1.clone().unwrap_or_default(),
        r.admin1_id.clone().unwrap_or_default(),
        r.country.clone(),
        r.country_name.clone(),
        r.geo_precision.to_string(),
        r.geo_precision.ucdp_where_prec().to_string(),
        r.count.to_string(),
        r.count_basis.to_string(),
        opt(r.fatalities),
        opt(r.injured),
        r.claim.to_string(),
        r.link.map(|l| l.to_string()).unwrap_or_default(),
        r.denied_by.join("|"),
        r.target.clone().unwrap_or_default(),
        r.origin
            .as_ref()
            .map(|o| o.place.clone())
            .unwrap_or_default(),
        r.origin
            .as_ref()
            .map(|o| o.country.clone())
            .unwrap_or_default(),
        r.origin
            .as_ref()
            .map(|o| o.lon.to_string())
            .unwrap_or_default(),
        r.origin
            .as_ref()
            .map(|o| o.lat.to_string())
            .unwrap_or_default(),
        sources.join("; "),
        r.lon.to_string(),
        r.lat.to_string(),
    ]
}

/// The CSV values of a jurisdiction, in [`polygon_columns`] order.
pub fn polygon_values(snap: &Snapshot, level: Level, i: usize) -> Vec<String> {
    let (j, t): (&Jurisdiction, _) = match level {
        Level::Country => (&snap.jurisdictions.countries[i], snap.countries.totals[i]),
        Level::Province => (&snap.jurisdictions.provinces[i], snap.provinces.totals[i]),
    };
    let mut row = vec![
        j.id.clone(),
        j.name.clone(),
        if level == Level::Country {
            "country"
        } else {
            "province"
        }
        .into(),
        j.country.clone(),
        j.iso_3166_2.clone().unwrap_or_default(),
    ];
    row.extend(t.values().iter().map(u64::to_string));
    row.extend([j.label.0.to_string(), j.label.1.to_string()]);
    row
}

fn csv_chunk(rows: impl Iterator<Item = Vec<String>>, header: Option<&[&str]>) -> Bytes {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(h) = header {
        let _ = w.write_record(h);
    }
    for r in rows {
        let _ = w.write_record(&r);
    }
    Bytes::from(w.into_inner().unwrap_or_default())
}

/// `GET /api/collections/{id}/download?format=geojson|csv|fgb&…filters`.
pub async fn download(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let c = Collection::parse(&id)?;
    let allowed: Vec<&'static str> = c
        .item_params()
        .iter()
        .copied()
        .filter(|p| !matches!(*p, "limit" | "offset" | "f"))
        .chain(["format"])
        .collect();
    let p = Params::parse(ctx.query.as_deref(), &allowed)?;
    let format = p
        .get("format")
        .ok_or_else(|| ApiError::bad("format", "is required: geojson, csv or fgb"))?;
    let (_, media, _) = FORMATS
        .iter()
        .find(|(f, _, _)| *f == format)
        .ok_or_else(|| {
            ApiError::bad(
                "format",
                format!("{format:?} is not one of geojson, csv, fgb"),
            )
        })?;
    let snap = st.store.current();
    let sel = Arc::new(select(&snap, c, &p)?);
    let tag = ctx.etag(&snap.tag);
    if let Some(r) = ctx.not_modified(&tag) {
        return Ok(r);
    }
    let body = match format {
        "geojson" => geojson_body(snap, sel),
        "csv" => csv_body(snap, sel),
        _ => {
            let bytes = tokio::task::spawn_blocking(move || super::flatgeobuf::write(&snap, &sel))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .map_err(ApiError::Internal)?;
            Body::from(bytes)
        }
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"iskp-map-{}.{format}\"",
        c.id()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    Ok(r)
}

fn chunks(n: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..n.div_ceil(CHUNK)).map(move |k| k * CHUNK..((k + 1) * CHUNK).min(n))
}

fn geojson_body(snap: Arc<Snapshot>, sel: Arc<Selection>) -> Body {
    let n = sel.len();
    let head = Bytes::from_static(b"{\"type\":\"FeatureCollection\",\"features\":[\n");
    let parts = chunks(n).map(move |range| {
        let mut s = String::new();
        for k in range {
            if k > 0 {
                s.push_str(",\n");
            }
            sel.write_feature(&snap, k, &mut s);
        }
        Bytes::from(s)
    });
    let tail = Bytes::from_static(b"\n]}\n");
    let stream = std::iter::once(head)
        .chain(parts)
        .chain(std::iter::once(tail))
        .map(Ok::<_, std::io::Error>);
    Body::from_stream(futures_util::stream::iter(stream))
}

fn csv_body(snap: Arc<Snapshot>, sel: Arc<Selection>) -> Body {
    let n = sel.len();
    let header: Vec<&'static str> = match &*sel {
        Selection::Records(_) => RECORD_CSV.to_vec(),
        Selection::Polygons(..) => polygon_columns(),
    };
    let mut first = true;
    // An empty selection still sends its header row: one empty chunk.
    let mut ranges: Vec<std::ops::Range<usize>> = chunks(n).collect();
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    let parts = ranges.into_iter().map(move |range| {
        let h = if std::mem::take(&mut first) {
            Some(header.as_slice())
        } else {
            None
        };
        let bytes = match &*sel {
            Selection::Records(v) => csv_chunk(
                v[range]
                    .iter()
                    .map(|&i| record_values(&snap, &snap.catalog.record(i))),
                h,
            ),
            Selection::Polygons(level, v) => csv_chunk(
                v[range].iter().map(|&i| polygon_values(&snap, *level, i)),
                h,
            ),
        };
        Ok::<_, std::io::Error>(bytes)
    });
    Body::from_stream(futures_util::stream::iter(parts))
}
