//! `cargo xtask bench [NAME]`: the engine's benchmarks, optimised, printing their figures.
//!
//! Benchmarks are measured here, never in timed tests; copy the figures to BENCHMARKS.md.

use crate::run::Cmd;

pub fn main(args: &[String]) -> Result<(), String> {
    let mut cmd = Cmd::new("cargo").args(["bench", "-p", "kommunebench-engine"]);
    if let Some(name) = args.first() {
        cmd = cmd.args(["--bench", name.as_str()]);
    }
    cmd.run()
}

/// `cargo xtask calibrate-demo [ROUNDS] [--fresh]`: rewrites
/// `crates/engine/data/demo_calibration.txt` (see `crates/engine/examples/calibrate_demo.rs`).
pub fn calibrate_demo(args: &[String]) -> Result<(), String> {
    Cmd::new("cargo")
        .args([
            "run",
            "--release",
            "-p",
            "kommunebench-engine",
            "--example",
            "calibrate_demo",
            "--",
        ])
        .args(args.iter().map(String::as_str))
        .run()
}
