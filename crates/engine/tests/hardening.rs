//! Files that officers really produce and files an attacker would craft (the hardening
//! issue): each input class gives its exact outcome, the rows analysed, the lines and
//! reasons excluded, or the error. Every fixture is generated here, in the test (its own
//! script), from the same small spell table.

use kommunebench_engine::read::TextEncoding;
use kommunebench_engine::{read_spells_from_bytes, ReadError, ReadOptions, ReadReport};

/// Ten valid spells over three municipalities, with a Danish name.
const ROWS: [&str; 10] = [
    "København,2001-01-15,2002-03-01,self_support,31",
    "København,2001-02-01,2004-01-01,none,45",
    "Odense,2001-03-10,2001-12-24,education,22",
    "Odense,2002-01-05,2003-06-30,self_support,38",
    "Aarhus,2002-04-01,2005-12-12,none,29",
    "Aarhus,2002-05-20,2003-01-31,self_support,50",
    "København,2003-01-01,2003-09-01,self_support,27",
    "Odense,2003-06-15,2005-12-12,none,33",
    "Aarhus,2004-02-29,2005-03-01,education,19",
    "København,2004-07-01,2005-12-12,none,41",
];
const HEADER: &str = "municipality,permit_date,end_date,outcome,age";

fn text(separator: &str, line_end: &str) -> String {
    let mut out = HEADER.replace(',', separator);
    out.push_str(line_end);
    for row in ROWS {
        out.push_str(&row.replace(',', separator));
        out.push_str(line_end);
    }
    out
}

fn read(bytes: &[u8]) -> Result<ReadReport, ReadError> {
    read_spells_from_bytes(bytes, &ReadOptions::default())
}

fn municipalities(report: &ReadReport) -> Vec<String> {
    report.cohort.municipality_names.clone()
}

fn excluded(report: &ReadReport) -> Vec<(u64, &'static str)> {
    report
        .excluded_rows
        .iter()
        .map(|r| (r.line, r.problem.code()))
        .collect()
}

#[test]
fn a_quote_never_closed_is_an_error_naming_its_line_not_lost_rows() {
    // In a column the model does not even read: 200 later rows would have vanished.
    let mut file = String::from("municipality,permit_date,end_date,outcome,note\n");
    for i in 0..205 {
        let note = if i == 3 { "\"see later" } else { "ok" };
        file.push_str(&format!("Odense,2001-01-01,2002-01-01,none,{note}\n"));
    }
    assert_eq!(
        read(file.as_bytes()).err(),
        Some(ReadError::UnterminatedQuote { line: 5 })
    );
    assert!(read(file.as_bytes())
        .err()
        .is_some_and(|e| e.to_string().starts_with("Line 5: a quotation mark")));
}

#[test]
fn utf8_and_windows_1252_pasted_together_is_an_error_naming_both_lines() {
    let utf8 = text(",", "\n");
    let second_half = encoding_rs::WINDOWS_1252.encode(ROWS[0]).0.into_owned();
    let mut file = utf8.into_bytes();
    file.extend_from_slice(&second_half);
    file.push(b'\n');
    assert_eq!(
        read(&file).err(),
        Some(ReadError::MixedEncodings {
            utf8_line: 2,
            other_line: 12
        })
    );
}

#[test]
fn a_utf8_bom_over_windows_1252_is_an_error_not_merged_names() {
    // Søby, Såby and Sæby would all have become "S?by".
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(
        &encoding_rs::WINDOWS_1252
            .encode("municipality;permit_date;end_date;outcome\r\nSøby;2001-01-01;2002-01-01;none\r\nSåby;2001-01-01;2002-01-01;none\r\nSæby;2001-01-01;2002-01-01;none\r\n")
            .0,
    );
    assert_eq!(
        read(&file).err(),
        Some(ReadError::BomButNotUtf8 { line: 2 })
    );
}

