//! Errors of loading `geodata/`: every problem in a data file is reported as `file:line: field: reason`.

use std::fmt;

/// One problem in one row (or feature) of a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// File name as given to the loader (e.g. `geodata/records.csv`).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// Column or property at fault.
    pub field: String,
    /// What is wrong, and where it helps, what would be right.
    pub reason: String,
}

impl RowError {
    /// Builds a row error.
    pub fn new(file: &str, line: u64, field: &str, reason: impl Into<String>) -> Self {
        RowError {
            file: file.to_string(),
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.reason
        )
    }
}

/// Why a data set could not be loaded. Nothing of a failed load is ever served.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// One or more rows are invalid; all of them are listed.
    #[error("{}", list_rows(.0))]
    Rows(Vec<RowError>),
}

impl LoadError {
    /// The row errors, if this is a validation failure.
    pub fn rows(&self) -> &[RowError] {
        match self {
            LoadError::Rows(r) => r,
            LoadError::Io { .. } => &[],
        }
    }
}

fn list_rows(rows: &[RowError]) -> String {
    const SHOWN: usize = 200;
    let mut s = String::new();
    for (i, r) in rows.iter().take(SHOWN).enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&r.to_string());
    }
    if rows.len() > SHOWN {
        s.push_str(&format!("\n… and {} more errors", rows.len() - SHOWN));
    }
    s
}

/// Why one field of a row is invalid, in words for the person who wrote the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Reason(pub String);

impl From<&str> for Reason {
    fn from(s: &str) -> Self {
        Reason(s.to_string())
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Self {
        Reason(s)
    }
}

/// Collects row errors while a file is read, so that one run reports all of them.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<RowError>);

impl Errors {
    /// Records one error.
    pub fn push(&mut self, file: &str, line: u64, field: &str, reason: impl Into<String>) {
        self.0.push(RowError::new(file, line, field, reason));
    }

    /// `Ok(value)` when nothing was recorded, else every error.
    pub fn finish<T>(self, value: T) -> Result<T, LoadError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(LoadError::Rows(self.0))
        }
    }

    /// Whether nothing has gone wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads a whole file, with the path in the error; text that is not UTF-8 is an error naming the
/// line of the first bad byte.
pub fn read_file(path: &std::path::Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    utf8_text(&path.display().to_string(), bytes)
}

/// `bytes` as text, or the error `file:LINE: text: is not valid UTF-8 …` at the first bad byte.
pub fn utf8_text(file: &str, bytes: Vec<u8>) -> Result<String, LoadError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
        let column = at
            - bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
        LoadError::Rows(vec![RowError::new(
            file,
            line,
            "text",
            format!(
                "is not valid UTF-8 (byte {} of the line, 0x{:02x}); save the file as UTF-8",
                column + 1,
                bytes[at]
            ),
        )])
    })
}
