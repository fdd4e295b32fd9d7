//! OGC API – Features: a collection's items (paged GeoJSON) and one item.

use super::context::ApiPath;
use super::context::{link, Ctx, Fresh, GEOJSON, JSON};
use super::error::ApiError;
use super::html::{self, answer, html_escape};
use super::query::{self, Encoding, Params};
use super::AppState;
use crate::geo::jurisdictions::Level;
use crate::model::dates::rfc3339;
use crate::store::collections::{Collection, Selection};
use crate::store::{Ids, Snapshot};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

/// `GET /api/collections/{id}/items`. A page of at most 100 records of a collection filtered by
/// nothing but its kind is a slice of a list the snapshot holds, answered at once; any other page
/// (a filter, a larger page, polygons, the HTML view) is built — and compressed when large — on
/// the [`work`](super::work) pool, and a GeoJSON one kept with the snapshot for the next request
/// that asks the same.
pub async fn items(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<String>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    let p = fresh.ctx.params(query::item_params(c))?;
    let enc = query::encoding(p.get("f"), fresh.ctx.accepts_html)?;
    let limit = query::limit(p.get("limit"))?;
    let offset = query::offset(p.get("offset"))?;
    let q = query::CollectionQuery::read(c, &p)?;
    let cheap = q.is_plain(&fresh.snap);
    fresh.revalidate()?;
    if cheap && limit <= query::DEFAULT_LIMIT && enc == Encoding::Json {
        page_of(&fresh, &q, &p, enc, limit, offset)
    } else if enc == Encoding::Json {
        if let Some(r) = fresh.kept() {
            return Ok(r);
        }
        st.work
            .run(move || fresh.remember(GEOJSON, || Ok(page_body(&fresh, &q, &p, limit, offset))))
            .await?
    } else {
        st.work
            .run(move || page_of(&fresh, &q, &p, enc, limit, offset))
            .await?
    }
}

/// The GeoJSON text of the page `offset..offset + limit` of a collection's selection.
fn page_body(
    fresh: &Fresh,
    q: &query::CollectionQuery,
    p: &Params,
    limit: usize,
    offset: usize,
) -> String {
    // A window over the whole map in the collection's order: its count from the day index and
    // only the page's records read, not every record the window holds.
    if let Some(w) = q.window(&fresh.snap) {
        let catalog = &fresh.snap.catalog;
        let ids = catalog.window_page(&w, offset, limit);
        let page = Page {
            range: 0..ids.len(),
            sel: &Selection::Records(Ids::List(ids)),
            matched: catalog.window_count(&w),
            offset,
            limit,
        };
        return feature_collection(&fresh.ctx, &fresh.snap, p, q, &page);
    }
    let sel = q.select(&fresh.snap);
    let start = offset.min(sel.len());
    let end = start.saturating_add(limit).min(sel.len());
    let page = Page {
        sel: &sel,
        matched: sel.len(),
        range: start..end,
        offset,
        limit,
    };
    feature_collection(&fresh.ctx, &fresh.snap, p, q, &page)
}

/// The page `offset..offset + limit` of a collection's selection, as GeoJSON or HTML.
fn page_of(
    fresh: &Fresh,
    q: &query::CollectionQuery,
    p: &Params,
    enc: Encoding,
    limit: usize,
    offset: usize,
) -> Result<Response, ApiError> {
    let ctx = &fresh.ctx;
    let c = q.collection;
    let shape = &q.shape;
    let body = page_body(fresh, q, p, limit, offset);
    if enc == Encoding::Html {
        let v: Value =
            serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut asked: Vec<&str> = vec!["id"];
        if let Some(list) = &shape.properties {
            asked.extend(list.iter().filter(|n| **n != "id"));
        }
        let columns: &[&str] = match c {
            Collection::Records(_) if shape.properties.is_some() => &asked,
            Collection::Records(_) => &[
                "id",
                "title",
                "kind",
                "date",
                "place",
                "country",
                "geo_precision",
                "count",
            ],
            Collection::Polygons(_) => {
                &["id", "name", "country", "total", "attack", "plot", "arrest"]
            }
        };
        return Ok(answer(fresh, enc, GEOJSON, c.title(), &v, || {
            html::feature_table(ctx, &v, columns)
        }));
    }
    Ok(fresh.ok(GEOJSON, body))
}

/// One page of a selection.
struct Page<'a> {
    /// The page's features, `range` of them.
    sel: &'a Selection,
    /// How many the query selects in all.
    matched: usize,
    range: std::ops::Range<usize>,
    offset: usize,
    limit: usize,
}

