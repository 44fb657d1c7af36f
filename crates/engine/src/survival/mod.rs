//! The descriptive survival layer (MODEL.md §3): Kaplan–Meier with delayed entry and the
//! tables built on it (outcome shares, cohort curves).

pub mod km;
pub mod tables;
