//! CSV: the second pass (records with their physical line numbers), after the first pass of
//! `sniff` (encoding, delimiter, `sep=` line, unterminated quotes, mixed encodings).

use std::io::{Read, Seek, SeekFrom};
use std::ops::ControlFlow;

use super::options::{ReadOptions, ReadProgress, ReadReport, SourceFormat, TextEncoding};
use super::problems::{ReadError, MAX_FIELD_CHARS};
use super::rows::CohortBuilder;
use super::sniff::{byte_order_mark, first_pass, FirstPass, LineBreaks, Utf16ToUtf8, CHUNK_BYTES};
use super::TableVisitor;

pub(crate) fn source_error(error: std::io::Error) -> ReadError {
    ReadError::Source {
        detail: error.to_string(),
    }
}

pub(crate) fn read_up_to(source: &mut impl Read, buffer: &mut [u8]) -> Result<usize, ReadError> {
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
    /// Line breaks before `pending_offset` (LF, CRLF or a lone CR each count once).
    breaks_before_pending: LineBreaks,
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
        self.breaks_before_pending
            .feed(&self.pending[self.pending_start..counted_end]);
        self.pending_start = counted_end;
        self.pending_offset += consumed as u64;
        // Compact now and then, not per record: moving the buffer each time would cost
        // O(buffer) per row.
        if self.pending_start > CHUNK_BYTES / 16 {
            self.pending.drain(..self.pending_start);
            self.pending_start = 0;
        }
        let rest = &self.pending[self.pending_start..];
        let leading = rest
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        self.breaks_before_pending.count + self.breaks_before_pending.peek(&rest[..leading]) + 1
    }
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
/// line) and what the first pass decided.
type CsvRecords<'a> = (
    csv::Reader<LineCountingReader<'a, Box<dyn Read + 'a>>>,
    FirstPass,
);

