//! The HTML view of the API (`f=html`, or `Accept: text/html` from a browser): the same resources as
//! the JSON, rendered as plain pages with no script, every value escaped.

use super::context::{ok, Ctx, Fresh};
use super::query::Encoding;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde_json::Value;

/// The Content-Security-Policy of every HTML answer (the map page and the API's views): same origin only, no inline script, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers of HTML answers (CSP, no framing, no referrer) to an HTML response.
pub fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Answers `v` as JSON, or as an HTML page made by `html`.
pub fn answer(
    fresh: &Fresh,
    enc: Encoding,
    media: &'static str,
    title: &str,
    v: &Value,
    html: impl FnOnce() -> String,
) -> Response {
    match enc {
        Encoding::Json => fresh.ok(media, v.to_string()),
        Encoding::Html => secured(ok(
            "text/html; charset=utf-8",
            &fresh.tag,
            page(title, &html()),
        )),
    }
}

/// A whole page.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t} — iskp-map API</title></head>\
<body><nav><a href=\"/api?f=html\">API</a> · <a href=\"/api/collections?f=html\">Collections</a> · \
<a href=\"/api/docs\">Docs</a> · <a href=\"/\">Map</a></nav><main><h1>{t}</h1>{body}</main></body></html>",
        t = html_escape(title)
    )
}

/// The HTML twin of one of our own URLs (adds `f=html`); other URLs unchanged.
fn html_href(ctx: &Ctx, href: &str) -> String {
    if !href.starts_with(&ctx.base) {
        return href.to_string();
    }
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "f")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push(("f".into(), "html".into()));
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{q}")
}

/// A list of OGC link objects: HTML twins for JSON resources of this API, the links themselves else.
pub fn links(ctx: &Ctx, links: &Value) -> String {
    let mut s = String::from("<ul class=\"links\">");
    for l in links.as_array().into_iter().flatten() {
        let href = l["href"].as_str().unwrap_or("");
        let media = l["type"].as_str().unwrap_or("");
        let target = if media.contains("json") && !media.contains("schema") {
            html_href(ctx, href)
        } else {
            href.to_string()
        };
        s.push_str(&format!(
            "<li><a href=\"{}\">{}</a> <small>({}, {})</small></li>",
            html_escape(&target),
            html_escape(l["title"].as_str().unwrap_or(href)),
            html_escape(l["rel"].as_str().unwrap_or("")),
            html_escape(media)
        ));
    }
    s.push_str("</ul>");
    s
}

/// Any JSON value as nested definition lists, every string escaped.
pub fn value(v: &Value) -> String {
    match v {
        Value::Null => "<i>none</i>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => html_escape(s),
        Value::Array(a) if a.is_empty() => "<i>none</i>".into(),
        Value::Array(a) => format!(
            "<ol>{}</ol>",
            a.iter()
                .map(|x| format!("<li>{}</li>", value(x)))
                .collect::<String>()
        ),
        Value::Object(o) => format!(
            "<dl>{}</dl>",
            o.iter()
                .map(|(k, x)| format!("<dt>{}</dt><dd>{}</dd>", html_escape(k), value(x)))
                .collect::<String>()
        ),
    }
}

/// A page of features as a table, with the pagination links.
pub fn feature_table(ctx: &Ctx, fc: &Value, columns: &[&str]) -> String {
    let mut s = format!(
        "<p>{} matched, {} shown.</p>{}<table><thead><tr>",
        fc["numberMatched"],
        fc["numberReturned"],
        links(ctx, &fc["links"])
    );
    for c in columns {
        s.push_str(&format!("<th>{}</th>", html_escape(c)));
    }
    s.push_str("</tr></thead><tbody>");
    let collection = ctx.path.trim_end_matches("/items");
    for f in fc["features"].as_array().into_iter().flatten() {
        let id = f["id"].as_str().unwrap_or("");
        let href: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
        s.push_str(&format!(
            "<tr><td><a href=\"{}/items/{}?f=html\">{}</a></td>",
            html_escape(collection),
            href,
            html_escape(id)
        ));
        for c in &columns[1..] {
            s.push_str(&format!("<td>{}</td>", value(&f["properties"][*c])));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}
