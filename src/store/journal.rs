//! File mode's history: `serve --data DIR --history FILE` keeps a journal of the data it served, so
//! that `as_of` and `/api/changes` answer over files as they do in team mode.
//!
//! The journal is newline-delimited JSON, one entry per load that served different records,
//! citations or sources (the first: the data as first served). An entry holds when it began to be
//! served (`at`), the data's change time (`changedAt`, the answers' `timeStamp`) and version, a line
//! diff of each of the three files against the entry before (`=` n lines kept, `-` n dropped, `+`
//! lines added, each line with its own ending, so the files come back byte for byte), and the
//! changes it made, row by row (records and sources by id, citations by their record), as the
//! change feed lists them. The other files keep no history: a past state is read with today's
//! boundaries, gazetteer, places and splits.
//!
//! Entries are appended whole with one write and flushed to disk. A line cut short by a crash
//! (no newline at the end of the file, or not JSON) is ignored and reported at start, and cut off
//! so that the next entry starts on a line of its own; a bad line anywhere else stops the start
//! with `FILE:LINE: journal: reason`.

use super::changes::{Change, ChangeLog, ChangeOp, ChangeTable, History};
use super::past::Placed;
use super::{DataSource, FileSource, Snapshot, SourceError};
use crate::load::error::LoadError;
use crate::load::{read_inputs, FILES};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The files whose history the journal keeps, with the table each is in the change feed.
const KEPT: [(&str, ChangeTable); 3] = [
    ("sources.csv", ChangeTable::Sources),
    ("records.csv", ChangeTable::Records),
    ("citations.csv", ChangeTable::Citations),
];

/// How long a diff of one file may search for the shortest edit before it settles for a longer
/// (still exact) one.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// One step of a line diff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
enum Step {
    /// Keep this many lines.
    #[serde(rename = "=")]
    Keep(usize),
    /// Drop this many lines.
    #[serde(rename = "-")]
    Drop(usize),
    /// Add these lines.
    #[serde(rename = "+")]
    Add(Vec<String>),
}

/// One change as the journal files it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Filed {
    table: String,
    op: String,
    key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<String>,
}

/// One journal line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    changed_at: OffsetDateTime,
    version: String,
    /// Per kept file, its diff against the entry before.
    files: std::collections::BTreeMap<String, Vec<Step>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    changes: Vec<Filed>,
}

/// What is known of the journal without reading it again: each entry's seq and time, and the kept
/// files as the last entry left them.
#[derive(Debug, Default)]
struct Index {
    /// Each entry's seq, time and recorded change time (`changedAt`).
    entries: Vec<(i64, OffsetDateTime, OffsetDateTime)>,
    texts: Vec<String>,
}

/// A [`FileSource`] that journals what it serves (see the module).
pub struct JournalSource {
    files: FileSource,
    path: PathBuf,
    index: Mutex<Index>,
    log: Arc<ChangeLog>,
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The steps that turn `old` into `new`.
fn diff(old: &str, new: &str) -> Vec<Step> {
    let (a, b) = (lines(old), lines(new));
    let deadline = std::time::Instant::now() + DIFF_DEADLINE;
    let ops =
        similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &a, &b, Some(deadline));
    let mut steps: Vec<Step> = Vec::new();
    let mut push = |s: Step| match (steps.last_mut(), s) {
        (Some(Step::Keep(n)), Step::Keep(m)) => *n += m,
        (Some(Step::Drop(n)), Step::Drop(m)) => *n += m,
        (Some(Step::Add(v)), Step::Add(w)) => v.extend(w),
        (_, s) => steps.push(s),
    };
    for op in ops {
        let (o, n) = (op.old_range(), op.new_range());
        match op.tag() {
            similar::DiffTag::Equal => push(Step::Keep(o.len())),
            similar::DiffTag::Delete => push(Step::Drop(o.len())),
            similar::DiffTag::Insert => {
                push(Step::Add(b[n].iter().map(|s| s.to_string()).collect()))
            }
            similar::DiffTag::Replace => {
                push(Step::Drop(o.len()));
                push(Step::Add(b[n].iter().map(|s| s.to_string()).collect()));
            }
        }
    }
    steps
}

/// `old` with `steps` applied; `None` if they do not fit it.
fn apply(old: &str, steps: &[Step]) -> Option<String> {
    let a = lines(old);
    let mut out = String::with_capacity(old.len());
    let mut at = 0usize;
    for s in steps {
        match s {
            Step::Keep(n) => {
                out.extend(a.get(at..at + n)?.iter().copied());
                at += n;
            }
            Step::Drop(n) => {
                a.get(at..at + n)?;
                at += n;
            }
            Step::Add(v) => v.iter().for_each(|l| out.push_str(l)),
        }
    }
    (at == a.len()).then_some(out)
}

