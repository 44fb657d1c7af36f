//! The first pass over a CSV file (MODEL.md §1, §6): its encoding, its delimiter, an Excel
//! `sep=` line, and the two problems that would otherwise lose or split rows silently: a
//! quoted field still open at the end of the file, and a file that mixes encodings.
//!
//! Lines end at LF, CRLF or a lone CR (old Mac exports), here and in the line numbers of the
//! second pass ([`LineBreaks`]). UTF-16 files (Excel's "Unicode text", with a BOM) are read
//! through [`Utf16ToUtf8`], so everything after this point sees UTF-8.

use std::io::Read;

use super::options::{ReadProgress, TextEncoding};
use super::problems::ReadError;

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
pub(super) const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
pub(super) const UTF16BE_BOM: &[u8] = b"\xFE\xFF";
pub(super) const CHUNK_BYTES: usize = 1 << 20;

/// What the first pass learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FirstPass {
    pub(super) encoding: TextEncoding,
    pub(super) delimiter: u8,
    /// The first non-blank line is Excel's `sep=X`: not the header, not a row.
    pub(super) has_sep_line: bool,
}

/// The encoding a file's first bytes announce, and how many bytes that mark takes.
pub(super) fn byte_order_mark(first: &[u8]) -> (Option<TextEncoding>, usize) {
    if first.starts_with(UTF8_BOM) {
        (Some(TextEncoding::Utf8WithBom), UTF8_BOM.len())
    } else if first.starts_with(UTF16LE_BOM) {
        (Some(TextEncoding::Utf16Le), UTF16LE_BOM.len())
    } else if first.starts_with(UTF16BE_BOM) {
        (Some(TextEncoding::Utf16Be), UTF16BE_BOM.len())
    } else {
        (None, 0)
    }
}

/// Counts physical lines: LF, CRLF and a lone CR each end one. Fed bytes in order, in pieces
/// of any size (a CRLF split between two pieces is still one break).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LineBreaks {
    pub(super) count: u64,
    pub(super) previous_was_cr: bool,
}

impl LineBreaks {
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else {
            return;
        };
        // CR + LF − the CRLF pairs (one split between pieces included): counted, not
        // stepped through byte by byte (this runs over every byte of the second pass).
        let carriage_returns = bytes.iter().filter(|&&b| b == b'\r').count() as u64;
        let line_feeds = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let pairs = if carriage_returns == 0 {
            0
        } else {
            bytes.windows(2).filter(|pair| pair == b"\r\n").count() as u64
        };
        let split_pair = u64::from(self.previous_was_cr && bytes[0] == b'\n');
        self.count += carriage_returns + line_feeds - pairs - split_pair;
        self.previous_was_cr = last == b'\r';
    }

    /// How many line breaks `bytes` would add, without feeding them.
    pub(super) fn peek(&self, bytes: &[u8]) -> u64 {
        let mut copy = *self;
        copy.feed(bytes);
        copy.count - self.count
    }
}

/// Where a CSV field stands, as the csv crate parses it (quotes open a field only at its
/// start; `""` inside a quoted field is a quote).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted { opened_on_line: u64 },
    QuoteInQuoted { opened_on_line: u64 },
}

/// Follows the quoting of the records from the header on, to find a quoted field that is
/// still open at the end of the file (the csv crate would take every later row into it).
#[derive(Clone, Copy, Debug)]
struct QuoteTracker {
    delimiter: u8,
    state: QuoteState,
}

impl QuoteTracker {
    /// Inside a quoted field (its line breaks are part of the field).
    fn in_quotes(&self) -> bool {
        matches!(
            self.state,
            QuoteState::Quoted { .. } | QuoteState::QuoteInQuoted { .. }
        )
    }

    /// A tracker that has read the header line `header_line` (on line `line`, without its
    /// break), with the delimiter of `sep` or the one the header shows.
    fn after_header(header_line: &[u8], sep: Option<u8>, line: u64) -> QuoteTracker {
        let mut tracker = QuoteTracker {
            delimiter: sep.unwrap_or_else(|| detect_delimiter(header_line)),
            state: QuoteState::FieldStart,
        };
        for &byte in header_line {
            tracker.feed(byte, line, false);
        }
        tracker
    }

