//! `kommunebench`: the engine's numbers from the command line (MODEL.md §5).
//!
//! Glue only: parse the arguments, stream the file into the engine, print or write what it
//! returns. Every number comes from `kommunebench-engine`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use clap::{Parser, Subcommand};
use kommunebench_engine::cohort::values::parse_number;
use kommunebench_engine::measure::compare::PreviousRanking;
use kommunebench_engine::measure::{
    apply, parse_success, Mapping, Measured, Measurement, PermitYears,
};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::progress::{Phase, PhaseTimer, Progress};
use kommunebench_engine::report::{analyse_measured, ranking_table, JsonReport};
use kommunebench_engine::{read_spells, Language, Outcome, ReadOptions, Role};

/// The engine's numbers from the command line: the benchmarking of MODEL.md (`analyse`) and
/// the synthetic demo data (`demo`).
#[derive(Debug, Parser)]
#[command(name = "kommunebench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyses a spell file and prints the ranking (or writes the report and exports).
    #[command(alias = "analyze")]
    Analyse(Box<Analyse>),
    /// Writes the synthetic demo data set (see docs/demo-data.md).
    Demo {
        /// Where to write the CSV.
        #[arg(long, value_name = "FILE")]
        out: String,
        /// The seed; the default is the public demo's.
        #[arg(long, default_value_t = kommunebench_engine::demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Writes a large synthetic spell file for benchmarks (not calibrated to anything).
    Synthetic {
        /// Where to write the CSV.
        #[arg(long, value_name = "FILE")]
        out: String,
        /// How many spells.
        #[arg(long, default_value_t = 1_000_000)]
        spells: usize,
        /// Over how many municipalities (sizes skewed like Danish municipalities').
        #[arg(long, default_value_t = 270)]
        municipalities: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// The parsed `analyse` command.
#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
struct Analyse {
    /// The spell file: CSV (`,` `;` or tab; UTF-8 or Windows-1252) or an Excel .xlsx.
    file: String,
    /// Municipalities with at least this many valid spells are ranked.
    #[arg(long, default_value_t = 80)]
    min_spells: usize,
    /// H: durations are restricted to this many months.
    #[arg(long = "horizon", value_name = "MONTHS", default_value = "48", value_parser = positive_number)]
    horizon_months: f64,
    /// w: the width of the baseline hazard's pieces, in months.
    #[arg(long = "piece-months", value_name = "MONTHS", default_value = "3", value_parser = positive_number)]
    piece_months: f64,
    /// Gives COLUMN the ROLE individual-numeric, individual-categorical, municipal-numeric,
    /// municipal-categorical or ignore (repeatable).
    #[arg(long = "role", value_name = "COLUMN=ROLE", value_parser = column_role)]
    roles: Vec<(String, Role)>,
    /// D: seeded draws for each municipality's rank interval (MODEL.md §8; 0: none).
    #[arg(long, value_name = "D", default_value_t = 1000)]
    rank_draws: usize,
    /// The seed of the rank draws (the same seed gives the same intervals).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The worksheet of an xlsx workbook (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// The language of the table and messages: da or en.
    #[arg(long = "lang", value_name = "da|en", default_value = "da", value_parser = language)]
    language: Language,
    /// Writes the JSON report (MODEL.md §5) to OUT (`-`: standard output) instead of the table.
    #[arg(long, value_name = "OUT")]
    json: Option<String>,
    /// Writes the ranking as CSV (`;` and decimal comma with --lang da).
    #[arg(long, value_name = "OUT")]
    csv: Option<String>,
    /// Writes the ranking as an Excel workbook.
    #[arg(long, value_name = "OUT")]
    xlsx: Option<String>,
    /// Prints the seconds of each step (reading, tables, model, …) to standard error.
    #[arg(long)]
    timings: bool,
    /// The outcomes that count as success (MODEL.md §9): self_support, education or both.
    #[arg(long, value_name = "LIST", default_value = "self_support,education", value_parser = success_list)]
    success: SuccessList,
    /// Only spells with a permit year in FROM-TO (inclusive; `2002-` or `-2004` leave an end
    /// open) are analysed.
    #[arg(long = "permit-years", value_name = "FROM-TO", value_parser = permit_years)]
    permit_years: Option<PermitYears>,
    /// Replaces municipality names by a CSV or xlsx file with the columns `from` and `to`
    /// (e.g. the 2007 reform's 271 → 98).
    #[arg(long, value_name = "FILE")]
    map: Option<String>,
    /// Compares the ranking with an earlier one: a JSON from --json, or a ranking CSV/xlsx
    /// exported by kommunebench.
    #[arg(long, value_name = "PREVIOUS")]
    compare: Option<String>,
}

impl Analyse {
    fn model_options(&self) -> ModelOptions {
        ModelOptions {
            horizon_months: self.horizon_months,
            piece_months: self.piece_months,
            min_spells: self.min_spells,
            rank_draws: self.rank_draws,
            seed: self.seed,
        }
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            roles: self.roles.clone(),
            sheet: self.sheet.clone(),
        }
    }
}

fn main() -> ExitCode {
    // Whatever happens, the user never sees a Rust panic trace.
    std::panic::set_hook(Box::new(|info| {
        let detail = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("unexpected state");
        eprintln!(
            "kommunebench: internal error ({detail}); please report it with the command you ran."
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are answers, not errors.
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let _ = error.print();
            return ExitCode::FAILURE;
        }
    };
    let result = match &cli.command {
        Command::Analyse(command) => analyse_command(command),
        Command::Demo { out, seed } => {
            std::fs::write(out, kommunebench_engine::demo::demo_csv(*seed))
                .with_context(|| format!("cannot write {out}"))
        }
        Command::Synthetic {
            out,
            spells,
            municipalities,
            seed,
        } => write_synthetic(out, *spells, *municipalities, *seed)
            .with_context(|| format!("cannot write {out}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kommunebench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Streams a synthetic file to `out`, row by row.
fn write_synthetic(
    out: &str,
    spells: usize,
    municipalities: usize,
    seed: u64,
) -> std::io::Result<()> {
    use kommunebench_engine::demo::synthetic::{synthetic_rows, SYNTHETIC_HEADER};
    let mut file = std::io::BufWriter::new(File::create(out)?);
    file.write_all(SYNTHETIC_HEADER.as_bytes())?;
    for row in synthetic_rows(spells, municipalities.max(1), seed) {
        file.write_all(row.as_bytes())?;
    }
    file.flush()
}

/// A positive number, read by the engine's one number parser (decimal comma accepted).
fn positive_number(text: &str) -> Result<f64, String> {
    match parse_number(text) {
        Some(value) if value > 0.0 => Ok(value),
        _ => Err(format!("must be a positive number, not `{text}`")),
    }
}

fn column_role(text: &str) -> Result<(String, Role), String> {
    let (column, role) = text
        .split_once('=')
        .ok_or_else(|| format!("takes COLUMN=ROLE, not `{text}`"))?;
    let role = Role::parse(role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        format!("unknown role `{role}` (one of {})", roles.join(", "))
    })?;
    Ok((column.to_owned(), role))
}

/// The outcomes of `--success` (one clap value holding a list).
#[derive(Clone, Debug)]
struct SuccessList(Vec<Outcome>);

fn success_list(text: &str) -> Result<SuccessList, String> {
    parse_success(text)
        .map(SuccessList)
        .map_err(|e| e.message(Language::English))
}

fn permit_years(text: &str) -> Result<PermitYears, String> {
    PermitYears::parse(text).map_err(|e| e.message(Language::English))
}

fn language(text: &str) -> Result<Language, String> {
    match text {
        "da" => Ok(Language::Danish),
        "en" => Ok(Language::English),
        other => Err(format!("is da or en, not `{other}`")),
    }
}

fn analyse_command(command: &Analyse) -> Result<()> {
    let language = command.language;
    let origin = Instant::now();
    let mut timer = PhaseTimer::new(|| origin.elapsed().as_secs_f64());
    timer.begin(Phase::Read);
    let file =
        File::open(&command.file).with_context(|| format!("cannot open {}", command.file))?;
    let read = read_spells(BufReader::new(file), &command.read_options(), &mut |_| {})
        .map_err(|error| anyhow!("{}: {}", command.file, printable(&error.message(language))))?;
    if !read.excluded_rows.is_empty() {
        let n = read.excluded_rows.len();
        let first = printable(&read.excluded_rows[0].message(language));
        match language {
            Language::Danish => eprintln!("{n} rækker sorteret fra (den første: {first})"),
            Language::English => eprintln!("{n} rows excluded (the first: {first})"),
        }
    }
    let measurement = Measurement {
        success: command.success.0.clone(),
        permit_years: command.permit_years.unwrap_or_default(),
        mapping: match &command.map {
            Some(path) => {
                let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
                Some(
                    Mapping::read(BufReader::new(file))
                        .map_err(|e| anyhow!("{path}: {}", printable(&e.message(language))))?,
                )
            }
            None => None,
        },
    };
    let previous = match &command.compare {
        Some(path) => {
            let file = File::open(path).with_context(|| format!("cannot open {path}"))?;
            Some(
                PreviousRanking::read(BufReader::new(file), file_name(path))
                    .map_err(|e| anyhow!("{path}: {}", printable(&e.message(language))))?,
            )
        }
        None => None,
    };
    let Measured {
        read,
        rows_outside_window,
    } = apply(read, &measurement).map_err(|e| anyhow!("{}", printable(&e.message(language))))?;
    for warning in &read.warnings {
        let label = match language {
            Language::Danish => "advarsel",
            Language::English => "warning",
        };
        eprintln!("{label}: {}", printable(&warning.message(language)));
    }
    let analysis = analyse_measured(
        &read,
        command.model_options(),
        &command.success.0,
        &mut |p| {
            if let Progress::Phase(phase) = p {
                timer.begin(phase);
            }
        },
    );
    timer.begin(Phase::Report);
    let mut report = JsonReport::new(&read, &analysis, language).with_window_and_mapping(
        rows_outside_window,
        command.permit_years.unwrap_or_default(),
        command.map.as_deref().map(file_name),
    );
    if let Some(previous) = previous {
        report.compare_with(&previous);
    }
    if let Some(out) = &command.csv {
        std::fs::write(out, kommunebench_export::ranking_csv(&report, language))
            .with_context(|| format!("cannot write {out}"))?;
    }
    if let Some(out) = &command.xlsx {
        let bytes = kommunebench_export::ranking_xlsx(&report, language)
            .context("cannot build the xlsx file")?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {out}"))?;
    }
    match &command.json {
        Some(out) => {
            let text = serde_json::to_string_pretty(&report)?;
            if out == "-" {
                println!("{text}");
            } else {
                let mut file = File::create(out).with_context(|| format!("cannot write {out}"))?;
                writeln!(file, "{text}").with_context(|| format!("cannot write {out}"))?;
            }
        }
        None if command.csv.is_none() && command.xlsx.is_none() && analysis.model.is_ok() => {
            print!(
                "{}",
                printable_table(&ranking_table(&analysis, language, Some(&report)))
            )
        }
        None => {}
    }
    let times = timer.finish();
    if command.timings {
        for (phase, seconds) in &times.seconds {
            eprintln!("{phase:?}: {seconds:.3} s");
        }
        eprintln!("total: {:.3} s", times.total());
    }
    // The JSON (and its tables) is written either way; a model that could not be fitted is
    // still a failure (MODEL.md §6).
    match &analysis.model {
        Ok(_) => Ok(()),
        Err(error) => Err(anyhow!("{}", printable(&error.message(language)))),
    }
}

/// The file name of `path`, as the report states it (not where it lies on this machine).
fn file_name(path: &str) -> &str {
    std::path::Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(path)
}

/// [`printable`] line by line.
fn printable_table(table: &str) -> String {
    table.lines().map(|line| printable(line) + "\n").collect()
}

/// `text` without control characters (a file's names and values reach the terminal in
/// messages: no escape sequence from a file may reach it); line breaks become spaces.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}
