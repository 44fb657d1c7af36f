//! The `kommunebench` binary on fixtures: the JSON carries the engine's own numbers, the two
//! dialects of one file give identical JSON, bad input gives exit code 1 and a clear message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::report::{analyse, JsonReport};
use kommunebench_engine::{read_spells_from_bytes, Language, ReadOptions};

fn engine_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir.join(name)
}

fn kommunebench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kommunebench"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn json_of(file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = scratch(&format!(
        "{}.json",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let mut args = vec![
        "analyse",
        file.to_str()
            .expect("the test input is as the test expects"),
        "--json",
        out.to_str().expect("the test input is as the test expects"),
    ];
    args.extend(extra);
    let output = kommunebench(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(out).expect("the test input is as the test expects");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn json_equals_the_engine_report() {
    let file = engine_fixture("model/model_a.csv");
    let from_cli = json_of(&file, &["--lang", "en"]);
    let bytes = std::fs::read(&file).expect("the test input is as the test expects");
    let Ok(read) = read_spells_from_bytes(&bytes, &ReadOptions::default()) else {
        panic!("reads")
    };
    let analysis = analyse(&read, ModelOptions::default());
    assert!(analysis.model.is_ok(), "fits");
    let from_engine = serde_json::to_value(JsonReport::new(&read, &analysis, Language::English))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_cli, from_engine);
    // The contract's keys are there.
    for key in [
        "outcomes",
        "cohorts",
        "model",
        "ranking",
        "national",
        "unranked",
        "excluded_rows",
    ] {
        assert!(from_cli.get(key).is_some(), "{key}");
    }
    assert_eq!(from_cli["ranking"].as_array().map(Vec::len), Some(16));
}

/// model_a.csv rewritten the way Danish Excel saves it: `;`, `DD-MM-YYYY`, decimal commas,
/// Danish letters in the names, Windows-1252.
fn danish_excel_twin(utf8: &str) -> (String, Vec<u8>) {
    let mut twin_utf8 = String::new();
    let mut danish = String::new();
    for (line, row) in utf8.lines().enumerate() {
        let fields: Vec<String> = row
            .split(',')
            .map(|field| {
                let renamed = field
                    .replace("Kommune A", "Kø A")
                    .replace("Kommune B", "Å B");
                if line == 0 {
                    return renamed;
                }
                if renamed.len() == 10 && renamed.as_bytes()[4] == b'-' {
                    let (y, m, d) = (&renamed[..4], &renamed[5..7], &renamed[8..]);
                    return format!("{d}-{m}-{y}");
                }
                renamed.replace('.', ",")
            })
            .collect();
        twin_utf8.push_str(&row.replace("Kommune A", "Kø A").replace("Kommune B", "Å B"));
        twin_utf8.push('\n');
        danish.push_str(&fields.join(";"));
        danish.push_str("\r\n");
    }
    (
        twin_utf8,
        encoding_rs::WINDOWS_1252.encode(&danish).0.into_owned(),
    )
}

#[test]
fn windows_1252_semicolon_and_its_utf8_comma_twin_give_identical_json() {
    let original = std::fs::read_to_string(engine_fixture("model/model_a.csv"))
        .expect("the test input is as the test expects");
    let (utf8, cp1252) = danish_excel_twin(&original);
    let (utf8_path, cp1252_path) = (scratch("twin_utf8.csv"), scratch("twin_cp1252.csv"));
    std::fs::write(&utf8_path, utf8).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&cp1252_path, cp1252).unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (json_of(&utf8_path, &[]), json_of(&cp1252_path, &[]));
    assert_eq!(a, b);
    assert!(a["ranking"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["municipality"].as_str() == Some("Kø AE")));
}