    fn feed(&mut self, byte: u8, line: u64, ends_line: bool) {
        let separates = byte == self.delimiter || ends_line || byte == b'\n';
        self.state = match self.state {
            QuoteState::FieldStart | QuoteState::Unquoted if separates => QuoteState::FieldStart,
            QuoteState::FieldStart if byte == b'"' => QuoteState::Quoted {
                opened_on_line: line,
            },
            QuoteState::FieldStart | QuoteState::Unquoted => QuoteState::Unquoted,
            QuoteState::Quoted { opened_on_line } if byte == b'"' => {
                QuoteState::QuoteInQuoted { opened_on_line }
            }
            quoted @ QuoteState::Quoted { .. } => quoted,
            QuoteState::QuoteInQuoted { opened_on_line } if byte == b'"' => {
                QuoteState::Quoted { opened_on_line }
            }
            QuoteState::QuoteInQuoted { .. } if separates => QuoteState::FieldStart,
            QuoteState::QuoteInQuoted { .. } => QuoteState::Unquoted,
        };
    }
}

/// The first pass: reads `source` (UTF-8 bytes, or any bytes for the encoding check) to the
/// end. `announced` is the encoding of a byte-order mark, if the file had one (its bytes are
/// not in `source`).
pub(super) fn first_pass<R: Read>(
    source: &mut R,
    announced: Option<TextEncoding>,
    total_bytes: u64,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<FirstPass, ReadError> {
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut scan = LineScan {
        facts: LineFacts {
            check_utf8: matches!(announced, None | Some(TextEncoding::Utf8WithBom)),
            ..LineFacts::default()
        },
        ..LineScan::default()
    };
    let mut bytes_read = 0u64;
    loop {
        let n = super::delimited::read_up_to(source, &mut chunk)?;
        if n == 0 {
            break;
        }
        bytes_read += n as u64;
        scan.feed(&chunk[..n]);
        progress(ReadProgress {
            pass: 1,
            bytes_read,
            total_bytes,
        });
    }
    let LineScan {
        breaks,
        line,
        mut facts,
        mut quotes,
    } = scan;
    // The last line may have no break.
    if !line.is_empty() {
        let line_number = breaks.count + 1;
        let had_header = facts.header.is_some();
        facts.end_of_line(&line, line_number);
        if !had_header {
            quotes = facts
                .header
                .as_deref()
                .map(|header_line| QuoteTracker::after_header(header_line, facts.sep, line_number));
        }
    }
    // Still inside quotes at the end (a quote closed by the very last byte is closed).
    if let Some(QuoteTracker {
        state: QuoteState::Quoted { opened_on_line },
        ..
    }) = quotes
    {
        return Err(ReadError::UnterminatedQuote {
            line: opened_on_line,
        });
    }
    let encoding = match (
        announced,
        facts.first_invalid_line,
        facts.first_multibyte_line,
    ) {
        (Some(TextEncoding::Utf8WithBom), Some(line), _) => {
            return Err(ReadError::BomButNotUtf8 { line })
        }
        (Some(announced), _, _) => announced,
        (None, Some(other_line), Some(utf8_line)) => {
            return Err(ReadError::MixedEncodings {
                utf8_line,
                other_line,
            })
        }
        (None, Some(_), None) => TextEncoding::Windows1252,
        (None, None, _) => TextEncoding::Utf8,
    };
    let header = facts.header.unwrap_or_default();
    Ok(FirstPass {
        encoding,
        delimiter: facts.sep.unwrap_or_else(|| detect_delimiter(&header)),
        has_sep_line: facts.sep.is_some(),
    })
}

/// What the first pass learns from complete lines.
#[derive(Debug, Default)]
struct LineFacts {
    check_utf8: bool,
    first_invalid_line: Option<u64>,
    first_multibyte_line: Option<u64>,
    header: Option<Vec<u8>>,
    sep: Option<u8>,
    seen_non_blank: bool,
}

impl LineFacts {
    /// One complete physical line (1-based `number`), without its break.
    fn end_of_line(&mut self, line: &[u8], number: u64) {
        if self.check_utf8 && !line.is_ascii() {
            match std::str::from_utf8(line) {
                Ok(_) => {
                    self.first_multibyte_line.get_or_insert(number);
                }
                Err(_) => {
                    self.first_invalid_line.get_or_insert(number);
                }
            }
        }
        if self.header.is_none() && !line.iter().all(u8::is_ascii_whitespace) {
            let first_non_blank = !self.seen_non_blank;
            self.seen_non_blank = true;
            match sep_line(line) {
                Some(delimiter) if first_non_blank => self.sep = Some(delimiter),
                _ => self.header = Some(line.to_vec()),
            }
        }
    }
}

/// The first pass' scan of the text, fed in chunks.
#[derive(Debug, Default)]
struct LineScan {
    breaks: LineBreaks,
    /// The current physical line (all of it: a line is checked as UTF-8 as a whole).
    line: Vec<u8>,
    facts: LineFacts,
    quotes: Option<QuoteTracker>,
}

impl LineScan {
    /// The next chunk of the text. Never inlined, called per chunk: see ARCHITECTURE.md,
    /// "Hot loops in the browser" (one call over the whole file ran in baseline wasm).
    #[inline(never)]
    fn feed(&mut self, data: &[u8]) {
        // Line by line, not byte by byte: find each break, and look at a line's bytes one by
        // one only when quoting needs it (a quote in the line, or a field still quoted).
        let mut start = 0;
        while start < data.len() {
            let Some(offset) = data[start..].iter().position(|&b| b == b'\r' || b == b'\n') else {
                self.line.extend_from_slice(&data[start..]);
                break;
            };
            let end = start + offset;
            let byte = data[end];
            let segment = &data[start..end];
            start = end + 1;
            let breaks = &mut self.breaks;
            if byte == b'\n' && breaks.previous_was_cr && segment.is_empty() && self.line.is_empty()
            {
                // The LF of a CRLF: no new line (and nothing for the quoting: the CR
                // already separated).
                breaks.previous_was_cr = false;
                continue;
            }
            let full: &[u8] = if self.line.is_empty() {
                segment
            } else {
                self.line.extend_from_slice(segment);
                &self.line
            };
            let line_number = breaks.count + 1;
            if let Some(tracker) = self.quotes.as_mut() {
                if tracker.in_quotes() || full.contains(&b'"') {
                    for &b in full {
                        tracker.feed(b, line_number, false);
                    }
                }
                tracker.feed(byte, line_number, true);
            }
            breaks.count += 1;
            breaks.previous_was_cr = byte == b'\r';
            let had_header = self.facts.header.is_some();
            self.facts.end_of_line(full, line_number);
            if !had_header {
                // From the header on, follow the quoting (the header itself first).
                let sep = self.facts.sep;
                self.quotes = self.facts.header.as_deref().map(|header_line| {
                    let mut tracker = QuoteTracker::after_header(header_line, sep, line_number);
                    tracker.feed(byte, line_number, true);
                    tracker
                });
            }
            self.line.clear();
        }
    }
}

/// `sep=X` (Excel's delimiter hint; case-insensitive, surrounding spaces allowed): X, if it is
/// one of the delimiters MODEL.md allows.
pub(super) fn sep_line(line: &[u8]) -> Option<u8> {
    let trimmed = line.trim_ascii();
    match trimmed {
        [s, e, p, b'=', delimiter]
            if s.eq_ignore_ascii_case(&b's')
                && e.eq_ignore_ascii_case(&b'e')
                && p.eq_ignore_ascii_case(&b'p')
                && matches!(delimiter, b',' | b';' | b'\t') =>
        {
            Some(*delimiter)
        }
        // `sep=` followed by a tab that trimming removed.
        [s, e, p, b'=']
            if line.ends_with(b"\t")
                && s.eq_ignore_ascii_case(&b's')
                && e.eq_ignore_ascii_case(&b'e')
                && p.eq_ignore_ascii_case(&b'p') =>
        {
            Some(b'\t')
        }
        _ => None,
    }
}

/// The delimiter that occurs most often in the header line; ties go to tab, then `;`, then `,`.
pub(super) fn detect_delimiter(header_line: &[u8]) -> u8 {
    let count = |d: u8| header_line.iter().filter(|&&b| b == d).count();
    let mut best = b'\t';
    for candidate in [b';', b','] {
        if count(candidate) > count(best) {
            best = candidate;
        }
    }
    best
}

/// A UTF-16 byte stream read as UTF-8 (Excel's "Unicode text"): decoded in chunks, so the
/// file is never held whole. Unpaired surrogates become U+FFFD.
pub(super) struct Utf16ToUtf8<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    input_done: bool,
    finished: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub(super) fn new(inner: R, encoding: TextEncoding) -> Utf16ToUtf8<R> {
        let decoder = if encoding == TextEncoding::Utf16Be {
            encoding_rs::UTF_16BE.new_decoder_without_bom_handling()
        } else {
            encoding_rs::UTF_16LE.new_decoder_without_bom_handling()
        };
        Utf16ToUtf8 {
            inner,
            decoder,
            input: vec![0; 1 << 16],
            input_start: 0,
            input_end: 0,
            output: vec![0; 3 << 16],
            output_start: 0,
            output_end: 0,
            input_done: false,
            finished: false,
        }
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.output_start == self.output_end && !self.finished {
            if self.input_start == self.input_end && !self.input_done {
                let n = self.inner.read(&mut self.input)?;
                self.input_start = 0;
                self.input_end = n;
                self.input_done = n == 0;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.input_done,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            // The last call (all input, `last` set) finishes the decoder: it must not be
            // called again, whatever it wrote.
            if self.input_done && self.input_start == self.input_end {
                self.finished = true;
            }
        }
        let n = buffer.len().min(self.output_end - self.output_start);
        buffer[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
        self.output_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(bytes: &[u8]) -> Result<FirstPass, ReadError> {
        let (announced, skip) = byte_order_mark(bytes);
        let mut rest = &bytes[skip..];
        match announced {
            Some(TextEncoding::Utf16Le | TextEncoding::Utf16Be) => first_pass(
                &mut Utf16ToUtf8::new(rest, announced.unwrap_or(TextEncoding::Utf16Le)),
                announced,
                bytes.len() as u64,
                &mut |_| {},
            ),
            _ => first_pass(&mut rest, announced, bytes.len() as u64, &mut |_| {}),
        }
    }

    #[test]
    fn line_breaks_count_lf_crlf_and_lone_cr_across_pieces() {
        let mut breaks = LineBreaks::default();
        breaks.feed(b"a\r");
        breaks.feed(b"\nb\rc\n\nd");
        assert_eq!(breaks.count, 4);
        assert_eq!(breaks.peek(b"\r\r\n"), 2);
    }

    #[test]
    fn sep_lines_are_recognised() {
        assert_eq!(sep_line(b"sep=;"), Some(b';'));
        assert_eq!(sep_line(b"SEP=,"), Some(b','));
        assert_eq!(sep_line(b"sep=\t"), Some(b'\t'));
        assert_eq!(sep_line(b"sep=|"), None);
        assert_eq!(sep_line(b"separator"), None);
    }

    #[test]
    fn finds_the_encoding_delimiter_and_sep_line() {
        let plain = pass(b"a;b\n1;2\n").expect("reads");
        assert_eq!(
            (plain.encoding, plain.delimiter, plain.has_sep_line),
            (TextEncoding::Utf8, b';', false)
        );
        let excel = pass(b"sep=,\r\na;b,c\r\n").expect("reads");
        assert_eq!((excel.delimiter, excel.has_sep_line), (b',', true));
        let latin = pass(b"a;b\nK\xf8ge;2\n").expect("reads");
        assert_eq!(latin.encoding, TextEncoding::Windows1252);
        let utf16: Vec<u8> = UTF16LE_BOM
            .iter()
            .copied()
            .chain(
                "a\tb\r\nKøge\t2\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let unicode = pass(&utf16).expect("reads");
        assert_eq!(
            (unicode.encoding, unicode.delimiter),
            (TextEncoding::Utf16Le, b'\t')
        );
    }

    #[test]
    fn mixed_encodings_and_a_bom_over_windows_1252_are_errors_naming_lines() {
        assert_eq!(
            pass(b"a;b\nK\xc3\xb8benhavn;1\nx;2\nK\xf8benhavn;3\n"),
            Err(ReadError::MixedEncodings {
                utf8_line: 2,
                other_line: 4
            })
        );
        assert_eq!(
            pass(b"\xEF\xBB\xBFa;b\r\nS\xf8by;1\r\n"),
            Err(ReadError::BomButNotUtf8 { line: 2 })
        );
    }

    #[test]
    fn an_unterminated_quote_names_its_line() {
        assert_eq!(
            pass(b"a,b\n1,2\n3,\"open\n4,5\n6,7\n"),
            Err(ReadError::UnterminatedQuote { line: 3 })
        );
        // Lone CR line ends count too.
        assert_eq!(
            pass(b"a,b\r1,2\r\"x,3\r"),
            Err(ReadError::UnterminatedQuote { line: 3 })
        );
        // Closed, doubled and mid-field quotes are fine.
        assert!(pass(b"a,b\n\"x\"\"y\",2\nab\"c,3\n\"multi\nline\",4\n").is_ok());
        assert!(pass(b"a,b\n\"closed at the end\"").is_ok());
    }
}
