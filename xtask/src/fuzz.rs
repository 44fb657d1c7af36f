//! `cargo xtask fuzz [--minutes N]`: the reader's fuzz target (`fuzz/fuzz_targets/read.rs`)
//! under libFuzzer, for N minutes (default 30).
//!
//! cargo-fuzz needs a nightly toolchain, which a fresh machine may lack: this command is a
//! documented extra, never part of CI (CI runs the proptest version in
//! `crates/engine/tests/read.rs`). It installs cargo-fuzz from crates.io when missing. The
//! corpus starts from the reader's fixtures (every dialect and the xlsx) and grows in
//! `fuzz/corpus/read`; crashes land in `fuzz/artifacts/read`.

use crate::project_root;
use crate::run::Cmd;

pub fn main(args: &[String]) -> Result<(), String> {
    let mut minutes: u64 = 30;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => {
                minutes = args
                    .next()
                    .and_then(|m| m.parse().ok())
                    .ok_or("--minutes needs a whole number, e.g. --minutes 30")?;
            }
            other => return Err(format!("fuzz: unknown argument `{other}` (--minutes N)")),
        }
    }
    let nightly = Cmd::new("cargo")
        .args(["+nightly", "--version"])
        .run_capturing();
    if !nightly.is_ok_and(|(ok, _)| ok) {
        return Err(
            "fuzzing needs a nightly toolchain (`rustup toolchain install nightly`)".to_owned(),
        );
    }
    let has_cargo_fuzz = Cmd::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .run_capturing()
        .is_ok_and(|(ok, _)| ok);
    if !has_cargo_fuzz {
        eprintln!("xtask: installing cargo-fuzz from crates.io");
        Cmd::new("cargo")
            .args(["install", "cargo-fuzz", "--locked"])
            .run()?;
    }
    let root = project_root();
    let corpus = root.join("fuzz/corpus/read");
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let seeds = root.join("crates/engine/tests/fixtures/read");
    Cmd::new("cargo")
        .args(["+nightly", "fuzz", "run", "--fuzz-dir"])
        .args([root.join("fuzz")])
        .args(["read"])
        .args([corpus, seeds])
        .args([
            "--".to_owned(),
            format!("-max_total_time={}", minutes * 60),
            // A hang or a runaway allocation is a finding too.
            "-timeout=10".to_owned(),
            "-rss_limit_mb=2048".to_owned(),
            "-max_len=1048576".to_owned(),
            "-print_final_stats=1".to_owned(),
        ])
        .run()
}
