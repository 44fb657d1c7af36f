//! The stage-1 design: horizon censoring, the estimation sample, baseline pieces and the
//! individual covariates as terms (MODEL.md §4 and §6). Checked input for the numeric fit.

use super::error::ModelError;
use crate::cohort::{Cohort, CovariateValues};
use crate::numeric::index_of_first_maximum;

/// The name of the pooled level of rare categorical levels (reserved, listed last).
pub const OTHER_LEVEL: &str = "(other)";
/// At most this many baseline pieces (20 years of months): each is a parameter of the fit,
/// and the information matrix grows with their square.
pub const MAX_PIECES: usize = 240;
/// A level needs this many spells in the estimation sample to keep its own dummy.
pub const MIN_SPELLS_PER_LEVEL: usize = 30;
/// At most this many individual model terms (the hardening issue: the dense information
/// block of β grows with their square).
pub const MAX_MODEL_TERMS: usize = 2000;

/// The options of the ranking model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelOptions {
    /// H: spells are censored at H months; RMST is restricted to [0, H].
    pub horizon_months: f64,
    /// w: the width of the baseline pieces [0, w), [w, 2w), …, the last ending at H.
    pub piece_months: f64,
    /// Municipalities with at least this many valid spells (inclusive) are ranked.
    pub min_spells: usize,
    /// D: seeded draws for the rank intervals (MODEL.md §8; 0: none).
    pub rank_draws: usize,
    /// The seed of the rank draws (a result is reproducible).
    pub seed: u64,
}

impl Default for ModelOptions {
    fn default() -> ModelOptions {
        ModelOptions {
            horizon_months: 48.0,
            piece_months: 3.0,
            min_spells: 80,
            rank_draws: 1000,
            seed: 1,
        }
    }
}

impl ModelOptions {
    /// The piece boundaries b_0 = 0 < b_1 < … < b_J = H.
    pub fn piece_boundaries(&self) -> Vec<f64> {
        let mut boundaries = vec![0.0];
        let mut j = 1.0;
        while j * self.piece_months < self.horizon_months {
            boundaries.push(j * self.piece_months);
            j += 1.0;
        }
        boundaries.push(self.horizon_months);
        boundaries
    }
}

/// How one categorical covariate became dummies.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoricalTerms {
    pub column: String,
    pub reference: String,
    /// The non-reference levels that have a dummy, in level order, `(other)` last.
    pub dummies: Vec<String>,
    /// Per level code of the cohort (or per permit year index): the dummy index, or `None`
    /// for the reference.
    pub dummy_of_level: Vec<Option<usize>>,
    /// Levels that were pooled (into `(other)`, or into the reference if `(other)` was too
    /// small), in level order.
    pub pooled: Vec<String>,
    /// Where the pooled levels went: `(other)` or the reference level.
    pub pooled_into: Option<String>,
}

/// One covariate column of the design.
#[derive(Clone, Debug, PartialEq)]
pub enum DesignColumn {
    /// β·x for a numeric column: the values per spell of the cohort.
    Numeric {
        name: String,
        first_term: usize,
        values: Vec<f64>,
    },
    /// Dummies: `level_code[i]` maps to `terms.dummy_of_level`.
    Categorical {
        terms: CategoricalTerms,
        first_term: usize,
        level_code: Vec<u32>,
    },
}

/// The checked design for the fit, over all valid spells of the cohort.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub options: ModelOptions,
    pub boundaries: Vec<f64>,
    /// Term names (`age`, `sex=M`, `permit_year=2002`): the β vector, in order.
    pub term_names: Vec<String>,
    pub columns: Vec<DesignColumn>,
    /// Covariates left with a single level (or none) and therefore dropped.
    pub dropped_covariates: Vec<String>,
    /// Per municipality: has an event inside the horizon.
    pub municipality_has_event: Vec<bool>,
    /// Spells of the estimation sample: t0 < H in a municipality with an event inside H.
    pub estimation_spells: Vec<usize>,
    /// t1 censored at H, per spell of the cohort.
    pub time_exit_censored: Vec<f64>,
    /// d censored at H, per spell of the cohort.
    pub event_censored: Vec<bool>,
}

impl Design {
    pub fn n_terms(&self) -> usize {
        self.term_names.len()
    }

    /// Appends the nonzero entries (term, x_ic) of spell `i`'s covariate row to `row`.
    pub fn row(&self, i: usize, row: &mut Vec<(usize, f64)>) {
        row.clear();
        for column in &self.columns {
            match column {
                DesignColumn::Numeric {
                    first_term, values, ..
                } => row.push((*first_term, values[i])),
                DesignColumn::Categorical {
                    terms,
                    first_term,
                    level_code,
                } => {
                    if let Some(dummy) = terms.dummy_of_level[level_code[i] as usize] {
                        row.push((first_term + dummy, 1.0));
                    }
                }
            }
        }
    }

