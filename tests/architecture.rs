//! The layout as ARCHITECTURE.md draws it: every top-level module of the library is a layer of its
//! table, and every `crate::` path in a module's code points at a layer above it. An import that
//! runs the other way — which is also the only way to make a cycle — fails here with the file and
//! line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The layer table: module name → layer number, read from the rows `| N | `module` | …`.
fn layers() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let (Ok(n), Some(name)) = (
            cells[1].parse::<u32>(),
            cells[2].strip_prefix('`').and_then(|s| s.strip_suffix('`')),
        ) else {
            continue;
        };
        assert!(
            out.insert(name.to_string(), n).is_none(),
            "{name} is listed twice in ARCHITECTURE.md"
        );
    }
    out
}

/// The top-level modules `src/lib.rs` declares.
fn declared() -> Vec<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file with comments blanked out (line numbers kept).
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_line, mut in_block, mut in_str) = (false, 0u32, false);
    while let Some(c) = chars.next() {
        if c == '\n' {
            in_line = false;
            out.push('\n');
            continue;
        }
        if in_line {
            continue;
        }
        if in_block > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                in_block -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                in_block += 1;
            }
            continue;
        }
        if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => in_line = true,
            ('/', Some('*')) => {
                chars.next();
                in_block += 1;
            }
            ('"', _) => in_str = true,
            _ => out.push(c),
        }
    }
    out
}

/// `crate::name` references in a file's code, with their lines.
fn references(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code(text).lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let standalone = at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric());
            if standalone && !name.is_empty() {
                out.push((n + 1, name.clone()));
            }
            rest = &after[name.len()..];
        }
    }
    out
}

#[test]
fn every_module_is_a_layer_of_architecture_md() {
    let layers = layers();
    let declared = declared();
    for m in &declared {
        assert!(
            layers.contains_key(m),
            "src/lib.rs declares {m}, which ARCHITECTURE.md's layer table does not list"
        );
        let dir = root().join("src").join(m);
        assert!(dir.is_dir(), "{m} is a folder (src/{m}/), not a loose file");
    }
    for m in layers.keys() {
        assert!(
            declared.contains(m),
            "ARCHITECTURE.md lists {m}, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn every_import_points_up_the_layers() {
    let layers = layers();
    let mut wrong = Vec::new();
    for (module, &layer) in &layers {
        let mut files = Vec::new();
        rust_files(&root().join("src").join(module), &mut files);
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (line, target) in references(&text) {
                if &target == module {
                    continue;
                }
                match layers.get(&target) {
                    Some(&t) if t < layer => {}
                    Some(&t) => wrong.push(format!(
                        "{}:{line}: {module} (layer {layer}) uses {target} (layer {t})",
                        f.strip_prefix(root()).unwrap_or(&f).display()
                    )),
                    None => wrong.push(format!(
                        "{}:{line}: {module} uses crate::{target}, which is not a layer",
                        f.strip_prefix(root()).unwrap_or(&f).display()
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers of ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reader_sees_through_comments_and_strings() {
    let text = "use crate::model::Kind; // crate::http\n/* crate::cli */ let s = \"crate::db\";\nx(crate::store::Snapshot)";
    let refs: Vec<String> = references(text).into_iter().map(|(_, m)| m).collect();
    assert_eq!(refs, ["model", "store"]);
}
