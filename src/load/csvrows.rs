//! CSV rows with their line numbers and typed, error-collecting field readers.
//!
//! Every reader takes the column name, reports a problem as `file:line: column: reason` into the
//! shared [`Errors`], and returns `None` then, so one pass reports every bad field of every row.

use super::error::{Errors, Reason};
use crate::geo::jurisdictions::Jurisdictions;
use std::sync::Arc;

/// The data rows of one CSV file whose header was checked, readable in parallel chunks.
pub struct CsvRows<'a> {
    file: Arc<str>,
    columns: Arc<[(&'static str, usize)]>,
    width: usize,
    body: &'a str,
    /// Line number of the first data row.
    first_line: u64,
}

impl<'a> CsvRows<'a> {
    /// Opens the text and checks that the header names exactly the `expected` columns (any order;
    /// extra columns are an error so that a misspelt column cannot be silently ignored). Returns
    /// `None` after recording the error when the header is wrong.
    pub fn new(
        file: &str,
        text: &'a str,
        expected: &'static [&'static str],
        errors: &mut Errors,
    ) -> Option<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                errors.push(file, 1, "header", e.to_string());
                return None;
            }
        };
        let mut columns: Vec<(&'static str, usize)> = Vec::new();
        let mut ok = true;
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim_start_matches('\u{feff}').trim();
            match expected.iter().find(|e| **e == h) {
                None => {
                    ok = false;
                    errors.push(
                        file,
                        1,
                        h,
                        format!("unknown column; expected {}", expected.join(",")),
                    );
                }
                Some(e) if columns.iter().any(|(c, _)| c == e) => {
                    ok = false;
                    errors.push(file, 1, h, "column appears twice");
                }
                Some(e) => columns.push((e, i)),
            }
        }
        for e in expected {
            if !columns.iter().any(|(c, _)| c == e) {
                ok = false;
                errors.push(file, 1, e, "missing column");
            }
        }
        if !ok {
            return None;
        }
        // Look the columns up in the caller's order: the first names asked for are found first.
        columns.sort_by_key(|(c, _)| expected.iter().position(|e| e == c));
        let pos = reader.position();
        let body = text.get(pos.byte() as usize..).unwrap_or("");
        Some(CsvRows {
            file: file.into(),
            columns: columns.into(),
            width: headers.len(),
            body,
            first_line: pos.line(),
        })
    }

    /// Splits the rows into at most `parts` runs of whole rows of about equal size, each with the
    /// line number it starts on. Quoted fields may hold line breaks; the split follows the same
    /// quoting rules as the reader, so it never falls inside a field.
    pub fn split(self, parts: usize) -> Vec<CsvRows<'a>> {
        let parts = parts.max(1);
        if parts == 1 {
            return vec![self];
        }
        let step = self.body.len() / parts + 1;
        let mut out = Vec::with_capacity(parts);
        let bytes = self.body.as_bytes();
        let (mut start, mut start_line) = (0usize, self.first_line);
        for end in record_ends(bytes) {
            if end + 1 - start >= step && out.len() + 1 < parts {
                out.push(self.part(start, end + 1, start_line));
                // Line breaks inside quoted fields count as lines too.
                start_line += memchr::memchr_iter(b'\n', &bytes[start..=end]).count() as u64;
                start = end + 1;
            }
        }
        out.push(self.part(start, self.body.len(), start_line));
        out
    }

    fn part(&self, from: usize, to: usize, first_line: u64) -> CsvRows<'a> {
        CsvRows {
            file: self.file.clone(),
            columns: self.columns.clone(),
            width: self.width,
            body: &self.body[from..to],
            first_line,
        }
    }

    /// Calls `f` on every row; rows that cannot be read are recorded in `errors`. A row with the
    /// wrong number of fields is reported and skipped, and reading goes on; after a row that is
    /// not valid CSV or UTF-8 the reader cannot find the next row, so reading stops there.
    pub fn for_each(&self, errors: &mut Errors, mut f: impl FnMut(&Row, &mut Errors)) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(self.body.as_bytes());
        let mut row = Row {
            file: self.file.clone(),
            line: 0,
            columns: self.columns.clone(),
            record: csv::StringRecord::new(),
        };
        loop {
            match reader.read_record(&mut row.record) {
                Ok(false) => return,
                Ok(true) => {
                    let (mut local, byte) = row
                        .record
                        .position()
                        .map_or((1, 0), |p| (p.line(), p.byte() as usize));
                    // After a CRLF row the reader places the next row at the LF, one line early.
                    if self.body.as_bytes().get(byte) == Some(&b'\n') {
                        local += 1;
                    }
                    row.line = self.first_line + local - 1;
                    if row.record.len() != self.width {
                        let n = row.record.len();
                        let reason = format!("has {n} fields, the header has {}", self.width);
                        row.error(errors, "row", reason);
                        continue;
                    }
                    f(&row, errors);
                }
                Err(e) => {
                    let local = e.position().map_or(1, |p| p.line());
                    let reason = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_string(),
                        _ => e.to_string(),
                    };
                    errors.push(&self.file, self.first_line + local - 1, "row", reason);
                    return;
                }
            }
        }
    }
}

