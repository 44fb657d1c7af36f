//! Reading a spell file (CSV or xlsx bytes) into a validated [`Cohort`] (MODEL.md §1, §2, §6).
//!
//! The reader never panics on bad input and never drops data silently: every row it leaves
//! out is an [`ExcludedRow`] with its line, column, value and reason; problems that make the
//! whole file unusable are a [`ReadError`]. Messages exist in Danish and English.
//!
//! CSV is read in two streaming passes over a `Read + Seek` source: the first decides the
//! encoding (a UTF-8 BOM means UTF-8; else strict UTF-8 if the whole file decodes; else
//! Windows-1252) and finds the header line; the second parses records. Memory grows with
//! the valid data, not with the file's text. An xlsx workbook is loaded whole.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use crate::cohort::{Cohort, Covariate, CovariateValues, Role};
use crate::time::{months_between, Date};
use crate::values::{parse_number, sex_level, Outcome};
use crate::Language;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8WithBom,
    Windows1252,
}

/// What kind of file was read.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Columns that have no role and were not used (as written in the header).
    pub ignored_columns: Vec<String>,
    pub format: SourceFormat,
}

/// Why a row was left out. The first problem found is reported, checking in this order:
/// field count, `municipality`, `permit_date`, `end_date`, `entry_date`, `outcome`, the date
/// order, then the covariates in header order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowProblem {
    WrongFieldCount { expected: usize, found: usize },
    MissingValue,
    InvalidDate,
    UnknownOutcome,
    EntryBeforePermit,
    EndNotAfterEntry,
    NotANumber,
}

impl RowProblem {
    /// A stable code for programs (`excluded_rows[].reason` in the JSON).
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::WrongFieldCount { .. } => "wrong_field_count",
            RowProblem::MissingValue => "missing_value",
            RowProblem::InvalidDate => "invalid_date",
            RowProblem::UnknownOutcome => "unknown_outcome",
            RowProblem::EntryBeforePermit => "entry_before_permit",
            RowProblem::EndNotAfterEntry => "end_not_after_entry",
            RowProblem::NotANumber => "not_a_number",
        }
    }
}

/// A row left out of the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExcludedRow {
    /// 1-based physical line where the record starts (header = line 1), or the sheet row.
    pub line: u64,
    /// The column at fault, as written in the header (none for a wrong field count).
    pub column: Option<String>,
    /// The offending value, trimmed (none for a wrong field count).
    pub value: Option<String>,
    pub problem: RowProblem,
}

impl ExcludedRow {
    /// A sentence for an officer, e.g. "Line 14: `permit_date` is “2003-02-30”, which is not a
    /// valid date (use YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)."
    pub fn message(&self, language: Language) -> String {
        let column = self.column.as_deref().unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        let line = self.line;
        match (language, self.problem) {
            (Language::Danish, RowProblem::WrongFieldCount { expected, found }) => format!(
                "Linje {line}: rækken har {found} felter, men overskriften har {expected}."
            ),
            (Language::English, RowProblem::WrongFieldCount { expected, found }) => format!(
                "Line {line}: the row has {found} fields but the header has {expected}."
            ),
            (Language::Danish, RowProblem::MissingValue) => {
                format!("Linje {line}: `{column}` er tom, men skal udfyldes.")
            }
            (Language::English, RowProblem::MissingValue) => {
                format!("Line {line}: `{column}` is empty but must have a value.")
            }
            (Language::Danish, RowProblem::InvalidDate) => format!(
                "Linje {line}: `{column}` er «{value}», som ikke er en gyldig dato (brug ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ)."
            ),
            (Language::English, RowProblem::InvalidDate) => format!(
                "Line {line}: `{column}` is “{value}”, which is not a valid date (use YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)."
            ),
            (Language::Danish, RowProblem::UnknownOutcome) => format!(
                "Linje {line}: `{column}` er «{value}»; brug selvforsørgelse, uddannelse eller ingen (self_support, education, none)."
            ),
            (Language::English, RowProblem::UnknownOutcome) => format!(
                "Line {line}: `{column}` is “{value}”; use self_support, education or none (selvforsørgelse, uddannelse, ingen)."
            ),
            (Language::Danish, RowProblem::EntryBeforePermit) => format!(
                "Linje {line}: `entry_date` ({value}) ligger før `permit_date`."
            ),
            (Language::English, RowProblem::EntryBeforePermit) => format!(
                "Line {line}: `entry_date` ({value}) is before `permit_date`."
            ),
            (Language::Danish, RowProblem::EndNotAfterEntry) => format!(
                "Linje {line}: `end_date` ({value}) ligger ikke efter forløbets start (`entry_date` eller `permit_date`)."
            ),
            (Language::English, RowProblem::EndNotAfterEntry) => format!(
                "Line {line}: `end_date` ({value}) is not after the start of the spell (`entry_date` or `permit_date`)."
            ),
            (Language::Danish, RowProblem::NotANumber) => {
                format!("Linje {line}: `{column}` er «{value}», som ikke er et tal.")
            }
            (Language::English, RowProblem::NotANumber) => {
                format!("Line {line}: `{column}` is “{value}”, which is not a number.")
            }
        }
    }
}