    /// The linear predictor x_iᵀβ.
    pub fn linear_predictor(&self, i: usize, beta: &[f64]) -> f64 {
        let mut eta = 0.0;
        for column in &self.columns {
            match column {
                DesignColumn::Numeric {
                    first_term, values, ..
                } => eta += beta[*first_term] * values[i],
                DesignColumn::Categorical {
                    terms,
                    first_term,
                    level_code,
                } => {
                    if let Some(dummy) = terms.dummy_of_level[level_code[i] as usize] {
                        eta += beta[first_term + dummy];
                    }
                }
            }
        }
        eta
    }

    /// Builds the design for `cohort` (MODEL.md §4: horizon, estimation sample, dummies with
    /// the most frequent level as reference, rare levels pooled, single-level covariates
    /// dropped). Errs on bad options, no event inside the horizon, a constant numeric
    /// covariate.
    pub fn build(cohort: &Cohort, options: ModelOptions) -> Result<Design, ModelError> {
        if !(options.horizon_months > 0.0 && options.horizon_months.is_finite()) {
            return Err(ModelError::InvalidOption {
                option: "horizon".to_owned(),
                value: options.horizon_months,
            });
        }
        if !(options.piece_months > 0.0 && options.piece_months.is_finite()) {
            return Err(ModelError::InvalidOption {
                option: "piece-months".to_owned(),
                value: options.piece_months,
            });
        }
        let n_pieces = (options.horizon_months / options.piece_months).ceil();
        if n_pieces > MAX_PIECES as f64 {
            return Err(ModelError::TooManyPieces {
                n_pieces,
                max: MAX_PIECES,
            });
        }
        let horizon = options.horizon_months;
        let n = cohort.n_spells();
        let mut time_exit_censored = Vec::with_capacity(n);
        let mut event_censored = Vec::with_capacity(n);
        let mut municipality_has_event = vec![false; cohort.n_municipalities()];
        for i in 0..n {
            let beyond = cohort.time_exit[i] > horizon;
            let event = cohort.outcome[i].is_event() && !beyond;
            time_exit_censored.push(if beyond { horizon } else { cohort.time_exit[i] });
            event_censored.push(event);
            if event {
                municipality_has_event[cohort.municipality[i] as usize] = true;
            }
        }
        if !event_censored.iter().any(|&e| e) {
            return Err(ModelError::NoEventsWithinHorizon {
                horizon_months: horizon,
            });
        }
        let estimation_spells: Vec<usize> = (0..n)
            .filter(|&i| {
                cohort.time_enter[i] < horizon
                    && municipality_has_event[cohort.municipality[i] as usize]
            })
            .collect();

        let mut term_names = Vec::new();
        let mut columns = Vec::new();
        let mut dropped_covariates = Vec::new();
        for covariate in &cohort.individual {
            match &covariate.values {
                CovariateValues::Numeric(values) => {
                    let first = values[estimation_spells[0]];
                    if estimation_spells.iter().all(|&i| values[i] == first) {
                        return Err(ModelError::ConstantCovariate {
                            column: covariate.name.clone(),
                        });
                    }
                    columns.push(DesignColumn::Numeric {
                        name: covariate.name.clone(),
                        first_term: term_names.len(),
                        values: values.clone(),
                    });
                    term_names.push(covariate.name.clone());
                }
                CovariateValues::Categorical { levels, codes } => {
                    let terms = categorical_terms(
                        &covariate.name,
                        levels,
                        codes,
                        &estimation_spells,
                        &event_censored,
                    );
                    push_categorical(
                        terms,
                        codes.clone(),
                        &mut term_names,
                        &mut columns,
                        &mut dropped_covariates,
                    );
                }
            }
        }
        // The permit year is always an individual categorical covariate, last; its levels in
        // numeric order.
        let years = cohort.permit_years();
        let year_codes: Vec<u32> = cohort
            .permit_year
            .iter()
            .map(|y| years.binary_search(y).map_or(0, |k| k as u32))
            .collect();
        let year_levels: Vec<String> = years.iter().map(i32::to_string).collect();
        let terms = categorical_terms(
            "permit_year",
            &year_levels,
            &year_codes,
            &estimation_spells,
            &event_censored,
        );
        push_categorical(
            terms,
            year_codes,
            &mut term_names,
            &mut columns,
            &mut dropped_covariates,
        );
        // The dense information matrix grows with the square of the terms, its solve with
        // the cube: a categorical column with thousands of levels (an identifier given a
        // role by mistake) would exhaust memory and time (the municipalities are not capped:
        // their block is diagonal).
        if term_names.len() > MAX_MODEL_TERMS {
            return Err(ModelError::TooManyTerms {
                n_terms: term_names.len(),
                max: MAX_MODEL_TERMS,
            });
        }

        Ok(Design {
            boundaries: options.piece_boundaries(),
            options,
            term_names,
            columns,
            dropped_covariates,
            municipality_has_event,
            estimation_spells,
            time_exit_censored,
            event_censored,
        })
    }
}

