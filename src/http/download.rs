//! Whole-collection downloads for analysts: GeoJSON, CSV (with `lon`, `lat`) and FlatGeobuf, with
//! the same filters as `items` and no paging.
//!
//! Nothing is held whole while a client reads. The selection is made on the
//! [`work`](super::work) pool; GeoJSON and CSV are then written [`CHUNK`] features at a time, each
//! chunk on the pool when the client has taken the one before, so memory stays flat however large
//! the answer and however slow the reader. FlatGeobuf carries a spatial index that needs every
//! feature first: the file is written on the pool into an unnamed temporary file (its features
//! too, by the `flatgeobuf` writer), then sent from it 256 KiB at a time; the file disappears when
//! the answer ends or its client leaves. A client that takes gzip gets one gzip stream, compressed
//! chunk by chunk on the pool too.

use super::context::{set, ApiPath, Fresh};
use super::error::ApiError;
use super::query;
use super::work::Work;
use super::AppState;
use crate::export::{chunks, csv, CHUNK, FORMATS};
use crate::store::collections::Selection;
use crate::store::Snapshot;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::io::{Read, Seek};
use std::sync::{Arc, Mutex};

/// Bytes of a FlatGeobuf file sent per chunk.
const FILE_CHUNK: usize = 256 * 1024;

