//! Helpers shared by the model's test files.
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::Path;

use kommunebench_engine::{read_spells_from_bytes, Cohort, ReadOptions};

pub fn fixture_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/model")
        .join(name)
}

pub fn read_cohort(bytes: &[u8]) -> Cohort {
    match read_spells_from_bytes(bytes, &ReadOptions::default()) {
        Ok(report) => {
            assert_eq!(report.excluded_rows, vec![]);
            report.cohort
        }
        Err(error) => panic!("{error}"),
    }
}
