//! Reading the spell table from an xlsx workbook (first sheet, or a named one).
//!
//! Cells are turned into the same text the CSV reader sees, so both go through one
//! validator: dates become `YYYY-MM-DD`, numbers their shortest decimal form. Line numbers
//! are the sheet's row numbers.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use super::options::{ReadOptions, ReadReport, SourceFormat};
use super::problems::ReadError;
use super::rows::CohortBuilder;

fn workbook_error(error: calamine::XlsxError) -> ReadError {
    ReadError::Workbook {
        detail: error.to_string(),
    }
}

/// The sheet to read (named, or the first) and its cells.
/// The cells of the sheet to read, its name, and the names of all sheets.
type SheetCells = (calamine::Range<Data>, String, Vec<String>);

fn sheet_range(bytes: Vec<u8>, options: &ReadOptions) -> Result<SheetCells, ReadError> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(workbook_error)?;
    let sheet_names = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(wanted) => sheet_names
            .iter()
            .find(|name| name.trim() == wanted.trim())
            .cloned()
            .ok_or_else(|| ReadError::SheetNotFound {
                name: wanted.clone(),
                available: sheet_names.clone(),
            })?,
        None => sheet_names.first().cloned().ok_or(ReadError::Empty)?,
    };
    let range = workbook.worksheet_range(&sheet).map_err(workbook_error)?;
    Ok((range, sheet, sheet_names))
}

/// The first non-empty row (the header), the sheet's name and the names of all sheets.
pub(crate) fn header_row(
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<(Vec<String>, String, Vec<String>), ReadError> {
    let (range, sheet, sheets) = sheet_range(bytes, options)?;
    range
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<String>>())
        .find(|fields| fields.iter().any(|f| !f.trim().is_empty()))
        .map(|header| (header, sheet, sheets))
        .ok_or(ReadError::Empty)
}

pub(crate) fn read_workbook(
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<ReadReport, ReadError> {
    let (range, sheet, _) = sheet_range(bytes, options)?;
    let first_row = u64::from(range.start().map_or(0, |(row, _)| row));

    let mut fields: Vec<String> = Vec::new();
    let mut builder: Option<CohortBuilder> = None;
    for (offset, row) in range.rows().enumerate() {
        fields.clear();
        fields.extend(row.iter().map(cell_text));
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = first_row + offset as u64 + 1;
        match builder.as_mut() {
            None => builder = Some(CohortBuilder::new(&fields, options)?),
            Some(builder) => builder.push_row(line, &fields)?,
        }
    }
    builder
        .ok_or(ReadError::Empty)?
        .finish(SourceFormat::Xlsx { sheet })
}

/// The text a cell stands for.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(date_time) if date_time.is_datetime() => {
            let (year, month, day, ..) = date_time.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        Data::DateTime(duration) => duration.as_f64().to_string(),
        // ISO date-times ("2003-02-07T00:00:00"): the date part.
        Data::DateTimeIso(text) => text.split('T').next().unwrap_or_default().to_owned(),
        Data::DurationIso(text) => text.clone(),
        Data::Error(error) => error.to_string(),
    }
}
