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