/// A problem that makes the whole file unusable.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadError {
    /// The source could not be read (the caller's I/O failed).
    Source {
        detail: String,
    },
    /// No header line: the file is empty or holds only blank lines.
    Empty,
    DuplicateColumn {
        name: String,
    },
    MissingColumn {
        name: &'static str,
    },
    /// A role was given for a column the file does not have.
    RoleForUnknownColumn {
        name: String,
    },
    /// A role was given for one of the spell columns, which have fixed meanings.
    RoleForSpellColumn {
        name: String,
    },
    MunicipalCovariateNotConstant {
        column: String,
        municipality: String,
        line: u64,
        first_value: String,
        value: String,
    },
    NoValidRows {
        n_excluded: usize,
    },
    Workbook {
        detail: String,
    },
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
}

impl ReadError {
    pub fn message(&self, language: Language) -> String {
        use Language::{Danish, English};
        match (language, self) {
            (Danish, ReadError::Source { detail }) => format!("Filen kunne ikke læses: {detail}"),
            (English, ReadError::Source { detail }) => format!("The file could not be read: {detail}"),
            (Danish, ReadError::Empty) => "Filen er tom: der er ingen overskriftslinje.".to_owned(),
            (English, ReadError::Empty) => "The file is empty: there is no header line.".to_owned(),
            (Danish, ReadError::DuplicateColumn { name }) => {
                format!("Kolonnen `{name}` står to gange i overskriften.")
            }
            (English, ReadError::DuplicateColumn { name }) => {
                format!("The column `{name}` appears twice in the header.")
            }
            (Danish, ReadError::MissingColumn { name }) => {
                format!("Filen mangler den påkrævede kolonne `{name}`.")
            }
            (English, ReadError::MissingColumn { name }) => {
                format!("The file lacks the required column `{name}`.")
            }
            (Danish, ReadError::RoleForUnknownColumn { name }) => {
                format!("Der er angivet en rolle for kolonnen `{name}`, men filen har ingen sådan kolonne.")
            }
            (English, ReadError::RoleForUnknownColumn { name }) => {
                format!("A role was given for the column `{name}`, but the file has no such column.")
            }
            (Danish, ReadError::RoleForSpellColumn { name }) => {
                format!("Kolonnen `{name}` beskriver selve forløbet og kan ikke få en anden rolle.")
            }
            (English, ReadError::RoleForSpellColumn { name }) => {
                format!("The column `{name}` describes the spell itself and cannot be given another role.")
            }
            (Danish, ReadError::MunicipalCovariateNotConstant { column, municipality, line, first_value, value }) => format!(
                "Den kommunale variabel `{column}` skal være ens for alle forløb i {municipality}, men linje {line} har «{value}», hvor tidligere linjer har «{first_value}»."
            ),
            (English, ReadError::MunicipalCovariateNotConstant { column, municipality, line, first_value, value }) => format!(
                "The municipal covariate `{column}` must be the same for every spell in {municipality}, but line {line} has “{value}” where earlier lines have “{first_value}”."
            ),
            (Danish, ReadError::NoValidRows { n_excluded }) => {
                format!("Ingen gyldige rækker: alle {n_excluded} rækker blev sorteret fra.")
            }
            (English, ReadError::NoValidRows { n_excluded }) => {
                format!("No valid rows: all {n_excluded} rows were excluded.")
            }
            (Danish, ReadError::Workbook { detail }) => {
                format!("Excel-filen kunne ikke læses: {detail}")
            }
            (English, ReadError::Workbook { detail }) => {
                format!("The Excel file could not be read: {detail}")
            }
            (Danish, ReadError::SheetNotFound { name, available }) => format!(
                "Excel-filen har intet ark ved navn «{name}» (arkene er: {}).",
                available.join(", ")
            ),
            (English, ReadError::SheetNotFound { name, available }) => format!(
                "The Excel file has no sheet named “{name}” (its sheets are: {}).",
                available.join(", ")
            ),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::English))
    }
}

impl std::error::Error for ReadError {}

