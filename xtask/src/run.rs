//! Running child processes: echo the command, stream its output, keep the text for parsing.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::thread;

/// A command to run from the project root with extra environment.
#[derive(Debug)]
pub struct Cmd {
    program: String,
    args: Vec<OsString>,
    envs: Vec<(String, OsString)>,
}

impl Cmd {
    pub fn new(program: &str) -> Cmd {
        Cmd {
            program: program.to_owned(),
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Cmd {
        self.envs.push((key.to_owned(), value.into()));
        self
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(crate::project_root());
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    fn describe(&self) -> String {
        let mut text = self.program.clone();
        for arg in &self.args {
            text.push(' ');
            text.push_str(&arg.to_string_lossy());
        }
        text
    }

    /// Runs with inherited stdio; Ok when it exits with status 0.
    pub fn run(&self) -> Result<(), String> {
        eprintln!("$ {}", self.describe());
        let status = self
            .command()
            .status()
            .map_err(|e| format!("could not start `{}`: {e}", self.program))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.describe()))
        }
    }

    /// Runs, streaming stdout and stderr to our stderr while keeping both as text.
    /// Returns whether it succeeded and everything it printed.
    pub fn run_capturing(&self) -> Result<(bool, String), String> {
        eprintln!("$ {}", self.describe());
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start `{}`: {e}", self.program))?;
        let stdout = child.stdout.take().map(|s| thread::spawn(move || tee(s)));
        let stderr = child.stderr.take().map(|s| thread::spawn(move || tee(s)));
        let status = child
            .wait()
            .map_err(|e| format!("waiting for `{}`: {e}", self.program))?;
        let mut text = String::new();
        for handle in [stdout, stderr].into_iter().flatten() {
            text.push_str(&handle.join().unwrap_or_default());
        }
        Ok((status.success(), text))
    }

    /// Runs quietly and returns stdout, or None if it could not run or failed.
    pub fn output(&self) -> Option<String> {
        let output = self.command().stderr(Stdio::null()).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

fn tee(source: impl Read) -> String {
    let mut kept = String::new();
    let mut stderr = std::io::stderr();
    for line in BufReader::new(source).lines().map_while(Result::ok) {
        let _ = writeln!(stderr, "{line}");
        kept.push_str(&line);
        kept.push('\n');
    }
    kept
}