#[test]
fn lone_cr_line_ends_number_the_lines() {
    // Excel's "CSV (Macintosh)": every line ends in a lone CR.
    let mut file = text(";", "\r");
    file.push_str("Odense;2001-13-01;2002-01-01;none;30\r");
    file.push_str("Odense;2001-01-01;2002-01-01;job;30\r");
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 10);
    assert_eq!(
        excluded(&report),
        vec![(12, "invalid_date"), (13, "unknown_outcome")]
    );
}

#[test]
fn an_excel_sep_line_sets_the_delimiter_and_counts_as_line_1() {
    let mut file = String::from("sep=;\r\n");
    file.push_str(&text(";", "\r\n"));
    file.push_str("Odense;2001-01-01;2000-01-01;none;30\r\n");
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 10);
    assert_eq!(excluded(&report), vec![(13, "end_not_after_entry")]);
}

#[test]
fn excel_unicode_text_utf16_reads_like_its_utf8_twin() {
    let twin = read(text("\t", "\r\n").as_bytes()).expect("reads");
    for (bom, encode) in [
        (&b"\xFF\xFE"[..], u16::to_le_bytes as fn(u16) -> [u8; 2]),
        (&b"\xFE\xFF"[..], u16::to_be_bytes as fn(u16) -> [u8; 2]),
    ] {
        let mut file = bom.to_vec();
        file.extend(text("\t", "\r\n").encode_utf16().flat_map(encode));
        let report = read(&file).expect("reads");
        assert_eq!(report.cohort, twin.cohort);
        assert!(matches!(
            report.format,
            kommunebench_engine::read::SourceFormat::Csv {
                encoding: TextEncoding::Utf16Le | TextEncoding::Utf16Be,
                delimiter: '\t'
            }
        ));
    }
}

#[test]
fn date_times_are_dates() {
    let file = text(",", "\n")
        .replace("2001-01-15", "2001-01-15 00:00:00")
        .replace("2002-03-01", "2002-03-01T12:30")
        .replace("2005-12-12", "2005-12-12 23:59:59.000");
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 10);
    assert_eq!(report.excluded_rows, vec![]);
    assert_eq!(
        report.cohort,
        read(text(",", "\n").as_bytes()).expect("reads").cohort
    );
}

#[test]
fn a_trailing_delimiter_on_every_row_reads() {
    let file = text(";", ";\r\n");
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 10);
    assert_eq!(report.excluded_rows, vec![]);
    assert_eq!(municipalities(&report), ["Aarhus", "København", "Odense"]);
}

#[test]
fn a_4_mb_field_excludes_its_row_and_its_value_is_cut() {
    let mut file = text(",", "\n");
    let long = "x".repeat(4_000_000);
    file.push_str(&format!("Odense,2001-01-01,2002-01-01,none,{long}\n"));
    // Also in a column the model does not read.
    let with_note = format!(
        "{HEADER},note\nOdense,2001-01-01,2002-01-01,none,30,{}\nOdense,2001-01-01,2002-01-01,none,30,ok\n",
        "é".repeat(10_001)
    );
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 10);
    assert_eq!(excluded(&report), vec![(12, "field_too_long")]);
    let value = report.excluded_rows[0].value.as_deref().expect("a value");
    assert_eq!(value.chars().count(), 201);
    assert!(value.ends_with('…') && value.starts_with("xxx"));
    assert!(
        report.excluded_rows[0]
            .message(kommunebench_engine::Language::English)
            .len()
            < 400
    );
    let report = read(with_note.as_bytes()).expect("reads");
    assert_eq!(excluded(&report), vec![(2, "field_too_long")]);
    assert_eq!(report.excluded_rows[0].column.as_deref(), Some("note"));
    // Exactly 10,000 characters is allowed.
    let limit = format!(
        "{HEADER},note\nOdense,2001-01-01,2002-01-01,none,30,{}\n",
        "é".repeat(10_000)
    );
    assert_eq!(read(limit.as_bytes()).expect("reads").excluded_rows, vec![]);
}