#[test]
fn a_malformed_file_exits_1_and_names_line_and_reason() {
    let path = scratch("malformed.csv");
    std::fs::write(
        &path,
        "municipality,permit_date,end_date\nA,2001-01-01,2002-01-01\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = kommunebench(&[
        "analyse",
        path.to_str()
            .expect("the test input is as the test expects"),
        "--lang",
        "en",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("The file lacks the required column `outcome`."),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked at"));

    // Bad rows are excluded with a one-line count; an unknown outcome on line 3.
    let original = std::fs::read_to_string(engine_fixture("model/model_a.csv"))
        .expect("the test input is as the test expects");
    let broken = original.replacen(",self_support,", ",job,", 1);
    let line = original
        .lines()
        .position(|l| l.contains(",self_support,"))
        .unwrap_or(0)
        + 1;
    std::fs::write(&path, broken).unwrap_or_else(|e| panic!("{e}"));
    let output = kommunebench(&[
        "analyse",
        path.to_str()
            .expect("the test input is as the test expects"),
        "--lang",
        "en",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "1 rows excluded (the first: Line {line}: `outcome` is “job”"
        )),
        "{stderr}"
    );

    for args in [
        vec!["analyse", "/nonexistent/file.csv"],
        vec![
            "analyse",
            path.to_str()
                .expect("the test input is as the test expects"),
            "--horizon",
            "-3",
        ],
        vec![
            "analyse",
            path.to_str()
                .expect("the test input is as the test expects"),
            "--role",
            "age=weird",
        ],
        vec!["frobnicate"],
        vec!["analyse", "a.csv", "b.csv"],
    ] {
        let output = kommunebench(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked at"));
    }
}

/// The whole terminal table of data set b, every number: a change to any figure, to the
/// layout or to the wording shows up here (`UPDATE_EXPECT=1 cargo test -p kommunebench-cli`
/// rewrites the snapshot after a deliberate change).
#[test]
fn the_terminal_table_matches_its_snapshot() {
    let fixture = engine_fixture("model/model_b.csv");
    for (language, snapshot) in [
        (
            "da",
            expect_test::expect_file!["snapshots/ranking_table_b_da.txt"],
        ),
        (
            "en",
            expect_test::expect_file!["snapshots/ranking_table_b_en.txt"],
        ),
    ] {
        let output = kommunebench(&[
            "analyse",
            fixture.to_str().expect("a UTF-8 path"),
            "--lang",
            language,
        ]);
        assert_eq!(output.status.code(), Some(0));
        snapshot.assert_eq(&String::from_utf8_lossy(&output.stdout));
    }
}

#[test]
fn the_demo_command_writes_the_engine_demo_and_its_analysis_ranks_72() {
    let path = scratch("demo.csv");
    let output = kommunebench(&[
        "demo",
        "--out",
        path.to_str()
            .expect("the test input is as the test expects"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&path).expect("the test input is as the test expects");
    assert_eq!(
        bytes,
        kommunebench_engine::demo::demo_csv(kommunebench_engine::demo::DEFAULT_SEED)
    );
    let json = json_of(&path, &["--lang", "en"]);
    assert_eq!(json["ranking"].as_array().map(Vec::len), Some(72));
    assert_eq!(json["national"]["spells"].as_u64(), Some(23_563));

    // The CLI's JSON carries the engine's own numbers for the demo.
    let Ok(read) = read_spells_from_bytes(&bytes, &ReadOptions::default()) else {
        panic!("reads")
    };
    let analysis = analyse(&read, ModelOptions::default());
    assert!(analysis.model.is_ok(), "fits");
    let engine = serde_json::to_value(JsonReport::new(&read, &analysis, Language::English))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json, engine);

    // And it meets the calibration targets: completed shares within ±3 points for ≥ 90 %,
    // Spearman ≥ 0.9 between its effects and the published ones.
    let published = kommunebench_engine::demo::published_ranking();
    let ranking = json["ranking"]
        .as_array()
        .cloned()
        .expect("the test input is as the test expects");
    let mut pairs = Vec::new();
    let mut within = 0;
    for target in &published {
        let Some(row) = ranking
            .iter()
            .find(|r| r["municipality"].as_str() == Some(target.name.as_str()))
        else {
            panic!("{} is not ranked", target.name)
        };
        let completed = row["completed_share"].as_f64().unwrap_or(f64::NAN);
        within += usize::from((100.0 * completed - target.completed_percent).abs() <= 3.0);
        pairs.push((
            row["effect_months"].as_f64().unwrap_or(f64::NAN),
            target.effect_months,
        ));
    }
    assert!(within * 10 >= 9 * published.len(), "{within}");
    let (demo, target): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    let spearman = kommunebench_engine::numeric::correlation::spearman(&demo, &target);
    assert!(spearman >= 0.9, "Spearman {spearman}");
}

#[test]
fn csv_and_xlsx_exports_come_from_the_shared_export_module() {
    let file = engine_fixture("model/model_b.csv");
    let (csv_path, xlsx_path) = (scratch("ranking.csv"), scratch("ranking.xlsx"));
    let output = kommunebench(&[
        "analyse",
        file.to_str()
            .expect("the test input is as the test expects"),
        "--csv",
        csv_path
            .to_str()
            .expect("the test input is as the test expects"),
        "--xlsx",
        xlsx_path
            .to_str()
            .expect("the test input is as the test expects"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&file).expect("the test input is as the test expects");
    let Ok(read) = read_spells_from_bytes(&bytes, &ReadOptions::default()) else {
        panic!("reads")
    };
    let analysis = analyse(&read, ModelOptions::default());
    assert!(analysis.model.is_ok(), "fits");
    let report = JsonReport::new(&read, &analysis, Language::Danish);
    assert_eq!(
        std::fs::read_to_string(&csv_path).expect("the test input is as the test expects"),
        kommunebench_export::ranking_csv(&report, Language::Danish)
    );
    assert!(std::fs::read(&xlsx_path)
        .expect("the test input is as the test expects")
        .starts_with(b"PK\x03\x04"));
}

/// A model that cannot be fitted (one ranked municipality) still writes the JSON with the
/// outcome and cohort tables, the excluded rows and `model_error`, says why, and exits 1.
#[test]
fn a_model_error_keeps_the_tables_and_exits_1() {
    let fixture = engine_fixture("model/model_a.csv");
    let out = scratch("model_error.json");
    let output = kommunebench(&[
        "analyse",
        fixture.to_str().expect("a UTF-8 path"),
        "--min-spells",
        "300",
        "--lang",
        "en",
        "--json",
        out.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("There are 1 ranked municipalities, but the comparison with the municipal characteristics needs at least 4."),
        "{stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the JSON is written"))
            .expect("valid JSON");
    assert_eq!(json["model_error"]["code"], "too_few_ranked");
    assert_eq!(json["ranking"], serde_json::json!([]));
    assert!(json["model"].is_null());
    assert_eq!(json["outcomes"]["all"]["spells"], 3793);
    assert_eq!(json["rows_read"], 3793);
    assert!(json["cohorts"].as_array().is_some_and(|c| c.len() == 6));
    assert!(json["national"]["observed_months"].is_null());
}

/// Names and values from a file reach the terminal only without control characters: no
/// escape sequence in a file can move the cursor or recolour the terminal.
#[test]
fn control_characters_from_the_file_never_reach_the_terminal() {
    let path = scratch("escapes.csv");
    let original = std::fs::read_to_string(engine_fixture("model/model_a.csv")).expect("fixture");
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replacen(",none,", ",\u{1b}[31mjob\u{7},", 1);
    lines[1] = lines[1].replacen(",self_support,", ",\u{1b}[31mjob\u{7},", 1);
    std::fs::write(&path, lines.join("\n") + "\n").expect("written");
    let output = kommunebench(&[
        "analyse",
        path.to_str().expect("a UTF-8 path"),
        "--lang",
        "en",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("[31mjob"), "{stderr}");
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
}

/// MODEL.md §9 from the command line: the choices reach the JSON, the window's rows are
/// counted, and `--compare` reads the tool's own Danish CSV export (neutralised names, the
/// national row) and JSON alike.
#[test]
fn measurement_options_and_a_comparison_with_the_own_export() {
    let file = engine_fixture("model/model_b.csv");
    let file_text = file.to_str().expect("a UTF-8 path");
    let earlier_csv = scratch("earlier-rangordning.csv");
    let earlier_json = scratch("earlier.json");
    let whole = kommunebench(&[
        "analyse",
        file_text,
        "--csv",
        earlier_csv.to_str().expect("a UTF-8 path"),
        "--json",
        earlier_json.to_str().expect("a UTF-8 path"),
    ]);
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );

    let compared_csv = scratch("compared.csv");
    let json = json_of(
        &file,
        &[
            "--success",
            "selvforsørgelse",
            "--permit-years",
            "2001-2003",
            "--compare",
            earlier_csv.to_str().expect("a UTF-8 path"),
            "--csv",
            compared_csv.to_str().expect("a UTF-8 path"),
        ],
    );
    // The export carries the comparison too (its last two columns).
    let csv = std::fs::read_to_string(&compared_csv).expect("the CSV was written");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .is_some_and(|h| h.ends_with(";tidligere_rang;rangaendring")));
    let first = lines.next().expect("a ranked row");
    let cells: Vec<&str> = first.split(';').collect();
    let row = &json["ranking"][0];
    let shown = |v: &serde_json::Value| v.as_i64().map_or(String::new(), |n| n.to_string());
    assert_eq!(cells[cells.len() - 2], shown(&row["previous_rank"]));
    assert_eq!(cells[cells.len() - 1], shown(&row["rank_change"]));
    assert_eq!(json["options"]["success"], "self_support");
    assert_eq!(json["options"]["permit_years"], "2001-2003");
    assert_eq!(json["options"]["compare"], "earlier-rangordning.csv");
    let outside = json["rows_outside_window"].as_u64().expect("a count");
    assert!(outside > 0);
    let spells: u64 = json["national"]["spells"].as_u64().expect("a count");
    assert_eq!(json["rows_read"].as_u64(), Some(spells + outside));
    let comparison = &json["comparison"];
    assert_eq!(comparison["previous_ranked"].as_u64(), Some(24));
    let mut common = 0;
    for row in json["ranking"].as_array().expect("a ranking") {
        if let Some(previous) = row["previous_rank"].as_i64() {
            common += 1;
            assert_eq!(
                row["rank_change"].as_i64(),
                Some(previous - row["rank"].as_i64().expect("a rank"))
            );
        } else {
            assert!(row["rank_change"].is_null());
        }
    }
    assert_eq!(comparison["common"].as_u64(), Some(common));

    // The same earlier measurement as JSON gives the same comparison.
    let against_json = [
        "--success",
        "self_support",
        "--permit-years",
        "2001-2003",
        "--compare",
        earlier_json.to_str().expect("a UTF-8 path"),
    ];
    let from_json = json_of(&file, &against_json);
    assert_eq!(from_json["comparison"]["spearman"], comparison["spearman"]);

    // The terminal table shows each rank's change, as the JSON has it, and says against what.
    let table = kommunebench(
        &[
            &["analyse", file_text][..],
            &against_json,
            &["--lang", "en"],
        ]
        .concat(),
    );
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("earlier measurement (earlier.json)"),
        "{table}"
    );
    let header = table
        .lines()
        .find(|l| l.starts_with("Rank"))
        .expect("a header");
    assert!(header.starts_with("Rank  Change"), "{header}");
    for row in json["ranking"].as_array().expect("a ranking") {
        let rank = row["rank"].as_i64().expect("a rank").to_string();
        let line = table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(rank.as_str()))
            .expect("the rank's line");
        let change = match row["rank_change"].as_i64() {
            None => "new".to_owned(),
            Some(0) => "=".to_owned(),
            Some(up) if up > 0 => format!("▲ {up}"),
            Some(down) => format!("▼ {}", -down),
        };
        let after_rank = line.trim_start()[rank.len()..].trim_start();
        assert!(after_rank.starts_with(&change), "{line} (want {change})");
    }
    let national = table
        .lines()
        .find(|l| l.contains("National"))
        .expect("the national row");
    assert!(national.trim_start().starts_with("National"), "{national}");

    // A bad window is refused with its rule named, never a panic.
    let bad = kommunebench(&["analyse", file_text, "--permit-years", "2004-2002"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FROM-TO"));
}
