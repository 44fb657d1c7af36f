//! Reading the spell table from an xlsx workbook (first sheet, or a named one).
//!
//! Cells are turned into the same text the CSV reader sees, so both go through one
//! validator: dates become `YYYY-MM-DD`, numbers their shortest decimal form. Line numbers
//! are the sheet's row numbers.
//!
//! A workbook is a zip of XML, and a hostile one can make a reader allocate without bound.
//! Three guards, all before or instead of the allocation:
//! - `check_workbook` runs before calamine sees the bytes: every part of the zip is
//!   decompressed once, counting, and the workbook is refused when the parts together exceed
//!   [`MAX_WORKBOOK_XML_BYTES`] or a large part is compressed more than
//!   [`MAX_COMPRESSION_RATIO`] to 1 (a zip bomb; declared sizes may lie, so the bytes are
//!   counted, not believed); and when `sharedStrings.xml` declares more strings
//!   (`uniqueCount`) than its size can hold, because calamine 0.38 reserves that many
//!   strings up front (`Xlsx::read_shared_strings`), which aborts the process on a huge count.
//! - The sheet's cells are streamed (`worksheet_cells_reader`) row by row instead of being
//!   placed in a dense `Range` sized by the declared or the largest cell reference (one
//!   cell at XFD1048576 would ask for 17 billion cells).

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use super::options::{ReadOptions, ReadReport, SourceFormat};
use super::problems::{ReadError, UnsafeWorkbook};
use super::rows::CohortBuilder;
use super::TableVisitor;

/// The most XML a workbook may decompress to, all parts together.
pub const MAX_WORKBOOK_XML_BYTES: u64 = 1 << 30;
/// The highest compression ratio a part larger than [`RATIO_CHECKED_ABOVE_BYTES`] may have
/// (spreadsheet XML compresses about 10–30 to 1; zip bombs a thousand or more).
pub const MAX_COMPRESSION_RATIO: u64 = 200;
pub const RATIO_CHECKED_ABOVE_BYTES: u64 = 16 << 20;
/// The smallest a shared string can take in `sharedStrings.xml` (`<si><t/></si>`).
const MIN_SHARED_STRING_BYTES: u64 = 8;

fn workbook_error(error: calamine::XlsxError) -> ReadError {
    ReadError::Workbook {
        detail: error.to_string(),
    }
}

fn zip_error(error: zip::result::ZipError) -> ReadError {
    ReadError::Workbook {
        detail: error.to_string(),
    }
}