#[test]
fn an_absurd_number_is_out_of_range_not_collinearity() {
    let mut file = text(",", "\n");
    file.push_str("Odense,2001-01-01,2002-01-01,none,1e200\n");
    file.push_str("Odense,2001-01-01,2002-01-01,none,-1000000001\n");
    file.push_str("Odense,2001-01-01,2002-01-01,none,1000000000\n");
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(
        excluded(&report),
        vec![(12, "number_out_of_range"), (13, "number_out_of_range")]
    );
    assert_eq!(report.cohort.n_spells(), 11);
}

#[test]
fn when_no_row_is_valid_the_error_gives_the_reasons_and_the_first_row() {
    // Dates written with slashes, and one outcome nobody knows.
    let file = text(",", "\n")
        .replace('-', "/")
        .replace("2003/06/15,2005/12/12,none", "2003-06-15,2005-12-12,job");
    let error = read(file.as_bytes()).expect_err("nothing valid");
    let message = error.to_string();
    assert!(
        message.starts_with(
            "No valid rows: all 10 rows were excluded (9 invalid_date, 1 unknown_outcome)"
        ),
        "{message}"
    );
    // The first excluded row is named by its line: line 2.
    assert!(
        message.contains("The first: Line 2: `permit_date` is “2001/01/15”"),
        "{message}"
    );
    assert!(error
        .message(kommunebench_engine::Language::Danish)
        .contains("Den første: Linje 2:"));
}

#[test]
fn warnings_name_duplicates_overlaps_lookalikes_and_implausible_dates() {
    use kommunebench_engine::read::warnings::WarningCode;
    let file = "spell_id,person_id,municipality,permit_date,entry_date,end_date,outcome\n\
        1,p1,Aarhus,2001-01-01,,2002-01-01,none\n\
        2,p1,Odense,2001-01-01,2001-06-01,2002-06-01,none\n\
        1,p2,aarhus,2001-01-01,,2002-01-01,none\n\
        4,p3,Ta\u{30a}rnby,2001-01-01,,2002-01-01,self_support\n\
        5,p3,Tårnby,2001-01-01,2002-01-01,2003-01-01,none\n\
        6,p4,Odense,1901-01-01,,2002-01-01,none\n";
    let report = read(file.as_bytes()).expect("reads");
    assert_eq!(report.cohort.n_spells(), 6, "warnings exclude nothing");
    let found: Vec<(WarningCode, Vec<u64>)> = report
        .warnings
        .iter()
        .map(|w| (w.code, w.lines.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (WarningCode::DuplicateSpellId, vec![2, 4]),
            (WarningCode::OverlappingSpells, vec![2, 3]),
            (WarningCode::LookalikeMunicipalities, vec![2, 4, 5, 6]),
            (WarningCode::ImplausibleDates, vec![7]),
        ]
    );
    let lookalike = &report.warnings[2];
    assert_eq!(
        lookalike.names,
        vec![
            vec!["Aarhus".to_owned(), "aarhus".to_owned()],
            vec!["Ta\u{30a}rnby".to_owned(), "Tårnby".to_owned()]
        ]
    );
    assert!(lookalike
        .message(kommunebench_engine::Language::English)
        .starts_with("Municipality names that are almost the same are ranked as different municipalities: «Aarhus» / «aarhus»"));
}

/// The reader's xlsx fixture, rewritten part by part: `change` may replace a part's bytes,
/// and `extra` parts are added.
fn rewritten_workbook(
    change: &dyn Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: &[(&str, Vec<u8>)],
) -> Vec<u8> {
    use std::io::{Read, Write};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read/spells.xlsx");
    let original = std::fs::read(path).expect("the xlsx fixture");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).expect("a part");
        let name = part.name().expect("a name").into_owned();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).expect("readable");
        out.start_file(name.as_str(), options).expect("a part");
        out.write_all(&change(&name, bytes)).expect("written");
    }
    for (name, bytes) in extra {
        out.start_file(*name, options).expect("a part");
        out.write_all(bytes).expect("written");
    }
    out.finish().expect("a zip").into_inner()
}

