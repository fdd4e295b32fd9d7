//! The statement ledger, `statements.csv`: one row per statement of activity in each document, and
//! what became of it (the records it feeds, with the part of each record's count it supplies, or
//! why it was excluded). `iskp-map check` validates it against the records and citations of the
//! same data directory, so that every dot and every total can be traced to a statement:
//!
//! - every statement has an outcome: `record` with at least one record id, or `excluded` with a
//!   reason (and no record);
//! - every record id it names is a record, and every record is fed by at least one statement;
//! - for every record, the parts (`id:N`, no `:N` = the whole count) that the statements of at least
//!   one document supply add up to its `count`, and no document's parts exceed it;
//! - every citation `(record, document, section)` is named by a `record` row of that document with
//!   that section which feeds that record.
//!
//! The ledger is for the people who curate the data; the server does not read it.

use super::csvrows::each_row;
use super::error::Errors;
use crate::model::columns::{CITATION_COLUMNS, SPLIT_COLUMNS};
use rustc_hash::{FxHashMap, FxHashSet};

/// Columns of `statements.csv`.
pub const LEDGER_COLUMNS: &[&str] = &[
    "id",
    "source_id",
    "section",
    "statement",
    "outcome",
    "records",
    "reason",
];

/// What became of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It feeds these records: id and the part of its count (`None`: the whole count).
    Record(Vec<(String, Option<u32>)>),
    /// It was left out, for this reason.
    Excluded(String),
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `S1.07`.
    pub id: String,
    /// The document.
    pub document: String,
    /// Where in the document (`HEADING ¶N`).
    pub section: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Its line in the file.
    pub line: u64,
}

/// Reads `statements.csv`; bad rows go to `errors`.
pub fn read_ledger(
    file: &str,
    text: &str,
    documents: &[&str],
    errors: &mut Errors,
) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    each_row(file, text, LEDGER_COLUMNS, errors, |row, errors| {
        let (Some(id), Some(document), Some(section)) = (
            row.required("id", errors),
            row.required("source_id", errors),
            row.required("section", errors),
        ) else {
            return;
        };
        row.required("statement", errors);
        if let Some(first) = seen.insert(id.clone(), row.line) {
            row.error(
                errors,
                "id",
                format!("{id:?} is already used on line {first}"),
            );
        }
        if !documents.contains(&document.as_str()) {
            row.error(
                errors,
                "source_id",
                format!("{document:?} is not in sources.csv"),
            );
        }
        let records = row.get("records");
        let reason = row.get("reason");
        let outcome = match row.get("outcome") {
            "record" => {
                let mut feeds = Vec::new();
                for part in records.split('|').map(str::trim).filter(|s| !s.is_empty()) {
                    let (rid, n) = match part.split_once(':') {
                        Some((rid, n)) => match n.parse::<u32>() {
                            Ok(n) => (rid, Some(n)),
                            Err(_) => {
                                row.error(
                                    errors,
                                    "records",
                                    format!("{part:?}: the part after ':' is not a whole number"),
                                );
                                continue;
                            }
                        },
                        None => (part, None),
                    };
                    feeds.push((rid.to_string(), n));
                }
                if feeds.is_empty() {
                    row.error(
                        errors,
                        "records",
                        "a `record` statement names at least one record",
                    );
                }
                Outcome::Record(feeds)
            }
            "excluded" => {
                if !records.is_empty() {
                    row.error(errors, "records", "an `excluded` statement feeds no record");
                }
                if reason.is_empty() {
                    row.error(errors, "reason", "an `excluded` statement says why");
                }
                Outcome::Excluded(reason.to_string())
            }
            other => {
                row.error(
                    errors,
                    "outcome",
                    format!("{other:?} is not one of record, excluded"),
                );
                return;
            }
        };
        out.push(Statement {
            id,
            document,
            section,
            outcome,
            line: row.line,
        });
    });
    out
}

/// What the ledger is checked against: each record's id, count and line, and `citations.csv`.
pub struct Checked<'a> {
    /// Record id → count and line in `records.csv`.
    pub counts: &'a FxHashMap<String, (u32, u64)>,
    /// The name of `records.csv` in messages.
    pub records_file: &'a str,
    /// The name of `citations.csv` in messages, and its text.
    pub citations: (&'a str, &'a str),
    /// The name of `splits.csv` in messages, and its text (empty when there is none).
    pub splits: (&'a str, &'a str),
    /// The name of `statements.csv` in messages.
    pub ledger_file: &'a str,
}

