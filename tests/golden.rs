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

#[test]
fn openapi_document_matches_the_golden_file() {
    let doc = iskp_map::http::openapi::document("http://127.0.0.1:8080");
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    text.push('\n');
    golden("openapi.json", &text);
}
