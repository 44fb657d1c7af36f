//! The officer's measurement choices (MODEL.md §9): which outcomes count as success, a window
//! of permit years, a mapping of municipality names, and (in [`compare`]) the comparison with
//! an earlier measurement.
//!
//! Order (MODEL.md §9): the file is read and checked (§1, §6); then the permit-year window
//! keeps its spells (the others are counted in `rows_outside_window`, not excluded); then the
//! mapping merges municipalities, averaging numeric municipal covariates over the spells that
//! are analysed; the success definition recodes outcomes for the curves and the model only
//! (the outcome tables show every outcome).
//!
//! Decision (ARCHITECTURE.md): `unused_mapping` compares a `from` with the municipalities of
//! the valid rows as read, before the window, so that a window never turns a correct mapping
//! into a warning.

pub mod compare;
mod error;

pub use error::{CategoricalConflict, MappingConflict, MeasureError};

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use crate::cohort::{Cohort, Covariate, CovariateValues};
use crate::read::warnings::{ReadWarning, WarningCode, MAX_WARNING_LINES};
use crate::read::{read_table, ReadError, ReadReport};
use crate::Outcome;

/// Every choice of MODEL.md §9 but the comparison; the default reproduces §1–§8.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The outcomes that count as success: sorted, without duplicates, never empty.
    pub success: Vec<Outcome>,
    pub permit_years: PermitYears,
    pub mapping: Option<Mapping>,
}

impl Default for Measurement {
    fn default() -> Measurement {
        Measurement {
            success: DEFAULT_SUCCESS.to_vec(),
            permit_years: PermitYears::default(),
            mapping: None,
        }
    }
}

/// `self_support,education`.
pub const DEFAULT_SUCCESS: [Outcome; 2] = [Outcome::SelfSupport, Outcome::Education];

/// The success definition from a list such as `self_support` or `selvforsørgelse,uddannelse`
/// (MODEL.md §1's outcome words, either language).
pub fn parse_success(text: &str) -> Result<Vec<Outcome>, MeasureError> {
    let mut success = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match Outcome::parse(part) {
            Some(outcome @ (Outcome::SelfSupport | Outcome::Education)) => success.push(outcome),
            _ => {
                return Err(MeasureError::Success {
                    value: part.to_owned(),
                })
            }
        }
    }
    success.sort_unstable();
    success.dedup();
    if success.is_empty() {
        return Err(MeasureError::Success {
            value: text.to_owned(),
        });
    }
    Ok(success)
}