/// Checks the ledger against the records and citations (see the module documentation); every
/// problem goes to `errors` as `file:line: field: reason`.
pub fn check_ledger(ledger: &[Statement], against: &Checked, errors: &mut Errors) {
    let file = against.ledger_file;
    // (record, document) → the parts its statements supply; `None` adds the whole count.
    let mut parts: FxHashMap<(&str, &str), (u64, u64)> = FxHashMap::default();
    let mut fed: FxHashSet<&str> = FxHashSet::default();
    let mut named: FxHashSet<(&str, &str, &str)> = FxHashSet::default();
    let mut first_line: FxHashMap<&str, u64> = FxHashMap::default();
    for s in ledger {
        let Outcome::Record(feeds) = &s.outcome else {
            continue;
        };
        for (rid, n) in feeds {
            let Some(&(count, _)) = against.counts.get(rid) else {
                errors.push(
                    file,
                    s.line,
                    "records",
                    format!("{rid:?} is not a record in records.csv"),
                );
                continue;
            };
            fed.insert(rid);
            first_line.entry(rid).or_insert(s.line);
            named.insert((rid, &s.document, &s.section));
            let e = parts.entry((rid, &s.document)).or_default();
            e.0 += u64::from(n.unwrap_or(count));
            e.1 = e.1.max(s.line);
        }
    }
    let mut ids: Vec<(&String, &(u32, u64))> = against.counts.iter().collect();
    ids.sort_by_key(|(_, (_, line))| *line);
    for (rid, &(count, rline)) in ids {
        if !fed.contains(rid.as_str()) {
            errors.push(
                against.records_file,
                rline,
                "id",
                format!("record {rid:?} is fed by no statement in {file}"),
            );
            continue;
        }
        let mut by_doc: Vec<(&str, u64, u64)> = parts
            .iter()
            .filter(|((r, _), _)| r == rid)
            .map(|((_, d), (sum, line))| (*d, *sum, *line))
            .collect();
        by_doc.sort();
        for (doc, sum, line) in &by_doc {
            if *sum > u64::from(count) {
                errors.push(
                    file,
                    *line,
                    "records",
                    format!(
                        "the statements of {doc} supply {sum} of record {rid:?}, whose count is {count}"
                    ),
                );
            }
        }
        if !by_doc.iter().any(|(_, sum, _)| *sum == u64::from(count)) {
            let shown: Vec<String> = by_doc.iter().map(|(d, s, _)| format!("{d} {s}")).collect();
            errors.push(
                file,
                first_line[rid.as_str()],
                "records",
                format!(
                    "no document's statements add up to the count {count} of record {rid:?} ({})",
                    shown.join(", ")
                ),
            );
        }
    }
    // Every period of a time split is stated by a `record` row of its document at its section.
    let stated: FxHashSet<(&str, &str)> = ledger
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Record(_)))
        .map(|s| (s.document.as_str(), s.section.as_str()))
        .collect();
    let (sfile, stext) = against.splits;
    if !stext.is_empty() {
        each_row(sfile, stext, SPLIT_COLUMNS, errors, |row, errors| {
            let (doc, section) = (row.get("source_id"), row.get("section"));
            if !stated.contains(&(doc, section)) {
                row.error(
                    errors,
                    "section",
                    format!("no `record` statement of {doc} at {section:?} in {file}"),
                );
            }
        });
    }
    let (cfile, ctext) = against.citations;
    each_row(cfile, ctext, CITATION_COLUMNS, errors, |row, errors| {
        let (rid, doc, section) = (
            row.get("record_id"),
            row.get("source_id"),
            row.get("section"),
        );
        if !named.contains(&(rid, doc, section)) {
            row.error(
                errors,
                "section",
                format!("no `record` statement of {doc} at {section:?} in {file} feeds {rid:?}"),
            );
        }
    });
}