/// The byte indices of the line breaks that end records, as the `csv` crate reads `body`: every
/// `\n` outside a quoted field.
fn record_ends(body: &[u8]) -> impl Iterator<Item = usize> + '_ {
    RecordEnds { body, at: 0 }
}

/// Iterator behind [`record_ends`]. RFC 4180 quoting as the `csv` crate reads it: a quote opens a
/// quoted field only at the start of a field; inside one, `""` is a literal quote and a single
/// quote closes it.
struct RecordEnds<'a> {
    body: &'a [u8],
    at: usize,
}

impl Iterator for RecordEnds<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let b = self.body;
        loop {
            let i = self.at + memchr::memchr2(b'"', b'\n', &b[self.at..])?;
            if b[i] == b'\n' {
                self.at = i + 1;
                return Some(i);
            }
            let at_field_start = i == 0 || matches!(b[i - 1], b',' | b'\n');
            self.at = i + 1;
            if !at_field_start {
                continue;
            }
            // Inside a quoted field: skip to its closing quote.
            loop {
                let Some(q) = memchr::memchr(b'"', &b[self.at..]) else {
                    self.at = b.len();
                    return None;
                };
                let q = self.at + q;
                if b.get(q + 1) == Some(&b'"') {
                    self.at = q + 2;
                } else {
                    self.at = q + 1;
                    break;
                }
            }
        }
    }
}

/// Calls `f` on every well-formed data row of a CSV text; header problems and malformed rows are
/// recorded in `errors` instead.
pub fn each_row(
    file: &str,
    text: &str,
    expected: &'static [&'static str],
    errors: &mut Errors,
    f: impl FnMut(&Row, &mut Errors),
) {
    if let Some(rows) = CsvRows::new(file, text, expected, errors) {
        rows.for_each(errors, f);
    }
}