/// `GET /api/collections/{id}/download?format=geojson|csv|fgb&…filters`.
pub async fn download(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
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
    // Read (and so validate) the query before the 304, so a bad request is a 400 whatever the
    // client holds.
    let q = query::CollectionQuery::read(c, &p)?;
    if format.key == "fgb" && !q.shape.is_whole() {
        // A FlatGeobuf file has one fixed schema and a geometry per feature.
        let name = if q.shape.properties.is_some() {
            "properties"
        } else {
            "skipGeometry"
        };
        return Err(ApiError::bad(
            name,
            "is not supported with format=fgb (its schema is fixed); use format=geojson or csv",
        ));
    }
    fresh.revalidate()?;
    let manifest = super::citation::manifest_url(&fresh.ctx, c, &p);
    let snap = fresh.snap.clone();
    let work = st.work.clone();
    let gzip: Option<Gzip> = fresh.ctx.accepts_gzip.then(|| {
        Arc::new(Mutex::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::new(5),
        )))
    });
    let gzipped = gzip.is_some();
    let body = match format.key {
        "geojson" | "csv" => {
            let s = snap.clone();
            let shape = q.shape.clone();
            let sel = Arc::new(work.run(move || q.select(&s)).await?);
            if format.key == "geojson" {
                geojson_body(work, gzip, snap, sel, shape, &manifest)
            } else {
                csv_body(work, gzip, snap, sel, shape)
            }
        }
        _ => {
            let Ok(place) = st.spooled.clone().try_acquire_owned() else {
                super::metrics::rejected("spooled_downloads");
                return Err(ApiError::Overloaded);
            };
            let file = work
                .run(move || -> Result<std::fs::File, ApiError> {
                    let sel = q.select(&snap);
                    let mut file = tempfile::tempfile()
                        .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
                    crate::export::flatgeobuf::write_to(&snap, &sel, &mut file)
                        .map_err(|e| ApiError::Internal(e.to_string()))?;
                    file.rewind()
                        .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
                    Ok(file)
                })
                .await??;
            file_body(work, gzip, file, place)
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
    super::citation::link_header(&mut r, &manifest);
    if gzipped {
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    Ok(r)
}

/// One gzip stream over the parts of a body, compressed part by part on the pool.
type Gzip = Arc<Mutex<flate2::write::GzEncoder<Vec<u8>>>>;

/// A body of `parts`, each made on the pool when the one before has been taken — and
/// gzip-compressed there when `gzip` is given, so compression never runs on the async workers.
fn pooled<F>(work: Work, parts: usize, gzip: Option<Gzip>, make: F) -> Body
where
    F: Fn(usize) -> Result<Bytes, ApiError> + Send + Sync + 'static,
{
    let make = Arc::new(move |k: usize| -> Result<Bytes, ApiError> {
        let bytes = make(k)?;
        let Some(gz) = &gzip else { return Ok(bytes) };
        use std::io::Write;
        let mut enc = gz.lock().unwrap_or_else(|p| p.into_inner());
        let io = |e: std::io::Error| ApiError::Internal(format!("gzip: {e}"));
        enc.write_all(&bytes).map_err(io)?;
        if k + 1 == parts {
            enc.try_finish().map_err(io)?;
        } else {
            enc.flush().map_err(io)?;
        }
        Ok(Bytes::from(std::mem::take(enc.get_mut())))
    });
    let stream = futures_util::stream::unfold(0usize, move |k| {
        let (work, make) = (work.clone(), make.clone());
        async move {
            if k >= parts {
                return None;
            }
            let chunk = work
                .run_when_room(move || make(k))
                .await
                .and_then(|r| r)
                .map_err(std::io::Error::other);
            // After a failure the stream ends: the client sees a cut answer, not a wrong one.
            let next = if chunk.is_ok() { k + 1 } else { parts };
            Some((chunk, next))
        }
    });
    // Fused: the layers around a body may poll it again after its end.
    Body::from_stream(futures_util::StreamExt::fuse(stream))
}

fn geojson_body(
    work: Work,
    gzip: Option<Gzip>,
    snap: Arc<Snapshot>,
    sel: Arc<Selection>,
    shape: super::shape::Shape,
    manifest: &str,
) -> Body {
    let ranges: Vec<std::ops::Range<usize>> = chunks(sel.len()).collect();
    let n = ranges.len();
    // RFC 7946 lets a FeatureCollection carry foreign members; `links` (as OGC API answers have)
    // points readers of the file to its citation manifest, and GeoJSON readers skip it.
    let links = serde_json::json!([super::context::link(
        manifest,
        "describedby",
        super::context::JSON,
        "Citation manifest: data version, filters, access time and the documents behind these features",
    )]);
    let head = Bytes::from(format!(
        "{{\"type\":\"FeatureCollection\",\"links\":{links},\"features\":[\n"
    ));
    pooled(work, n + 2, gzip, move |k| {
        if k == 0 {
            return Ok(head.clone());
        }
        if k == n + 1 {
            return Ok(Bytes::from_static(b"\n]}\n"));
        }
        let range = ranges[k - 1].clone();
        let mut s = String::with_capacity(range.len() * 1024);
        for i in range {
            if i > 0 {
                s.push_str(",\n");
            }
            if shape.is_whole() {
                sel.write_feature(&snap, i, 0.0, &mut s);
            } else {
                let mut one = String::new();
                sel.write_feature(&snap, i, 0.0, &mut one);
                shape.write(&one, &mut s);
            }
        }
        Ok(Bytes::from(s))
    })
}

fn csv_body(
    work: Work,
    gzip: Option<Gzip>,
    snap: Arc<Snapshot>,
    sel: Arc<Selection>,
    shape: super::shape::Shape,
) -> Body {
    let header = csv::header_of(&sel, shape.properties.as_deref(), shape.skip_geometry);
    // An empty selection still sends its header row: one empty chunk.
    let mut ranges: Vec<std::ops::Range<usize>> = chunks(sel.len()).collect();
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    debug_assert!(ranges.iter().all(|r| r.len() <= CHUNK));
    pooled(work, ranges.len(), gzip, move |k| {
        let h = (k == 0).then_some(header.as_slice());
        Ok(Bytes::from(csv::chunk_of(
            &snap,
            &sel,
            ranges[k].clone(),
            h,
            &header,
        )))
    })
}

fn file_body(
    work: Work,
    gzip: Option<Gzip>,
    file: std::fs::File,
    place: tokio::sync::OwnedSemaphorePermit,
) -> Body {
    let len = file.metadata().map_or(0, |m| m.len());
    let parts = usize::try_from(len.div_ceil(FILE_CHUNK as u64)).unwrap_or(usize::MAX);
    let file = Mutex::new(file);
    pooled(work, parts, gzip, move |_| {
        let _held_until_the_body_ends = &place;
        let mut buf = vec![0u8; FILE_CHUNK];
        let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
        let mut filled = 0;
        while filled < buf.len() {
            match f.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ApiError::Internal(format!("temporary file: {e}"))),
            }
        }
        buf.truncate(filled);
        Ok(Bytes::from(buf))
    })
}