#[test]
fn a_cell_at_xfd1048576_is_one_excluded_row_not_17_billion_cells() {
    let plain = read(&rewritten_workbook(&|_, bytes| bytes, &[])).expect("reads");
    let hostile = rewritten_workbook(
        &|name, bytes| {
            if name == "xl/worksheets/sheet1.xml" {
                String::from_utf8(bytes)
                    .expect("XML")
                    .replace(
                        "<dimension ref=\"A1:M8\" />",
                        "<dimension ref=\"A1:XFD1048576\" />",
                    )
                    .replace(
                        "</sheetData>",
                        "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
                    )
                    .into_bytes()
            } else {
                bytes
            }
        },
        &[],
    );
    let report = read(&hostile).expect("reads");
    assert_eq!(report.cohort, plain.cohort);
    assert_eq!(excluded(&report), vec![(1_048_576, "wrong_field_count")]);
}

#[test]
fn a_huge_declared_shared_string_count_is_refused_by_name() {
    let sst = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="99999999999"><si><t>x</t></si></sst>"#;
    let hostile = rewritten_workbook(&|_, bytes| bytes, &[("xl/sharedStrings.xml", sst.to_vec())]);
    let error = read(&hostile).expect_err("refused");
    assert!(matches!(
        error,
        ReadError::UnsafeWorkbook(kommunebench_engine::read::UnsafeWorkbook::SharedStrings {
            declared: 99_999_999_999,
            ..
        })
    ));
    assert!(error.to_string().contains("declares 99999999999 texts"));
}

#[test]
fn a_zip_bomb_is_refused_by_name() {
    let bomb = vec![0u8; 20 << 20];
    let hostile = rewritten_workbook(&|_, bytes| bytes, &[("xl/media/image1.bin", bomb)]);
    let error = read(&hostile).expect_err("refused");
    assert!(
        matches!(
            &error,
            ReadError::UnsafeWorkbook(kommunebench_engine::read::UnsafeWorkbook::CompressionRatio { part, .. })
                if part == "xl/media/image1.bin"
        ),
        "{error:?}"
    );
}

/// The reader's fixtures (every CSV dialect and the xlsx), to mutate.
fn valid_files() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    [
        "spells_utf8_comma.csv",
        "spells_cp1252_semicolon.csv",
        "spells_utf8bom_tab.tsv",
        "spells.xlsx",
    ]
    .iter()
    .map(|name| std::fs::read(dir.join(name)).expect("a fixture"))
    .collect()
}

/// One mutation of a file: flip, insert, delete, duplicate or truncate at a position.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![
                    Just(b'"'),
                    Just(b'\r'),
                    Just(b'\n'),
                    Just(b';'),
                    Just(b','),
                    Just(b'\t'),
                    Just(0xFF),
                    Just(0xFE),
                    Just(0xC3),
                    any::<u8>()
                ],
                1..8
            )
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1usize..256).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(at, byte) => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b = *byte;
                }
            }
            Mutation::Insert(at, new) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Duplicate(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let copy: Vec<u8> = bytes[at..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(384))]
    /// Arbitrary mutations of valid files: the reader answers (a report or an error), never
    /// panics, and a report accounts for every valid row by its line.
    #[test]
    fn mutated_valid_files_give_ok_or_err_never_a_panic(
        which in 0usize..4,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let bytes = mutate(valid_files().swap_remove(which), &mutations);
        if let Ok(report) = read(&bytes) {
            proptest::prop_assert_eq!(report.cohort.line.len(), report.cohort.n_spells());
            let mut lines: Vec<u64> = report
                .cohort
                .line
                .iter()
                .copied()
                .chain(report.excluded_rows.iter().map(|r| r.line))
                .collect();
            let n = lines.len();
            lines.sort_unstable();
            lines.dedup();
            proptest::prop_assert_eq!(lines.len(), n, "no line is both valid and excluded");
        }
        let _ = kommunebench_engine::read::inspect_columns(std::io::Cursor::new(&bytes), &ReadOptions::default());
    }
}
