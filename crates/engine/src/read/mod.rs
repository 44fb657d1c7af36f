//! Reading a spell file (CSV or xlsx bytes) into a validated [`Cohort`](crate::cohort::Cohort) (MODEL.md §1, §2, §6).
//!
//! The reader never panics on bad input and never drops data silently: every row it leaves
//! out is an [`ExcludedRow`] with its line, column, value and reason; problems that make the
//! whole file unusable are a [`ReadError`]. Messages exist in Danish and English.
//!
//! CSV is read in two streaming passes over a `Read + Seek` source: the first decides the
//! encoding (a UTF-8 BOM means UTF-8; else strict UTF-8 if the whole file decodes; else
//! Windows-1252) and finds the header line; the second parses records. Memory grows with
//! the valid data, not with the file's text. An xlsx workbook is loaded whole.

mod delimited;
mod options;
mod problems;
mod rows;
mod sniff;
pub mod warnings;
pub mod xlsx;

use std::io::{Read, Seek, SeekFrom};

use crate::cohort::Role;

use delimited::{csv_header, read_csv};
pub(crate) use delimited::{read_up_to, source_error};
pub use options::{ReadOptions, ReadProgress, ReadReport, SourceFormat, TextEncoding};
pub use problems::{
    ExcludedRow, ReadError, RowProblem, UnsafeWorkbook, MAX_FIELD_CHARS, MAX_NUMBER_MAGNITUDE,
    MAX_VALUE_CHARS,
};
use rows::SPELL_COLUMNS;

/// Reads a spell file from `source` (CSV in any of MODEL.md's dialects, or an xlsx workbook,
/// recognised by its zip signature). `progress` is called as bytes are read.
pub fn read_spells<R: Read + Seek>(
    mut source: R,
    options: &ReadOptions,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<ReadReport, ReadError> {
    let (total_bytes, is_workbook) = sniff_workbook(&mut source)?;
    if is_workbook {
        let mut bytes = Vec::with_capacity(usize::try_from(total_bytes).unwrap_or(0));
        source.read_to_end(&mut bytes).map_err(source_error)?;
        progress(ReadProgress {
            pass: 2,
            bytes_read: total_bytes,
            total_bytes,
        });
        return xlsx::read_workbook(bytes, options);
    }
    read_csv(source, total_bytes, options, progress)
}

/// Called with (line, fields) for each row of a side table; an error stops the reading.
pub type TableVisitor<'a> = dyn FnMut(u64, &[String]) -> Result<(), ReadError> + 'a;

/// Reads a small table (CSV in any of MODEL.md's dialects, or the first sheet of an xlsx
/// workbook): `visit(line, fields)` for the header and each non-blank row, in order, fields
/// as written (not trimmed). For the side files of MODEL.md §9.
pub fn read_table<R: Read + Seek>(
    mut source: R,
    visit: &mut TableVisitor<'_>,
) -> Result<(), ReadError> {
    let (total_bytes, is_workbook) = sniff_workbook(&mut source)?;
    if is_workbook {
        let mut bytes = Vec::with_capacity(usize::try_from(total_bytes).unwrap_or(0));
        source.read_to_end(&mut bytes).map_err(source_error)?;
        return xlsx::read_workbook_table(bytes, visit);
    }
    delimited::read_csv_table(source, total_bytes, visit)
}

/// The source's length, and whether it is an xlsx workbook (a zip: `PK\x03\x04`); the
/// source is left at its start.
fn sniff_workbook<R: Read + Seek>(source: &mut R) -> Result<(u64, bool), ReadError> {
    let total_bytes = source.seek(SeekFrom::End(0)).map_err(source_error)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    let mut signature = [0u8; 4];
    let n_signature = read_up_to(source, &mut signature)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    Ok((total_bytes, signature[..n_signature] == *b"PK\x03\x04"))
}

/// What a column of a file will be used for, before the user changes any role.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ColumnUsage {
    /// One of the spell columns of MODEL.md (municipality, dates, outcome).
    Spell,
    /// `spell_id` or `person_id`: never used in the model.
    Identifier,
    /// A covariate with MODEL.md's default role.
    Covariate(Role),
    /// Not known: ignored unless the user gives it a role.
    Unknown,
}

/// A header column and its default use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnPreview {
    /// As written in the header (trimmed).
    pub name: String,
    pub usage: ColumnUsage,
}

impl ColumnPreview {
    fn of(name: &str) -> ColumnPreview {
        let name = name.trim().to_owned();
        let lowered = name.to_lowercase();
        let usage = if ["spell_id", "person_id"].contains(&lowered.as_str()) {
            ColumnUsage::Identifier
        } else if SPELL_COLUMNS.contains(&lowered.as_str()) {
            ColumnUsage::Spell
        } else {
            Role::default_for(&lowered).map_or(ColumnUsage::Unknown, ColumnUsage::Covariate)
        };
        ColumnPreview { name, usage }
    }
}

/// What [`inspect_columns`] finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnsPreview {
    pub columns: Vec<ColumnPreview>,
    pub format: SourceFormat,
    /// The sheets of an xlsx workbook (empty for CSV), to choose another one.
    pub sheets: Vec<String>,
}

/// The header of a spell file with each column's default use, so that a user can choose
/// roles before the whole file is read. CSV: one pass to decide the encoding, then the first
/// non-blank line; xlsx: the first non-empty row of the sheet.
pub fn inspect_columns<R: Read + Seek>(
    mut source: R,
    options: &ReadOptions,
) -> Result<ColumnsPreview, ReadError> {
    let (total_bytes, is_workbook) = sniff_workbook(&mut source)?;
    if is_workbook {
        let mut bytes = Vec::new();
        source.read_to_end(&mut bytes).map_err(source_error)?;
        let (header, sheet, sheets) = xlsx::header_row(bytes, options)?;
        return Ok(ColumnsPreview {
            columns: header.iter().map(|h| ColumnPreview::of(h)).collect(),
            format: SourceFormat::Xlsx { sheet },
            sheets,
        });
    }
    let (header, encoding, delimiter) = csv_header(source, total_bytes)?;
    Ok(ColumnsPreview {
        columns: header.iter().map(|h| ColumnPreview::of(h)).collect(),
        format: SourceFormat::Csv {
            encoding,
            delimiter: char::from(delimiter),
        },
        sheets: Vec::new(),
    })
}

/// Reads a spell file held in memory.
pub fn read_spells_from_bytes(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<ReadReport, ReadError> {
    read_spells(std::io::Cursor::new(bytes), options, &mut |_| {})
}
