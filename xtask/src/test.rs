//! `cargo xtask test`: every check and test suite, stopping at the first failure, with a
//! summary whose last line is `N passed, N failed` (totals over every suite that ran).

use std::time::Instant;

use crate::run::Cmd;
use crate::{serve, setup};

/// One step of the pipeline and what it reported.
#[derive(Debug)]
struct StepReport {
    name: &'static str,
    ok: bool,
    seconds: f64,
    /// Test counts, for steps that run tests.
    counts: Option<TestCounts>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TestCounts {
    passed: u64,
    failed: u64,
}

/// How a step's output is read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A check: pass or fail, no test counts.
    Check,
    /// libtest's (and wasm-bindgen-test's) `test result: ok. N passed; M failed; …` lines.
    Libtest,
    /// node's TAP reporter: `# pass N` and `# fail M`.
    NodeTap,
}

pub fn main(args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!("test: unknown argument `{arg}`"));
    }
    setup::for_test()?;
    // The e2e steps write the demo and its CLI analysis here.
    let e2e_dir = crate::project_root().join("target/e2e");
    std::fs::create_dir_all(&e2e_dir).map_err(|e| format!("{}: {e}", e2e_dir.display()))?;
    let chromedriver = setup::CHROMEDRIVER;
    let steps: Vec<(&'static str, Kind, Cmd)> = vec![
        (
            "rustfmt",
            Kind::Check,
            Cmd::new("cargo").args(["fmt", "--all", "--check"]),
        ),
        (
            "clippy (native)",
            Kind::Check,
            Cmd::new("cargo").args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        (
            "clippy (wasm32)",
            Kind::Check,
            Cmd::new("cargo").args([
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "kommunebench-web",
                "-p",
                "kommunebench-engine",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        (
            "rustdoc",
            Kind::Check,
            Cmd::new("cargo")
                .args(["doc", "--workspace", "--no-deps"])
                .env("RUSTDOCFLAGS", "-D warnings"),
        ),
        (
            "native tests",
            Kind::Libtest,
            Cmd::new("cargo").args(["test", "--workspace"]),
        ),
        (
            "wasm tests (Chromium)",
            Kind::Libtest,
            Cmd::new("cargo")
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    "kommunebench-web",
                ])
                .env("CHROMEDRIVER", chromedriver)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        ),
        (
            "release build",
            Kind::Check,
            serve::trunk_build_cmd("/", "dist"),
        ),
        (
            "release build (sub-path)",
            Kind::Check,
            serve::trunk_build_cmd("/kommunebench/", "target/dist-subpath"),
        ),
        (
            "demo data for the e2e tests",
            Kind::Check,
            cli(&["demo", "--out", "target/e2e/demo.csv"]),
        ),
        (
            "CLI analysis of the demo",
            Kind::Check,
            cli(&[
                "analyse",
                "target/e2e/demo.csv",
                "--json",
                "target/e2e/demo.json",
            ]),
        ),
        (
            "a file of 300 municipalities for the e2e tests",
            Kind::Check,
            cli(&[
                "synthetic",
                "--spells",
                "40000",
                "--municipalities",
                "300",
                "--out",
                "target/e2e/many.csv",
            ]),
        ),
        (
            "CLI analysis of the demo with MODEL.md §9's choices",
            Kind::Check,
            cli(&[
                "analyse",
                "target/e2e/demo.csv",
                "--success",
                "self_support",
                "--permit-years",
                "2001-2003",
                "--compare",
                "target/e2e/demo.json",
                "--json",
                "target/e2e/demo-measured.json",
            ]),
        ),
        (
            "end-to-end tests (Chromium)",
            Kind::NodeTap,
            Cmd::new("node")
                .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .args(e2e_test_files()?)
                .env("KB_DIST", crate::project_root().join("dist"))
                .env(
                    "KB_DIST_SUBPATH",
                    crate::project_root().join("target/dist-subpath"),
                )
                .env(
                    "KB_DEMO_CSV",
                    crate::project_root().join("target/e2e/demo.csv"),
                )
                .env(
                    "KB_DEMO_JSON",
                    crate::project_root().join("target/e2e/demo.json"),
                )
                .env(
                    "KB_MANY_CSV",
                    crate::project_root().join("target/e2e/many.csv"),
                )
                .env(
                    "KB_DEMO_MEASURED_JSON",
                    crate::project_root().join("target/e2e/demo-measured.json"),
                )
                .env("KB_CHROMIUM", setup::CHROMIUM)
                // The e2e tests serve the build with this binary's `serve --dist`.
                .env("KB_XTASK", xtask_binary()?),
        ),
    ];

    let mut reports = Vec::new();
    for (name, kind, cmd) in steps {
        eprintln!("\n==> {name}");
        let started = Instant::now();
        let (ok, output) = cmd.run_capturing()?;
        let counts = match kind {
            Kind::Check => None,
            Kind::Libtest => Some(libtest_counts(&output)),
            Kind::NodeTap => Some(tap_counts(&output)),
        };
        let ran_nothing = counts.is_some_and(|c| c.passed + c.failed == 0);
        let report = StepReport {
            name,
            ok: ok && !ran_nothing,
            seconds: started.elapsed().as_secs_f64(),
            counts,
        };
        let stop = !report.ok;
        reports.push(report);
        if stop {
            break;
        }
    }
    print_summary(&reports);
    if reports.iter().all(|r| r.ok) {
        Ok(())
    } else {
        Err("some step failed (see the summary above)".to_owned())
    }
}

/// The running xtask binary (the e2e tests start its server).
/// `kommunebench ARGS` through `cargo run` (the debug build the tests just made).
fn cli(args: &[&str]) -> Cmd {
    Cmd::new("cargo")
        .args(["run", "-q", "-p", "kommunebench-cli", "--"])
        .args(args.iter().copied())
}

fn xtask_binary() -> Result<std::path::PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))
}

