//! The statistics of kommunebench.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of the browser or the
//! terminal. Callers hand it bytes and options; it hands back plain result structs.
//!
//! The contract it implements is `MODEL.md` (input format, formulas, the JSON of the CLI).

pub mod time;
pub mod tolerance;