/// Reads a spell file from `source` (CSV in any of MODEL.md's dialects, or an xlsx workbook,
/// recognised by its zip signature). `progress` is called as bytes are read.
pub fn read_spells<R: Read + Seek>(
    mut source: R,
    options: &ReadOptions,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<ReadReport, ReadError> {
    let total_bytes = source.seek(SeekFrom::End(0)).map_err(source_error)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    let mut signature = [0u8; 4];
    let n_signature = read_up_to(&mut source, &mut signature)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    if signature[..n_signature] == *b"PK\x03\x04" {
        let mut bytes = Vec::with_capacity(usize::try_from(total_bytes).unwrap_or(0));
        source.read_to_end(&mut bytes).map_err(source_error)?;
        progress(ReadProgress {
            pass: 2,
            bytes_read: total_bytes,
            total_bytes,
        });
        return crate::xlsx::read_workbook(bytes, options);
    }
    read_csv(source, total_bytes, options, progress)
}

/// What a column of a file will be used for, before the user changes any role.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    let total_bytes = source.seek(SeekFrom::End(0)).map_err(source_error)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    let mut signature = [0u8; 4];
    let n_signature = read_up_to(&mut source, &mut signature)?;
    source.seek(SeekFrom::Start(0)).map_err(source_error)?;
    if signature[..n_signature] == *b"PK\x03\x04" {
        let mut bytes = Vec::new();
        source.read_to_end(&mut bytes).map_err(source_error)?;
        let (header, sheet, sheets) = crate::xlsx::header_row(bytes, options)?;
        return Ok(ColumnsPreview {
            columns: header.iter().map(|h| ColumnPreview::of(h)).collect(),
            format: SourceFormat::Xlsx { sheet },
            sheets,
        });
    }
    let mut ignore_progress = |_| {};
    let (mut reader, encoding, delimiter) =
        open_csv_records(source, total_bytes, &mut ignore_progress)?;
    let mut record = csv::ByteRecord::new();
    while read_record(&mut reader, &mut record)? {
        if is_blank_line(&record) {
            continue;
        }
        let mut text = String::new();
        let columns = record
            .iter()
            .map(|field| {
                decode_field(encoding, field, &mut text);
                ColumnPreview::of(&text)
            })
            .collect();
        return Ok(ColumnsPreview {
            columns,
            format: SourceFormat::Csv {
                encoding,
                delimiter: char::from(delimiter),
            },
            sheets: Vec::new(),
        });
    }
    Err(ReadError::Empty)
}

/// Reads a spell file held in memory.
pub fn read_spells_from_bytes(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<ReadReport, ReadError> {
    read_spells(std::io::Cursor::new(bytes), options, &mut |_| {})
}

fn source_error(error: std::io::Error) -> ReadError {
    ReadError::Source {
        detail: error.to_string(),
    }
}

fn read_up_to(source: &mut impl Read, buffer: &mut [u8]) -> Result<usize, ReadError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match source.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(source_error(e)),
        }
    }
    Ok(filled)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";
const CHUNK_BYTES: usize = 1 << 20;

/// What the first pass learns: the encoding and the delimiter.
fn scan_encoding_and_delimiter<R: Read>(
    source: &mut R,
    total_bytes: u64,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<(TextEncoding, u8), ReadError> {
    let mut chunk = vec![0u8; CHUNK_BYTES];
    // Bytes of an incomplete UTF-8 sequence at the end of the previous chunk.
    let mut carry: Vec<u8> = Vec::new();
    let mut header_line: Vec<u8> = Vec::new();
    let mut header_complete = false;
    let mut is_utf8 = true;
    let mut has_bom = false;
    let mut bytes_read: u64 = 0;
    let mut first = true;
    loop {
        let n = read_up_to(source, &mut chunk)?;
        if n == 0 {
            break;
        }
        bytes_read += n as u64;
        let mut data = &chunk[..n];
        if first {
            first = false;
            if data.starts_with(BOM) {
                has_bom = true;
                data = &data[BOM.len()..];
            }
        }
        if !header_complete {
            header_complete = collect_header_line(&mut header_line, data);
        }
        if is_utf8 && !has_bom {
            // Complete a sequence split by the previous chunk boundary.
            if !carry.is_empty() {
                let sequence_len = match carry[0] {
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    _ => 4,
                };
                let needed = (sequence_len - carry.len()).min(data.len());
                carry.extend_from_slice(&data[..needed]);
                data = &data[needed..];
                if carry.len() == sequence_len {
                    is_utf8 = std::str::from_utf8(&carry).is_ok();
                    carry.clear();
                }
            }
            if is_utf8 {
                match std::str::from_utf8(data) {
                    Ok(_) => {}
                    // An incomplete sequence at the end: keep it for the next chunk.
                    Err(e) if e.error_len().is_none() => {
                        carry.extend_from_slice(&data[e.valid_up_to()..])
                    }
                    Err(_) => is_utf8 = false,
                }
            }
        }
        progress(ReadProgress {
            pass: 1,
            bytes_read,
            total_bytes,
        });
        if header_complete && (has_bom || !is_utf8) {
            break;
        }
    }
    let encoding = match (has_bom, is_utf8 && carry.is_empty()) {
        (true, _) => TextEncoding::Utf8WithBom,
        (false, true) => TextEncoding::Utf8,
        (false, false) => TextEncoding::Windows1252,
    };
    Ok((encoding, detect_delimiter(&header_line)))
}

/// Appends `data` to the first non-blank line; true once that line is complete.
fn collect_header_line(header_line: &mut Vec<u8>, data: &[u8]) -> bool {
    for &byte in data {
        if byte == b'\n' {
            if header_line.iter().all(u8::is_ascii_whitespace) {
                header_line.clear();
                continue;
            }
            return true;
        }
        header_line.push(byte);
    }
    false
}

/// The delimiter that occurs most often in the header line; ties go to tab, then `;`, then `,`.
fn detect_delimiter(header_line: &[u8]) -> u8 {
    let count = |d: u8| header_line.iter().filter(|&&b| b == d).count();
    let mut best = b'\t';
    for candidate in [b';', b','] {
        if count(candidate) > count(best) {
            best = candidate;
        }
    }
    best
}

/// The second pass's byte source: reports progress and finds the physical line where each
/// record starts.
///
/// The csv crate's own line numbers drift on `\r\n` endings and blank lines, but its byte
/// offsets are exact; so we keep the bytes it has read and not yet line-counted (at most its
/// buffer plus one record) and count `\n` up to each record's offset.
struct LineCountingReader<'a, R> {
    inner: R,
    bytes_read: u64,
    total_bytes: u64,
    progress: &'a mut dyn FnMut(ReadProgress),
    reported_at: u64,
    /// Bytes read: `pending[pending_start..]` starts at stream offset `pending_offset` and is
    /// not yet line-counted.
    pending: Vec<u8>,
    pending_start: usize,
    pending_offset: u64,
    /// Newlines before `pending_offset`.
    newlines_before_pending: u64,
}