fn e2e_test_files() -> Result<Vec<String>, String> {
    let dir = crate::project_root().join("tests/e2e");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    files.sort();
    Ok(files)
}

/// Sums every `test result: … N passed; M failed; …` line.
fn libtest_counts(output: &str) -> TestCounts {
    let mut counts = TestCounts::default();
    for line in output
        .lines()
        .filter(|l| l.trim_start().starts_with("test result:"))
    {
        counts.passed += number_before(line, " passed").unwrap_or(0);
        counts.failed += number_before(line, " failed").unwrap_or(0);
    }
    counts
}

/// Reads node's TAP summary lines `# pass N` and `# fail N`.
fn tap_counts(output: &str) -> TestCounts {
    let mut counts = TestCounts::default();
    for line in output.lines() {
        if let Some(n) = line
            .strip_prefix("# pass ")
            .and_then(|n| n.trim().parse::<u64>().ok())
        {
            counts.passed += n;
        }
        if let Some(n) = line
            .strip_prefix("# fail ")
            .and_then(|n| n.trim().parse::<u64>().ok())
        {
            counts.failed += n;
        }
    }
    counts
}

/// The number just before `label` in `line` ("… 12 passed; …" → 12).
fn number_before(line: &str, label: &str) -> Option<u64> {
    let before = &line[..line.find(label)?];
    before
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn print_summary(reports: &[StepReport]) {
    eprintln!("\n==> summary");
    let mut total = TestCounts::default();
    for report in reports {
        let status = if report.ok { "ok" } else { "FAILED" };
        let detail = match report.counts {
            Some(c) => format!("{} passed, {} failed", c.passed, c.failed),
            None => String::new(),
        };
        eprintln!(
            "  {status:<6} {:<30} {:>6.1} s  {detail}",
            report.name, report.seconds
        );
        match report.counts {
            Some(c) => {
                total.passed += c.passed;
                // A suite that failed without reporting a failing test (it did not compile,
                // or ran no test) still counts as one failure: a red run never reads "0 failed".
                total.failed += if report.ok { c.failed } else { c.failed.max(1) };
            }
            None if !report.ok => total.failed += 1,
            None => {}
        }
    }
    println!("{} passed, {} failed", total.passed, total.failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_and_tap_counts() {
        let libtest = "test result: ok. 12 passed; 0 failed; 0 ignored\n\
                       test result: FAILED. 3 passed; 2 failed; 1 ignored";
        assert_eq!(
            libtest_counts(libtest),
            TestCounts {
                passed: 15,
                failed: 2
            }
        );
        let tap = "ok 1 - loads\n# tests 3\n# pass 2\n# fail 1\n";
        assert_eq!(
            tap_counts(tap),
            TestCounts {
                passed: 2,
                failed: 1
            }
        );
    }
}
