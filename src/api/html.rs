//! The HTML view of the API (`f=html`, or `Accept: text/html` from a browser): the same resources as
//! the JSON, rendered as plain pages with no script, every value escaped.

use super::openapi::html_escape;
use super::respond::Ctx;
use serde_json::Value;

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