/// The rows of a CSV text by key: records and sources by `id`, citations grouped by `record_id`.
/// Each value is the row's fields by column name.
fn rows_by_key(
    text: &str,
    table: ChangeTable,
) -> std::collections::BTreeMap<String, Vec<Vec<(String, String)>>> {
    let mut out: std::collections::BTreeMap<String, Vec<Vec<(String, String)>>> =
        Default::default();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(head) = r.headers().cloned() else {
        return out;
    };
    let key_col = match table {
        ChangeTable::Citations => "record_id",
        _ => "id",
    };
    let k = head
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}').trim() == key_col);
    for row in r.records().flatten() {
        let Some(key) = k.and_then(|k| row.get(k)) else {
            continue;
        };
        let fields = head
            .iter()
            .zip(row.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        out.entry(key.to_string()).or_default().push(fields);
    }
    out
}

/// The changes from `old` to `new` of one file, as the change feed lists them.
fn changes_of(old: &str, new: &str, table: ChangeTable) -> Vec<Filed> {
    let (a, b) = (rows_by_key(old, table), rows_by_key(new, table));
    let mut out = Vec::new();
    let filed = |op: &str, key: &str, fields: Vec<String>| Filed {
        table: table.as_str().into(),
        op: op.into(),
        key: key.into(),
        fields,
    };
    for (key, rows) in &b {
        match a.get(key) {
            None => out.push(filed("created", key, Vec::new())),
            Some(old_rows) if old_rows != rows => {
                let fields = match (old_rows.as_slice(), rows.as_slice(), table) {
                    ([o], [n], ChangeTable::Records | ChangeTable::Sources) => {
                        let mut f: Vec<String> = n
                            .iter()
                            .filter(|(h, v)| {
                                o.iter().find(|(h2, _)| h2 == h).map(|(_, v2)| v2) != Some(v)
                            })
                            .map(|(h, _)| h.clone())
                            .collect();
                        f.sort();
                        f
                    }
                    _ => Vec::new(),
                };
                out.push(filed("updated", key, fields));
            }
            Some(_) => {}
        }
    }
    for key in a.keys().filter(|k| !b.contains_key(*k)) {
        out.push(filed("deleted", key, Vec::new()));
    }
    out
}

fn bad(path: &Path, line: usize, reason: impl std::fmt::Display) -> SourceError {
    SourceError::Data(LoadError::Io {
        path: format!("{}:{line}", path.display()),
        source: std::io::Error::other(format!("journal: {reason}")),
    })
}

fn change(e: &Entry, c: &Filed, role: &Arc<str>) -> Option<Change> {
    Some(Change {
        seq: e.seq,
        at: e.at,
        role: role.clone(),
        table: ChangeTable::parse(&c.table)?,
        op: match c.op.as_str() {
            "created" => ChangeOp::Created,
            "updated" => ChangeOp::Updated,
            "deleted" => ChangeOp::Deleted,
            _ => return None,
        },
        key: c.key.clone().into(),
        fields: c
            .fields
            .iter()
            .map(|f| f.clone().into_boxed_str())
            .collect(),
    })
}