/// Checks `statements.csv` of a data directory against its `records.csv`, `citations.csv` and
/// `sources.csv` (the files must already load). Returns the number of statements, or `None` when
/// the directory has no ledger.
pub fn check_dir(dir: &std::path::Path) -> Result<Option<usize>, super::error::LoadError> {
    use super::error::read_file;
    let path = dir.join("statements.csv");
    if !path.exists() {
        return Ok(None);
    }
    let name = |f: &str| dir.join(f).display().to_string();
    let text = read_file(&path)?;
    let records = read_file(&dir.join("records.csv"))?;
    let citations = read_file(&dir.join("citations.csv"))?;
    let sources = read_file(&dir.join("sources.csv"))?;
    let splits = read_file(&dir.join("splits.csv"))?;
    let mut errors = Errors::default();
    let docs = super::records::read_documents(&name("sources.csv"), &sources, &mut errors);
    let doc_ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let mut counts: FxHashMap<String, (u32, u64)> = FxHashMap::default();
    each_row(
        &name("records.csv"),
        &records,
        crate::model::columns::RECORD_COLUMNS,
        &mut errors,
        |row, _| {
            if let Ok(n) = row.get("count").parse::<u32>() {
                counts.insert(row.get("id").to_string(), (n, row.line));
            }
        },
    );
    let ledger = read_ledger(&name("statements.csv"), &text, &doc_ids, &mut errors);
    check_ledger(
        &ledger,
        &Checked {
            counts: &counts,
            records_file: &name("records.csv"),
            citations: (&name("citations.csv"), &citations),
            splits: (&name("splits.csv"), &splits),
            ledger_file: &name("statements.csv"),
        },
        &mut errors,
    );
    errors.finish(Some(ledger.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u32)]) -> FxHashMap<String, (u32, u64)> {
        pairs
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (k.to_string(), (*v, i as u64 + 2)))
            .collect()
    }

    fn run(ledger: &str, records: &[(&str, u32)], citations: &str) -> Vec<String> {
        let mut errors = Errors::default();
        let l = read_ledger("s.csv", ledger, &["S1", "S2"], &mut errors);
        let c = counts(records);
        check_ledger(
            &l,
            &Checked {
                counts: &c,
                records_file: "r.csv",
                citations: ("c.csv", citations),
                splits: ("p.csv", ""),
                ledger_file: "s.csv",
            },
            &mut errors,
        );
        errors.0.iter().map(|e| e.to_string()).collect()
    }

    const HEAD: &str = "id,source_id,section,statement,outcome,records,reason\n";

    #[test]
    fn a_consistent_ledger_passes() {
        let ledger = format!(
            "{HEAD}S1.01,S1,¶1,a total,record,a:2|b:3,\nS1.02,S1,¶2,one of them,record,a:0,\nS2.01,S2,¶1,talk,excluded,,not activity\n"
        );
        let cites = "record_id,source_id,section\na,S1,¶1\na,S1,¶2\nb,S1,¶1\n";
        assert_eq!(
            run(&ledger, &[("a", 2), ("b", 3)], cites),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_rule_names_its_line() {
        let ledger = format!(
            "{HEAD}S1.01,S1,¶1,x,record,a:5|ghost,\nS1.01,S3,¶2,y,maybe,,\nS1.03,S1,¶3,z,excluded,a,\n"
        );
        let cites = "record_id,source_id,section\na,S1,¶9\n";
        let e = run(&ledger, &[("a", 2), ("b", 1)], cites);
        let has = |s: &str| e.iter().any(|m| m.contains(s));
        assert!(
            has("s.csv:3: id: \"S1.01\" is already used on line 2"),
            "{e:?}"
        );
        assert!(
            has("s.csv:3: source_id: \"S3\" is not in sources.csv"),
            "{e:?}"
        );
        assert!(
            has("s.csv:3: outcome: \"maybe\" is not one of record, excluded"),
            "{e:?}"
        );
        assert!(
            has("s.csv:4: records: an `excluded` statement feeds no record"),
            "{e:?}"
        );
        assert!(
            has("s.csv:4: reason: an `excluded` statement says why"),
            "{e:?}"
        );
        assert!(has("s.csv:2: records: \"ghost\" is not a record"), "{e:?}");
        assert!(
            has("the statements of S1 supply 5 of record \"a\", whose count is 2"),
            "{e:?}"
        );
        assert!(
            has("r.csv:3: id: record \"b\" is fed by no statement"),
            "{e:?}"
        );
        assert!(
            has("c.csv:2: section: no `record` statement of S1 at \"¶9\""),
            "{e:?}"
        );
    }

    #[test]
    fn some_document_must_account_for_the_whole_count() {
        let ledger = format!("{HEAD}S1.01,S1,¶1,x,record,a:1,\nS2.01,S2,¶1,y,record,a:1,\n");
        let e = run(&ledger, &[("a", 2)], "record_id,source_id,section\n");
        assert!(
            e.iter()
                .any(|m| m.contains("no document's statements add up to the count 2")),
            "{e:?}"
        );
    }
}
