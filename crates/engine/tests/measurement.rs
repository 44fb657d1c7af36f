//! The officer's measurement choices (MODEL.md §9) against the independent route of
//! `tests/fixtures/model/make_measurement_fixtures.py`, which transforms `model_b.csv` by hand
//! (outcomes recoded, rows filtered, names mapped with averaged municipal covariates) and fits
//! it with statsmodels; and the comparison with an earlier measurement on known rank moves.

use std::io::Cursor;

use kommunebench_engine::measure::compare::{compare, PreviousRanking};
use kommunebench_engine::measure::{
    apply, parse_success, Mapping, MeasureError, Measurement, PermitYears,
};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::numeric::tolerance::{MONTHS_REFERENCE_ABS, P_VALUE_REFERENCE_ABS};
use kommunebench_engine::read::warnings::WarningCode;
use kommunebench_engine::report::{analyse_measured, JsonReport};
use kommunebench_engine::{read_spells_from_bytes, Language, Outcome, ReadOptions};
use serde_json::Value;

mod common;

use common::fixture_path;

fn close(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!((got - want).abs() <= tolerance, "{what}: {got} vs {want}");
}

/// Runs `measurement` on model_b.csv and compares the report with `measurement_<name>.json`.
fn check_against_reference(name: &str, measurement: &Measurement) -> JsonReport {
    let bytes = std::fs::read(fixture_path("model_b.csv")).expect("the fixture exists");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("model_b reads");
    let rows_in_file = read.cohort.n_spells();
    let measured = apply(read, measurement).unwrap_or_else(|e| panic!("{e:?}"));
    let analysis = analyse_measured(
        &measured.read,
        ModelOptions::default(),
        &measurement.success,
        &mut |_| {},
    );
    let report = JsonReport::new(&measured.read, &analysis, Language::English)
        .with_window_and_mapping(measured.rows_outside_window, measurement.permit_years, None);
    let text = std::fs::read_to_string(fixture_path(&format!("measurement_{name}.json")))
        .expect("the fixture exists");
    let reference: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);

    // Every row of the file is analysed or outside the window.
    assert_eq!(report.rows_read, rows_in_file);
    assert_eq!(
        measured.read.cohort.n_spells() as f64,
        number(&reference["n_spells"])
    );
    assert_eq!(
        report.rows_outside_window,
        rows_in_file - measured.read.cohort.n_spells()
    );
    let ranking = reference["ranking"].as_array().expect("a ranking");
    assert_eq!(report.ranking.len(), ranking.len(), "{name}");
    for (got, want) in report.ranking.iter().zip(ranking) {
        let what = format!("{name}: {}", got.municipality);
        assert_eq!(
            Some(got.municipality.as_str()),
            want["municipality"].as_str()
        );
        assert_eq!(got.rank as f64, number(&want["rank"]), "{what}");
        assert_eq!(got.spells as f64, number(&want["spells"]), "{what}");
        assert_eq!(Some(got.stars.as_str()), want["stars"].as_str(), "{what}");
        close(
            got.observed_months,
            number(&want["observed_months"]),
            MONTHS_REFERENCE_ABS,
            &what,
        );
        close(
            got.expected_months,
            number(&want["expected_months"]),
            MONTHS_REFERENCE_ABS,
            &what,
        );
        close(
            got.effect_months,
            number(&want["effect_months"]),
            MONTHS_REFERENCE_ABS,
            &what,
        );
        close(
            got.p_value.unwrap_or(f64::NAN),
            number(&want["p_value"]),
            P_VALUE_REFERENCE_ABS,
            &what,
        );
        close(
            got.completed_share,
            number(&want["completed_share"]),
            1e-15,
            &what,
        );
    }
    for key in ["observed_months", "expected_months", "effect_months"] {
        let got = match key {
            "observed_months" => report.national.observed_months,
            "expected_months" => report.national.expected_months,
            _ => report.national.effect_months,
        };
        close(
            got.unwrap_or(f64::NAN),
            number(&reference["national"][key]),
            MONTHS_REFERENCE_ABS,
            key,
        );
    }
    report
}

#[test]
fn self_support_alone_matches_the_recoded_file() {
    let measurement = Measurement {
        success: parse_success("self_support").expect("a valid list"),
        ..Measurement::default()
    };
    let report = check_against_reference("success_self_support", &measurement);
    assert_eq!(report.options.success, "self_support");
    // The outcome tables still show education.
    assert!(report.outcomes.all.education > 0.0);
}