impl JournalSource {
    /// Opens (or creates) the journal `path` for the files of `files`: reads every entry, reports
    /// and cuts off a last line a crash left incomplete, and refuses one bad anywhere else.
    pub fn open(files: FileSource, path: impl Into<PathBuf>) -> Result<Self, SourceError> {
        let path = path.into();
        let text = match std::fs::read(&path) {
            Ok(b) => String::from_utf8(b).map_err(|_| bad(&path, 1, "not UTF-8"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(SourceError::Data(LoadError::Io {
                    path: path.display().to_string(),
                    source: e,
                }))
            }
        };
        let mut index = Index {
            entries: Vec::new(),
            texts: vec![String::new(); KEPT.len()],
        };
        let log = Arc::new(ChangeLog::default());
        let role: Arc<str> = "files".into();
        let mut good = 0usize;
        let parts: Vec<&str> = text.split_inclusive('\n').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let parsed = part
                .strip_suffix('\n')
                .ok_or("no newline at its end")
                .and_then(|l| serde_json::from_str::<Entry>(l).map_err(|_| "not a journal entry"));
            let e = match parsed {
                Ok(e) => e,
                Err(why) if last => {
                    tracing::warn!(
                        "{}:{}: journal: the last line is incomplete ({why}: a crash while it was written); ignored and cut off",
                        path.display(),
                        i + 1
                    );
                    break;
                }
                Err(why) => return Err(bad(&path, i + 1, why)),
            };
            if index.entries.last().is_some_and(|(s, _, _)| *s >= e.seq) {
                return Err(bad(
                    &path,
                    i + 1,
                    format!("seq {} does not follow the line before", e.seq),
                ));
            }
            for (k, (file, _)) in KEPT.iter().enumerate() {
                if let Some(steps) = e.files.get(*file) {
                    index.texts[k] = apply(&index.texts[k], steps).ok_or_else(|| {
                        bad(
                            &path,
                            i + 1,
                            format!("its diff of {file} does not fit the entries before"),
                        )
                    })?;
                }
            }
            log.extend(
                e.changes
                    .iter()
                    .filter_map(|c| change(&e, c, &role))
                    .collect(),
            );
            index.entries.push((e.seq, e.at, e.changed_at));
            good += part.len();
        }
        if good < text.len() {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| {
                    f.set_len(good as u64)?;
                    f.sync_data()
                });
            f.map_err(|e| {
                SourceError::Data(LoadError::Io {
                    path: path.display().to_string(),
                    source: e,
                })
            })?;
        }
        Ok(JournalSource {
            files,
            path,
            index: Mutex::new(index),
            log,
        })
    }

    /// Appends the entry for `texts` (the eight files of a load that validated) if the kept files
    /// differ from the last entry's; returns the seq and time of the state they are.
    fn record(
        &self,
        texts: &[(String, String)],
        d: &crate::load::Dataset,
    ) -> Result<(i64, OffsetDateTime), SourceError> {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        let kept: Vec<&str> = KEPT
            .iter()
            .map(|(f, _)| {
                FILES
                    .iter()
                    .position(|x| x == f)
                    .map_or("", |i| texts[i].1.as_str())
            })
            .collect();
        let same = !index.entries.is_empty()
            && kept.iter().zip(&index.texts).all(|(a, b)| *a == b.as_str());
        if same {
            let (seq, at, _) = *index.entries.last().unwrap_or(&(
                0,
                OffsetDateTime::UNIX_EPOCH,
                OffsetDateTime::UNIX_EPOCH,
            ));
            return Ok((seq, at));
        }
        let first = index.entries.is_empty();
        let seq = index.entries.last().map_or(1, |(s, _, _)| s + 1);
        let at = OffsetDateTime::now_utc();
        let mut e = Entry {
            seq,
            at,
            changed_at: d.changed_at,
            version: d.version.clone(),
            files: Default::default(),
            changes: Vec::new(),
        };
        for (k, (file, table)) in KEPT.iter().enumerate() {
            if kept[k] == index.texts[k] {
                continue;
            }
            e.files
                .insert(file.to_string(), diff(&index.texts[k], kept[k]));
            // The first entry is the data as first served: its rows are the start, not changes.
            if !first {
                e.changes
                    .extend(changes_of(&index.texts[k], kept[k], *table));
            }
        }
        let mut line = serde_json::to_string(&e)
            .map_err(|err| bad(&self.path, index.entries.len() + 1, err))?;
        line.push('\n');
        let io = |err: std::io::Error| {
            SourceError::Data(LoadError::Io {
                path: self.path.display().to_string(),
                source: err,
            })
        };
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)?;
        let role: Arc<str> = "files".into();
        self.log.extend(
            e.changes
                .iter()
                .filter_map(|c| change(&e, c, &role))
                .collect(),
        );
        index.entries.push((seq, at, d.changed_at));
        index.texts = kept.iter().map(|t| t.to_string()).collect();
        Ok((seq, at))
    }

    /// The kept files as they stood after entry `seq`, and that entry's change time (the
    /// `timeStamp` of its answers), in one reading of the journal.
    fn state_after(&self, seq: i64) -> Result<(Vec<String>, OffsetDateTime), SourceError> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| {
            SourceError::Data(LoadError::Io {
                path: self.path.display().to_string(),
                source: e,
            })
        })?;
        let mut texts = vec![String::new(); KEPT.len()];
        for (i, line) in text.lines().enumerate() {
            let e: Entry = serde_json::from_str(line)
                .map_err(|_| bad(&self.path, i + 1, "not a journal entry"))?;
            for (k, (file, _)) in KEPT.iter().enumerate() {
                if let Some(steps) = e.files.get(*file) {
                    texts[k] = apply(&texts[k], steps)
                        .ok_or_else(|| bad(&self.path, i + 1, "a diff that does not fit"))?;
                }
            }
            if e.seq == seq {
                return Ok((texts, e.changed_at));
            }
        }
        Err(bad(&self.path, 1, format!("no entry {seq}")))
    }
}

