//! CSV rows with their line numbers and typed, error-collecting field readers.
//!
//! Every reader takes the column name, reports a problem as `file:line: column: reason` into the
//! shared [`Errors`], and returns `None` then, so one pass reports every bad field of every row.

use super::error::{Errors, RowError};
use crate::geocode::jurisdictions::Jurisdictions;
use std::collections::HashMap;
use std::sync::Arc;

/// An iterator over the data rows of one CSV file whose header was checked.
pub struct CsvRows<'a> {
    file: Arc<str>,
    columns: Arc<HashMap<String, usize>>,
    reader: csv::Reader<&'a [u8]>,
}

impl<'a> CsvRows<'a> {
    /// Opens the text and checks that the header names exactly the `expected` columns (any order;
    /// extra columns are an error so that a misspelt column cannot be silently ignored). Returns
    /// `None` after recording the error when the header is wrong.
    pub fn new(file: &str, text: &'a str, expected: &[&str], errors: &mut Errors) -> Option<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                errors.push(file, 1, "header", e.to_string());
                return None;
            }
        };
        let mut columns = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim_start_matches('\u{feff}').trim();
            if !expected.contains(&h) {
                errors.push(
                    file,
                    1,
                    h,
                    format!("unknown column; expected {}", expected.join(",")),
                );
            } else if columns.insert(h.to_string(), i).is_some() {
                errors.push(file, 1, h, "column appears twice");
            }
        }
        for e in expected {
            if !columns.contains_key(*e) {
                errors.push(file, 1, e, "missing column");
            }
        }
        if columns.len() != expected.len() {
            return None;
        }
        Some(CsvRows {
            file: file.into(),
            columns: Arc::new(columns),
            reader,
        })
    }
}

impl Iterator for CsvRows<'_> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut rec = csv::StringRecord::new();
        match self.reader.read_record(&mut rec) {
            Ok(false) => None,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                Some(Ok(Row {
                    file: self.file.clone(),
                    line,
                    columns: self.columns.clone(),
                    record: rec,
                }))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("has {len} fields, the header has {expected_len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_string(),
                    _ => e.to_string(),
                };
                // The reader cannot resynchronise after a malformed row; stop here.
                let err = RowError::new(&self.file, line, "row", reason);
                self.reader = csv::Reader::from_reader(&[][..]);
                Some(Err(err))
            }
        }
    }
}

/// Calls `f` on every well-formed data row of a CSV text; header problems and malformed rows are
/// recorded in `errors` instead.
pub fn each_row(
    file: &str,
    text: &str,
    expected: &[&str],
    errors: &mut Errors,
    mut f: impl FnMut(Row, &mut Errors),
) {
    let Some(rows) = CsvRows::new(file, text, expected, errors) else {
        return;
    };
    for row in rows {
        match row {
            Ok(r) => f(r, errors),
            Err(e) => errors.0.push(e),
        }
    }
}

/// One data row.
pub struct Row {
    file: Arc<str>,
    /// 1-based line number where the row starts.
    pub line: u64,
    columns: Arc<HashMap<String, usize>>,
    record: csv::StringRecord,
}

impl Row {
    /// The trimmed text of a column ("" when empty).
    pub fn get(&self, col: &str) -> &str {
        self.columns
            .get(col)
            .and_then(|&i| self.record.get(i))
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
    pub fn parse_with<T>(
        &self,
        col: &str,
        f: impl Fn(&str) -> Result<T, String>,
        errors: &mut Errors,
    ) -> Option<T> {
        let v = self.get(col);
        if v.is_empty() {
            self.error(errors, col, "is empty");
            return None;
        }
        f(v).map_err(|e| self.error(errors, col, e)).ok()
    }

    /// An optional column parsed by `f`: `Some(None)` when empty, `None` (error recorded) when
    /// malformed.
    pub fn parse_optional<T>(
        &self,
        col: &str,
        f: impl Fn(&str) -> Result<T, String>,
        errors: &mut Errors,
    ) -> Option<Option<T>> {
        let v = self.get(col);
        if v.is_empty() {
            return Some(None);
        }
        f(v).map(Some).map_err(|e| self.error(errors, col, e)).ok()
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
pub fn coordinate(s: &str, limit: f64) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if !v.is_finite() || v.abs() > limit {
        return Err(format!("{s} is outside -{limit}..{limit}"));
    }
    Ok(v)
}