fn push_categorical(
    terms: CategoricalTerms,
    level_code: Vec<u32>,
    term_names: &mut Vec<String>,
    columns: &mut Vec<DesignColumn>,
    dropped_covariates: &mut Vec<String>,
) {
    if terms.dummies.is_empty() {
        dropped_covariates.push(terms.column.clone());
    }
    let first_term = term_names.len();
    term_names.extend(
        terms
            .dummies
            .iter()
            .map(|level| format!("{}={level}", terms.column)),
    );
    columns.push(DesignColumn::Categorical {
        terms,
        first_term,
        level_code,
    });
}

/// Pooling, reference and dummies of one categorical column (MODEL.md §4 (a)–(c), §6).
/// `levels` are in level order (the tie-break order), `codes` index them per spell.
///
/// Pooling comes before the reference: (a) every level with fewer than 30 spells in the
/// estimation sample, or without an event inside the horizon, joins `(other)`; (b) an
/// `(other)` that is itself too small, or without an event, joins the most frequent remaining
/// level; (c) the reference is the most frequent level after pooling (ties: first in level
/// order, `(other)` last), so a rare level can never be the reference (a reference of one
/// censored spell would make every other estimate infinite).
fn categorical_terms(
    column: &str,
    levels: &[String],
    codes: &[u32],
    estimation_spells: &[usize],
    event: &[bool],
) -> CategoricalTerms {
    let mut n_spells = vec![0usize; levels.len()];
    let mut n_events = vec![0usize; levels.len()];
    for &i in estimation_spells {
        n_spells[codes[i] as usize] += 1;
        n_events[codes[i] as usize] += usize::from(event[i]);
    }
    // (a) Rare levels, or levels without an event, are pooled into `(other)`.
    let is_pooled = |level: usize| n_spells[level] < MIN_SPELLS_PER_LEVEL || n_events[level] == 0;
    let pooled: Vec<usize> = (0..levels.len()).filter(|&l| is_pooled(l)).collect();
    let remaining: Vec<usize> = (0..levels.len()).filter(|&l| !is_pooled(l)).collect();
    let other_spells: usize = pooled.iter().map(|&l| n_spells[l]).sum();
    let other_events: usize = pooled.iter().map(|&l| n_events[l]).sum();
    // (b) A too-small `(other)` joins the most frequent remaining level.
    let other_kept = !pooled.is_empty() && other_spells >= MIN_SPELLS_PER_LEVEL && other_events > 0;
    // (c) The reference among the levels left: the remaining ones in level order, `(other)`
    // last. `None` stands for `(other)`.
    let mut candidates: Vec<(Option<usize>, usize)> =
        remaining.iter().map(|&l| (Some(l), n_spells[l])).collect();
    if other_kept {
        candidates.push((None, other_spells));
    }
    let counts: Vec<usize> = candidates.iter().map(|c| c.1).collect();
    // With no level left at all (every level rare, `(other)` too small) the column has one
    // effective level: no dummies, and it is dropped; its most frequent level names it.
    let reference: Option<usize> = if candidates.is_empty() {
        Some(index_of_first_maximum(&n_spells))
    } else {
        candidates[index_of_first_maximum(&counts)].0
    };
    let reference_name = reference.map_or_else(|| OTHER_LEVEL.to_owned(), |l| levels[l].clone());

    let mut dummies = Vec::new();
    let mut dummy_of_level = vec![None; levels.len()];
    if !candidates.is_empty() {
        for &level in &remaining {
            if Some(level) != reference {
                dummy_of_level[level] = Some(dummies.len());
                dummies.push(levels[level].clone());
            }
        }
        if other_kept && reference.is_some() {
            for &level in &pooled {
                dummy_of_level[level] = Some(dummies.len());
            }
            dummies.push(OTHER_LEVEL.to_owned());
        }
    }
    CategoricalTerms {
        column: column.to_owned(),
        reference: reference_name.clone(),
        dummies,
        dummy_of_level,
        pooled: pooled.iter().map(|&l| levels[l].clone()).collect(),
        pooled_into: match (pooled.is_empty(), other_kept) {
            (true, _) => None,
            (false, true) => Some(OTHER_LEVEL.to_owned()),
            (false, false) => Some(reference_name),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(levels: &[&str]) -> Vec<String> {
        levels.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn reference_is_most_frequent_and_rare_levels_pool_into_other() {
        // Levels a (40 spells), b (50), c (10), d (25), e (5, only outside the sample).
        let levels = names(&["a", "b", "c", "d", "e"]);
        let mut codes = Vec::new();
        for (code, count) in [(0u32, 40), (1, 50), (2, 10), (3, 25)] {
            codes.extend(std::iter::repeat_n(code, count));
        }
        let sample: Vec<usize> = (0..codes.len()).collect();
        codes.extend(std::iter::repeat_n(4, 5));
        let event = vec![true; codes.len()];
        let terms = categorical_terms("x", &levels, &codes, &sample, &event);
        assert_eq!(terms.reference, "b");
        assert_eq!(terms.dummies, ["a", OTHER_LEVEL]);
        assert_eq!(terms.pooled, ["c", "d", "e"]);
        assert_eq!(
            terms.dummy_of_level,
            [Some(0), None, Some(1), Some(1), Some(1)]
        );
    }

    #[test]
    fn a_small_other_joins_the_reference_and_ties_go_to_the_first_level() {
        let levels = names(&["a", "b", "c"]);
        let codes: Vec<u32> = [0u32; 40]
            .into_iter()
            .chain([1; 40])
            .chain([2; 29])
            .collect();
        let sample: Vec<usize> = (0..codes.len()).collect();
        let event = vec![true; codes.len()];
        let terms = categorical_terms("x", &levels, &codes, &sample, &event);
        assert_eq!(terms.reference, "a");
        assert_eq!(terms.dummies, ["b"]);
        assert_eq!(terms.pooled_into.as_deref(), Some("a"));
        assert_eq!(terms.dummy_of_level, [None, Some(0), None]);
    }

    #[test]
    fn a_level_without_events_is_pooled() {
        let levels = names(&["a", "b"]);
        let codes: Vec<u32> = [0u32; 40].into_iter().chain([1; 35]).collect();
        let sample: Vec<usize> = (0..codes.len()).collect();
        let event: Vec<bool> = (0..codes.len()).map(|i| i < 40).collect();
        let terms = categorical_terms("x", &levels, &codes, &sample, &event);
        assert_eq!(terms.dummies, Vec::<String>::new());
        assert_eq!(terms.pooled_into.as_deref(), Some("a"));
    }

    /// MODEL.md §4's order: a frequent level without events is pooled before the reference
    /// is chosen, so it can never be the reference (its estimate would be −∞ and every other
    /// one +∞); here `(other)` has no event either and joins the most frequent level left.
    #[test]
    fn a_frequent_level_without_events_is_pooled_not_the_reference() {
        let levels = names(&["a", "b", "c"]);
        let codes: Vec<u32> = [0u32; 100]
            .into_iter()
            .chain([1; 50])
            .chain([2; 40])
            .collect();
        let sample: Vec<usize> = (0..codes.len()).collect();
        let event: Vec<bool> = (0..codes.len()).map(|i| i >= 100).collect();
        let terms = categorical_terms("x", &levels, &codes, &sample, &event);
        assert_eq!(terms.reference, "b");
        assert_eq!(terms.dummies, ["c"]);
        assert_eq!(terms.pooled, ["a"]);
        assert_eq!(terms.pooled_into.as_deref(), Some("b"));
        assert_eq!(terms.dummy_of_level, [None, None, Some(0)]);
    }

    /// Rare levels whose `(other)` is the most frequent level after pooling: `(other)` is the
    /// reference and every kept level gets a dummy.
    #[test]
    fn other_can_be_the_reference() {
        let levels = names(&["a", "b", "c", "d"]);
        let codes: Vec<u32> = [0u32; 29]
            .into_iter()
            .chain([1; 29])
            .chain([2; 29])
            .chain([3; 30])
            .collect();
        let sample: Vec<usize> = (0..codes.len()).collect();
        let event = vec![true; codes.len()];
        let terms = categorical_terms("x", &levels, &codes, &sample, &event);
        assert_eq!(terms.reference, OTHER_LEVEL);
        assert_eq!(terms.dummies, ["d"]);
        assert_eq!(terms.dummy_of_level, [None, None, None, Some(0)]);
        assert_eq!(terms.pooled_into.as_deref(), Some(OTHER_LEVEL));
    }

    #[test]
    fn pieces_end_at_the_horizon() {
        let options = ModelOptions {
            horizon_months: 10.0,
            piece_months: 3.0,
            min_spells: 80,
            ..ModelOptions::default()
        };
        assert_eq!(options.piece_boundaries(), [0.0, 3.0, 6.0, 9.0, 10.0]);
        assert_eq!(ModelOptions::default().piece_boundaries().len(), 17);
    }
}
