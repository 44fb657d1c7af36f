//! The ranking as files for spreadsheets: CSV (UTF-8 with BOM; `;` and decimal comma in
//! Danish) and xlsx (numbers as numbers, the header row frozen).
//!
//! Text cells are neutralised against formula injection as OWASP advises: a text value that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that no
//! spreadsheet reads it as a formula. Numbers stay numbers.
//!
//! This crate lives outside the engine: the web app switches on rust_xlsxwriter's `wasm`
//! feature, and the engine must not depend on wasm-bindgen.

use std::borrow::Cow;

use kommunebench_engine::read::ExcludedRow;
use kommunebench_engine::report::JsonReport;
use kommunebench_engine::Language;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// `text` made safe for a spreadsheet cell (OWASP CSV injection advice).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell of an exported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// The ranking's columns: table 4, then MODEL.md §7–§9 (every field of the JSON ranking;
/// the comparison's two are empty without an earlier measurement).
const N_COLUMNS: usize = 19;

fn header(language: Language) -> [&'static str; N_COLUMNS] {
    match language {
        Language::Danish => [
            "rang",
            "kommune",
            "observeret_mdr",
            "forventet_mdr",
            "effekt_mdr",
            "p_vaerdi",
            "signifikans",
            "forloeb",
            "andel_afsluttede",
            "effekt_se_mdr",
            "effekt_95_nedre_mdr",
            "effekt_95_oevre_mdr",
            "q_vaerdi",
            "krympet_effekt_mdr",
            "krympet_rang",
            "rang_95_nedre",
            "rang_95_oevre",
            "tidligere_rang",
            "rangaendring",
        ],
        Language::English => [
            "rank",
            "municipality",
            "observed_months",
            "expected_months",
            "effect_months",
            "p_value",
            "stars",
            "spells",
            "completed_share",
            "effect_se_months",
            "effect_interval_low_months",
            "effect_interval_high_months",
            "q_value",
            "shrunken_effect_months",
            "shrunken_rank",
            "rank_interval_low",
            "rank_interval_high",
            "previous_rank",
            "rank_change",
        ],
    }
}

/// The table's rows: one per ranked municipality, then the national row.
fn rows(report: &JsonReport, language: Language) -> Vec<[Cell; N_COLUMNS]> {
    let optional = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Number);
    let count = |value: Option<usize>| optional(value.map(|v| v as f64));
    let mut rows: Vec<[Cell; N_COLUMNS]> = report
        .ranking
        .iter()
        .map(|r| {
            [
                Cell::Number(r.rank as f64),
                Cell::Text(r.municipality.clone()),
                Cell::Number(r.observed_months),
                Cell::Number(r.expected_months),
                Cell::Number(r.effect_months),
                optional(r.p_value),
                Cell::Text(r.stars.clone()),
                Cell::Number(r.spells as f64),
                Cell::Number(r.completed_share),
                optional(r.effect_se_months),
                optional(r.effect_interval_months.map(|[low, _]| low)),
                optional(r.effect_interval_months.map(|[_, high]| high)),
                optional(r.q_value),
                optional(r.shrunken_effect_months),
                count(r.shrunken_rank),
                count(r.rank_interval.map(|[lo, _]| lo)),
                count(r.rank_interval.map(|[_, hi]| hi)),
                count(r.previous_rank),
                optional(r.rank_change.map(|c| c as f64)),
            ]
        })
        .collect();
    let national = &report.national;
    rows.push([
        Cell::Empty,
        Cell::Text(match language {
            Language::Danish => "Hele landet".to_owned(),
            Language::English => "National".to_owned(),
        }),
        optional(national.observed_months),
        optional(national.expected_months),
        optional(national.effect_months),
        Cell::Empty,
        Cell::Empty,
        Cell::Number(national.spells as f64),
        Cell::Number(national.completed_share),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    rows
}

/// The ranking as CSV text (with its BOM): `;` and decimal comma in Danish, `,` and decimal
/// point in English. Numbers in full precision; text quoted and neutralised.
pub fn ranking_csv(report: &JsonReport, language: Language) -> String {
    table_csv(&header(language), &rows(report, language), language)
}

/// The rows a file lost, as CSV (line, reason code, column, value, message in `language`):
/// the values come from the user's file, so they are neutralised like every other text.
pub fn excluded_rows_csv(rows: &[ExcludedRow], language: Language) -> String {
    let header = match language {
        Language::Danish => ["linje", "årsag", "kolonne", "værdi", "besked"],
        Language::English => ["line", "reason", "column", "value", "message"],
    };
    let text = |value: &Option<String>| Cell::Text(value.clone().unwrap_or_default());
    let cells: Vec<[Cell; 5]> = rows
        .iter()
        .map(|row| {
            [
                Cell::Number(row.line as f64),
                Cell::Text(row.problem.code().to_owned()),
                text(&row.column),
                text(&row.value),
                Cell::Text(row.message(language)),
            ]
        })
        .collect();
    table_csv(&header, &cells, language)
}

/// Any table as CSV: BOM, CRLF, `;` and decimal comma in Danish, `,` and decimal point in
/// English, numbers in full precision, text quoted and neutralised ([`neutralise`]). Every
/// CSV this project writes goes through here.
pub fn table_csv<const N: usize>(
    header: &[&str; N],
    rows: &[[Cell; N]],
    language: Language,
) -> String {
    let delimiter = match language {
        Language::Danish => ";",
        Language::English => ",",
    };
    let number = |value: f64| {
        let text = value.to_string();
        if language == Language::Danish {
            text.replace('.', ",")
        } else {
            text
        }
    };
    let quote = |text: &str| format!("\"{}\"", neutralise(text).replace('"', "\"\""));
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(delimiter));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(text) => quote(text),
                Cell::Number(value) => number(*value),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&cells.join(delimiter));
        out.push_str("\r\n");
    }
    out
}

/// The ranking as an xlsx workbook: one sheet, the header row bold and frozen, numbers as
/// numbers, text neutralised.
pub fn ranking_xlsx(report: &JsonReport, language: Language) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(match language {
        Language::Danish => "Rangordning",
        Language::English => "Ranking",
    })?;
    let bold = Format::new().set_bold();
    for (column, title) in header(language).iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
    }
    for (index, row) in rows(report, language).iter().enumerate() {
        let row_number = index as u32 + 1;
        for (column, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(row_number, column as u16, neutralise(text).as_ref())?;
                }
                Cell::Number(value) => {
                    sheet.write_number(row_number, column as u16, *value)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(1, 24)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for dangerous in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(dangerous), format!("'{dangerous}"));
        }
        assert_eq!(neutralise("København"), "København");
        assert_eq!(neutralise(""), "");
    }
}