impl<R: Read> LineCountingReader<'_, R> {
    /// The 1-based line of the record whose csv byte offset is `offset`. The offset may point
    /// at the line break before the record (or at blank lines the parser skipped): the record
    /// starts at the first byte that is not `\r` or `\n`.
    fn line_at(&mut self, offset: u64) -> u64 {
        let consumed = usize::try_from(offset.saturating_sub(self.pending_offset))
            .unwrap_or(usize::MAX)
            .min(self.pending.len() - self.pending_start);
        let counted_end = self.pending_start + consumed;
        self.newlines_before_pending +=
            count_newlines(&self.pending[self.pending_start..counted_end]);
        self.pending_start = counted_end;
        self.pending_offset += consumed as u64;
        // Compact now and then, not per record: moving the buffer each time would cost
        // O(buffer) per row.
        if self.pending_start > CHUNK_BYTES / 16 {
            self.pending.drain(..self.pending_start);
            self.pending_start = 0;
        }
        let rest = &self.pending[self.pending_start..];
        let leading_breaks = rest.iter().take_while(|&&b| b == b'\r' || b == b'\n');
        let leading_newlines = leading_breaks.filter(|&&b| b == b'\n').count() as u64;
        self.newlines_before_pending + leading_newlines + 1
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: Read> Read for LineCountingReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.pending.extend_from_slice(&buffer[..n]);
        self.bytes_read += n as u64;
        if self.bytes_read - self.reported_at >= CHUNK_BYTES as u64 || n == 0 {
            self.reported_at = self.bytes_read;
            (self.progress)(ReadProgress {
                pass: 2,
                bytes_read: self.bytes_read,
                total_bytes: self.total_bytes,
            });
        }
        Ok(n)
    }
}

/// The CSV records of `source` after the first pass: the reader (which knows each record's
/// line) and the encoding and delimiter it decided on.
type CsvRecords<'a, R> = (csv::Reader<LineCountingReader<'a, R>>, TextEncoding, u8);

fn open_csv_records<'a, R: Read + Seek>(
    mut source: R,
    total_bytes: u64,
    progress: &'a mut dyn FnMut(ReadProgress),
) -> Result<CsvRecords<'a, R>, ReadError> {
    let (encoding, delimiter) = scan_encoding_and_delimiter(&mut source, total_bytes, progress)?;
    let skip = if encoding == TextEncoding::Utf8WithBom {
        BOM.len() as u64
    } else {
        0
    };
    source.seek(SeekFrom::Start(skip)).map_err(source_error)?;
    let counted = LineCountingReader {
        inner: source,
        bytes_read: skip,
        total_bytes,
        progress,
        reported_at: 0,
        pending: Vec::new(),
        pending_start: 0,
        pending_offset: 0,
        newlines_before_pending: 0,
    };
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(counted);
    Ok((reader, encoding, delimiter))
}

