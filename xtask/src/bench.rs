//! `cargo xtask bench [NAME]`: the engine's benchmarks, optimised, printing their figures.
//!
//! Benchmarks are measured here, never in timed tests; copy the figures to BENCHMARKS.md.

use std::time::Instant;

use crate::run::Cmd;
use crate::{serve, setup};

pub fn main(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("browser") {
        return browser();
    }
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

/// The generated files of `bench browser`: (name, spells, municipalities); the demo is added.
const BROWSER_FILES: [(&str, usize, usize); 3] = [
    ("spells-1m.csv", 1_000_000, 270),
    ("units-5000.csv", 100_000, 5_000),
    ("units-20000.csv", 100_000, 20_000),
];

/// `cargo xtask bench browser`: generates a 1 M-spell file and 5,000- and 20,000-municipality files
/// (`kommunebench synthetic`) and the demo, times the native CLI on each (`--timings`), builds
/// the app for release and times it in Chromium from choosing the file to the ranking table,
/// with the page's own phases (`tests/bench/browser.mjs`).
fn browser() -> Result<(), String> {
    setup::for_test()?;
    let root = crate::project_root();
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Cmd::new("cargo")
        .args(["build", "--release", "-q", "-p", "kommunebench-cli"])
        .run()?;
    let cli = root.join("target/release/kommunebench");
    let cli = cli.to_string_lossy();
    let mut files = Vec::new();
    for (name, spells, municipalities) in BROWSER_FILES {
        let path = dir.join(name);
        Cmd::new(&cli)
            .args(["synthetic", "--out"])
            .args([path.to_string_lossy().as_ref()])
            .args(["--spells", &spells.to_string()])
            .args(["--municipalities", &municipalities.to_string()])
            .run()?;
        files.push(path);
    }
    let demo = dir.join("demo.csv");
    Cmd::new(&cli)
        .args(["demo", "--out", demo.to_string_lossy().as_ref()])
        .run()?;
    files.push(demo);
    let mut native = Vec::new();
    for file in &files {
        let started = Instant::now();
        Cmd::new(&cli)
            .args(["analyse", file.to_string_lossy().as_ref(), "--timings"])
            .args(["--json", dir.join("out.json").to_string_lossy().as_ref()])
            .run()?;
        native.push(started.elapsed().as_secs_f64());
    }
    serve::trunk_build_cmd("/", "dist").run()?;
    Cmd::new("node")
        .args(["tests/bench/browser.mjs"])
        .args(files.iter().map(|f| f.to_string_lossy().into_owned()))
        .env("KB_DIST", root.join("dist"))
        .env("KB_CHROMIUM", setup::CHROMIUM)
        .env(
            "KB_XTASK",
            std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?,
        )
        .run()?;
    for (file, seconds) in files.iter().zip(native) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        println!(
            "native {}: {seconds:.2} s (the whole `kommunebench analyse`)",
            name.unwrap_or_default()
        );
    }
    Ok(())
}
