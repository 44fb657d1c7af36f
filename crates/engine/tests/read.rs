//! The reader: every dialect gives the same cohort; every row rule names line and reason;
//! no input panics; row order changes nothing but order.

use std::path::Path;

use kommunebench_engine::read::{ReadProgress, SourceFormat, TextEncoding};
use kommunebench_engine::{
    read_spells, read_spells_from_bytes, Cohort, CovariateValues, Language, Outcome, ReadError,
    ReadOptions, ReadReport, Role,
};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/read")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_ok(bytes: &[u8]) -> ReadReport {
    read_spells_from_bytes(bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn read_err(bytes: &[u8]) -> ReadError {
    match read_spells_from_bytes(bytes, &ReadOptions::default()) {
        Ok(report) => panic!("expected an error, got {} spells", report.cohort.n_spells()),
        Err(error) => error,
    }
}

const HEADER: &str =
    "municipality,permit_date,end_date,outcome,age,residence_basis,unemployment_rate";

/// A valid file with `rows` appended after two good rows (lines 2 and 3).
fn csv_with(rows: &[&str]) -> Vec<u8> {
    let mut text = format!(
        "{HEADER}\nAarhus,2001-01-01,2002-01-01,none,30,refugee,6\nOdense,2001-01-01,2003-05-01,self_support,25,family_other,7\n"
    );
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.into_bytes()
}

/// (line, reason code, column) of each excluded row.
fn excluded(report: &ReadReport) -> Vec<(u64, &'static str, Option<String>)> {
    report
        .excluded_rows
        .iter()
        .map(|r| (r.line, r.problem.code(), r.column.clone()))
        .collect()
}

#[test]
fn every_dialect_gives_the_same_cohort() {
    let utf8 = read_ok(&fixture("spells_utf8_comma.csv"));
    let cp1252 = read_ok(&fixture("spells_cp1252_semicolon.csv"));
    let bom_tab = read_ok(&fixture("spells_utf8bom_tab.tsv"));
    let xlsx = read_ok(&fixture("spells.xlsx"));

    assert_eq!(
        utf8.format,
        SourceFormat::Csv {
            encoding: TextEncoding::Utf8,
            delimiter: ','
        }
    );
    assert_eq!(
        cp1252.format,
        SourceFormat::Csv {
            encoding: TextEncoding::Windows1252,
            delimiter: ';'
        }
    );
    assert_eq!(
        bom_tab.format,
        SourceFormat::Csv {
            encoding: TextEncoding::Utf8WithBom,
            delimiter: '\t'
        }
    );
    assert_eq!(
        xlsx.format,
        SourceFormat::Xlsx {
            sheet: "Forløb".to_owned()
        }
    );
    for other in [&cp1252, &bom_tab, &xlsx] {
        assert_eq!(other.cohort, utf8.cohort);
        assert_eq!(other.excluded_rows, vec![]);
        assert_eq!(other.ignored_columns, vec!["note".to_owned()]);
    }

    let cohort = &utf8.cohort;
    assert_eq!(cohort.n_spells(), 7);
    assert_eq!(
        cohort.municipality_names,
        ["Brøndby", "Høje Taastrup", "København", "Århus"]
    );
    // Spell 4 moved in on 2001-02-01 after a permit on 2000-07-01: 215 days.
    assert_eq!(cohort.time_enter[3], 215.0 / 30.436875);
    // Spell 3: 1999-01-04 to 2000-02-29 is 421 days.
    assert_eq!(cohort.time_exit[2], 421.0 / 30.436875);
    assert_eq!(
        cohort.outcome,
        [
            Outcome::SelfSupport,
            Outcome::None,
            Outcome::Education,
            Outcome::SelfSupport,
            Outcome::None,
            Outcome::Education,
            Outcome::None
        ]
    );
    assert_eq!(
        cohort.permit_year,
        [2001, 2002, 1999, 2000, 2003, 2004, 2001]
    );
    let names: Vec<&str> = cohort.individual.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["sex", "age", "children", "residence_basis", "danish_track"]
    );
    let Some(CovariateValues::Categorical { levels, codes }) =
        cohort.individual_covariate("sex").map(|c| &c.values)
    else {
        panic!("sex is categorical")
    };
    assert_eq!(levels, &["K", "M"]);
    assert_eq!(codes, &[1, 0, 0, 1, 1, 0, 0]);
    assert_eq!(
        cohort.individual[1].values,
        CovariateValues::Numeric(vec![31.5, 27.0, 19.25, 44.0, 36.75, 22.0, 50.5])
    );
    assert_eq!(cohort.municipal.len(), 1);
    assert_eq!(cohort.municipal[0].name, "unemployment_rate");
    assert_eq!(
        cohort.municipal[0].values,
        CovariateValues::Numeric(vec![8.0, 7.75, 9.1, 6.2])
    );
    assert_eq!(cohort.line, [2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn a_named_sheet_is_read_and_a_missing_one_is_named() {
    let bytes = fixture("spells.xlsx");
    let options = ReadOptions {
        sheet: Some("Noter".to_owned()),
        ..ReadOptions::default()
    };
    let error = read_spells_from_bytes(&bytes, &options).err();
    assert_eq!(
        error,
        Some(ReadError::MissingColumn {
            name: "municipality".to_owned()
        })
    );
    let options = ReadOptions {
        sheet: Some("Data".to_owned()),
        ..ReadOptions::default()
    };
    let Some(error) = read_spells_from_bytes(&bytes, &options).err() else {
        panic!("no sheet Data")
    };
    assert!(
        error.message(Language::Danish).contains("Forløb, Noter"),
        "{}",
        error.message(Language::Danish)
    );
}

#[test]
fn progress_reaches_the_total() {
    let bytes = fixture("spells_cp1252_semicolon.csv");
    let mut last = None;
    read_spells(
        std::io::Cursor::new(&bytes),
        &ReadOptions::default(),
        &mut |p: ReadProgress| last = Some(p),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let total = bytes.len() as u64;
    assert_eq!(
        last,
        Some(ReadProgress {
            pass: 2,
            bytes_read: total,
            total_bytes: total
        })
    );
}

#[test]
fn rule_field_count() {
    let report = read_ok(&csv_with(&["Aarhus,2001-01-01,2002-01-01,none,30,refugee"]));
    assert_eq!(excluded(&report), [(4, "wrong_field_count", None)]);
    assert_eq!(
        report.excluded_rows[0].message(Language::English),
        "Line 4: the row has 6 fields but the header has 7."
    );
}

#[test]
fn rule_required_fields_present() {
    let report = read_ok(&csv_with(&[
        " ,2001-01-01,2002-01-01,none,30,refugee,6",
        "Aarhus,,2002-01-01,none,30,refugee,6",
        "Aarhus,2001-01-01,,none,30,refugee,6",
        "Aarhus,2001-01-01,2002-01-01,,30,refugee,6",
    ]));
    assert_eq!(
        excluded(&report),
        [
            (4, "missing_value", Some("municipality".to_owned())),
            (5, "missing_value", Some("permit_date".to_owned())),
            (6, "missing_value", Some("end_date".to_owned())),
            (7, "missing_value", Some("outcome".to_owned())),
        ]
    );
}

#[test]
fn rule_dates_valid() {
    let report = read_ok(&csv_with(&[
        "Aarhus,2003-02-30,2004-01-01,none,30,refugee,6",
        "Aarhus,2001-01-01,1.1.2002x,none,30,refugee,6",
    ]));
    assert_eq!(
        excluded(&report),
        [
            (4, "invalid_date", Some("permit_date".to_owned())),
            (5, "invalid_date", Some("end_date".to_owned()))
        ]
    );
    assert_eq!(report.excluded_rows[0].value.as_deref(), Some("2003-02-30"));
    assert!(report.excluded_rows[0]
        .message(Language::Danish)
        .starts_with("Linje 4: `permit_date` er «2003-02-30»"));
}

#[test]
fn rule_date_order() {
    let text = "municipality,permit_date,entry_date,end_date,outcome\n\
                Aarhus,2001-01-01,2000-12-31,2002-01-01,none\n\
                Aarhus,2001-01-01,2002-01-01,2002-01-01,none\n\
                Aarhus,2001-01-01,,2001-01-01,none\n\
                Aarhus,2001-01-01,2001-01-01,2001-01-02,none\n";
    let report = read_ok(text.as_bytes());
    assert_eq!(
        excluded(&report),
        [
            (2, "entry_before_permit", Some("entry_date".to_owned())),
            (3, "end_not_after_entry", Some("end_date".to_owned())),
            (4, "end_not_after_entry", Some("end_date".to_owned())),
        ]
    );
    assert_eq!(report.cohort.n_spells(), 1);
}

#[test]
fn rule_known_outcome() {
    let report = read_ok(&csv_with(&[
        "Aarhus,2001-01-01,2002-01-01,job,30,refugee,6",
    ]));
    assert_eq!(
        excluded(&report),
        [(4, "unknown_outcome", Some("outcome".to_owned()))]
    );
}

#[test]
fn rule_numeric_fields_numeric() {
    let report = read_ok(&csv_with(&[
        "Aarhus,2001-01-01,2002-01-01,none,thirty,refugee,6",
        "Aarhus,2001-01-01,2002-01-01,none,NaN,refugee,6",
        "Aarhus,2001-01-01,2002-01-01,none,30,refugee,1.000,5",
    ]));
    // The last row has an extra field (an unquoted decimal comma in a `,` file).
    assert_eq!(
        excluded(&report),
        [
            (4, "not_a_number", Some("age".to_owned())),
            (5, "not_a_number", Some("age".to_owned())),
            (6, "wrong_field_count", None)
        ]
    );
}

#[test]
fn rule_empty_covariate_excludes_the_row() {
    let report = read_ok(&csv_with(&["Aarhus,2001-01-01,2002-01-01,none,30, ,6"]));
    assert_eq!(
        excluded(&report),
        [(4, "missing_value", Some("residence_basis".to_owned()))]
    );
}

#[test]
fn rule_municipal_covariate_constant_is_fatal_and_named() {
    let error = read_err(&csv_with(&[
        "Odense,2001-01-01,2002-01-01,none,30,refugee,7.5",
    ]));
    assert_eq!(
        error,
        ReadError::MunicipalCovariateNotConstant {
            column: "unemployment_rate".to_owned(),
            municipality: "Odense".to_owned(),
            line: 4,
            first_value: "7".to_owned(),
            value: "7.5".to_owned(),
        }
    );
    // Checked on valid rows only, comparing numbers: "7,0" equals 7 and a bad row does not count.
    let report = read_ok(&csv_with(&[
        "Odense,2001-01-01,2002-01-01,none,30,refugee,\"7,0\"",
        "Odense,2001-01-01,2000-01-01,none,30,refugee,99",
    ]));
    assert_eq!(
        excluded(&report),
        [(5, "end_not_after_entry", Some("end_date".to_owned()))]
    );
}

#[test]
fn fatal_problems_name_the_column() {
    assert_eq!(read_err(b""), ReadError::Empty);
    assert_eq!(read_err(b"\n  \n"), ReadError::Empty);
    assert_eq!(
        read_err(b"municipality,permit_date,end_date\nA,2001-01-01,2002-01-01\n"),
        ReadError::MissingColumn {
            name: "outcome".to_owned()
        }
    );
    assert_eq!(
        read_err(b"municipality,Permit_Date,end_date,outcome,permit_date\n"),
        ReadError::DuplicateColumn {
            name: "permit_date".to_owned()
        }
    );
    assert_eq!(
        read_err(&csv_with(&[]).repeat(1)[..HEADER.len() + 1]),
        ReadError::NoValidRows {
            n_excluded: 0,
            by_reason: vec![],
            first: None
        }
    );
    let all_bad = "municipality,permit_date,end_date,outcome\nA,x,2002-01-01,none\n";
    let error = read_err(all_bad.as_bytes());
    assert!(matches!(
        &error,
        ReadError::NoValidRows { n_excluded: 1, by_reason, first: Some(first) }
            if by_reason == &[("invalid_date".to_owned(), 1)] && first.line == 2
    ));
    assert_eq!(
        error.message(Language::English),
        "No valid rows: all 1 rows were excluded (1 invalid_date). The first: Line 2: `permit_date` is “x”, which is not a valid date (use YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)."
    );
    assert!(read_err(b"PK\x03\x04not really a zip")
        .message(Language::English)
        .starts_with("The Excel file could not be read"));
}

#[test]
fn roles_override_defaults_and_unknown_columns_are_listed() {
    let text = "municipality,permit_date,end_date,outcome,Age,grade,region_income\n\
                A,2001-01-01,2002-01-01,none,30,3,100\n";
    let report = read_ok(text.as_bytes());
    assert_eq!(report.ignored_columns, ["grade", "region_income"]);
    let options = ReadOptions {
        roles: vec![
            ("age".to_owned(), Role::IndividualCategorical),
            ("GRADE".to_owned(), Role::IndividualNumeric),
            ("region_income".to_owned(), Role::MunicipalNumeric),
        ],
        sheet: None,
    };
    let Ok(report) = read_spells_from_bytes(text.as_bytes(), &options) else {
        panic!("roles apply")
    };
    let cohort: &Cohort = &report.cohort;
    assert_eq!(report.ignored_columns, Vec::<String>::new());
    assert_eq!(
        cohort.individual[0].values,
        CovariateValues::Categorical {
            levels: vec!["30".to_owned()],
            codes: vec![0]
        }
    );
    assert_eq!(
        cohort.individual[1].values,
        CovariateValues::Numeric(vec![3.0])
    );
    assert_eq!(
        cohort.municipal[0].values,
        CovariateValues::Numeric(vec![100.0])
    );

    let unknown = ReadOptions {
        roles: vec![("income".to_owned(), Role::IndividualNumeric)],
        sheet: None,
    };
    assert_eq!(
        read_spells_from_bytes(text.as_bytes(), &unknown).err(),
        Some(ReadError::RoleForUnknownColumn {
            name: "income".to_owned()
        })
    );
    let reserved = ReadOptions {
        roles: vec![("outcome".to_owned(), Role::IndividualCategorical)],
        sheet: None,
    };
    assert_eq!(
        read_spells_from_bytes(text.as_bytes(), &reserved).err(),
        Some(ReadError::RoleForSpellColumn {
            name: "outcome".to_owned()
        })
    );
}

#[test]
fn line_numbers_count_blank_lines_and_quoted_newlines() {
    let text = "municipality,permit_date,end_date,outcome\n\
                \n\
                \"Aar\nhus\",2001-01-01,2002-01-01,none\n   \n\
                B,2001-01-01,bad,none\n";
    let report = read_ok(text.as_bytes());
    assert_eq!(report.cohort.line, [3]);
    assert_eq!(
        excluded(&report),
        [(6, "invalid_date", Some("end_date".to_owned()))]
    );
}

#[test]
fn windows_1252_is_chosen_only_when_utf8_fails() {
    // "Ø" is 0xD8 in Windows-1252 and invalid alone in UTF-8.
    let text =
        b"municipality;permit_date;end_date;outcome\n\xd8lstykke;01-02-2001;01-02-2002;ingen\n";
    let report = read_ok(text);
    assert_eq!(report.cohort.municipality_names, ["Ølstykke"]);
    assert_eq!(
        report.format,
        SourceFormat::Csv {
            encoding: TextEncoding::Windows1252,
            delimiter: ';'
        }
    );
}

/// Bytes that look like spell files often enough to reach deep into the reader.
fn spell_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("Aarhus".to_owned()),
        Just("2001-02-03".to_owned()),
        Just("03.02.2001".to_owned()),
        Just("none".to_owned()),
        Just("self_support".to_owned()),
        Just("3,5".to_owned()),
        Just("\"a;b\"".to_owned()),
        "[ -~æøåÆØÅ\n\r\t;,\"]{0,12}",
    ];
    let line = prop::collection::vec(field, 0..8).prop_map(|fields| fields.join(";"));
    let header =
        Just("municipality;permit_date;end_date;outcome;age;sex;unemployment_rate".to_owned());
    (
        header,
        prop::collection::vec(line, 0..12),
        prop::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(|(header, lines, noise)| {
            let mut bytes = header.into_bytes();
            for line in lines {
                bytes.push(b'\n');
                bytes.extend(line.into_bytes());
            }
            bytes.extend(noise);
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_give_ok_or_err_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_spells_from_bytes(&bytes, &ReadOptions::default());
        let mut zip_like = b"PK\x03\x04".to_vec();
        zip_like.extend(&bytes);
        let _ = read_spells_from_bytes(&zip_like, &ReadOptions::default());
    }

    #[test]
    fn spell_like_bytes_give_ok_or_err_never_a_panic(bytes in spell_like_bytes()) {
        if let Ok(report) = read_spells_from_bytes(&bytes, &ReadOptions::default()) {
            prop_assert!(report.cohort.n_spells() > 0);
            for i in 0..report.cohort.n_spells() {
                prop_assert!(report.cohort.time_enter[i] < report.cohort.time_exit[i]);
            }
        }
    }

    #[test]
    fn row_order_changes_the_cohort_only_in_order(seed in any::<u64>()) {
        let text = String::from_utf8(fixture("spells_utf8_comma.csv")).expect("the test input is as the test expects");
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        // A seeded Fisher–Yates shuffle of the data rows.
        let mut state = seed | 1;
        for i in (1..lines.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            lines.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let shuffled = format!("{header}\n{}\n", lines.join("\n"));
        let original = read_ok(text.as_bytes()).cohort;
        let permuted = read_ok(shuffled.as_bytes()).cohort;
        prop_assert_eq!(&original.municipality_names, &permuted.municipality_names);
        prop_assert_eq!(&original.municipal, &permuted.municipal);
        // Match spells by their (original) content, ignoring line numbers.
        let key = |c: &Cohort, i: usize| {
            let covariates: Vec<String> = c.individual.iter().map(|cov| match &cov.values {
                CovariateValues::Numeric(v) => v[i].to_string(),
                CovariateValues::Categorical { levels, codes } => levels[codes[i] as usize].clone(),
            }).collect();
            format!("{} {} {} {:?} {} {:?}", c.municipality[i], c.time_enter[i], c.time_exit[i], c.outcome[i], c.permit_year[i], covariates)
        };
        let mut a: Vec<String> = (0..original.n_spells()).map(|i| key(&original, i)).collect();
        let mut b: Vec<String> = (0..permuted.n_spells()).map(|i| key(&permuted, i)).collect();
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn utf8_split_across_chunk_boundaries_is_still_utf8() {
    // A file longer than the reader's 1 MiB chunks, with a two-byte "ø" straddling the first
    // boundary and a three-byte "€" straddling the second (2 + 1 bytes).
    const CHUNK: usize = 1 << 20;
    let row = "Aarhus,2001-01-01,2002-01-01,none,x\n";
    let prefix = "Aarhus,2001-01-01,2002-01-01,none,";
    let mut text = "municipality,permit_date,end_date,outcome,note\n".to_owned();
    for (boundary, character, bytes_before) in [(CHUNK, "ø", 1), (2 * CHUNK, "€", 2)] {
        while text.len() + row.len() + prefix.len() + 100 < boundary {
            text.push_str(row);
        }
        let filler = boundary - bytes_before - text.len() - prefix.len();
        text.push_str(&format!("{prefix}{}{character}\n", "y".repeat(filler)));
        assert_eq!(
            &text.as_bytes()[boundary - bytes_before..boundary + 1],
            character.as_bytes()
        );
    }
    text.push_str(row);
    let report = read_ok(text.as_bytes());
    assert_eq!(
        report.format,
        SourceFormat::Csv {
            encoding: TextEncoding::Utf8,
            delimiter: ','
        }
    );
    assert_eq!(report.excluded_rows, vec![]);
}

#[test]
fn inspect_columns_gives_the_header_and_default_uses() {
    use kommunebench_engine::read::{inspect_columns, ColumnUsage};
    for name in [
        "spells_utf8_comma.csv",
        "spells_cp1252_semicolon.csv",
        "spells_utf8bom_tab.tsv",
        "spells.xlsx",
    ] {
        let bytes = fixture(name);
        let preview = inspect_columns(std::io::Cursor::new(&bytes), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected_sheets: &[&str] = if name.ends_with("xlsx") {
            &["Forløb", "Noter"]
        } else {
            &[]
        };
        assert_eq!(preview.sheets, expected_sheets, "{name}");
        let columns = preview.columns;
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names[..3],
            ["spell_id", "municipality", "permit_date"],
            "{name}"
        );
        assert_eq!(columns[0].usage, ColumnUsage::Identifier);
        assert_eq!(columns[1].usage, ColumnUsage::Spell);
        assert_eq!(
            columns[7].usage,
            ColumnUsage::Covariate(Role::IndividualNumeric),
            "age"
        );
        assert_eq!(
            columns[11].usage,
            ColumnUsage::Covariate(Role::MunicipalNumeric),
            "unemployment_rate"
        );
        assert_eq!(columns[12].usage, ColumnUsage::Unknown, "note");
    }
    assert_eq!(
        inspect_columns(std::io::Cursor::new(b"\n\n"), &ReadOptions::default()).err(),
        Some(ReadError::Empty)
    );
}
