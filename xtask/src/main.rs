//! Project automation, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! - `serve`: install what is missing, build the app for release and serve it on 127.0.0.1.
//! - `test`: install what is missing, then every check and test suite; ends with one line
//!   `N passed, N failed`.
//! - `bench`: the engine's benchmarks, in release mode; `bench browser` times the app in
//!   Chromium on generated files beside the native CLI (figures go in BENCHMARKS.md).
//! - `fuzz`: the reader under libFuzzer (nightly, cargo-fuzz; not part of CI).
//! - `csp-hashes`: Trunk's post-build hook; adds the hashes of inline scripts to the
//!   Content-Security-Policy of the built `index.html`.

mod bench;
mod csp;
mod fuzz;
mod run;
mod serve;
mod setup;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N] [--public-url /path/]   install what is missing, build the app, serve it
  test                                     install what is missing, run every check and test
  bench [NAME]                             run the engine's benchmarks (release build)
  bench browser                            time the app in Chromium on generated 1 M-spell,
                                           5,000- and 20,000-municipality files and the demo,
                                           beside the native CLI (KB_PAUSE_MS, KB_CHROMIUM_FLAGS)
  calibrate-demo [ROUNDS] [--fresh]        recalibrate the demo data to the seed's tables
  fuzz [--minutes N]                       fuzz the reader with cargo-fuzz (nightly; default 30 minutes)
  csp-hashes                               Trunk post-build hook (hash inline scripts into the CSP)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::main(&args[1..]),
        Some("test") => test::main(&args[1..]),
        Some("csp-hashes") => csp::main(),
        Some("bench") => bench::main(&args[1..]),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("calibrate-demo") => bench::calibrate_demo(&args[1..]),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of the xtask crate).
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
