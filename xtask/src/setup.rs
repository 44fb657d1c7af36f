//! Installing the toolchain the app and its tests need, idempotently.
//!
//! Everything comes from the registries this project may reach: rustup's wasm32 target,
//! crates.io (`trunk`, `wasm-bindgen-cli`), npm (`binaryen` for wasm-opt, `playwright-core`)
//! and Debian (`chromium`, `chromium-driver`). Each step first checks what is there and says
//! what it installs, because the first run takes minutes.

use std::path::PathBuf;
use std::time::Instant;

use crate::project_root;
use crate::run::Cmd;

/// The Trunk series this project is built with (0.22 needs a newer rustc than ours).
const TRUNK_SERIES: &str = "0.21";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What `serve` needs.
pub fn for_serve() -> Result<(), String> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen_cli()?;
    node_modules()
}

/// What `test` needs: the above plus the browser.
pub fn for_test() -> Result<(), String> {
    for_serve()?;
    chromium()
}

/// `PATH` with the project's `node_modules/binaryen/bin` first, so that Trunk finds our
/// `wasm-opt` (Debian's binaryen 108 breaks the output) and never downloads one.
pub fn path_with_node_tools() -> std::ffi::OsString {
    let mut paths = vec![project_root().join("node_modules/binaryen/bin")];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

fn announce(what: &str) -> Instant {
    eprintln!("==> installing {what} (first run only; this takes a few minutes)");
    Instant::now()
}

fn done(what: &str, started: Instant) {
    eprintln!(
        "==> installed {what} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn wasm_target() -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        return Ok(());
    }
    let started = announce("the Rust target wasm32-unknown-unknown");
    Cmd::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .run()?;
    done("wasm32-unknown-unknown", started);
    Ok(())
}

fn trunk() -> Result<(), String> {
    let version = Cmd::new("trunk")
        .args(["--version"])
        .output()
        .unwrap_or_default();
    // `trunk --version` prints e.g. "trunk 0.21.14".
    if version
        .split_whitespace()
        .nth(1)
        .is_some_and(|v| v.starts_with(&format!("{TRUNK_SERIES}.")))
    {
        return Ok(());
    }
    let started = announce(&format!(
        "trunk ~{TRUNK_SERIES} from crates.io (about 8 minutes)"
    ));
    Cmd::new("cargo")
        .args([
            "install",
            "trunk",
            "--version",
            &format!("~{TRUNK_SERIES}"),
            "--locked",
        ])
        .run()?;
    done("trunk", started);
    Ok(())
}

/// The version of the `wasm-bindgen` crate in `Cargo.lock`; the CLI must be the same.
pub fn pinned_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(project_root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_owned())
}

fn wasm_bindgen_cli() -> Result<(), String> {
    let pinned = pinned_wasm_bindgen_version()?;
    let version = Cmd::new("wasm-bindgen")
        .args(["--version"])
        .output()
        .unwrap_or_default();
    // `wasm-bindgen --version` prints e.g. "wasm-bindgen 0.2.130".
    if version.split_whitespace().nth(1) == Some(pinned.as_str()) {
        return Ok(());
    }
    let started = announce(&format!(
        "wasm-bindgen-cli {pinned} from crates.io (about 4 minutes)"
    ));
    // Not `--locked`: one dependency in its lock file is missing from the registry.
    Cmd::new("cargo")
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &pinned,
            "--force",
        ])
        .run()?;
    done("wasm-bindgen-cli", started);
    Ok(())
}

/// The npm packages of `package.json`, at exactly the versions of `package-lock.json`.
fn node_modules() -> Result<(), String> {
    let root = project_root();
    let wanted = npm_pins()?;
    let all_present = wanted.iter().all(|(name, version)| {
        installed_npm_version(&root.join("node_modules").join(name)).as_deref()
            == Some(version.as_str())
    });
    if all_present {
        return Ok(());
    }
    let names: Vec<String> = wanted.iter().map(|(n, v)| format!("{n}@{v}")).collect();
    let started = announce(&format!("{} from npm into node_modules", names.join(", ")));
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .run()?;
    done("the npm packages", started);
    Ok(())
}

/// `(name, version)` of each dev dependency in `package.json` (pinned exactly there).
fn npm_pins() -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(project_root().join("package.json"))
        .map_err(|e| format!("reading package.json: {e}"))?;
    let section = text
        .split("\"devDependencies\"")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .ok_or("package.json has no devDependencies")?;
    Ok(section
        .split(',')
        .filter_map(|entry| {
            let mut quoted = entry.split('"').skip(1).step_by(2);
            Some((quoted.next()?.to_owned(), quoted.next()?.to_owned()))
        })
        .collect())
}

fn installed_npm_version(package_dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(package_dir.join("package.json")).ok()?;
    let after = text.split("\"version\"").nth(1)?;
    Some(after.split('"').nth(1)?.to_owned())
}

fn chromium() -> Result<(), String> {
    if PathBuf::from(CHROMIUM).exists() && PathBuf::from(CHROMEDRIVER).exists() {
        return Ok(());
    }
    let started = announce("chromium and chromium-driver from Debian");
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let (program, rest): (&str, Vec<&str>) = if sudo {
            (
                "sudo",
                std::iter::once("apt-get")
                    .chain(args.iter().copied())
                    .collect(),
            )
        } else {
            ("apt-get", args.to_vec())
        };
        Cmd::new(program)
            .args(rest)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update"])?;
    apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ])?;
    done("chromium", started);
    Ok(())
}

fn is_root() -> bool {
    Cmd::new("id")
        .args(["-u"])
        .output()
        .is_some_and(|uid| uid.trim() == "0")
}