/// Decodes one field into `out` (reused, so no allocation per field).
fn decode_field(encoding: TextEncoding, bytes: &[u8], out: &mut String) {
    out.clear();
    match encoding {
        TextEncoding::Windows1252 => {
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0,
            );
        }
        TextEncoding::Utf8 | TextEncoding::Utf8WithBom => {
            out.push_str(&String::from_utf8_lossy(bytes))
        }
    }
}

/// Blank lines are not rows: csv skips empty ones, whitespace-only ones are skipped here. A
/// line of only delimiters is a row (with empty fields) and is reported.
fn is_blank_line(record: &csv::ByteRecord) -> bool {
    record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace)
}

fn read_record(
    reader: &mut csv::Reader<impl Read>,
    record: &mut csv::ByteRecord,
) -> Result<bool, ReadError> {
    reader
        .read_byte_record(record)
        .map_err(|e| ReadError::Source {
            detail: e.to_string(),
        })
}

fn read_csv<R: Read + Seek>(
    source: R,
    total_bytes: u64,
    options: &ReadOptions,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<ReadReport, ReadError> {
    let (mut reader, encoding, delimiter) = open_csv_records(source, total_bytes, progress)?;
    let mut record = csv::ByteRecord::new();
    let mut fields: Vec<String> = Vec::new();
    let mut builder: Option<CohortBuilder> = None;
    while read_record(&mut reader, &mut record)? {
        if is_blank_line(&record) {
            continue;
        }
        let offset = record.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_at(offset);
        fields.resize_with(record.len(), String::new);
        for (index, (field, text)) in record.iter().zip(fields.iter_mut()).enumerate() {
            // Columns the model never reads (identifiers, ignored columns) are not decoded.
            if builder.as_ref().is_none_or(|b| b.uses_field(index)) {
                decode_field(encoding, field, text);
            }
        }
        match builder.as_mut() {
            None => builder = Some(CohortBuilder::new(&fields[..record.len()], options)?),
            Some(builder) => builder.push_row(line, &fields[..record.len()])?,
        }
    }
    let builder = builder.ok_or(ReadError::Empty)?;
    builder.finish(SourceFormat::Csv {
        encoding,
        delimiter: char::from(delimiter),
    })
}

/// The spell columns MODEL.md names, which have fixed meanings.
const SPELL_COLUMNS: [&str; 7] = [
    "municipality",
    "permit_date",
    "end_date",
    "outcome",
    "entry_date",
    "spell_id",
    "person_id",
];

/// How one covariate column is read.
#[derive(Debug)]
struct CovariatePlan {
    field: usize,
    name: String,
    role: Role,
    is_sex: bool,
}

/// A parsed covariate value of the row being checked.
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    Number(f64),
    /// A categorical level not seen before (interned only if the row turns out valid).
    Level(String),
    /// A categorical level already interned for this column.
    Code(u32),
}

/// Turns rows into a cohort; one per file.
#[derive(Debug)]
pub(crate) struct CohortBuilder {
    n_fields: usize,
    municipality_field: usize,
    permit_field: usize,
    end_field: usize,
    outcome_field: usize,
    entry_field: Option<usize>,
    plans: Vec<CovariatePlan>,
    ignored_columns: Vec<String>,
    /// Per header field: is it read at all?
    used_fields: Vec<bool>,

    municipality_index: LevelIndex,
    municipality_names: Vec<String>,
    municipality: Vec<u32>,
    time_enter: Vec<f64>,
    time_exit: Vec<f64>,
    outcome: Vec<Outcome>,
    permit_year: Vec<i32>,
    line: Vec<u64>,
    /// Per individual plan: the values so far.
    individual_values: Vec<ColumnValues>,
    /// Per municipal plan, per municipality: the value first seen.
    municipal_values: Vec<Vec<Option<Parsed>>>,
    /// Per plan: level → code for categorical columns (codes in order of first appearance).
    level_lookup: Vec<Option<LevelIndex>>,
    excluded_rows: Vec<ExcludedRow>,
    scratch: Vec<Parsed>,
}

#[derive(Debug)]
enum ColumnValues {
    Numeric(Vec<f64>),
    /// Codes index the column's `level_lookup` (in order of first appearance).
    Categorical {
        codes: Vec<u32>,
    },
}

