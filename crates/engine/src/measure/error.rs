//! Why a measurement choice of MODEL.md §9 cannot be carried out, in Danish and English,
//! naming the bad input (file, line, column, value).

use serde::{Deserialize, Serialize};

use super::PermitYears;
use crate::read::ReadError;
use crate::Language;

/// Why a measurement choice cannot be carried out, named in the officer's words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MeasureError {
    /// A success definition that is not a list of `self_support` and `education`.
    Success {
        value: String,
    },
    /// A permit-year window that is not `FROM-TO` (years, FROM ≤ TO).
    PermitYears {
        value: String,
    },
    /// No valid spell has a permit year in the window.
    EmptyWindow {
        window: PermitYears,
        years: Vec<i32>,
    },
    MappingFile(ReadError),
    MappingMissingColumn {
        name: String,
    },
    MappingEmptyName {
        line: u64,
        column: String,
    },
    /// One `from` with two different `to`.
    MappingConflict(Box<MappingConflict>),
    /// A categorical municipal covariate differs between municipalities merged into one.
    MergedCategoricalDiffers(Box<CategoricalConflict>),
    /// The earlier measurement of `--compare` could not be read.
    PreviousFile(ReadError),
    PreviousFormat {
        detail: String,
    },
    PreviousMissingColumn {
        names: String,
    },
    PreviousBadRank {
        line: u64,
        value: String,
    },
}

/// The two lines of a mapping that send one name to two places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingConflict {
    pub from: String,
    pub first_to: String,
    pub first_line: u64,
    pub to: String,
    pub line: u64,
}

/// A categorical municipal covariate's two levels inside one merged unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoricalConflict {
    pub column: String,
    pub unit: String,
    pub first_municipality: String,
    pub first_level: String,
    pub municipality: String,
    pub level: String,
}

impl MeasureError {
    pub fn message(&self, language: Language) -> String {
        use Language::{Danish, English};
        match (language, self) {
            (Danish, MeasureError::Success { value }) => format!(
                "Succes skal være en liste af self_support og education (selvforsørgelse, uddannelse), ikke «{value}»."
            ),
            (English, MeasureError::Success { value }) => format!(
                "Success must be a list of self_support and education, not «{value}»."
            ),
            (Danish, MeasureError::PermitYears { value }) => format!(
                "Tilladelsesår skal skrives som FRA-TIL, fx 2002-2004 eller 2002- (fire cifre, FRA højst TIL), ikke «{value}»."
            ),
            (English, MeasureError::PermitYears { value }) => format!(
                "Permit years must be written FROM-TO, e.g. 2002-2004 or 2002- (four digits, FROM at most TO), not «{value}»."
            ),
            (Danish, MeasureError::EmptyWindow { window, years }) => format!(
                "Ingen gyldige forløb har et tilladelsesår i {}; data har årene {}.",
                window.text(),
                year_list(years)
            ),
            (English, MeasureError::EmptyWindow { window, years }) => format!(
                "No valid spell has a permit year in {}; the data have the years {}.",
                window.text(),
                year_list(years)
            ),
            (Danish, MeasureError::MappingFile(error)) => {
                format!("Omkodningsfilen: {}", error.message(language))
            }
            (English, MeasureError::MappingFile(error)) => {
                format!("The mapping file: {}", error.message(language))
            }
            (Danish, MeasureError::MappingMissingColumn { name }) => format!(
                "Omkodningsfilen mangler kolonnen `{name}`: dens overskrift skal have `from` og `to`."
            ),
            (English, MeasureError::MappingMissingColumn { name }) => format!(
                "The mapping file has no `{name}` column: its header must hold `from` and `to`."
            ),
            (Danish, MeasureError::MappingEmptyName { line, column }) => {
                format!("Omkodningsfilens linje {line}: `{column}` er tom.")
            }
            (English, MeasureError::MappingEmptyName { line, column }) => {
                format!("Line {line} of the mapping file: `{column}` is empty.")
            }
            (Danish, MeasureError::MappingConflict(conflict)) => {
                let MappingConflict {
                    from,
                    first_to,
                    first_line,
                    to,
                    line,
                } = conflict.as_ref();
                format!(
                "Omkodningsfilen sender «{from}» to steder: til «{first_to}» på linje {first_line} og til «{to}» på linje {line}."
                )
            }
            (English, MeasureError::MappingConflict(conflict)) => {
                let MappingConflict {
                    from,
                    first_to,
                    first_line,
                    to,
                    line,
                } = conflict.as_ref();
                format!(
                "The mapping file sends «{from}» to two places: to «{first_to}» on line {first_line} and to «{to}» on line {line}."
                )
            }
            (Danish, MeasureError::MergedCategoricalDiffers(conflict)) => {
                let CategoricalConflict {
                    column,
                    unit,
                    first_municipality,
                    first_level,
                    municipality,
                    level,
                } = conflict.as_ref();
                format!(
                "«{unit}» lægger kommuner sammen, hvis `{column}` er forskellig: «{first_level}» i «{first_municipality}», «{level}» i «{municipality}». En kategorisk kommunal variabel kan ikke midles."
                )
            }
            (English, MeasureError::MergedCategoricalDiffers(conflict)) => {
                let CategoricalConflict {
                    column,
                    unit,
                    first_municipality,
                    first_level,
                    municipality,
                    level,
                } = conflict.as_ref();
                format!(
                "«{unit}» merges municipalities whose `{column}` differs: «{first_level}» in «{first_municipality}», «{level}» in «{municipality}». A categorical municipal covariate cannot be averaged."
                )
            }
            (Danish, MeasureError::PreviousFile(error)) => {
                format!("Den tidligere måling: {}", error.message(language))
            }
            (English, MeasureError::PreviousFile(error)) => {
                format!("The earlier measurement: {}", error.message(language))
            }
            (Danish, MeasureError::PreviousFormat { detail }) => format!(
                "Den tidligere måling er ikke en JSON-rapport fra kommunebench: {detail}"
            ),
            (English, MeasureError::PreviousFormat { detail }) => format!(
                "The earlier measurement is not a kommunebench JSON report: {detail}"
            ),
            (Danish, MeasureError::PreviousMissingColumn { names }) => format!(
                "Den tidligere måling mangler kolonnen {names}: brug en rangordning hentet fra kommunebench (CSV eller Excel) eller dens JSON."
            ),
            (English, MeasureError::PreviousMissingColumn { names }) => format!(
                "The earlier measurement has no column {names}: use a ranking downloaded from kommunebench (CSV or Excel) or its JSON."
            ),
            (Danish, MeasureError::PreviousBadRank { line, value }) => format!(
                "Den tidligere målings linje {line}: rangen «{value}» er ikke et helt tal."
            ),
            (English, MeasureError::PreviousBadRank { line, value }) => format!(
                "Line {line} of the earlier measurement: the rank «{value}» is not a whole number."
            ),
        }
    }
}

fn year_list(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(first), Some(last)) if first != last => format!("{first}–{last}"),
        (Some(first), _) => first.to_string(),
        _ => "–".to_owned(),
    }
}
