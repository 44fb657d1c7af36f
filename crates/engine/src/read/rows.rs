//! The row builder: one validator for CSV and xlsx rows (MODEL.md §1, §6), turning valid
//! rows into a [`Cohort`] and every other row into an [`ExcludedRow`].

use std::collections::HashMap;

use super::options::{ReadOptions, ReadReport, SourceFormat};
use super::problems::{
    ExcludedRow, ReadError, RowProblem, MAX_FIELD_CHARS, MAX_NUMBER_MAGNITUDE, MAX_VALUE_CHARS,
};
use super::warnings::WarningCollector;
use crate::cohort::time::{months_between, Date};
use crate::cohort::values::{parse_number, sex_level, Outcome};
use crate::cohort::{Cohort, Covariate, CovariateValues, Role};
use crate::numeric::hashing::Fnv1a;

/// The spell columns MODEL.md names, which have fixed meanings.
pub(super) const SPELL_COLUMNS: [&str; 7] = [
    "municipality",
    "permit_date",
    "end_date",
    "outcome",
    "entry_date",
    "spell_id",
    "person_id",
];

/// How one covariate column is read.
#[derive(Debug)]
struct CovariatePlan {
    field: usize,
    name: String,
    role: Role,
    is_sex: bool,
}

/// A parsed covariate value of the row being checked.
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    Number(f64),
    /// A categorical level not seen before (interned only if the row turns out valid).
    Level(String),
    /// A categorical level already interned for this column.
    Code(u32),
}

/// Turns rows into a cohort; one per file.
#[derive(Debug)]
pub(crate) struct CohortBuilder {
    n_fields: usize,
    municipality_field: usize,
    permit_field: usize,
    end_field: usize,
    outcome_field: usize,
    entry_field: Option<usize>,
    plans: Vec<CovariatePlan>,
    ignored_columns: Vec<String>,
    /// Per header field: is it read at all?
    used_fields: Vec<bool>,
    /// The header's names (trimmed), for messages.
    header: Vec<String>,
    spell_id_field: Option<usize>,
    person_id_field: Option<usize>,
    warnings: WarningCollector,
    /// Per municipality (in order of first appearance): the line where it first appears.
    municipality_first_line: Vec<u64>,

    municipality_index: LevelIndex,
    municipality_names: Vec<String>,
    municipality: Vec<u32>,
    time_enter: Vec<f64>,
    time_exit: Vec<f64>,
    outcome: Vec<Outcome>,
    permit_year: Vec<i32>,
    line: Vec<u64>,
    /// Per individual plan: the values so far.
    individual_values: Vec<ColumnValues>,
    /// Per municipal plan, per municipality: the value first seen.
    municipal_values: Vec<Vec<Option<Parsed>>>,
    /// Per plan: level → code for categorical columns (codes in order of first appearance).
    level_lookup: Vec<Option<LevelIndex>>,
    excluded_rows: Vec<ExcludedRow>,
    scratch: Vec<Parsed>,
}

#[derive(Debug)]
enum ColumnValues {
    Numeric(Vec<f64>),
    /// Codes index the column's `level_lookup` (in order of first appearance).
    Categorical {
        codes: Vec<u32>,
    },
}