fn open_csv_records<'a, R: Read + Seek + 'a>(
    mut source: R,
    total_bytes: u64,
    progress: &'a mut dyn FnMut(ReadProgress),
) -> Result<CsvRecords<'a>, ReadError> {
    let mut first_bytes = [0u8; 3];
    let n_first = read_up_to(&mut source, &mut first_bytes)?;
    let (announced, skip) = byte_order_mark(&first_bytes[..n_first]);
    source
        .seek(SeekFrom::Start(skip as u64))
        .map_err(source_error)?;
    let first = match announced {
        Some(encoding @ (TextEncoding::Utf16Le | TextEncoding::Utf16Be)) => first_pass(
            &mut Utf16ToUtf8::new(&mut source, encoding),
            announced,
            total_bytes,
            progress,
        )?,
        _ => first_pass(&mut source, announced, total_bytes, progress)?,
    };
    source
        .seek(SeekFrom::Start(skip as u64))
        .map_err(source_error)?;
    // UTF-16 is read as UTF-8 from here on.
    let text: Box<dyn Read + 'a> = match first.encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            Box::new(Utf16ToUtf8::new(source, first.encoding))
        }
        _ => Box::new(source),
    };
    let counted = LineCountingReader {
        inner: text,
        bytes_read: skip as u64,
        total_bytes,
        progress,
        reported_at: 0,
        pending: Vec::new(),
        pending_start: 0,
        pending_offset: 0,
        breaks_before_pending: LineBreaks::default(),
    };
    let reader = csv::ReaderBuilder::new()
        .delimiter(first.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(counted);
    Ok((reader, first))
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
        // UTF-16 arrives here transcoded to UTF-8.
        TextEncoding::Utf8
        | TextEncoding::Utf8WithBom
        | TextEncoding::Utf16Le
        | TextEncoding::Utf16Be => out.push_str(&String::from_utf8_lossy(bytes)),
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

/// The first non-blank line of a CSV source (decoded, after a `sep=` line), its encoding and
/// its delimiter.
pub(super) fn csv_header<R: Read + Seek>(
    source: R,
    total_bytes: u64,
) -> Result<(Vec<String>, TextEncoding, u8), ReadError> {
    let mut ignore_progress = |_| {};
    let (mut reader, first) = open_csv_records(source, total_bytes, &mut ignore_progress)?;
    let mut header = None;
    for_each_record(&mut reader, &first, &mut |_, record| {
        header = Some(
            record
                .iter()
                .map(|field| {
                    let mut text = String::new();
                    decode_field(first.encoding, field, &mut text);
                    text
                })
                .collect(),
        );
        Ok(ControlFlow::Break(()))
    })?;
    let header = header.ok_or(ReadError::Empty)?;
    Ok((header, first.encoding, first.delimiter))
}

pub(super) fn read_csv<R: Read + Seek>(
    source: R,
    total_bytes: u64,
    options: &ReadOptions,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<ReadReport, ReadError> {
    let (mut reader, first) = open_csv_records(source, total_bytes, progress)?;
    let encoding = first.encoding;
    let mut fields: Vec<String> = Vec::new();
    let mut builder: Option<CohortBuilder> = None;
    for_each_record(&mut reader, &first, &mut |line, record| {
        fields.resize_with(record.len(), String::new);
        for (index, (field, text)) in record.iter().zip(fields.iter_mut()).enumerate() {
            // Columns the model never reads (identifiers, ignored columns) are not decoded,
            // unless they are too long (MODEL.md §6: such a field excludes its row).
            if builder.as_ref().is_none_or(|b| b.uses_field(index)) || field.len() > MAX_FIELD_CHARS
            {
                decode_field(encoding, field, text);
            } else {
                text.clear();
            }
        }
        match builder.as_mut() {
            None => builder = Some(CohortBuilder::new(&fields[..record.len()], options)?),
            Some(builder) => builder.push_row(line, &fields[..record.len()])?,
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let builder = builder.ok_or(ReadError::Empty)?;
    builder.finish(SourceFormat::Csv {
        encoding,
        delimiter: char::from(first.delimiter),
    })
}

/// Every non-blank record of a CSV source, all fields decoded, with its line: for small side
/// tables (the mapping of MODEL.md §9, an earlier ranking), read with the spell file's rules.
pub(super) fn read_csv_table<R: Read + Seek>(
    source: R,
    total_bytes: u64,
    visit: &mut TableVisitor<'_>,
) -> Result<(), ReadError> {
    let mut ignore_progress = |_| {};
    let (mut reader, first) = open_csv_records(source, total_bytes, &mut ignore_progress)?;
    let mut fields: Vec<String> = Vec::new();
    for_each_record(&mut reader, &first, &mut |line, record| {
        fields.resize_with(record.len(), String::new);
        for (field, text) in record.iter().zip(fields.iter_mut()) {
            decode_field(first.encoding, field, text);
        }
        visit(line, &fields[..record.len()]).map(ControlFlow::Continue)
    })
}

/// Called with (line, record) for the header and each row; breaks to stop the reading.
type RecordVisitor<'v> =
    dyn FnMut(u64, &csv::ByteRecord) -> Result<ControlFlow<()>, ReadError> + 'v;

/// Calls `visit(line, record)` for the header and every row of a CSV source, in order, with
/// the physical line where the record starts, until `visit` breaks: blank lines and Excel's
/// `sep=` line (which still counts as line 1) are neither.
fn for_each_record<'a>(
    reader: &mut csv::Reader<LineCountingReader<'a, Box<dyn Read + 'a>>>,
    first: &FirstPass,
    visit: &mut RecordVisitor<'_>,
) -> Result<(), ReadError> {
    let mut record = csv::ByteRecord::new();
    let mut skip_sep_line = first.has_sep_line;
    while read_record(reader, &mut record)? {
        if is_blank_line(&record) {
            continue;
        }
        let offset = record.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_at(offset);
        if std::mem::take(&mut skip_sep_line) {
            continue;
        }
        if visit(line, &record)?.is_break() {
            break;
        }
    }
    Ok(())
}