/// Reads the rows of a CSV text on up to `threads` threads. Each thread folds its run of rows into
/// a state made by `init` (given the size in bytes of the run, to reserve memory up front); the
/// states come back in file order, and the errors are recorded in file order, exactly as a
/// single-threaded read would record them.
pub fn fold_rows_parallel<T: Send>(
    file: &str,
    text: &str,
    expected: &'static [&'static str],
    threads: usize,
    errors: &mut Errors,
    init: impl Fn(usize) -> T + Sync,
    f: impl Fn(&mut T, &Row, &mut Errors) + Sync,
) -> Vec<T> {
    let Some(rows) = CsvRows::new(file, text, expected, errors) else {
        return Vec::new();
    };
    // Below a megabyte, threads cost more than they save.
    let threads = threads.clamp(1, 1 + text.len() / (1 << 20));
    let parts = rows.split(threads);
    let results: Vec<(T, Errors)> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                s.spawn(|| {
                    let mut state = init(part.body.len());
                    let mut errs = Errors::default();
                    part.for_each(&mut errs, |row, errs| f(&mut state, row, errs));
                    (state, errs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut out = Vec::with_capacity(results.len());
    let mut stop = false;
    for (state, errs) in results {
        // A part that stopped on an unreadable row hides where the next part starts being
        // trustworthy, so errors after the first unreadable row are not reported.
        if !stop {
            stop = errs
                .0
                .iter()
                .any(|e| e.field == "row" && !e.reason.starts_with("has "));
            errors.0.extend(errs.0);
        }
        out.push(state);
    }
    out
}

/// One data row.
pub struct Row {
    file: Arc<str>,
    /// 1-based line number where the row starts.
    pub line: u64,
    columns: Arc<[(&'static str, usize)]>,
    record: csv::StringRecord,
}

impl Row {
    /// [`crate::index::version::row_hash`] of the row's fields in the order the caller named the columns
    /// (whatever their order in the file), untrimmed.
    pub fn content_hash(&self) -> u64 {
        crate::index::version::row_hash(
            self.columns
                .iter()
                .map(|&(_, i)| self.record.get(i).unwrap_or("").as_bytes()),
        )
    }

    /// The trimmed text of a column ("" when empty).
    pub fn get(&self, col: &str) -> &str {
        self.columns
            .iter()
            .find(|(c, _)| *c == col)
            .and_then(|&(_, i)| self.record.get(i))
            .map_or("", str::trim)
    }

    /// Records an error on this row.
    pub fn error(&self, errors: &mut Errors, col: &str, reason: impl Into<String>) {
        errors.push(&self.file, self.line, col, reason);
    }

    /// A non-empty text column.
    pub fn required(&self, col: &str, errors: &mut Errors) -> Option<String> {
        let v = self.get(col);
        if v.is_empty() {
            self.error(errors, col, "is empty");
            return None;
        }
        Some(v.to_string())
    }

    /// An optional text column (`None` when empty).
    pub fn optional(&self, col: &str) -> Option<String> {
        Some(self.get(col))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// A required column parsed by `f`.
    pub fn parse_with<T, E: std::fmt::Display>(
        &self,
        col: &str,
        f: impl Fn(&str) -> Result<T, E>,
        errors: &mut Errors,
    ) -> Option<T> {
        let v = self.get(col);
        if v.is_empty() {
            self.error(errors, col, "is empty");
            return None;
        }
        f(v).map_err(|e| self.error(errors, col, e.to_string()))
            .ok()
    }

    /// An optional column parsed by `f`: `Some(None)` when empty, `None` (error recorded) when
    /// malformed.
    pub fn parse_optional<T, E: std::fmt::Display>(
        &self,
        col: &str,
        f: impl Fn(&str) -> Result<T, E>,
        errors: &mut Errors,
    ) -> Option<Option<T>> {
        let v = self.get(col);
        if v.is_empty() {
            return Some(None);
        }
        f(v).map(Some)
            .map_err(|e| self.error(errors, col, e.to_string()))
            .ok()
    }

    /// A longitude in -180..=180.
    pub fn lon(&self, col: &str, errors: &mut Errors) -> Option<f64> {
        self.parse_with(col, |s| coordinate(s, 180.0), errors)
    }

    /// A latitude in -90..=90.
    pub fn lat(&self, col: &str, errors: &mut Errors) -> Option<f64> {
        self.parse_with(col, |s| coordinate(s, 90.0), errors)
    }

    /// An ISO 3166-1 alpha-3 code of a country present in the boundaries.
    pub fn country(&self, col: &str, jur: &Jurisdictions, errors: &mut Errors) -> Option<String> {
        let c = self.required(col, errors)?;
        if jur.country(&c).is_none() {
            self.error(
                errors,
                col,
                format!("{c:?} is not an ISO 3166-1 alpha-3 code of a country in the boundaries"),
            );
            return None;
        }
        Some(c)
    }
}

/// Parses a finite coordinate within ±`limit`.
pub fn coordinate(s: &str, limit: f64) -> Result<f64, Reason> {
    let v: f64 = s
        .parse()
        .map_err(|_| Reason(format!("{s:?} is not a number")))?;
    if !v.is_finite() || v.abs() > limit {
        return Err(Reason(format!("{s} is outside -{limit}..{limit}")));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[&str] = &["a", "b"];

    fn read(text: &str, parts: usize) -> (Vec<(u64, String, String)>, Vec<String>) {
        let mut errors = Errors::default();
        let rows = CsvRows::new("t.csv", text, COLS, &mut errors).expect("header");
        let mut out = Vec::new();
        for part in rows.split(parts) {
            part.for_each(&mut errors, |row, _| {
                out.push((row.line, row.get("a").to_string(), row.get("b").to_string()));
            });
        }
        (out, errors.0.iter().map(|e| e.to_string()).collect())
    }

    /// Line numbers are right in a file with Windows line ends.
    #[test]
    fn crlf_rows_have_their_own_line_numbers() {
        let (rows, _) = read("a,b\r\n1,x\r\n2,y\r\n\"3\",\"z\r\nz\"\r\n4,w\r\n", 1);
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 3, 4, 6]);
    }

    /// Split reading gives exactly the rows, line numbers and errors of a single read, whatever
    /// quoted line breaks, doubled quotes or stray quotes the text holds.
    #[test]
    fn split_reading_equals_single_reading() {
        let mut text = String::from("a,b\n");
        for i in 0..400 {
            match i % 7 {
                0 => text.push_str(&format!("{i},\"two\nlines\"\n")),
                1 => text.push_str(&format!("{i},\"say \"\"hi\"\"\nthere\"\n")),
                2 => text.push_str(&format!("{i},stray\"quote\n")),
                3 => text.push_str(&format!("\"{i}\",\"\"\n")),
                4 => text.push_str(&format!("{i},x,extra\n")),
                5 => text.push_str(&format!("{i},\"a,b\"\r\n")),
                _ => text.push_str(&format!("{i},plain\n")),
            }
        }
        let single = read(&text, 1);
        assert_eq!(
            single.0.len(),
            400 - 57,
            "rows with 3 fields are reported, not read"
        );
        assert!(single.1.iter().all(|e| e.contains("has 3 fields")));
        // Row 6 follows a CRLF row (row 5, on line 9).
        assert!(single
            .0
            .contains(&(10, "6".to_string(), "plain".to_string())));
        for parts in [2, 3, 5, 16, 1000] {
            assert_eq!(read(&text, parts), single, "{parts} parts");
        }
    }
}
