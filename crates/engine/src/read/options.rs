//! What the reader is asked ([`ReadOptions`]) and what it answers ([`ReadReport`]), shared by
//! the CSV and xlsx paths.

use serde::{Deserialize, Serialize};

use super::problems::ExcludedRow;
use super::warnings::ReadWarning;
use crate::cohort::{Cohort, Role};

/// What the caller decides about the file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Roles for columns by header name (case-insensitive); they override MODEL.md's defaults.
    pub roles: Vec<(String, Role)>,
    /// The worksheet of an xlsx workbook; the first sheet when `None`.
    pub sheet: Option<String>,
}

/// How far the reader has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadProgress {
    /// 1 while the encoding is checked, 2 while records are parsed.
    pub pass: u8,
    pub bytes_read: u64,
    pub total_bytes: u64,
}

/// The text encoding a CSV file was read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    Utf8,
    Utf8WithBom,
    Windows1252,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text"), little- or big-endian.
    Utf16Le,
    Utf16Be,
}

/// What kind of file was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceFormat {
    Csv {
        encoding: TextEncoding,
        delimiter: char,
    },
    Xlsx {
        sheet: String,
    },
}

/// The result of a successful read.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadReport {
    pub cohort: Cohort,
    /// Rows left out, in file order.
    pub excluded_rows: Vec<ExcludedRow>,
    /// Warnings about the valid rows (MODEL.md §6); the analysis goes on.
    pub warnings: Vec<ReadWarning>,
    /// Columns that have no role and were not used (as written in the header).
    pub ignored_columns: Vec<String>,
    pub format: SourceFormat,
}