impl CohortBuilder {
    /// Resolves the header: finds the spell columns and the role of every other column.
    pub(crate) fn new(
        header: &[String],
        options: &ReadOptions,
    ) -> Result<CohortBuilder, ReadError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for name in names.iter().filter(|n| !n.is_empty()) {
            if seen.insert(name.to_lowercase(), 0).is_some() {
                return Err(ReadError::DuplicateColumn { name: name.clone() });
            }
        }
        let find = |wanted: &str| names.iter().position(|n| n.eq_ignore_ascii_case(wanted));
        let required =
            |wanted: &'static str| find(wanted).ok_or(ReadError::MissingColumn { name: wanted });
        for (name, _) in &options.roles {
            if SPELL_COLUMNS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(name.trim()))
            {
                return Err(ReadError::RoleForSpellColumn {
                    name: name.trim().to_owned(),
                });
            }
            if find(name.trim()).is_none() {
                return Err(ReadError::RoleForUnknownColumn {
                    name: name.trim().to_owned(),
                });
            }
        }
        let municipality_field = required("municipality")?;
        let permit_field = required("permit_date")?;
        let end_field = required("end_date")?;
        let outcome_field = required("outcome")?;
        let entry_field = find("entry_date");

        let mut plans = Vec::new();
        let mut ignored_columns = Vec::new();
        for (field, name) in names.iter().enumerate() {
            let lowered = name.to_lowercase();
            if SPELL_COLUMNS.contains(&lowered.as_str()) {
                continue;
            }
            let chosen = options
                .roles
                .iter()
                .rev()
                .find(|(column, _)| column.trim().eq_ignore_ascii_case(name))
                .map(|(_, role)| *role)
                .or_else(|| Role::default_for(&lowered));
            match chosen {
                Some(Role::Ignore) | None => ignored_columns.push(if name.is_empty() {
                    format!("({})", field + 1)
                } else {
                    name.clone()
                }),
                Some(role) => plans.push(CovariatePlan {
                    field,
                    name: name.clone(),
                    role,
                    is_sex: lowered == "sex",
                }),
            }
        }
        let individual_values = plans
            .iter()
            .filter(|p| !p.role.is_municipal())
            .map(|p| {
                if p.role.is_numeric() {
                    ColumnValues::Numeric(Vec::new())
                } else {
                    ColumnValues::Categorical { codes: Vec::new() }
                }
            })
            .collect();
        let n_municipal = plans.iter().filter(|p| p.role.is_municipal()).count();
        let level_lookup = plans
            .iter()
            .map(|p| (!p.role.is_numeric()).then(LevelIndex::default))
            .collect();
        let mut used_fields = vec![false; header.len()];
        for field in [municipality_field, permit_field, end_field, outcome_field]
            .into_iter()
            .chain(entry_field)
            .chain(plans.iter().map(|p| p.field))
        {
            used_fields[field] = true;
        }
        Ok(CohortBuilder {
            used_fields,
            n_fields: header.len(),
            municipality_field,
            permit_field,
            end_field,
            outcome_field,
            entry_field,
            plans,
            ignored_columns,
            municipality_index: LevelIndex::default(),
            municipality_names: Vec::new(),
            municipality: Vec::new(),
            time_enter: Vec::new(),
            time_exit: Vec::new(),
            outcome: Vec::new(),
            permit_year: Vec::new(),
            line: Vec::new(),
            individual_values,
            municipal_values: vec![Vec::new(); n_municipal],
            level_lookup,
            excluded_rows: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Whether the field at `index` is read (a spell column or a covariate).
    pub(crate) fn uses_field(&self, index: usize) -> bool {
        self.used_fields.get(index).copied().unwrap_or(false)
    }

    fn exclude(
        &mut self,
        line: u64,
        column: Option<String>,
        value: Option<&str>,
        problem: RowProblem,
    ) {
        self.excluded_rows.push(ExcludedRow {
            line,
            column,
            value: value.map(|v| v.trim().to_owned()),
            problem,
        });
    }

    /// Checks one data row; a valid row joins the cohort, a bad one is listed as excluded.
    /// Errs only on a municipal covariate that varies within a municipality.
    pub(crate) fn push_row(&mut self, line: u64, fields: &[String]) -> Result<(), ReadError> {
        if fields.len() != self.n_fields {
            let problem = RowProblem::WrongFieldCount {
                expected: self.n_fields,
                found: fields.len(),
            };
            self.exclude(line, None, None, problem);
            return Ok(());
        }
        let municipality = fields[self.municipality_field].trim();
        if municipality.is_empty() {
            self.exclude(
                line,
                Some("municipality".to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return Ok(());
        }
        let Some(permit) = self.date_field(line, fields, self.permit_field, "permit_date") else {
            return Ok(());
        };
        let Some(end) = self.date_field(line, fields, self.end_field, "end_date") else {
            return Ok(());
        };
        let entry = match self.entry_field {
            Some(field) if !fields[field].trim().is_empty() => {
                match self.date_field(line, fields, field, "entry_date") {
                    Some(entry) => entry,
                    None => return Ok(()),
                }
            }
            _ => permit,
        };
        let outcome_text = &fields[self.outcome_field];
        if outcome_text.trim().is_empty() {
            self.exclude(
                line,
                Some("outcome".to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return Ok(());
        }
        let Some(outcome) = Outcome::parse(outcome_text) else {
            self.exclude(
                line,
                Some("outcome".to_owned()),
                Some(outcome_text),
                RowProblem::UnknownOutcome,
            );
            return Ok(());
        };
        if entry < permit {
            self.exclude(
                line,
                Some("entry_date".to_owned()),
                Some(&entry.to_string()),
                RowProblem::EntryBeforePermit,
            );
            return Ok(());
        }
        if end <= entry {
            self.exclude(
                line,
                Some("end_date".to_owned()),
                Some(&end.to_string()),
                RowProblem::EndNotAfterEntry,
            );
            return Ok(());
        }

        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for plan_index in 0..self.plans.len() {
            let plan = &self.plans[plan_index];
            let text = fields[plan.field].trim();
            if text.is_empty() {
                let column = plan.name.clone();
                self.exclude(line, Some(column), Some(""), RowProblem::MissingValue);
                self.scratch = scratch;
                return Ok(());
            }
            if plan.role.is_numeric() {
                match parse_number(text) {
                    Some(number) => scratch.push(Parsed::Number(number)),
                    None => {
                        let column = plan.name.clone();
                        self.exclude(line, Some(column), Some(text), RowProblem::NotANumber);
                        self.scratch = scratch;
                        return Ok(());
                    }
                }
            } else {
                let level = if plan.is_sex { sex_level(text) } else { text };
                let known = match &self.level_lookup[plan_index] {
                    Some(index) => index.get(level).copied(),
                    None => None,
                };
                scratch.push(known.map_or_else(|| Parsed::Level(level.to_owned()), Parsed::Code));
            }
        }

        // The row is valid: it joins the cohort.
        let municipality_idx = match self.municipality_index.get(municipality) {
            Some(&k) => k as usize,
            None => {
                let k = self.municipality_names.len();
                self.municipality_names.push(municipality.to_owned());
                self.municipality_index
                    .insert(municipality.to_owned(), k as u32);
                k
            }
        };
        let (mut n_individual, mut n_municipal) = (0, 0);
        for (plan_index, (plan, parsed)) in self.plans.iter().zip(scratch.drain(..)).enumerate() {
            // Intern a new categorical level now that the row is known to be valid.
            let parsed = match (parsed, &mut self.level_lookup[plan_index]) {
                (Parsed::Level(level), Some(index)) => {
                    let next_code = index.len() as u32;
                    Parsed::Code(*index.entry(level).or_insert(next_code))
                }
                (parsed, _) => parsed,
            };
            if plan.role.is_municipal() {
                let per_municipality = &mut self.municipal_values[n_municipal];
                n_municipal += 1;
                if per_municipality.len() <= municipality_idx {
                    per_municipality.resize(municipality_idx + 1, None);
                }
                match &per_municipality[municipality_idx] {
                    None => per_municipality[municipality_idx] = Some(parsed),
                    Some(first) if *first == parsed => {}
                    Some(first) => {
                        let levels = levels_in_code_order(self.level_lookup[plan_index].clone());
                        return Err(ReadError::MunicipalCovariateNotConstant {
                            column: plan.name.clone(),
                            municipality: municipality.to_owned(),
                            line,
                            first_value: parsed_level(first, &levels),
                            value: parsed_level(&parsed, &levels),
                        });
                    }
                }
            } else {
                match (&mut self.individual_values[n_individual], parsed) {
                    (ColumnValues::Numeric(values), Parsed::Number(number)) => values.push(number),
                    (ColumnValues::Categorical { codes }, Parsed::Code(code)) => codes.push(code),
                    // The plan decides both the parse and the storage: they always agree.
                    _ => unreachable!("covariate storage disagrees with its plan"),
                }
                n_individual += 1;
            }
        }
        self.scratch = scratch;
        self.municipality.push(municipality_idx as u32);
        self.time_enter.push(months_between(permit, entry));
        self.time_exit.push(months_between(permit, end));
        self.outcome.push(outcome);
        self.permit_year.push(permit.year);
        self.line.push(line);
        Ok(())
    }

    fn date_field(
        &mut self,
        line: u64,
        fields: &[String],
        field: usize,
        column: &str,
    ) -> Option<Date> {
        let text = fields[field].trim();
        if text.is_empty() {
            self.exclude(
                line,
                Some(column.to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return None;
        }
        let date = Date::parse(text);
        if date.is_none() {
            self.exclude(
                line,
                Some(column.to_owned()),
                Some(text),
                RowProblem::InvalidDate,
            );
        }
        date
    }

    /// The cohort, with municipalities and categorical levels sorted (code-point order) so
    /// that it does not depend on the order of the rows.
    pub(crate) fn finish(self, format: SourceFormat) -> Result<ReadReport, ReadError> {
        if self.outcome.is_empty() {
            return Err(ReadError::NoValidRows {
                n_excluded: self.excluded_rows.len(),
            });
        }
        let (municipality_names, municipality_remap) = sorted_with_remap(self.municipality_names);
        let municipality: Vec<u32> = self
            .municipality
            .iter()
            .map(|&k| municipality_remap[k as usize])
            .collect();
        let mut individual = Vec::new();
        let mut municipal = Vec::new();
        let (mut individual_values, mut municipal_values) = (
            self.individual_values.into_iter(),
            self.municipal_values.into_iter(),
        );
        let mut level_lookup = self.level_lookup.into_iter();
        for plan in &self.plans {
            let levels = levels_in_code_order(level_lookup.next().flatten());
            if plan.role.is_municipal() {
                let mut per_municipality = municipal_values.next().unwrap_or_default();
                per_municipality.resize(municipality_names.len(), None);
                // Reorder to the sorted municipalities; every municipality has a valid spell,
                // so every entry is filled.
                let mut ordered: Vec<Option<Parsed>> = vec![None; municipality_names.len()];
                for (old, value) in per_municipality.into_iter().enumerate() {
                    ordered[municipality_remap[old] as usize] = value;
                }
                let values = if plan.role.is_numeric() {
                    CovariateValues::Numeric(
                        ordered
                            .iter()
                            .map(|v| match v {
                                Some(Parsed::Number(x)) => *x,
                                _ => f64::NAN,
                            })
                            .collect(),
                    )
                } else {
                    let texts: Vec<String> = ordered
                        .iter()
                        .map(|v| {
                            v.as_ref()
                                .map(|p| parsed_level(p, &levels))
                                .unwrap_or_default()
                        })
                        .collect();
                    categorical_from_texts(&texts)
                };
                municipal.push(Covariate {
                    name: plan.name.clone(),
                    values,
                });
            } else {
                let values = match individual_values.next() {
                    Some(ColumnValues::Numeric(values)) => CovariateValues::Numeric(values),
                    Some(ColumnValues::Categorical { codes }) => {
                        let (levels, remap) = sorted_with_remap(levels);
                        CovariateValues::Categorical {
                            levels,
                            codes: codes.iter().map(|&c| remap[c as usize]).collect(),
                        }
                    }
                    None => CovariateValues::Numeric(Vec::new()),
                };
                individual.push(Covariate {
                    name: plan.name.clone(),
                    values,
                });
            }
        }
        Ok(ReadReport {
            cohort: Cohort {
                municipality_names,
                municipality,
                time_enter: self.time_enter,
                time_exit: self.time_exit,
                outcome: self.outcome,
                permit_year: self.permit_year,
                individual,
                municipal,
                line: self.line,
            },
            excluded_rows: self.excluded_rows,
            ignored_columns: self.ignored_columns,
            format,
        })
    }
}

/// Level → code, with a fast non-cryptographic hash (FNV-1a): the keys are short strings
/// from the user's own file, looked up once per field.
type LevelIndex = HashMap<String, u32, std::hash::BuildHasherDefault<Fnv1a>>;

#[derive(Default)]
struct Fnv1a(u64);

impl std::hash::Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// The levels of a lookup, indexed by code.
fn levels_in_code_order(lookup: Option<LevelIndex>) -> Vec<String> {
    let mut pairs: Vec<(String, u32)> = lookup.map(|l| l.into_iter().collect()).unwrap_or_default();
    pairs.sort_by_key(|&(_, code)| code);
    pairs.into_iter().map(|(level, _)| level).collect()
}

/// The text of a value, for messages and for municipal categorical levels.
fn parsed_level(parsed: &Parsed, levels: &[String]) -> String {
    match parsed {
        Parsed::Number(number) => number.to_string(),
        Parsed::Level(level) => level.clone(),
        Parsed::Code(code) => levels.get(*code as usize).cloned().unwrap_or_default(),
    }
}

/// Sorts `names` and returns, for each old index, its new index.
fn sorted_with_remap(names: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut remap = vec![0u32; names.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new as u32;
    }
    let mut slots: Vec<Option<String>> = names.into_iter().map(Some).collect();
    let sorted = order
        .iter()
        .map(|&old| slots[old].take().unwrap_or_default())
        .collect();
    (sorted, remap)
}

fn categorical_from_texts(texts: &[String]) -> CovariateValues {
    let mut levels: Vec<String> = texts.to_vec();
    levels.sort();
    levels.dedup();
    let codes = texts
        .iter()
        .map(|t| levels.binary_search(t).map_or(0, |i| i as u32))
        .collect();
    CovariateValues::Categorical { levels, codes }
}
