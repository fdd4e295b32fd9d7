//! Citation manifests: what a query of the data rests on, written so that a reader can cite it.
//!
//! A manifest names the data version and its change time, the query (collection and filters),
//! when it was read, how many features matched, and the documents behind the matched records —
//! each with how many of those records cite it and the sections they cite — as CSL-JSON items
//! and as BibTeX entries, plus one item for the data set itself.
//!
//! Only what a document's row in `sources.csv` states is written: author, title, publisher, date
//! and URL, each left out when the row leaves it empty. The type of a document is not recorded,
//! so its CSL type is the generic `document` and its BibTeX type `@misc`. Authors are written as
//! stated (a CSL `literal` name; in BibTeX braced whole when the text holds a comma, which BibTeX
//! would otherwise read as "Last, First"), never split into given and family names by guess.

use crate::index::Catalog;
use crate::model::dates::rfc3339;
use crate::model::Document;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use time::OffsetDateTime;

/// The data set's title in citations (the map page's citations use the same).
pub const DATASET_TITLE: &str = "ISKP activity by jurisdiction (iskp-map)";

/// One document behind a selection of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    /// Index into the catalog's documents.
    pub document: usize,
    /// How many of the selected records cite it.
    pub records: usize,
    /// The distinct sections those records cite, sorted.
    pub sections: Vec<String>,
}

/// The documents the records `ids` cite, in the order of the catalog's documents: one pass over
/// the records and their citations.
pub fn cited(catalog: &Catalog, ids: impl IntoIterator<Item = u32>) -> Vec<Cited> {
    let n = catalog.documents().len();
    let mut records = vec![0usize; n];
    let mut sections: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n];
    let mut seen: Vec<usize> = Vec::new();
    for i in ids {
        seen.clear();
        for (doc, section) in catalog.citations(i) {
            if doc >= n {
                continue;
            }
            if !seen.contains(&doc) {
                seen.push(doc);
                records[doc] += 1;
            }
            sections[doc].insert(section);
        }
    }
    (0..n)
        .filter(|&d| records[d] > 0)
        .map(|d| Cited {
            document: d,
            records: records[d],
            sections: sections[d].iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

/// What a manifest describes: the data version and the query.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The collection's id (`incidents`, `plots`, `countries`…).
    pub collection: &'a str,
    /// The collection's title.
    pub collection_title: &'a str,
    /// The query's filters, as given: `(parameter, value)`.
    pub filters: &'a [(String, String)],
    /// The URL of the data the query selects (the collection's items with the filters).
    pub url: &'a str,
    /// How many features the query matches.
    pub number_matched: usize,
    /// The data version (a content hash).
    pub version: &'a str,
    /// When the data last changed.
    pub changed_at: OffsetDateTime,
    /// When the data was read for this answer.
    pub accessed_at: OffsetDateTime,
}

/// A manifest's citation keys: one per cited document (derived from its id) and one for the data
/// set, all distinct.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The key of each cited document, in the order of the `cited` list.
    pub documents: Vec<String>,
    /// The key of the data set.
    pub dataset: String,
}

/// Citation keys for `cited` (documents of `docs`) and the data set of `version`: a document's
/// key is its id with anything but letters, digits and `-_:.` replaced by `-`; a key that would
/// repeat one before it gets `-2`, `-3`… appended.
pub fn keys(docs: &[Document], cited: &[Cited], version: &str) -> Keys {
    let mut used: HashSet<String> = HashSet::new();
    let mut unique = |base: String| {
        let base = if base.is_empty() {
            "source".to_string()
        } else {
            base
        };
        let mut k = base.clone();
        let mut n = 1;
        while !used.insert(k.clone()) {
            n += 1;
            k = format!("{base}-{n}");
        }
        k
    };
    let dataset = unique(format!(
        "iskp-map-{}",
        sanitize(&version.chars().take(12).collect::<String>())
    ));
    let documents = cited
        .iter()
        .map(|c| unique(sanitize(docs.get(c.document).map_or("", |d| d.id.as_str()))))
        .collect();
    Keys { documents, dataset }
}

fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A date as a document states it, read as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` when it is one.
fn date_parts(s: &str) -> Option<Vec<u32>> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut out = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let width_ok = if k == 0 { p.len() == 4 } else { p.len() == 2 };
        if !width_ok || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push(p.parse().ok()?);
    }
    let ok = out.get(1).is_none_or(|m| (1..=12).contains(m))
        && out.get(2).is_none_or(|d| (1..=31).contains(d));
    ok.then_some(out)
}

fn day_parts(t: OffsetDateTime) -> Vec<u32> {
    vec![
        t.year() as u32,
        u32::from(u8::from(t.month())),
        u32::from(t.day()),
    ]
}

fn day(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The query's filters in words: `kind=plot; country=DEU`, or `none`.
pub fn filters_text(filters: &[(String, String)]) -> String {
    if filters.is_empty() {
        return "none".into();
    }
    filters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn dataset_note(q: &Query) -> String {
    format!(
        "Collection {} ({}), {} matched; filters: {}; data version {}, changed at {}; accessed at {}.",
        q.collection,
        q.collection_title,
        plural(q.number_matched, "feature"),
        filters_text(q.filters),
        q.version,
        rfc3339(q.changed_at),
        rfc3339(q.accessed_at)
    )
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The CSL-JSON items: one per cited document (type `document`), then the data set (type
/// `dataset`, with its version, the date of its change as `issued`, the access date and the URL
/// of the query).
pub fn csl(docs: &[Document], cited: &[Cited], keys: &Keys, q: &Query) -> Vec<Value> {
    let mut items: Vec<Value> = cited
        .iter()
        .zip(&keys.documents)
        .filter_map(|(c, key)| {
            let d = docs.get(c.document)?;
            let mut item = serde_json::Map::new();
            item.insert("id".into(), json!(key));
            item.insert("type".into(), json!("document"));
            if !d.title.trim().is_empty() {
                item.insert("title".into(), json!(d.title));
            }
            if !d.author.trim().is_empty() {
                item.insert("author".into(), json!([{ "literal": d.author }]));
            }
            if let Some(p) = d.publisher.as_deref().filter(|p| !p.trim().is_empty()) {
                item.insert("publisher".into(), json!(p));
            }
            if let Some(p) = d.published.as_deref().filter(|p| !p.trim().is_empty()) {
                let issued = match date_parts(p) {
                    Some(parts) => json!({ "date-parts": [parts] }),
                    None => json!({ "literal": p }),
                };
                item.insert("issued".into(), issued);
            }
            if let Some(u) = d.url.as_deref().filter(|u| !u.trim().is_empty()) {
                item.insert("URL".into(), json!(u));
            }
            Some(Value::Object(item))
        })
        .collect();
    items.push(json!({
        "id": keys.dataset,
        "type": "dataset",
        "title": DATASET_TITLE,
        "version": q.version,
        "issued": { "date-parts": [day_parts(q.changed_at)] },
        "accessed": { "date-parts": [day_parts(q.accessed_at)] },
        "URL": q.url,
        "note": dataset_note(q),
    }));
    items
}

/// Text for a BibTeX field value inside braces: the characters TeX reads as commands or
/// grouping — `{ } \ % & # _ $ ~ ^` — written as the commands that print them. Line breaks
/// become spaces (a value is one line).
pub fn bibtex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '%' => out.push_str("\\%"),
            '&' => out.push_str("\\&"),
            '#' => out.push_str("\\#"),
            '_' => out.push_str("\\_"),
            '$' => out.push_str("\\$"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A URL for BibTeX's `url` field. That field is read verbatim (biblatex, and `\url` of the
/// `url`/`hyperref` packages), so `%`, `#`, `&` and `_` stay as they are — escaping them would
/// put backslashes into the link. Only what would unbalance the braces or start a command (`{`,
/// `}`, `\`, which a valid URL never holds unencoded) is percent-encoded, as are spaces.
pub fn bibtex_url(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for c in u.chars() {
        match c {
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            '\\' => out.push_str("%5C"),
            ' ' => out.push_str("%20"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The BibTeX entries: one `@misc` per cited document, then one for the data set. Titles are
/// braced twice so that styles keep their case; `date` (ISO 8601) and `urldate` are biblatex
/// fields, `year` is there for classic BibTeX.
pub fn bibtex(docs: &[Document], cited: &[Cited], keys: &Keys, q: &Query) -> String {
    let mut out = String::new();
    for (c, key) in cited.iter().zip(&keys.documents) {
        let Some(d) = docs.get(c.document) else {
            continue;
        };
        let mut fields: Vec<(&str, String)> = Vec::new();
        if !d.author.trim().is_empty() {
            let a = bibtex_escape(d.author.trim());
            fields.push((
                "author",
                if d.author.contains(',') {
                    format!("{{{a}}}")
                } else {
                    a
                },
            ));
        }
        if !d.title.trim().is_empty() {
            fields.push(("title", format!("{{{}}}", bibtex_escape(d.title.trim()))));
        }
        if let Some(p) = d.publisher.as_deref().filter(|p| !p.trim().is_empty()) {
            fields.push(("publisher", bibtex_escape(p.trim())));
        }
        if let Some(p) = d.published.as_deref().filter(|p| !p.trim().is_empty()) {
            match date_parts(p) {
                Some(parts) => {
                    fields.push(("date", p.trim().to_string()));
                    fields.push(("year", parts[0].to_string()));
                }
                None => fields.push(("note", format!("Date as stated: {}", bibtex_escape(p)))),
            }
        }
        if let Some(u) = d.url.as_deref().filter(|u| !u.trim().is_empty()) {
            fields.push(("url", bibtex_url(u.trim())));
        }
        entry(&mut out, "misc", key, &fields);
    }
    let fields = vec![
        ("title", format!("{{{}}}", bibtex_escape(DATASET_TITLE))),
        ("version", bibtex_escape(q.version)),
        ("date", day(q.changed_at)),
        ("year", q.changed_at.year().to_string()),
        ("url", bibtex_url(q.url)),
        ("urldate", day(q.accessed_at)),
        ("note", bibtex_escape(&dataset_note(q))),
    ];
    entry(&mut out, "misc", &keys.dataset, &fields);
    out
}

fn entry(out: &mut String, kind: &str, key: &str, fields: &[(&str, String)]) {
    let _ = writeln!(out, "@{kind}{{{key},");
    for (k, (name, value)) in fields.iter().enumerate() {
        let comma = if k + 1 < fields.len() { "," } else { "" };
        let _ = writeln!(out, "  {name} = {{{value}}}{comma}");
    }
    out.push_str("}\n\n");
}

/// The manifest as JSON: `title`, `dataVersion`, `changedAt`, `accessedAt`, `request`
/// (`url`, `collection`, `filters`), `numberMatched`, `documents` (`id`, `key`, `citedBy`,
/// `sections`), `csl` and `bibtex`.
pub fn manifest(docs: &[Document], cited: &[Cited], q: &Query) -> Value {
    let keys = keys(docs, cited, q.version);
    let mut filters = serde_json::Map::new();
    for (k, v) in q.filters {
        filters.insert(k.clone(), json!(v));
    }
    let documents: Vec<Value> = cited
        .iter()
        .zip(&keys.documents)
        .filter_map(|(c, key)| {
            let d = docs.get(c.document)?;
            Some(json!({
                "id": d.id,
                "key": key,
                "citedBy": c.records,
                "sections": c.sections,
            }))
        })
        .collect();
    json!({
        "title": format!("{DATASET_TITLE}: {}", q.collection_title),
        "dataVersion": q.version,
        "changedAt": rfc3339(q.changed_at),
        "accessedAt": rfc3339(q.accessed_at),
        "request": {
            "url": q.url,
            "collection": q.collection,
            "filters": filters,
        },
        "numberMatched": q.number_matched,
        "documents": documents,
        "csl": csl(docs, cited, &keys, q),
        "bibtex": bibtex(docs, cited, &keys, q),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, title: &str, author: &str) -> Document {
        Document {
            id: id.into(),
            title: title.into(),
            author: author.into(),
            publisher: None,
            published: None,
            url: None,
        }
    }

    fn query<'a>(filters: &'a [(String, String)]) -> Query<'a> {
        Query {
            collection: "incidents",
            collection_title: "All ISKP activity",
            filters,
            url: "http://x/api/collections/incidents/items?q=a_b%20c&kind=plot",
            number_matched: 3,
            version: "abcdef0123456789",
            changed_at: time::macros::datetime!(2026-11-30 10:00 UTC),
            accessed_at: time::macros::datetime!(2026-12-01 19:00:05 UTC),
        }
    }

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            bibtex_escape(r"a{b}c%d&e#f_g\h$i~j^k"),
            r"a\{b\}c\%d\&e\#f\_g\textbackslash{}h\$i\textasciitilde{}j\textasciicircum{}k"
        );
        assert_eq!(
            bibtex_url("http://x/?a=1&b=%2C_c#d{e}"),
            "http://x/?a=1&b=%2C_c#d%7Be%7D"
        );
    }

    #[test]
    fn keys_are_unique_and_safe() {
        let docs = vec![
            doc("S 1", "t", "a"),
            doc("S-1", "t", "a"),
            doc("", "t", "a"),
        ];
        let cited: Vec<Cited> = (0..3)
            .map(|d| Cited {
                document: d,
                records: 1,
                sections: vec![],
            })
            .collect();
        let k = keys(&docs, &cited, "v1");
        assert_eq!(k.documents, ["S-1", "S-1-2", "source"]);
        assert_eq!(k.dataset, "iskp-map-v1");
    }

    #[test]
    fn dates_only_when_they_are_dates() {
        assert_eq!(date_parts("2023-11-30"), Some(vec![2023, 11, 30]));
        assert_eq!(date_parts("2022-05"), Some(vec![2022, 5]));
        assert_eq!(date_parts("2022"), Some(vec![2022]));
        for bad in ["May 2022", "2022-13", "22-01", "2022-1-1", ""] {
            assert_eq!(date_parts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fields_come_only_from_the_document() {
        let mut d = doc("S1", "T {x} 100%", "Smith, Jane");
        d.published = Some("2023-11-30".into());
        let docs = vec![d, doc("S2", "Other", "")];
        let cited = vec![
            Cited {
                document: 0,
                records: 2,
                sections: vec!["¶1".into()],
            },
            Cited {
                document: 1,
                records: 1,
                sections: vec![],
            },
        ];
        let f = vec![("kind".to_string(), "plot".to_string())];
        let q = query(&f);
        let keys = keys(&docs, &cited, q.version);
        let items = csl(&docs, &cited, &keys, &q);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["issued"]["date-parts"], json!([[2023, 11, 30]]));
        assert!(items[0].get("publisher").is_none() && items[0].get("URL").is_none());
        assert!(items[1].get("author").is_none(), "no author is invented");
        assert_eq!(items[2]["type"], "dataset");
        assert_eq!(items[2]["accessed"]["date-parts"], json!([[2026, 12, 1]]));
        let b = bibtex(&docs, &cited, &keys, &q);
        assert_eq!(
            b.matches("\n@").count() + usize::from(b.starts_with('@')),
            3
        );
        assert!(b.contains("author = {{Smith, Jane}}"), "{b}");
        assert!(b.contains(r"title = {{T \{x\} 100\%}}"), "{b}");
        assert!(b.contains("url = {http://x/api/collections/incidents/items?q=a_b%20c&kind=plot}"));
        let depth = b.chars().fold(0i32, |d, c| match c {
            '{' => d + 1,
            '}' => d - 1,
            _ => d,
        });
        // Escaped braces are counted too, and they pair up in this example.
        assert_eq!(depth, 0);
    }
}