#[test]
fn a_permit_year_window_matches_the_filtered_file() {
    let measurement = Measurement {
        permit_years: PermitYears::parse("2001-2003").expect("a valid window"),
        ..Measurement::default()
    };
    let report = check_against_reference("window_2001_2003", &measurement);
    assert!(report.rows_outside_window > 0);
    assert_eq!(report.options.permit_years.as_deref(), Some("2001-2003"));
    assert!(report
        .cohorts
        .iter()
        .all(|c| (2001..=2003).contains(&c.permit_year)));
}

#[test]
fn a_mapping_after_the_window_matches_the_mapped_file_with_averaged_covariates() {
    let mapping = Mapping::read(Cursor::new(
        std::fs::read(fixture_path("measurement_map.csv")).expect("the fixture exists"),
    ))
    .unwrap_or_else(|e| panic!("{e:?}"));
    let measurement = Measurement {
        permit_years: PermitYears::parse("2000-").expect("a valid window"),
        mapping: Some(mapping),
        ..Measurement::default()
    };
    let bytes = std::fs::read(fixture_path("model_b.csv")).expect("the fixture exists");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("model_b reads");
    let measured = apply(read, &measurement).unwrap_or_else(|e| panic!("{e:?}"));
    let unused = measured
        .read
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::UnusedMapping)
        .expect("Kommune ZZ is not in the data");
    assert_eq!(unused.names, [["Kommune ZZ".to_owned()]]);
    assert_eq!(unused.lines, [7]);
    let averaged = measured
        .read
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::MunicipalCovariatesAveraged)
        .expect("two merged units");
    assert_eq!(averaged.count, 2);
    assert_eq!(
        averaged.names[0],
        ["Kommune AA+AB+AC", "Kommune AA", "Kommune AB", "Kommune AC"]
    );
    assert!(averaged
        .message(Language::Danish)
        .contains("«Kommune AA+AB+AC»"));
    check_against_reference("map_2000_", &measurement);
}

#[test]
fn mapping_errors_name_the_lines_and_the_column() {
    let conflict = Mapping::read(Cursor::new("from;to\nA;B\nC;D\nA;E\n".as_bytes().to_vec()));
    let Err(error @ MeasureError::MappingConflict(_)) = conflict else {
        panic!("a conflict: {conflict:?}")
    };
    assert_eq!(
        error.message(Language::English),
        "The mapping file sends «A» to two places: to «B» on line 2 and to «E» on line 4."
    );
    let missing = Mapping::read(Cursor::new(b"fra,til\nA,B\n".to_vec()));
    assert!(
        matches!(missing, Err(MeasureError::MappingMissingColumn { ref name }) if name == "from")
    );

    // A categorical municipal covariate that differs inside a merged unit.
    let file = "municipality,permit_date,end_date,outcome,region\n\
                A,2001-01-01,2002-01-01,self_support,Nord\n\
                B,2001-01-01,2002-01-01,none,Syd\n";
    let read = read_spells_from_bytes(
        file.as_bytes(),
        &ReadOptions {
            roles: vec![(
                "region".to_owned(),
                kommunebench_engine::Role::MunicipalCategorical,
            )],
            sheet: None,
        },
    )
    .expect("reads");
    let mapping = Mapping::read(Cursor::new(b"from,to\nA,AB\nB,AB\n".to_vec())).expect("valid");
    let merged = apply(
        read,
        &Measurement {
            mapping: Some(mapping),
            ..Measurement::default()
        },
    );
    let Err(error) = merged else {
        panic!("an error")
    };
    assert_eq!(
        error.message(Language::English),
        "«AB» merges municipalities whose `region` differs: «Nord» in «A», «Syd» in «B». A categorical municipal covariate cannot be averaged."
    );
}

