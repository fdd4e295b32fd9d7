//! `GET /api/citation`: the citation manifest of a query (see [`crate::views::citation`]), and
//! the `Link` every download carries to it.
//!
//! The manifest states `accessedAt`, the time of the answer, so two answers to the same URL differ
//! by that field even over the same data. It is therefore sent with `Cache-Control: no-store` and
//! no `ETag`: a cache or a `304` would hand a reader an earlier access time as if it were theirs,
//! which is exactly what a citation must not get wrong. Everything else in it is fixed by the data
//! version and the query, and making it costs one pass over the matched records' citations.

use super::context::{set, Ctx, Fresh};
use super::error::ApiError;
use super::query::{self, CollectionQuery, Params};
use super::AppState;
use crate::geo::jurisdictions::Level;
use crate::store::collections::{Collection, Selection};
use crate::store::Snapshot;
use crate::views::citation::{self, Cited, Query};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use time::OffsetDateTime;

/// Parameters of `/api/citation`: the record filters, `collection` and `f`.
pub const PARAMS: &[&str] = super::query::record_filter_params!["collection", "f", "as_of"];

/// What only pages, orders, shapes or encodes an answer: not part of what a citation names.
const NOT_FILTERS: &[&str] = &[
    "limit",
    "offset",
    "f",
    "format",
    "sortby",
    "properties",
    "skipGeometry",
];

/// The filters of a collection's items.
fn filter_params(c: Collection) -> impl Iterator<Item = &'static str> {
    query::item_params(c)
        .iter()
        .copied()
        .filter(|p| !NOT_FILTERS.contains(p))
}

/// `application/vnd.citationstyles.csl+json`, the CSL-JSON media type.
pub const CSL_JSON: &str = "application/vnd.citationstyles.csl+json";
/// `application/x-bibtex`.
pub const BIBTEX: &str = "application/x-bibtex; charset=utf-8";

/// What `f` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Manifest,
    Csl,
    Bibtex,
}

fn form(f: Option<&str>) -> Result<Form, ApiError> {
    match f {
        None | Some("json") | Some("application/json") => Ok(Form::Manifest),
        Some("csl") | Some("csl-json") | Some(CSL_JSON) => Ok(Form::Csl),
        Some("bibtex") | Some("application/x-bibtex") => Ok(Form::Bibtex),
        Some(other) => Err(ApiError::NotAcceptable(format!(
            "f={:?} is not available; use f=json (the manifest), f=csl (CSL-JSON) or f=bibtex",
            query::printable(other)
        ))),
    }
}

/// `GET /api/citation?collection=…&…filters&f=json|csl|bibtex`: the citation manifest of the
/// features a query of `collection` (default `incidents`) selects, with the same filters as its
/// `items`. `f=csl` answers the CSL-JSON items alone, `f=bibtex` the BibTeX entries alone.
///
/// Answers are `Cache-Control: no-store` without an `ETag`: see the module documentation.
pub async fn citation(State(st): State<AppState>, fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(PARAMS)?;
    let form = form(p.get("f"))?;
    let c = query::collection(p.get("collection").unwrap_or("incidents"))
        .map_err(|_| ApiError::bad("collection", collection_reason(p.get("collection"))))?;
    // The filters of the collection's items, no more: countries take bbox, provinces bbox and
    // country, record collections every record filter.
    let own: Vec<&'static str> = filter_params(c).chain(["collection", "f"]).collect();
    if let Some((name, _)) = p.pairs().find(|(k, _)| !own.contains(k)) {
        return Err(ApiError::bad(
            name,
            format!(
                "is not a filter of collection {}; it takes {}",
                c.id(),
                own.join(", ")
            ),
        ));
    }
    let q = CollectionQuery::read(c, &p)?;
    let accessed_at = OffsetDateTime::now_utc();
    st.work
        .run(move || answer(&fresh.ctx, &fresh.snap, &q, &p, form, accessed_at))
        .await?
}

fn collection_reason(given: Option<&str>) -> String {
    let ids: Vec<&str> = Collection::all().iter().map(|c| c.id()).collect();
    format!(
        "{:?} is not one of {}",
        query::printable(given.unwrap_or("")),
        ids.join(", ")
    )
}

/// The query's filters as given: every parameter but `collection` and `f`.
fn filters(p: &Params) -> Vec<(String, String)> {
    p.pairs()
        .filter(|(k, _)| !matches!(*k, "collection" | "f"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The filters as a query string a reader can read in a bibliography: what a query may hold as it
/// is (RFC 3986: letters, digits, `-._~`, and `,/:;@!$()*`) stays as it is — `bbox=60,29,75,39`,
/// `datetime=2020-01-01/2024-12-31` — and everything else is percent-encoded (`&`, `=`, `+`, `#`,
/// `%`, `?`, spaces, non-ASCII), so the pairs read back exactly as any form decoder reads them.
/// The apostrophe is encoded too, though a query may hold it: citation processors set it as a
/// typographic quote (citeproc-js turned `'…'` into `’…’` in the link).
fn encode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, ENCODED));
        out.push('=');
        out.extend(utf8_percent_encode(v, ENCODED));
    }
    out
}

