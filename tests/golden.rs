//! Golden documents: the OpenAPI definition is compared with `tests/golden/openapi.json`, so any
//! change to a parameter, path or schema shows as a diff in review. After a deliberate change,
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the file.

use std::path::Path;

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the served document from line {}:\n  golden: {}\n  served: {}\n\
             (rerun with UPDATE_GOLDEN=1 after a deliberate change)",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

/// The document with every object's keys in order: serde_json keeps insertion order when a
/// dependency (the `cql2` crate) turns on its `preserve_order` feature, and the golden file should
/// show what changed, not how a map happens to be ordered.
fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut entries: Vec<(String, serde_json::Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

#[test]
fn openapi_document_matches_the_golden_file() {
    let doc = sorted(iskp_map::http::openapi::document("http://127.0.0.1:8080"));
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    text.push('\n');
    golden("openapi.json", &text);
}