fn feature_collection(
    ctx: &Ctx,
    snap: &Snapshot,
    p: &Params,
    q: &query::CollectionQuery,
    page: &Page,
) -> String {
    let (c, shape) = (q.collection, &q.shape);
    let (matched, offset, limit) = (page.matched, page.offset, page.limit);
    let returned = page.range.len();
    let mut links = vec![
        link(&ctx.with_query(&p.encode()), "self", GEOJSON, "This page"),
        link(
            &ctx.with_query(&p.with("f", "html")),
            "alternate",
            "text/html",
            "This page as HTML",
        ),
        link(
            &ctx.url(&format!("/api/collections/{}", c.id())),
            "collection",
            JSON,
            c.title(),
        ),
    ];
    let end = offset.saturating_add(returned);
    if end < matched {
        links.push(link(
            &ctx.with_query(&p.with("offset", &end.to_string())),
            "next",
            GEOJSON,
            "Next page",
        ));
    }
    if offset > 0 {
        let prev = offset
            .saturating_sub(limit)
            .min(matched.saturating_sub(limit));
        let q = if prev == 0 {
            p.with("offset", "0")
        } else {
            p.with("offset", &prev.to_string())
        };
        links.push(link(&ctx.with_query(&q), "prev", GEOJSON, "Previous page"));
    }
    let mut s = String::with_capacity(1024 + returned * 1024);
    s.push_str("{\"type\":\"FeatureCollection\",\"numberMatched\":");
    s.push_str(&matched.to_string());
    s.push_str(",\"numberReturned\":");
    s.push_str(&returned.to_string());
    s.push_str(",\"timeStamp\":\"");
    s.push_str(&rfc3339(snap.changed_at));
    s.push_str("\",\"links\":");
    s.push_str(&Value::Array(links).to_string());
    s.push_str(",\"features\":[");
    for k in page.range.clone() {
        if k > page.range.start {
            s.push(',');
        }
        if shape.is_whole() {
            page.sel.write_feature(snap, k, q.max_offset, &mut s);
        } else {
            let mut one = String::new();
            page.sel.write_feature(snap, k, q.max_offset, &mut one);
            shape.write(&one, &mut s);
        }
    }
    s.push_str("]}");
    s
}

/// `GET /api/collections/{id}/items/{featureId}`.
pub async fn item(
    ApiPath((id, fid)): ApiPath<(String, String)>,
    fresh: Fresh,
) -> Result<Response, ApiError> {
    let c = query::collection(&id)?;
    let ctx = &fresh.ctx;
    let p = ctx.params(match c {
        Collection::Records(_) => &["f", "as_of"],
        Collection::Polygons(_) => &["f", "as_of", "max-allowable-offset"],
    })?;
    let enc = query::encoding(p.get("f"), ctx.accepts_html)?;
    let max_offset = query::max_allowable_offset(p.get("max-allowable-offset"))?;
    let snap = &fresh.snap;
    let not_found = || {
        let shown: String = fid.chars().filter(|c| !c.is_control()).take(120).collect();
        ApiError::NotFound(format!("feature {shown:?} is not in collection {}", c.id()))
    };
    // Found before the 304 check (a 404 comes first), made after it.
    enum Found<'a> {
        Record(u32),
        Polygon(&'a crate::views::layers::PolygonLayer, usize),
    }
    let found = match c {
        Collection::Records(kind) => {
            let i = snap.catalog.find(&fid).ok_or_else(not_found)?;
            if kind.is_some_and(|k| snap.catalog.entry(i).kind != k) {
                return Err(not_found());
            }
            Found::Record(i)
        }
        Collection::Polygons(level) => {
            let (i, layer) = match level {
                Level::Country => (snap.jurisdictions.country_index(&fid), &snap.countries),
                Level::Province => (snap.jurisdictions.province_index(&fid), &snap.provinces),
            };
            Found::Polygon(layer, i.ok_or_else(not_found)?)
        }
    };
    fresh.revalidate()?;
    let feature = match found {
        Found::Record(i) => std::borrow::Cow::Owned(snap.catalog.feature(i)),
        Found::Polygon(layer, i) => layer.feature(&snap.jurisdictions, i, max_offset),
    };
    // The links keep the query (`as_of`, `max-allowable-offset`): they name this same answer.
    let links = json!([
        link(
            &ctx.with_query(&p.encode()),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            &ctx.with_query(&p.with("f", "html")),
            "alternate",
            "text/html",
            "This feature as HTML"
        ),
        link(
            &ctx.url(&format!("/api/collections/{}", c.id())),
            "collection",
            JSON,
            c.title()
        ),
    ]);
    // The stored feature is a JSON object; add the links before its closing brace.
    let body = match feature.strip_suffix('}') {
        Some(head) => format!("{head},\"links\":{links}}}"),
        None => {
            return Err(ApiError::Internal(format!(
                "feature {fid} is not a JSON object"
            )))
        }
    };
    if enc == Encoding::Html {
        let v: Value =
            serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let title = v["properties"]["title"]
            .as_str()
            .or(v["properties"]["name"].as_str())
            .unwrap_or(&fid)
            .to_string();
        return Ok(answer(&fresh, enc, GEOJSON, &title, &v, || {
            let mut props = v["properties"].clone();
            if let Some(o) = props.as_object_mut() {
                o.remove("title");
            }
            format!(
                "{}<h2>Geometry</h2><p>{}</p>{}",
                html::value(&props),
                html_escape(v["geometry"]["type"].as_str().unwrap_or("")),
                html::links(ctx, &v["links"])
            )
        }));
    }
    Ok(fresh.ok(GEOJSON, body))
}