/// What [`encode`] percent-encodes: all but letters, digits and `-._~,/:;@!$()*`.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'/')
    .remove(b':')
    .remove(b';')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'(')
    .remove(b')')
    .remove(b'*');

fn answer(
    ctx: &Ctx,
    snap: &Snapshot,
    q: &CollectionQuery,
    p: &Params,
    form: Form,
    accessed_at: OffsetDateTime,
) -> Result<Response, ApiError> {
    let c = q.collection;
    let sel = q.select(snap);
    let cited = behind(snap, &sel);
    let filters = filters(p);
    let qs = encode(&filters);
    let mut url = ctx.url(&format!("/api/collections/{}/items", c.id()));
    if !qs.is_empty() {
        url = format!("{url}?{qs}");
    }
    let query = Query {
        collection: c.id(),
        collection_title: c.title(),
        filters: &filters,
        url: &url,
        number_matched: sel.len(),
        version: &snap.version,
        changed_at: snap.changed_at,
        accessed_at: accessed_at.replace_nanosecond(0).unwrap_or(accessed_at),
    };
    let docs = snap.catalog.documents();
    let (media, body) = match form {
        Form::Manifest => {
            let mut m = citation::manifest(docs, &cited, &query);
            m["links"] = serde_json::json!([
                super::context::link(
                    &ctx.with_query(&p.encode()),
                    "self",
                    super::context::JSON,
                    "This manifest"
                ),
                super::context::link(
                    &ctx.with_query(&p.with("f", "csl")),
                    "alternate",
                    CSL_JSON,
                    "The CSL-JSON items alone"
                ),
                super::context::link(
                    &ctx.with_query(&p.with("f", "bibtex")),
                    "alternate",
                    "application/x-bibtex",
                    "The BibTeX entries alone"
                ),
                super::context::link(
                    &url,
                    "describes",
                    super::context::GEOJSON,
                    "The features this manifest describes"
                ),
            ]);
            (super::context::JSON, m.to_string())
        }
        Form::Csl => {
            let keys = citation::keys(docs, &cited, query.version);
            let items = citation::csl(docs, &cited, &keys, &query);
            (CSL_JSON, serde_json::Value::Array(items).to_string())
        }
        Form::Bibtex => {
            let keys = citation::keys(docs, &cited, query.version);
            (BIBTEX, citation::bibtex(docs, &cited, &keys, &query))
        }
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// The documents behind a selection: those its records cite, or, for countries and provinces,
/// those the records counted in the selected jurisdictions' totals cite.
fn behind(snap: &Snapshot, sel: &Selection) -> Vec<Cited> {
    let catalog = &snap.catalog;
    match sel {
        Selection::Records(ids) => citation::cited(catalog, ids.iter().copied()),
        Selection::Polygons(level, idx) => {
            let list = snap.jurisdictions.of(*level);
            let ids: rustc_hash::FxHashSet<&str> =
                idx.iter().map(|&i| list[i].id.as_str()).collect();
            let of = |i: u32| match level {
                Level::Country => catalog.country(i),
                Level::Province => catalog.admin1_id(i),
            };
            let records =
                (0..catalog.len() as u32).filter(|&i| of(i).is_some_and(|j| ids.contains(j)));
            citation::cited(catalog, records)
        }
    }
}

/// The URL of the citation manifest of a download (or any query) of collection `c` with the
/// parameters `p`: its filters, less what only pages, orders, shapes or encodes the answer
/// (`format`, `f`, `sortby`, `properties`, `skipGeometry`, `limit`, `offset`).
pub fn manifest_url(ctx: &Ctx, c: Collection, p: &Params) -> String {
    let mut pairs = vec![("collection".to_string(), c.id().to_string())];
    pairs.extend(
        p.pairs()
            .filter(|(k, _)| !NOT_FILTERS.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    format!("{}?{}", ctx.url("/api/citation"), encode(&pairs))
}

/// Adds the `Link` to a download's citation manifest.
///
/// The relation is `describedby` (registered by W3C POWDER in the IANA link relations): "a
/// resource providing information about the context" — the manifest describes the download.
/// `cite-as` (RFC 8574) would say the target is the identifier to cite *instead of* the download,
/// a persistent one; the manifest URL is not that (it answers a new access time each time and
/// does not pin the data version).
pub fn link_header(r: &mut Response, manifest: &str) {
    set(
        r,
        header::LINK,
        &format!("<{manifest}>; rel=\"describedby\"; type=\"application/json\"; title=\"Citation manifest\""),
    );
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn a_citation_query_reads_plainly_and_decodes_to_the_same_pairs() {
        let pairs: Vec<(String, String)> = [
            ("bbox", "60,29,75,39"),
            ("datetime", "2020-01-01/2024-12-31"),
            ("filter", "id = '2020-04-x' AND q LIKE '%a&b+c#d?é'"),
            ("q", "Kerman bombing"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let q = encode(&pairs);
        assert!(
            q.starts_with(
                "bbox=60,29,75,39&datetime=2020-01-01/2024-12-31&filter=id%20%3D%20%272020-04-x%27"
            ),
            "{q}"
        );
        let back: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(back, pairs);
    }
}
