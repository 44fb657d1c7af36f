//! `kommunebench`: the engine's numbers from the command line (MODEL.md §5).
//!
//! Glue only: parse the arguments, stream the file into the engine, print or write what it
//! returns. Every number comes from `kommunebench-engine`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use kommunebench_engine::design::ModelOptions;
use kommunebench_engine::report::{analyse, ranking_table, JsonReport};
use kommunebench_engine::{read_spells, Language, ReadOptions, Role};

const USAGE: &str = "\
usage:
  kommunebench analyse FILE [--min-spells 80] [--horizon 48] [--piece-months 3]
                            [--role COLUMN=ROLE ...] [--sheet NAME] [--lang da|en] [--json OUT]
                            [--csv OUT] [--xlsx OUT]

  FILE   the spell file: CSV (`,` `;` or tab; UTF-8 or Windows-1252) or an Excel .xlsx
  ROLE   individual-numeric | individual-categorical | municipal-numeric |
         municipal-categorical | ignore
  --json OUT writes the JSON report to OUT (`-` for standard output); without it the
         ranking is printed as a table.
  --csv OUT, --xlsx OUT write the ranking for spreadsheets (CSV: `;` and decimal comma with
         --lang da, `,` and decimal point with --lang en).

  kommunebench demo --out FILE [--seed N]
         writes the synthetic demo data set (see docs/demo-data.md); the default seed is
         the public demo's.
";

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kommunebench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The parsed `analyse` command.
#[derive(Debug)]
struct Analyse {
    file: String,
    options: ModelOptions,
    read_options: ReadOptions,
    language: Language,
    json: Option<String>,
    csv: Option<String>,
    xlsx: Option<String>,
}

fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("analyse" | "analyze") => analyse_command(&parse_analyse(&args[1..])?),
        Some("demo") => demo_command(&args[1..]),
        Some("--help" | "-h" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some("--version" | "-V") => {
            println!("kommunebench {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn parse_analyse(args: &[String]) -> Result<Analyse> {
    let mut command = Analyse {
        file: String::new(),
        options: ModelOptions::default(),
        read_options: ReadOptions::default(),
        language: Language::Danish,
        json: None,
        csv: None,
        xlsx: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| anyhow!("{name} needs a value"))
        };
        match arg.as_str() {
            "--min-spells" => {
                command.options.min_spells = value("--min-spells")?
                    .parse()
                    .context("--min-spells must be a whole number")?;
            }
            "--horizon" => {
                command.options.horizon_months = parse_positive(&value("--horizon")?, "--horizon")?;
            }
            "--piece-months" => {
                command.options.piece_months =
                    parse_positive(&value("--piece-months")?, "--piece-months")?;
            }
            "--role" => {
                let text = value("--role")?;
                let (column, role) = text
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--role takes COLUMN=ROLE, not `{text}`"))?;
                let role = Role::parse(role).ok_or_else(|| {
                    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                    anyhow!("unknown role `{role}` (one of {})", roles.join(", "))
                })?;
                command.read_options.roles.push((column.to_owned(), role));
            }
            "--sheet" => command.read_options.sheet = Some(value("--sheet")?),
            "--lang" => {
                command.language = match value("--lang")?.as_str() {
                    "da" => Language::Danish,
                    "en" => Language::English,
                    other => bail!("--lang is da or en, not `{other}`"),
                };
            }
            "--json" => command.json = Some(value("--json")?),
            "--csv" => command.csv = Some(value("--csv")?),
            "--xlsx" => command.xlsx = Some(value("--xlsx")?),
            flag if flag.starts_with("--") => bail!("unknown option `{flag}`\n\n{USAGE}"),
            file if command.file.is_empty() => command.file = file.to_owned(),
            extra => bail!("only one FILE, but `{extra}` was given too"),
        }
    }
    if command.file.is_empty() {
        bail!("analyse needs a FILE\n\n{USAGE}");
    }
    Ok(command)
}

fn demo_command(args: &[String]) -> Result<()> {
    let mut out = None;
    let mut seed = kommunebench_engine::demo::DEFAULT_SEED;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => {
                out = Some(
                    args.next()
                        .ok_or_else(|| anyhow!("--out needs a file"))?
                        .clone(),
                )
            }
            "--seed" => {
                let text = args
                    .next()
                    .ok_or_else(|| anyhow!("--seed needs a number"))?;
                seed = text
                    .parse()
                    .with_context(|| format!("--seed must be a whole number, not `{text}`"))?;
            }
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let out = out.ok_or_else(|| anyhow!("demo needs --out FILE"))?;
    std::fs::write(&out, kommunebench_engine::demo::demo_csv(seed))
        .with_context(|| format!("cannot write {out}"))
}

fn parse_positive(text: &str, name: &str) -> Result<f64> {
    match text.replace(',', ".").parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value),
        _ => bail!("{name} must be a positive number, not `{text}`"),
    }
}

fn analyse_command(command: &Analyse) -> Result<()> {
    let language = command.language;
    let file =
        File::open(&command.file).with_context(|| format!("cannot open {}", command.file))?;
    let read = read_spells(BufReader::new(file), &command.read_options, &mut |_| {})
        .map_err(|error| anyhow!("{}: {}", command.file, error.message(language)))?;
    if !read.excluded_rows.is_empty() {
        let n = read.excluded_rows.len();
        let first = read.excluded_rows[0].message(language);
        match language {
            Language::Danish => eprintln!("{n} rækker sorteret fra (den første: {first})"),
            Language::English => eprintln!("{n} rows excluded (the first: {first})"),
        }
    }
    let analysis =
        analyse(&read, command.options).map_err(|error| anyhow!("{}", error.message(language)))?;
    let report = JsonReport::new(&read, &analysis, language);
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
        None if command.csv.is_none() && command.xlsx.is_none() => {
            print!("{}", ranking_table(&analysis, language))
        }
        None => {}
    }
    Ok(())
}