#[test]
fn option_values_are_checked() {
    assert_eq!(
        parse_success("uddannelse, selvforsørgelse").expect("valid"),
        [Outcome::SelfSupport, Outcome::Education]
    );
    assert!(parse_success("none").is_err());
    assert!(parse_success("").is_err());
    assert_eq!(
        PermitYears::parse("2002-").expect("valid"),
        PermitYears {
            from: Some(2002),
            to: None
        }
    );
    assert_eq!(
        PermitYears::parse("2003").expect("valid").text(),
        "2003-2003"
    );
    for bad in ["2004-2002", "02-04", "abc", "-", ""] {
        assert!(PermitYears::parse(bad).is_err(), "{bad}");
    }
    // A window without any spell says which years the data have.
    let bytes = std::fs::read(fixture_path("model_b.csv")).expect("the fixture exists");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("model_b reads");
    let error = apply(
        read,
        &Measurement {
            permit_years: PermitYears::parse("1990-1995").expect("valid"),
            ..Measurement::default()
        },
    )
    .expect_err("no spell in 1990–1995");
    assert!(error.message(Language::English).contains("1990-1995"));
}

/// Known moves: "=A" 1→3 (▼ 2), B 2→1 (▲ 1), C 3→2 (▲ 1), D new, E only then. Common =A, B,
/// C: ranks now (3, 1, 2) and then (1, 2, 3): Pearson of (3,1,2) and (1,2,3) = −0.5. "=A"
/// is exported neutralised as "'=A".
#[test]
fn a_comparison_with_an_earlier_export_in_either_format() {
    let current = [("B", 1), ("C", 2), ("=A", 3), ("D", 4)];
    // The Danish CSV export: BOM, `;`, decimal comma, a neutralised name, the national row.
    let csv = "\u{feff}rang;kommune;observeret_mdr\r\n1;\"'=A\";30,5\r\n2;\"B\";31,0\r\n3;\"C\";32,0\r\n4;\"E\";33,0\r\n;\"Hele landet\";31,6\r\n";
    let previous = PreviousRanking::read(Cursor::new(csv.as_bytes().to_vec()), "marts-2005.csv")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        previous.ranks,
        [
            ("=A".to_owned(), 1),
            ("B".to_owned(), 2),
            ("C".to_owned(), 3),
            ("E".to_owned(), 4)
        ]
    );
    let (before, comparison) = compare(&current, &previous);
    assert_eq!(before, [Some(2), Some(3), Some(1), None]);
    assert_eq!(comparison.previous_ranked, 4);
    assert_eq!(comparison.common, 3);
    let spearman = comparison.spearman.expect("3 common");
    assert!((spearman + 0.5).abs() < 1e-15, "{spearman}");

    // The same ranking as a JSON report.
    let json = r#"{"ranking":[{"rank":1,"municipality":"=A"},{"rank":2,"municipality":"B"},{"rank":3,"municipality":"C"},{"rank":4,"municipality":"E"}]}"#;
    let from_json = PreviousRanking::read(Cursor::new(json.as_bytes().to_vec()), "marts.json")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(from_json.ranks, previous.ranks);

    // Below 3 common municipalities there is no correlation.
    let (_, few) = compare(&[("=A", 1), ("B", 2)], &previous);
    assert_eq!(few.spearman, None);

    // An export without a rank column is named.
    let wrong = PreviousRanking::read(Cursor::new(b"kommune;effekt\nA;1\n".to_vec()), "x.csv");
    assert!(matches!(
        wrong,
        Err(MeasureError::PreviousMissingColumn { .. })
    ));
}

#[test]
fn the_report_carries_the_rank_changes() {
    let bytes = std::fs::read(fixture_path("model_b.csv")).expect("the fixture exists");
    let read = read_spells_from_bytes(&bytes, &ReadOptions::default()).expect("model_b reads");
    let analysis = analyse_measured(
        &read,
        ModelOptions::default(),
        &Measurement::default().success,
        &mut |_| {},
    );
    let mut report = JsonReport::new(&read, &analysis, Language::Danish);
    // The earlier measurement: today's ranking with the first two swapped.
    let mut earlier: Vec<(String, usize)> = report
        .ranking
        .iter()
        .map(|r| (r.municipality.clone(), r.rank))
        .collect();
    earlier[0].1 = 2;
    earlier[1].1 = 1;
    report.compare_with(&PreviousRanking {
        source: "earlier.json".to_owned(),
        ranks: earlier,
    });
    assert_eq!(report.ranking[0].rank_change, Some(1));
    assert_eq!(report.ranking[1].rank_change, Some(-1));
    assert!(report.ranking[2..].iter().all(|r| r.rank_change == Some(0)));
    let comparison = report.comparison.as_ref().expect("compared");
    assert_eq!(comparison.common, report.ranking.len());
    assert!(comparison.spearman.expect("many common") < 1.0);
    assert_eq!(report.options.compare.as_deref(), Some("earlier.json"));
}
