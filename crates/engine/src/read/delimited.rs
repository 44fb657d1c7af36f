//! CSV: the first pass (encoding and delimiter) and the second (records with their physical
//! line numbers).

use std::io::{Read, Seek, SeekFrom};

use super::options::{ReadOptions, ReadProgress, ReadReport, SourceFormat, TextEncoding};
use super::problems::ReadError;
use super::rows::CohortBuilder;

pub(super) fn source_error(error: std::io::Error) -> ReadError {
    ReadError::Source {
        detail: error.to_string(),
    }
}

pub(super) fn read_up_to(source: &mut impl Read, buffer: &mut [u8]) -> Result<usize, ReadError> {
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

/// The first non-blank line of a CSV source (decoded), its encoding and its delimiter.
pub(super) fn csv_header<R: Read + Seek>(
    source: R,
    total_bytes: u64,
) -> Result<(Vec<String>, TextEncoding, u8), ReadError> {
    let mut ignore_progress = |_| {};
    let (mut reader, encoding, delimiter) =
        open_csv_records(source, total_bytes, &mut ignore_progress)?;
    let mut record = csv::ByteRecord::new();
    while read_record(&mut reader, &mut record)? {
        if is_blank_line(&record) {
            continue;
        }
        let header = record
            .iter()
            .map(|field| {
                let mut text = String::new();
                decode_field(encoding, field, &mut text);
                text
            })
            .collect();
        return Ok((header, encoding, delimiter));
    }
    Err(ReadError::Empty)
}

pub(super) fn read_csv<R: Read + Seek>(
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
