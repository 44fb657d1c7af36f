//! The statistics of kommunebench.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of the browser or the
//! terminal. Callers hand it bytes (or any `Read + Seek`) and options; it hands back plain
//! result structs.
//!
//! The contract it implements is `MODEL.md` (input format, formulas, the JSON of the CLI).

pub mod cohort;
pub mod demo;
pub mod measure;
pub mod model;
pub mod numeric;
pub mod progress;
pub mod read;
pub mod report;
pub mod survival;

pub use cohort::values::Outcome;
pub use cohort::{Cohort, Covariate, CovariateValues, Role};
pub use read::{
    read_spells, read_spells_from_bytes, ExcludedRow, ReadError, ReadOptions, ReadReport,
    RowProblem,
};

/// The language of messages meant for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Danish,
    English,
}