impl CohortBuilder {
    /// Resolves the header: finds the spell columns and the role of every other column.
    pub(crate) fn new(
        header: &[String],
        options: &ReadOptions,
    ) -> Result<CohortBuilder, ReadError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for name in names.iter().filter(|n| !n.is_empty()) {
            if seen.insert(name.to_lowercase(), 0).is_some() {
                return Err(ReadError::DuplicateColumn { name: name.clone() });
            }
        }
        let find = |wanted: &str| names.iter().position(|n| n.eq_ignore_ascii_case(wanted));
        let required = |wanted: &'static str| {
            find(wanted).ok_or(ReadError::MissingColumn {
                name: wanted.to_owned(),
            })
        };
        for (name, _) in &options.roles {
            if SPELL_COLUMNS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(name.trim()))
            {
                return Err(ReadError::RoleForSpellColumn {
                    name: name.trim().to_owned(),
                });
            }
            if find(name.trim()).is_none() {
                return Err(ReadError::RoleForUnknownColumn {
                    name: name.trim().to_owned(),
                });
            }
        }
        let municipality_field = required("municipality")?;
        let permit_field = required("permit_date")?;
        let end_field = required("end_date")?;
        let outcome_field = required("outcome")?;
        let entry_field = find("entry_date");
        let spell_id_field = find("spell_id");
        let person_id_field = find("person_id");

        let mut plans = Vec::new();
        let mut ignored_columns = Vec::new();
        for (field, name) in names.iter().enumerate() {
            let lowered = name.to_lowercase();
            if SPELL_COLUMNS.contains(&lowered.as_str()) {
                continue;
            }
            let chosen = options
                .roles
                .iter()
                .rev()
                .find(|(column, _)| column.trim().eq_ignore_ascii_case(name))
                .map(|(_, role)| *role)
                .or_else(|| Role::default_for(&lowered));
            match chosen {
                Some(Role::Ignore) | None => ignored_columns.push(if name.is_empty() {
                    format!("({})", field + 1)
                } else {
                    name.clone()
                }),
                Some(role) => plans.push(CovariatePlan {
                    field,
                    name: name.clone(),
                    role,
                    is_sex: lowered == "sex",
                }),
            }
        }
        let individual_values = plans
            .iter()
            .filter(|p| !p.role.is_municipal())
            .map(|p| {
                if p.role.is_numeric() {
                    ColumnValues::Numeric(Vec::new())
                } else {
                    ColumnValues::Categorical { codes: Vec::new() }
                }
            })
            .collect();
        let n_municipal = plans.iter().filter(|p| p.role.is_municipal()).count();
        let level_lookup = plans
            .iter()
            .map(|p| (!p.role.is_numeric()).then(LevelIndex::default))
            .collect();
        let mut used_fields = vec![false; header.len()];
        for field in [municipality_field, permit_field, end_field, outcome_field]
            .into_iter()
            .chain(entry_field)
            .chain(spell_id_field)
            .chain(person_id_field)
            .chain(plans.iter().map(|p| p.field))
        {
            used_fields[field] = true;
        }
        Ok(CohortBuilder {
            used_fields,
            header: names.clone(),
            spell_id_field,
            person_id_field,
            warnings: WarningCollector::default(),
            municipality_first_line: Vec::new(),
            n_fields: header.len(),
            municipality_field,
            permit_field,
            end_field,
            outcome_field,
            entry_field,
            plans,
            ignored_columns,
            municipality_index: LevelIndex::default(),
            municipality_names: Vec::new(),
            municipality: Vec::new(),
            time_enter: Vec::new(),
            time_exit: Vec::new(),
            outcome: Vec::new(),
            permit_year: Vec::new(),
            line: Vec::new(),
            individual_values,
            municipal_values: vec![Vec::new(); n_municipal],
            level_lookup,
            excluded_rows: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Whether the field at `index` is read (a spell column or a covariate).
    pub(crate) fn uses_field(&self, index: usize) -> bool {
        self.used_fields.get(index).copied().unwrap_or(false)
    }

    fn exclude(
        &mut self,
        line: u64,
        column: Option<String>,
        value: Option<&str>,
        problem: RowProblem,
    ) {
        self.excluded_rows.push(ExcludedRow {
            line,
            column,
            value: value.map(|v| cut_value(v.trim())),
            problem,
        });
    }

    /// The header's number of fields.
    pub(crate) fn n_fields(&self) -> usize {
        self.n_fields
    }

    /// Checks one data row; a valid row joins the cohort, a bad one is listed as excluded.
    /// Errs only on a municipal covariate that varies within a municipality.
    pub(crate) fn push_row(&mut self, line: u64, fields: &[String]) -> Result<(), ReadError> {
        if fields.len() != self.n_fields {
            let problem = RowProblem::WrongFieldCount {
                expected: self.n_fields,
                found: fields.len(),
            };
            self.exclude(line, None, None, problem);
            return Ok(());
        }
        // A field of megabytes would be copied into every message and slow every step.
        // (The CSV pass decodes an unused field only when it is that long, else leaves it
        // empty.)
        if let Some(index) = fields
            .iter()
            .position(|f| f.len() > MAX_FIELD_CHARS && f.chars().count() > MAX_FIELD_CHARS)
        {
            let column = self.header[index].clone();
            self.exclude(
                line,
                Some(column),
                Some(&fields[index]),
                RowProblem::FieldTooLong,
            );
            return Ok(());
        }
        let municipality = fields[self.municipality_field].trim();
        if municipality.is_empty() {
            self.exclude(
                line,
                Some("municipality".to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return Ok(());
        }
        let Some(permit) = self.date_field(line, fields, self.permit_field, "permit_date") else {
            return Ok(());
        };
        let Some(end) = self.date_field(line, fields, self.end_field, "end_date") else {
            return Ok(());
        };
        let entry = match self.entry_field {
            Some(field) if !fields[field].trim().is_empty() => {
                match self.date_field(line, fields, field, "entry_date") {
                    Some(entry) => entry,
                    None => return Ok(()),
                }
            }
            _ => permit,
        };
        let outcome_text = &fields[self.outcome_field];
        if outcome_text.trim().is_empty() {
            self.exclude(
                line,
                Some("outcome".to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return Ok(());
        }
        let Some(outcome) = Outcome::parse(outcome_text) else {
            self.exclude(
                line,
                Some("outcome".to_owned()),
                Some(outcome_text),
                RowProblem::UnknownOutcome,
            );
            return Ok(());
        };
        if entry < permit {
            self.exclude(
                line,
                Some("entry_date".to_owned()),
                Some(&entry.to_string()),
                RowProblem::EntryBeforePermit,
            );
            return Ok(());
        }
        if end <= entry {
            self.exclude(
                line,
                Some("end_date".to_owned()),
                Some(&end.to_string()),
                RowProblem::EndNotAfterEntry,
            );
            return Ok(());
        }

        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for plan_index in 0..self.plans.len() {
            let plan = &self.plans[plan_index];
            let text = fields[plan.field].trim();
            if text.is_empty() {
                let column = plan.name.clone();
                self.exclude(line, Some(column), Some(""), RowProblem::MissingValue);
                self.scratch = scratch;
                return Ok(());
            }
            if plan.role.is_numeric() {
                match parse_number(text) {
                    Some(number) if number.abs() > MAX_NUMBER_MAGNITUDE => {
                        let column = plan.name.clone();
                        self.exclude(line, Some(column), Some(text), RowProblem::NumberOutOfRange);
                        self.scratch = scratch;
                        return Ok(());
                    }
                    Some(number) => scratch.push(Parsed::Number(number)),
                    None => {
                        let column = plan.name.clone();
                        self.exclude(line, Some(column), Some(text), RowProblem::NotANumber);
                        self.scratch = scratch;
                        return Ok(());
                    }
                }
            } else {
                let level = if plan.is_sex { sex_level(text) } else { text };
                let known = match &self.level_lookup[plan_index] {
                    Some(index) => index.get(level).copied(),
                    None => None,
                };
                scratch.push(known.map_or_else(|| Parsed::Level(level.to_owned()), Parsed::Code));
            }
        }

        // The row is valid: it joins the cohort.
        let municipality_idx = match self.municipality_index.get(municipality) {
            Some(&k) => k as usize,
            None => {
                let k = self.municipality_names.len();
                self.municipality_names.push(municipality.to_owned());
                self.municipality_first_line.push(line);
                self.municipality_index
                    .insert(municipality.to_owned(), k as u32);
                k
            }
        };
        let (mut n_individual, mut n_municipal) = (0, 0);
        for (plan_index, (plan, parsed)) in self.plans.iter().zip(scratch.drain(..)).enumerate() {
            // Intern a new categorical level now that the row is known to be valid.
            let parsed = match (parsed, &mut self.level_lookup[plan_index]) {
                (Parsed::Level(level), Some(index)) => {
                    let next_code = index.len() as u32;
                    Parsed::Code(*index.entry(level).or_insert(next_code))
                }
                (parsed, _) => parsed,
            };
            if plan.role.is_municipal() {
                let per_municipality = &mut self.municipal_values[n_municipal];
                n_municipal += 1;
                if per_municipality.len() <= municipality_idx {
                    per_municipality.resize(municipality_idx + 1, None);
                }
                match &per_municipality[municipality_idx] {
                    None => per_municipality[municipality_idx] = Some(parsed),
                    Some(first) if *first == parsed => {}
                    Some(first) => {
                        let levels = levels_in_code_order(self.level_lookup[plan_index].clone());
                        return Err(ReadError::MunicipalCovariateNotConstant {
                            column: plan.name.clone(),
                            municipality: municipality.to_owned(),
                            line,
                            first_value: parsed_level(first, &levels),
                            value: parsed_level(&parsed, &levels),
                        });
                    }
                }
            } else {
                match (&mut self.individual_values[n_individual], parsed) {
                    (ColumnValues::Numeric(values), Parsed::Number(number)) => values.push(number),
                    (ColumnValues::Categorical { codes }, Parsed::Code(code)) => codes.push(code),
                    // The plan decides both the parse and the storage: they always agree.
                    _ => unreachable!("covariate storage disagrees with its plan"),
                }
                n_individual += 1;
            }
        }
        self.scratch = scratch;
        self.warnings.observe(
            line,
            self.spell_id_field.map(|f| fields[f].as_str()),
            self.person_id_field.map(|f| fields[f].as_str()),
            permit,
            entry,
            end,
        );
        self.municipality.push(municipality_idx as u32);
        self.time_enter.push(months_between(permit, entry));
        self.time_exit.push(months_between(permit, end));
        self.outcome.push(outcome);
        self.permit_year.push(permit.year);
        self.line.push(line);
        Ok(())
    }

    fn date_field(
        &mut self,
        line: u64,
        fields: &[String],
        field: usize,
        column: &str,
    ) -> Option<Date> {
        let text = fields[field].trim();
        if text.is_empty() {
            self.exclude(
                line,
                Some(column.to_owned()),
                Some(""),
                RowProblem::MissingValue,
            );
            return None;
        }
        let date = Date::parse(text);
        if date.is_none() {
            self.exclude(
                line,
                Some(column.to_owned()),
                Some(text),
                RowProblem::InvalidDate,
            );
        }
        date
    }

    /// The cohort, with municipalities and categorical levels sorted (code-point order) so
    /// that it does not depend on the order of the rows.
    pub(crate) fn finish(self, format: SourceFormat) -> Result<ReadReport, ReadError> {
        if self.outcome.is_empty() {
            let mut by_reason: Vec<(String, usize)> = Vec::new();
            for row in &self.excluded_rows {
                let code = row.problem.code();
                match by_reason.iter_mut().find(|(c, _)| c == code) {
                    Some((_, n)) => *n += 1,
                    None => by_reason.push((code.to_owned(), 1)),
                }
            }
            by_reason.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            return Err(ReadError::NoValidRows {
                n_excluded: self.excluded_rows.len(),
                by_reason,
                first: self.excluded_rows.first().cloned().map(Box::new),
            });
        }
        let named_lines: Vec<(String, u64)> = self
            .municipality_names
            .iter()
            .cloned()
            .zip(self.municipality_first_line.iter().copied())
            .collect();
        let warnings = self.warnings.finish(&named_lines);
        let (municipality_names, municipality_remap) = sorted_with_remap(self.municipality_names);
        let municipality: Vec<u32> = self
            .municipality
            .iter()
            .map(|&k| municipality_remap[k as usize])
            .collect();
        let mut individual = Vec::new();
        let mut municipal = Vec::new();
        let (mut individual_values, mut municipal_values) = (
            self.individual_values.into_iter(),
            self.municipal_values.into_iter(),
        );
        let mut level_lookup = self.level_lookup.into_iter();
        for plan in &self.plans {
            let levels = levels_in_code_order(level_lookup.next().flatten());
            if plan.role.is_municipal() {
                let mut per_municipality = municipal_values.next().unwrap_or_default();
                per_municipality.resize(municipality_names.len(), None);
                // Reorder to the sorted municipalities; every municipality has a valid spell,
                // so every entry is filled.
                let mut ordered: Vec<Option<Parsed>> = vec![None; municipality_names.len()];
                for (old, value) in per_municipality.into_iter().enumerate() {
                    ordered[municipality_remap[old] as usize] = value;
                }
                let values = if plan.role.is_numeric() {
                    CovariateValues::Numeric(
                        ordered
                            .iter()
                            .map(|v| match v {
                                Some(Parsed::Number(x)) => *x,
                                _ => f64::NAN,
                            })
                            .collect(),
                    )
                } else {
                    let texts: Vec<String> = ordered
                        .iter()
                        .map(|v| {
                            v.as_ref()
                                .map(|p| parsed_level(p, &levels))
                                .unwrap_or_default()
                        })
                        .collect();
                    categorical_from_texts(&texts)
                };
                municipal.push(Covariate {
                    name: plan.name.clone(),
                    values,
                });
            } else {
                let values = match individual_values.next() {
                    Some(ColumnValues::Numeric(values)) => CovariateValues::Numeric(values),
                    Some(ColumnValues::Categorical { codes }) => {
                        let (levels, remap) = sorted_with_remap(levels);
                        CovariateValues::Categorical {
                            levels,
                            codes: codes.iter().map(|&c| remap[c as usize]).collect(),
                        }
                    }
                    None => CovariateValues::Numeric(Vec::new()),
                };
                individual.push(Covariate {
                    name: plan.name.clone(),
                    values,
                });
            }
        }
        Ok(ReadReport {
            cohort: Cohort {
                municipality_names,
                municipality,
                time_enter: self.time_enter,
                time_exit: self.time_exit,
                outcome: self.outcome,
                permit_year: self.permit_year,
                individual,
                municipal,
                line: self.line,
            },
            excluded_rows: self.excluded_rows,
            warnings,
            ignored_columns: self.ignored_columns,
            format,
        })
    }
}

/// Level → code, with a fast non-cryptographic hash (FNV-1a): the keys are short strings
/// from the user's own file, looked up once per field.
type LevelIndex = HashMap<String, u32, std::hash::BuildHasherDefault<Fnv1a>>;

/// An excluded row's value as kept: its first [`MAX_VALUE_CHARS`] characters and `…`.
fn cut_value(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// The levels of a lookup, indexed by code.
fn levels_in_code_order(lookup: Option<LevelIndex>) -> Vec<String> {
    let mut pairs: Vec<(String, u32)> = lookup.map(|l| l.into_iter().collect()).unwrap_or_default();
    pairs.sort_by_key(|&(_, code)| code);
    pairs.into_iter().map(|(level, _)| level).collect()
}

/// The text of a value, for messages and for municipal categorical levels.
fn parsed_level(parsed: &Parsed, levels: &[String]) -> String {
    match parsed {
        Parsed::Number(number) => number.to_string(),
        Parsed::Level(level) => level.clone(),
        Parsed::Code(code) => levels.get(*code as usize).cloned().unwrap_or_default(),
    }
}

/// Sorts `names` and returns, for each old index, its new index.
fn sorted_with_remap(names: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut remap = vec![0u32; names.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new as u32;
    }
    let mut slots: Vec<Option<String>> = names.into_iter().map(Some).collect();
    let sorted = order
        .iter()
        .map(|&old| slots[old].take().unwrap_or_default())
        .collect();
    (sorted, remap)
}

fn categorical_from_texts(texts: &[String]) -> CovariateValues {
    let mut levels: Vec<String> = texts.to_vec();
    levels.sort();
    levels.dedup();
    let codes = texts
        .iter()
        .map(|t| levels.binary_search(t).map_or(0, |i| i as u32))
        .collect();
    CovariateValues::Categorical { levels, codes }
}
