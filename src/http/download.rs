//! Whole-collection downloads for analysts: GeoJSON, CSV (with `lon`, `lat`) and FlatGeobuf, with
//! the same filters as `items` and no paging.
//!
//! GeoJSON and CSV are streamed in chunks of [`CHUNK`] features from the snapshot the request
//! started with, so memory stays flat however large the answer; FlatGeobuf carries a spatial index
//! that needs every feature first, so it is built whole (off the async threads) and then sent.

use super::context::{set, Fresh};
use super::error::ApiError;
use super::query;
use crate::export::{chunks, csv, CHUNK, FORMATS};
use crate::store::collections::Selection;
use crate::store::Snapshot;
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `GET /api/collections/{id}/download?format=geojson|csv|fgb&…filters`.
pub async fn download(Path(id): Path<String>, fresh: Fresh) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    let allowed: Vec<&'static str> = query::item_params(c)
        .iter()
        .copied()
        .filter(|p| !matches!(*p, "limit" | "offset" | "f"))
        .chain(["format"])
        .collect();
    let p = fresh.ctx.params(&allowed)?;
    let keys: Vec<&str> = FORMATS.iter().map(|f| f.key).collect();
    let format = p
        .get("format")
        .ok_or_else(|| ApiError::bad("format", format!("is required: {}", keys.join(", "))))?;
    let format = FORMATS.iter().find(|f| f.key == format).ok_or_else(|| {
        ApiError::bad(
            "format",
            format!("{format:?} is not one of {}", keys.join(", ")),
        )
    })?;
    let snap = fresh.snap.clone();
    let sel = Arc::new(query::selection(&snap, c, &p)?);
    fresh.revalidate()?;
    let body = match format.key {
        "geojson" => geojson_body(snap, sel),
        "csv" => csv_body(snap, sel),
        _ => {
            let bytes =
                tokio::task::spawn_blocking(move || crate::export::flatgeobuf::write(&snap, &sel))
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
            Body::from(bytes)
        }
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media));
    set(
        &mut r,
        header::CONTENT_DISPOSITION,
        &format!(
            "attachment; filename=\"iskp-map-{}.{}\"",
            c.id(),
            format.key
        ),
    );
    set(&mut r, header::ETAG, &fresh.tag);
    Ok(r)
}

fn geojson_body(snap: Arc<Snapshot>, sel: Arc<Selection>) -> Body {
    let n = sel.len();
    let head = Bytes::from_static(b"{\"type\":\"FeatureCollection\",\"features\":[\n");
    let parts = chunks(n).map(move |range| {
        let mut s = String::with_capacity(range.len() * 1024);
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
    let header = csv::header(&sel);
    // An empty selection still sends its header row: one empty chunk.
    let mut ranges: Vec<std::ops::Range<usize>> = chunks(sel.len()).collect();
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    debug_assert!(ranges.iter().all(|r| r.len() <= CHUNK));
    let parts = ranges.into_iter().enumerate().map(move |(k, range)| {
        let h = (k == 0).then_some(header.as_slice());
        Ok::<_, std::io::Error>(Bytes::from(csv::chunk(&snap, &sel, range, h)))
    });
    Body::from_stream(futures_util::stream::iter(parts))
}