/// Refuses a workbook that would make the reader allocate without bound (see the module).
pub(crate) fn check_workbook(bytes: &[u8]) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let mut total: u64 = 0;
    let mut chunk = vec![0u8; 1 << 16];
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(zip_error)?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let compressed = part.compressed_size().max(1);
        let is_shared_strings = name.ends_with("sharedStrings.xml");
        let mut start: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        loop {
            let n = part.read(&mut chunk).map_err(|e| ReadError::Workbook {
                detail: e.to_string(),
            })?;
            if n == 0 {
                break;
            }
            if is_shared_strings && start.len() < 4096 {
                start.extend_from_slice(&chunk[..n.min(4096 - start.len())]);
            }
            size += n as u64;
            total += n as u64;
            if total > MAX_WORKBOOK_XML_BYTES {
                return Err(ReadError::UnsafeWorkbook(UnsafeWorkbook::TooLarge {
                    limit_bytes: MAX_WORKBOOK_XML_BYTES,
                }));
            }
            if size > RATIO_CHECKED_ABOVE_BYTES && size / compressed > MAX_COMPRESSION_RATIO {
                return Err(ReadError::UnsafeWorkbook(
                    UnsafeWorkbook::CompressionRatio {
                        part: name,
                        ratio: size / compressed,
                    },
                ));
            }
        }
        if is_shared_strings {
            if let Some(declared) = declared_unique_count(&start) {
                if declared > size / MIN_SHARED_STRING_BYTES + 1 {
                    return Err(ReadError::UnsafeWorkbook(UnsafeWorkbook::SharedStrings {
                        declared,
                        bytes: size,
                    }));
                }
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` of `<sst …>` at the start of `sharedStrings.xml`.
fn declared_unique_count(start: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(start);
    let tag_start = text.find("<sst").or_else(|| text.find(":sst"))?;
    let tag = &text[tag_start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let value = &tag[tag.find("uniqueCount=")? + "uniqueCount=".len()..];
    let value = value.trim_start_matches(['"', '\'']);
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    // More digits than a u64 holds is more strings than any file holds.
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// A workbook held in memory.
type Workbook = Xlsx<Cursor<Vec<u8>>>;

/// What a sheet's row handler answers: go on (`true`) or stop.
type RowHandler<'a> = dyn FnMut(u64, &[String]) -> Result<bool, ReadError> + 'a;

/// The workbook (checked) and the name of the sheet to read, and the names of all sheets.
fn open_sheet(
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<(Workbook, String, Vec<String>), ReadError> {
    check_workbook(&bytes)?;
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(workbook_error)?;
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
    Ok((workbook, sheet, sheet_names))
}

/// Calls `on_row(row number, fields)` for each non-empty row of `sheet`, in order, with the
/// row's cells as text (empty text for cells the row does not have). Stops early when
/// `on_row` returns `Ok(false)`.
fn for_each_row(
    workbook: &mut Workbook,
    sheet: &str,
    on_row: &mut RowHandler<'_>,
) -> Result<(), ReadError> {
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(workbook_error)?;
    let mut fields: Vec<String> = Vec::new();
    let mut current_row: Option<u32> = None;
    let mut flush = |row: u32, fields: &mut Vec<String>| -> Result<bool, ReadError> {
        // Trailing empty cells are not fields (a sheet's rows have no fixed width).
        while fields.last().is_some_and(|f| f.trim().is_empty()) {
            fields.pop();
        }
        let keep_going = if fields.is_empty() {
            true
        } else {
            on_row(u64::from(row) + 1, fields)?
        };
        fields.clear();
        Ok(keep_going)
    };
    while let Some(cell) = cells.next_cell().map_err(workbook_error)? {
        let (row, column) = cell.get_position();
        if current_row != Some(row) {
            if let Some(previous) = current_row {
                if !flush(previous, &mut fields)? {
                    return Ok(());
                }
            }
            current_row = Some(row);
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let column = column as usize;
        if fields.len() <= column {
            fields.resize(column + 1, String::new());
        }
        fields[column] = text;
    }
    if let Some(previous) = current_row {
        flush(previous, &mut fields)?;
    }
    Ok(())
}

/// The first non-empty row (the header), the sheet's name and the names of all sheets.
pub(crate) fn header_row(
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<(Vec<String>, String, Vec<String>), ReadError> {
    let (mut workbook, sheet, sheets) = open_sheet(bytes, options)?;
    let mut header: Option<Vec<String>> = None;
    for_each_row(&mut workbook, &sheet, &mut |_, fields| {
        header = Some(fields.to_vec());
        Ok(false)
    })?;
    header
        .map(|header| (header, sheet, sheets))
        .ok_or(ReadError::Empty)
}

pub(crate) fn read_workbook(
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<ReadReport, ReadError> {
    let (mut workbook, sheet, _) = open_sheet(bytes, options)?;
    let mut builder: Option<CohortBuilder> = None;
    let mut padded: Vec<String> = Vec::new();
    for_each_row(&mut workbook, &sheet, &mut |line, fields| {
        match builder.as_mut() {
            None => builder = Some(CohortBuilder::new(fields, options)?),
            Some(builder) => {
                // A row shorter than the header lacks only empty cells.
                padded.clear();
                padded.extend_from_slice(fields);
                if padded.len() < builder.n_fields() {
                    padded.resize(builder.n_fields(), String::new());
                }
                builder.push_row(line, &padded)?;
            }
        }
        Ok(true)
    })?;
    builder
        .ok_or(ReadError::Empty)?
        .finish(SourceFormat::Xlsx { sheet })
}

/// Every non-empty row of the first sheet, with its row number (the side tables of
/// MODEL.md §9).
pub(crate) fn read_workbook_table(
    bytes: Vec<u8>,
    visit: &mut TableVisitor<'_>,
) -> Result<(), ReadError> {
    let (mut workbook, sheet, _) = open_sheet(bytes, &ReadOptions::default())?;
    for_each_row(&mut workbook, &sheet, &mut |line, fields| {
        visit(line, fields)?;
        Ok(true)
    })
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
