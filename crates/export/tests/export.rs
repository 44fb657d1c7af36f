//! Exports read back: the CSV parsed as text, the xlsx with calamine; numbers equal the
//! report's, a municipality named like a formula comes out neutralised.

use calamine::{Data, Reader, Xlsx};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::report::{analyse, JsonReport};
use kommunebench_engine::{read_spells_from_bytes, Language, ReadOptions};
use kommunebench_export::{ranking_csv, ranking_xlsx};

/// The model fixture with its largest municipality renamed to a formula.
fn report_with_formula_name() -> JsonReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/model/model_a.csv");
    let text = std::fs::read_to_string(path)
        .expect("the test input is as the test expects")
        .replace("Kommune AR", "\"=HYPERLINK(\"\"x\"\")\"");
    let read = read_spells_from_bytes(text.as_bytes(), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let analysis = analyse(&read, ModelOptions::default());
    JsonReport::new(&read, &analysis, Language::English)
}

#[test]
fn csv_in_both_languages_carries_the_numbers_and_no_formula() {
    let report = report_with_formula_name();
    let danish = ranking_csv(&report, Language::Danish);
    assert!(danish.starts_with("\u{feff}rang;kommune;"));
    let lines: Vec<&str> = danish.lines().collect();
    assert_eq!(lines.len(), report.ranking.len() + 2);
    let first: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(first[0], "1");
    assert_eq!(
        first[2].replace(',', ".").parse::<f64>().ok(),
        Some(report.ranking[0].observed_months)
    );
    assert!(danish.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{danish}");

    let english = ranking_csv(&report, Language::English);
    let first: Vec<&str> = english
        .lines()
        .nth(1)
        .expect("the test input is as the test expects")
        .split(',')
        .collect();
    assert_eq!(
        first[4].parse::<f64>().ok(),
        Some(report.ranking[0].effect_months)
    );
    assert!(english
        .lines()
        .last()
        .expect("the test input is as the test expects")
        .contains("\"National\""));
}

#[test]
fn xlsx_reads_back_with_numbers_as_numbers() {
    let report = report_with_formula_name();
    let bytes = ranking_xlsx(&report, Language::English).unwrap_or_else(|e| panic!("{e}"));
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{e}"));
    let range = workbook
        .worksheet_range("Ranking")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][1], Data::String("municipality".to_owned()));
    assert_eq!(rows.len(), report.ranking.len() + 2);
    for (row, want) in rows[1..].iter().zip(&report.ranking) {
        assert_eq!(row[0], Data::Float(want.rank as f64));
        assert_eq!(row[2], Data::Float(want.observed_months));
        assert_eq!(row[4], Data::Float(want.effect_months));
        assert_eq!(row[7], Data::Float(want.spells as f64));
    }
    let names: Vec<String> = rows.iter().map(|r| r[1].to_string()).collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"x\")".to_owned()),
        "{names:?}"
    );
}

/// The excluded rows' CSV (the page offers it) goes through the same neutralisation: a value
/// from the file that looks like a formula is never live.
#[test]
fn excluded_rows_csv_neutralises_values() {
    let text = "municipality,permit_date,end_date,outcome\n\
                Odense,2001-01-01,2002-01-01,=HYPERLINK(\"http://x\")\n\
                Odense,2001-01-01,2002-01-01,@SUM(A1)\n\
                Odense,2001-01-01,2002-01-01,none\n";
    let read = read_spells_from_bytes(text.as_bytes(), &ReadOptions::default()).expect("reads");
    assert_eq!(read.excluded_rows.len(), 2);
    for language in [Language::Danish, Language::English] {
        let csv = kommunebench_export::excluded_rows_csv(&read.excluded_rows, language);
        let delimiter = if language == Language::Danish {
            ';'
        } else {
            ','
        };
        for line in csv.trim_start_matches('\u{feff}').lines().skip(1) {
            for cell in line.split(delimiter) {
                let text = cell.trim_matches('"');
                assert!(
                    !text.starts_with(['=', '+', '-', '@']),
                    "a live formula: {cell}"
                );
            }
        }
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(csv.contains("\"'@SUM(A1)\""), "{csv}");
    }
}
