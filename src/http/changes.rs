//! `GET /api/changes`: what changed in the data, in commit order — records, their citations and the
//! documents created, updated (with the fields that changed) or deleted, with the time and the
//! database role — as JSON pages or an Atom feed a newsroom can subscribe to. Served when the data
//! source keeps history (team mode: `iskp.history`; files: the `--history` journal); otherwise a 404 that says so.

use super::context::{link, Fresh, JSON};
use super::error::ApiError;
use super::html::html_escape;
use super::query::printable;
use crate::model::dates::rfc3339;
use crate::store::changes::{Change, ChangeOp, ChangeTable};
use axum::response::Response;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The query parameters of `/api/changes`.
pub const PARAMS: &[&str] = &["since", "after", "limit", "f"];
/// Default number of changes per page.
pub const DEFAULT_LIMIT: usize = 100;
/// Most changes per page.
pub const MAX_LIMIT: usize = 1000;
/// The media type of the Atom feed.
pub const ATOM: &str = "application/atom+xml";

/// `GET /api/changes?since=RFC3339&after=SEQ&limit=N&f=json|atom`.
pub async fn changes(fresh: Fresh) -> Result<Response, ApiError> {
    let p = fresh.ctx.params(PARAMS)?;
    let since = p
        .get("since")
        .map(|s| {
            OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
                ApiError::bad(
                    "since",
                    format!(
                        "{:?} is not an RFC 3339 date-time (2024-03-22T18:00:00Z)",
                        printable(s)
                    ),
                )
            })
        })
        .transpose()?;
    let after = match p.get("after") {
        None => 0,
        Some(s) => s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad(
                "after",
                format!("{:?} is not a whole number ≥ 0", printable(s)),
            )
        })?,
    };
    let limit = match p.get("limit") {
        None => DEFAULT_LIMIT,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                ApiError::bad(
                    "limit",
                    format!(
                        "{:?} is not a whole number from 1 to {MAX_LIMIT}",
                        printable(s)
                    ),
                )
            })?
            .min(MAX_LIMIT),
    };
    let atom = match p.get("f") {
        None | Some("json") => false,
        Some("atom") => true,
        Some(other) => {
            return Err(ApiError::bad(
                "f",
                format!("{:?} is not one of json, atom", printable(other)),
            ))
        }
    };
    let Some(history) = fresh.snap.history.clone() else {
        return Err(ApiError::NotFound(
            "this server keeps no history of the data: /api/changes is served in team mode (serve --db), whose database files every change, and over files with a journal (serve --data DIR --history FILE)".into(),
        ));
    };
    fresh.revalidate()?;
    let got = history.page(after, since, limit);
    let (page, more) = (got.changes, got.more);
    let ctx = &fresh.ctx;
    // The next page starts after the last change of this one; the other parameters stay.
    let query_with = |after: i64, f: Option<&str>| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(v) = p.get("since") {
            q.append_pair("since", v);
        }
        q.append_pair("after", &after.to_string());
        if limit != DEFAULT_LIMIT {
            q.append_pair("limit", &limit.to_string());
        }
        if let Some(f) = f {
            q.append_pair("f", f);
        }
        ctx.with_query(&q.finish())
    };
    if atom {
        let body = atom_feed(
            &fresh,
            &page,
            more.then(|| query_with(last(&page, after), Some("atom"))),
        );
        return Ok(fresh.ok(ATOM, body));
    }
    let mut links = vec![
        link(
            &ctx.with_query(ctx.query.as_deref().unwrap_or("")),
            "self",
            JSON,
            "These changes",
        ),
        link(
            &query_with(after, Some("atom")),
            "alternate",
            ATOM,
            "These changes as an Atom feed",
        ),
    ];
    if more {
        links.push(link(
            &query_with(last(&page, after), None),
            "next",
            JSON,
            "The next changes",
        ));
    }
    let body = json!({
        "changes": page.iter().map(|c| entry(&fresh, c)).collect::<Vec<Value>>(),
        "numberReturned": page.len(),
        "olderNotKept": got.older_not_kept.then(|| format!(
            "changes before these are not kept by this server (it keeps the latest {}); they are in the database's iskp.history",
            history.keep()
        )),
        "timeStamp": rfc3339(fresh.snap.changed_at),
        "links": links,
    });
    Ok(fresh.ok(JSON, body.to_string()))
}

fn last(page: &[Change], after: i64) -> i64 {
    page.last().map_or(after, |c| c.seq)
}

/// Where the changed thing is served now (a deleted one may be gone).
fn href(fresh: &Fresh, c: &Change) -> Option<String> {
    match c.table {
        ChangeTable::Records | ChangeTable::Citations => Some(fresh.ctx.url(&format!(
            "/api/collections/incidents/items/{}",
            form_urlencoded::byte_serialize(c.key.as_bytes()).collect::<String>()
        ))),
        ChangeTable::Sources => None,
    }
}

fn entry(fresh: &Fresh, c: &Change) -> Value {
    json!({
        "seq": c.seq,
        "time": rfc3339(c.at),
        "op": c.op.as_str(),
        "table": c.table.as_str(),
        "id": &*c.key,
        "fields": c.fields.iter().map(|f| &**f).collect::<Vec<&str>>(),
        "role": &*c.role,
        "href": href(fresh, c),
    })
}

/// One line saying what happened: "record 2024-… updated: title, summary".
fn sentence(c: &Change) -> String {
    let what = match c.table {
        ChangeTable::Records => "record",
        ChangeTable::Citations => "a citation of record",
        ChangeTable::Sources => "document",
    };
    let mut s = format!("{what} {} {}", c.key, c.op.as_str());
    if c.op == ChangeOp::Updated && !c.fields.is_empty() {
        s.push_str(": ");
        s.push_str(&c.fields.join(", "));
    }
    s
}

/// The page as an Atom 1.0 feed (RFC 4287): one entry per change, newest last as committed.
fn atom_feed(fresh: &Fresh, page: &[Change], next: Option<String>) -> String {
    let ctx = &fresh.ctx;
    let x = |s: &str| html_escape(s);
    let updated = page.last().map_or(fresh.snap.changed_at, |c| c.at);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <id>{}</id>\n", x(&ctx.url("/api/changes"))));
    out.push_str("  <title>iskp-map: changes to the data</title>\n");
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str("  <author><name>iskp-map</name></author>\n");
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"{ATOM}\" href=\"{}\"/>\n",
        x(&ctx.with_query(ctx.query.as_deref().unwrap_or("")))
    ));
    if let Some(n) = next {
        out.push_str(&format!(
            "  <link rel=\"next\" type=\"{ATOM}\" href=\"{}\"/>\n",
            x(&n)
        ));
    }
    for c in page {
        let line = sentence(c);
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <id>{}</id>\n",
            x(&ctx.url(&format!("/api/changes?after={}&limit=1", c.seq - 1)))
        ));
        out.push_str(&format!("    <title>{}</title>\n", x(&line)));
        out.push_str(&format!("    <updated>{}</updated>\n", rfc3339(c.at)));
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            x(&c.role)
        ));
        if let Some(h) = href(fresh, c) {
            out.push_str(&format!(
                "    <link rel=\"related\" type=\"application/geo+json\" href=\"{}\"/>\n",
                x(&h)
            ));
        }
        out.push_str(&format!(
            "    <content type=\"text\">{} (change {}, by {})</content>\n",
            x(&line),
            c.seq,
            x(&c.role)
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
