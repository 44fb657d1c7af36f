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