impl JournalSource {
    /// The last entry at or before `last`: its seq, time and recorded change time.
    fn entry_at(&self, last: OffsetDateTime) -> Option<(i64, OffsetDateTime, OffsetDateTime)> {
        let index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        index
            .entries
            .iter()
            .rev()
            .find(|(_, t, _)| *t <= last)
            .copied()
    }
}

impl DataSource for JournalSource {
    fn describe(&self) -> String {
        format!(
            "{} (history in {})",
            self.files.describe(),
            self.path.display()
        )
    }

    fn load(&self) -> Result<Snapshot, SourceError> {
        let (texts, changed_at) = self.files.texts()?;
        let d = read_inputs(
            &texts,
            changed_at,
            self.files.cache(),
            Some(self.files.memo()),
            &self.files.dir().display().to_string(),
        )?;
        let (seq, at) = self.record(&texts, &d)?;
        Ok(Snapshot::from_dataset(d).with_history(History::of_state(
            self.log.clone(),
            seq,
            Some(at),
        )))
    }

    fn installed(&self, snap: &Arc<Snapshot>) {
        self.files.installed(snap)
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn place(&self, at: OffsetDateTime) -> Result<Placed, SourceError> {
        let index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        Ok(
            match index.entries.iter().rev().find(|(_, t, _)| *t <= at) {
                Some((_, t, _)) => Placed::After(*t),
                None => Placed::Before(index.entries.first().map(|(_, t, _)| *t)),
            },
        )
    }

    /// A rebuilt state carries the change time its entry recorded; a load of unchanged journalled
    /// files keeps the last entry, though a file without history (or a `touch`) moved the served
    /// change time — then the two differ.
    fn rebuilds_alike(&self, snap: &Snapshot, last: OffsetDateTime) -> bool {
        self.entry_at(last).is_some_and(|(_, _, changed)| {
            changed.replace_nanosecond(0).unwrap_or(changed) == snap.changed_at
        })
    }

    fn load_as_of(&self, last: OffsetDateTime) -> Result<Snapshot, SourceError> {
        let seq = self.entry_at(last).map(|(s, _, _)| s);
        let seq = seq.ok_or_else(|| {
            bad(
                &self.path,
                1,
                format!(
                    "no entry at or before {}",
                    last.format(&Rfc3339).unwrap_or_default()
                ),
            )
        })?;
        let (kept, changed_at) = self.state_after(seq)?;
        let (mut texts, _) = self.files.texts()?;
        for ((file, _), text) in KEPT.iter().zip(kept) {
            if let Some(i) = FILES.iter().position(|x| x == file) {
                texts[i].1 = text;
            }
        }
        let what = format!(
            "{} as of {}",
            self.files.dir().display(),
            last.format(&Rfc3339).unwrap_or_default()
        );
        let d = read_inputs(&texts, changed_at, None, Some(self.files.memo()), &what)?;
        Ok(Snapshot::from_dataset(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_give_the_text_back_byte_for_byte() {
        let cases = [
            ("", "a\nb\n"),
            ("a\nb\nc\n", "a\nc\n"),
            ("a\nb\nc\n", "a\nB\nc\nd"),
            ("x\n\"multi\nline\"\ny\n", "x\ny\n"),
            ("a\r\nb\r\n", "a\r\nb\r\nc\r\n"),
            ("a\nb\n", ""),
        ];
        for (old, new) in cases {
            let steps = diff(old, new);
            assert_eq!(
                apply(old, &steps).as_deref(),
                Some(new),
                "{old:?} → {new:?}: {steps:?}"
            );
        }
        assert_eq!(
            apply("a\n", &[Step::Keep(2)]),
            None,
            "a diff that does not fit"
        );
        assert_eq!(
            apply("a\nb\n", &[Step::Keep(1)]),
            None,
            "nor one that stops short"
        );
    }

    #[test]
    fn row_changes_name_the_fields_an_update_changed() {
        let old = "id,title,summary\na,T,S\nb,T2,S2\n";
        let new = "id,title,summary\na,T!,S\nc,T3,S3\n";
        let got: Vec<(String, String, Vec<String>)> = changes_of(old, new, ChangeTable::Records)
            .into_iter()
            .map(|c| (c.op, c.key, c.fields))
            .collect();
        assert_eq!(
            got,
            [
                ("updated".into(), "a".into(), vec!["title".to_string()]),
                ("created".into(), "c".into(), vec![]),
                ("deleted".into(), "b".into(), vec![]),
            ]
        );
    }
}