/// The success definition as MODEL.md writes it: `self_support,education`.
pub fn success_text(success: &[Outcome]) -> String {
    success
        .iter()
        .map(|o| match o {
            Outcome::SelfSupport => "self_support",
            Outcome::Education => "education",
            Outcome::None => "none",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A window of permit years, inclusive; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitYears {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl PermitYears {
    /// `2002-2004`, `2002-`, `-2004` or one year `2003`.
    pub fn parse(text: &str) -> Result<PermitYears, MeasureError> {
        let bad = || MeasureError::PermitYears {
            value: text.to_owned(),
        };
        let year = |part: &str| -> Result<Option<i32>, MeasureError> {
            let part = part.trim();
            if part.is_empty() {
                return Ok(None);
            }
            match part.parse::<i32>() {
                Ok(y) if (1900..=2200).contains(&y) && part.len() == 4 => Ok(Some(y)),
                _ => Err(bad()),
            }
        };
        let trimmed = text.trim();
        let window = match trimmed.split_once(['-', '–']) {
            Some((from, to)) => PermitYears {
                from: year(from)?,
                to: year(to)?,
            },
            None => {
                let y = year(trimmed)?.ok_or_else(bad)?;
                PermitYears {
                    from: Some(y),
                    to: Some(y),
                }
            }
        };
        if window.is_all() || window.from.zip(window.to).is_some_and(|(f, t)| f > t) {
            return Err(bad());
        }
        Ok(window)
    }

    pub fn contains(self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }

    pub fn is_all(self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// `2002-2004`, `2002-`, `-2004`; empty for every year.
    pub fn text(self) -> String {
        match (self.from, self.to) {
            (None, None) => String::new(),
            (from, to) => format!(
                "{}-{}",
                from.map_or_else(String::new, |y| y.to_string()),
                to.map_or_else(String::new, |y| y.to_string())
            ),
        }
    }
}

/// One line of a mapping file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingEntry {
    pub from: String,
    pub to: String,
    /// The line (or sheet row) of the mapping file.
    pub line: u64,
}

/// Municipality names to replace (MODEL.md §9 `--map`): one step only, no `from` twice with
/// different `to`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pub entries: Vec<MappingEntry>,
}

impl Mapping {
    /// Reads a CSV or xlsx file with a header row holding `from` and `to` (other columns are
    /// ignored), with the rules of MODEL.md §1 and §6: names trimmed, blank lines skipped.
    pub fn read<R: Read + Seek>(source: R) -> Result<Mapping, MeasureError> {
        const COLUMNS: [&str; 2] = ["from", "to"];
        let mut entries: Vec<MappingEntry> = Vec::new();
        let mut first_line_of: HashMap<String, usize> = HashMap::new();
        read_side_table(
            source,
            [&["from"], &["to"]],
            |column| MeasureError::MappingMissingColumn {
                name: COLUMNS[column].to_owned(),
            },
            MeasureError::MappingFile,
            &mut |line, [from, to]| {
                if from.is_empty() || to.is_empty() {
                    return Err(MeasureError::MappingEmptyName {
                        line,
                        column: if from.is_empty() { "from" } else { "to" }.to_owned(),
                    });
                }
                match first_line_of.get(from) {
                    Some(&index) if entries[index].to != to => {
                        return Err(MeasureError::MappingConflict(Box::new(MappingConflict {
                            from: from.to_owned(),
                            first_to: entries[index].to.clone(),
                            first_line: entries[index].line,
                            to: to.to_owned(),
                            line,
                        })));
                    }
                    // The same pair twice is harmless.
                    Some(_) => {}
                    None => {
                        first_line_of.insert(from.to_owned(), entries.len());
                        entries.push(MappingEntry {
                            from: from.to_owned(),
                            to: to.to_owned(),
                            line,
                        });
                    }
                }
                Ok(())
            },
        )?;
        Ok(Mapping { entries })
    }
}

/// Called with (line, the wanted columns' values) for each data row of a side table.
type SideRow<'a, const N: usize> = dyn FnMut(u64, [&str; N]) -> Result<(), MeasureError> + 'a;

/// Reads a side table of MODEL.md §9 (CSV or xlsx, through [`read_table`], so with the spell
/// file's dialect rules) whose header holds, for each of `wanted`, one of its names
/// (trimmed, case-insensitive; other columns are ignored). `row(line, values)` gets each data
/// row's values of those columns, trimmed, in the order of `wanted`; the first error stops
/// the reading. `missing(i)` is the error for a header without column `i`; `file_error` wraps
/// what the reader could not read (an empty file is [`ReadError::Empty`]).
fn read_side_table<R: Read + Seek, const N: usize>(
    source: R,
    wanted: [&[&str]; N],
    missing: impl Fn(usize) -> MeasureError,
    file_error: fn(ReadError) -> MeasureError,
    row: &mut SideRow<'_, N>,
) -> Result<(), MeasureError> {
    let mut columns: Option<[usize; N]> = None;
    let mut problem: Option<MeasureError> = None;
    read_table(source, &mut |line, fields| {
        if problem.is_some() {
            return Ok(());
        }
        let Some(found) = columns else {
            let mut found = [0; N];
            for (index, names) in wanted.iter().enumerate() {
                match fields
                    .iter()
                    .position(|f| names.iter().any(|n| f.trim().eq_ignore_ascii_case(n)))
                {
                    Some(position) => found[index] = position,
                    None => {
                        problem = Some(missing(index));
                        return Ok(());
                    }
                }
            }
            columns = Some(found);
            return Ok(());
        };
        let values = found.map(|c| fields.get(c).map_or("", |f| f.trim()));
        if let Err(error) = row(line, values) {
            problem = Some(error);
        }
        Ok(())
    })
    .map_err(file_error)?;
    match (problem, columns) {
        (Some(problem), _) => Err(problem),
        (None, None) => Err(file_error(ReadError::Empty)),
        (None, Some(_)) => Ok(()),
    }
}

/// A read file after the window and the mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub read: ReadReport,
    /// Valid spells whose permit year lies outside the window (MODEL.md §9).
    pub rows_outside_window: usize,
}

/// Applies the permit-year window and the mapping of `measurement` to a read file.
pub fn apply(read: ReadReport, measurement: &Measurement) -> Result<Measured, MeasureError> {
    let ReadReport {
        cohort,
        excluded_rows,
        mut warnings,
        ignored_columns,
        format,
    } = read;
    let window = measurement.permit_years;
    let keep: Vec<bool> = cohort
        .permit_year
        .iter()
        .map(|&y| window.contains(y))
        .collect();
    let n_kept = keep.iter().filter(|&&k| k).count();
    let rows_outside_window = cohort.n_spells() - n_kept;
    if n_kept == 0 && cohort.n_spells() > 0 {
        return Err(MeasureError::EmptyWindow {
            window,
            years: cohort.permit_years(),
        });
    }

    // The name each municipality takes.
    let mut unit_of: Vec<String> = cohort.municipality_names.clone();
    if let Some(mapping) = &measurement.mapping {
        let index: HashMap<&str, usize> = cohort
            .municipality_names
            .iter()
            .enumerate()
            .map(|(k, name)| (name.as_str(), k))
            .collect();
        let mut unused: Vec<&MappingEntry> = Vec::new();
        for entry in &mapping.entries {
            match index.get(entry.from.as_str()) {
                Some(&k) => unit_of[k] = entry.to.clone(),
                None => unused.push(entry),
            }
        }
        if !unused.is_empty() {
            warnings.push(ReadWarning {
                code: WarningCode::UnusedMapping,
                count: unused.len(),
                lines: unused
                    .iter()
                    .take(MAX_WARNING_LINES)
                    .map(|e| e.line)
                    .collect(),
                names: unused.iter().map(|e| vec![e.from.clone()]).collect(),
            });
        }
    }

    // Nothing to filter or rename: the cohort as read.
    let cohort = if n_kept == cohort.n_spells() && measurement.mapping.is_none() {
        cohort
    } else {
        let (rebuilt, merged) = rebuild(&cohort, &keep, &unit_of)?;
        let has_numeric_municipal = rebuilt
            .municipal
            .iter()
            .any(|c| matches!(c.values, CovariateValues::Numeric(_)));
        if has_numeric_municipal && !merged.is_empty() {
            warnings.push(ReadWarning {
                code: WarningCode::MunicipalCovariatesAveraged,
                count: merged.len(),
                lines: Vec::new(),
                names: merged,
            });
        }
        rebuilt
    };
    Ok(Measured {
        read: ReadReport {
            cohort,
            excluded_rows,
            warnings,
            ignored_columns,
            format,
        },
        rows_outside_window,
    })
}

/// The cohort of the spells with `keep`, municipality k renamed to `unit_of[k]` (merging
/// municipalities that share a name), categorical levels no spell has any more left out.
/// Also returns each merged unit as [unit, its municipalities…].
fn rebuild(
    cohort: &Cohort,
    keep: &[bool],
    unit_of: &[String],
) -> Result<(Cohort, Vec<Vec<String>>), MeasureError> {
    let n_old = cohort.n_municipalities();
    let mut kept_spells = vec![0usize; n_old];
    for (i, &k) in cohort.municipality.iter().enumerate() {
        if keep[i] {
            kept_spells[k as usize] += 1;
        }
    }
    // Units in code-point order, as the reader orders municipalities.
    let mut sources: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for k in (0..n_old).filter(|&k| kept_spells[k] > 0) {
        sources.entry(unit_of[k].as_str()).or_default().push(k);
    }
    let names: Vec<String> = sources.keys().map(|&n| n.to_owned()).collect();
    let mut new_index = vec![u32::MAX; n_old];
    for (unit, (_, members)) in sources.iter().enumerate() {
        for &k in members {
            new_index[k] = unit as u32;
        }
    }
    let merged: Vec<Vec<String>> = sources
        .iter()
        .filter(|(_, members)| members.len() > 1)
        .map(|(unit, members)| {
            std::iter::once((*unit).to_owned())
                .chain(
                    members
                        .iter()
                        .map(|&k| cohort.municipality_names[k].clone()),
                )
                .collect()
        })
        .collect();

    let filter = |values: &[f64]| -> Vec<f64> {
        values
            .iter()
            .zip(keep)
            .filter(|(_, &k)| k)
            .map(|(v, _)| *v)
            .collect()
    };
    let individual = cohort
        .individual
        .iter()
        .map(|c| Covariate {
            name: c.name.clone(),
            values: match &c.values {
                CovariateValues::Numeric(values) => CovariateValues::Numeric(filter(values)),
                CovariateValues::Categorical { levels, codes } => {
                    let codes: Vec<u32> = codes
                        .iter()
                        .zip(keep)
                        .filter(|(_, &k)| k)
                        .map(|(c, _)| *c)
                        .collect();
                    compact_levels(levels, codes)
                }
            },
        })
        .collect();
    let mut municipal = Vec::with_capacity(cohort.municipal.len());
    for covariate in &cohort.municipal {
        let values = match &covariate.values {
            CovariateValues::Numeric(values) => CovariateValues::Numeric(
                sources
                    .values()
                    .map(|members| match members.as_slice() {
                        // One municipality keeps its value to the bit.
                        [k] => values[*k],
                        _ => {
                            let spells: usize = members.iter().map(|&k| kept_spells[k]).sum();
                            members
                                .iter()
                                .map(|&k| kept_spells[k] as f64 * values[k])
                                .sum::<f64>()
                                / spells as f64
                        }
                    })
                    .collect(),
            ),
            CovariateValues::Categorical { levels, codes } => {
                let mut unit_codes = Vec::with_capacity(sources.len());
                for (unit, members) in &sources {
                    let first = members[0];
                    if let Some(&other) = members.iter().find(|&&k| codes[k] != codes[first]) {
                        return Err(MeasureError::MergedCategoricalDiffers(Box::new(
                            CategoricalConflict {
                                column: covariate.name.clone(),
                                unit: (*unit).to_owned(),
                                first_municipality: cohort.municipality_names[first].clone(),
                                first_level: levels[codes[first] as usize].clone(),
                                municipality: cohort.municipality_names[other].clone(),
                                level: levels[codes[other] as usize].clone(),
                            },
                        )));
                    }
                    unit_codes.push(codes[first]);
                }
                compact_levels(levels, unit_codes)
            }
        };
        municipal.push(Covariate {
            name: covariate.name.clone(),
            values,
        });
    }
    let kept = |i: &usize| keep[*i];
    let cohort = Cohort {
        municipality_names: names,
        municipality: (0..cohort.n_spells())
            .filter(kept)
            .map(|i| new_index[cohort.municipality[i] as usize])
            .collect(),
        time_enter: filter(&cohort.time_enter),
        time_exit: filter(&cohort.time_exit),
        outcome: (0..cohort.n_spells())
            .filter(kept)
            .map(|i| cohort.outcome[i])
            .collect(),
        permit_year: (0..cohort.n_spells())
            .filter(kept)
            .map(|i| cohort.permit_year[i])
            .collect(),
        individual,
        municipal,
        line: (0..cohort.n_spells())
            .filter(kept)
            .map(|i| cohort.line[i])
            .collect(),
    };
    Ok((cohort, merged))
}

/// Categorical values with the levels no value uses left out (order kept).
fn compact_levels(levels: &[String], codes: Vec<u32>) -> CovariateValues {
    let mut used = vec![false; levels.len()];
    for &c in &codes {
        used[c as usize] = true;
    }
    let mut new_code = vec![0u32; levels.len()];
    let mut kept_levels = Vec::new();
    for (l, level) in levels.iter().enumerate() {
        if used[l] {
            new_code[l] = kept_levels.len() as u32;
            kept_levels.push(level.clone());
        }
    }
    CovariateValues::Categorical {
        levels: kept_levels,
        codes: codes.into_iter().map(|c| new_code[c as usize]).collect(),
    }
}

/// The cohort with the outcomes outside `success` censored (MODEL.md §9 `--success`), or
/// `None` when `success` holds both events (nothing to recode).
pub fn success_cohort(cohort: &Cohort, success: &[Outcome]) -> Option<Cohort> {
    if DEFAULT_SUCCESS.iter().all(|o| success.contains(o)) {
        return None;
    }
    let mut recoded = cohort.clone();
    for outcome in &mut recoded.outcome {
        if !success.contains(outcome) {
            *outcome = Outcome::None;
        }
    }
    Some(recoded)
}
