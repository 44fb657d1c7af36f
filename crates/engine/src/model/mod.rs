//! The ranking model: stage 1 (see [`crate::model::stage_one`]), stage 2 (weighted least squares of the
//! municipality effects on municipal characteristics), restricted mean durations, observed
//! against expected, inference, stars and ranks (MODEL.md §4, §6).

pub mod design;
mod error;
mod information;
pub mod intervals;
pub mod profile;
pub mod residual_variance;
pub mod rmst;
pub mod stage_one;
mod stage_two;
pub mod uncertainty;

pub use design::{Design, DesignColumn, ModelOptions};
pub use error::ModelError;
pub use rmst::{stars, two_sided_p, RestrictedMean};
pub use stage_one::{Convergence, NewtonProgress};

use crate::cohort::Cohort;
use crate::numeric::tolerance::{MAX_ABS_COEFFICIENT, ZERO_RESIDUAL_VARIANCE_RELATIVE};
use crate::progress::{Phase, Progress};
use stage_two::stage_two;
use uncertainty::{rank_uncertainty_of, RankDrawOptions, RankedInput, RowUncertainty};

/// A β coefficient.
#[derive(Clone, Debug, PartialEq)]
pub struct Coefficient {
    pub term: String,
    pub estimate: f64,
    pub se: f64,
}

/// Rare levels pooled for one categorical column.
#[derive(Clone, Debug, PartialEq)]
pub struct PooledLevels {
    pub column: String,
    pub levels: Vec<String>,
    /// `(other)`, or the reference level when `(other)` itself was too small.
    pub into: String,
}

/// One row of the ranking (the seed's table 4).
#[derive(Clone, Debug, PartialEq)]
pub struct RankedMunicipality {
    pub rank: usize,
    pub municipality: String,
    /// Index into `cohort.municipality_names`.
    pub municipality_index: usize,
    pub observed_months: f64,
    pub expected_months: f64,
    pub effect_months: f64,
    /// [1, m_k] γ̂: the municipality effect its characteristics lead one to expect.
    pub fitted_effect: f64,
    /// û_k = α̂_k − [1, m_k] γ̂.
    pub residual: f64,
    /// Var(û)_kk.
    pub residual_variance: f64,
    /// Two-sided p; `None` when Var(û)_kk ≤ 0.
    pub p_value: Option<f64>,
    pub stars: &'static str,
    pub spells: usize,
    pub completed_share: f64,
    /// ∂observed_k/∂a at a = α̂_k (for the caterpillar intervals of MODEL.md §7).
    pub observed_slope: f64,
    /// MODEL.md §7–§8 (the effect's SE, mapped interval, q, shrinkage, rank interval).
    pub uncertainty: RowUncertainty,
}

impl RankedMunicipality {
    /// What §8 needs of this row, with `predictors` = x_iᵀβ̂ of its spells. A residual
    /// variance that MODEL.md §6 counts as 0 (the row has no p-value) is passed as `None`.
    pub fn uncertainty_input<'a>(&'a self, predictors: &'a [f64]) -> RankedInput<'a> {
        RankedInput {
            name: &self.municipality,
            residual: self.residual,
            residual_variance: self.p_value.map(|_| self.residual_variance),
            observed_months: self.observed_months,
            expected_months: self.expected_months,
            effect_months: self.effect_months,
            observed_slope: self.observed_slope,
            fitted_effect: self.fitted_effect,
            predictors,
        }
    }
}

/// Why a municipality is not ranked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnrankedReason {
    /// Fewer valid spells than `min_spells`.
    TooFewSpells,
    /// Enough spells, but no event inside the horizon (α = −∞).
    NoEventWithinHorizon,
}

impl UnrankedReason {
    pub fn code(self) -> &'static str {
        match self {
            UnrankedReason::TooFewSpells => "too_few_spells",
            UnrankedReason::NoEventWithinHorizon => "no_event_within_horizon",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnrankedMunicipality {
    pub municipality: String,
    pub spells: usize,
    pub completed_share: f64,
    pub reason: UnrankedReason,
}

/// The national row: means over the ranked municipalities weighted by spells; spells and
/// completed share over all valid spells.
#[derive(Clone, Debug, PartialEq)]
pub struct NationalRow {
    pub observed_months: Option<f64>,
    pub expected_months: Option<f64>,
    pub effect_months: Option<f64>,
    pub spells: usize,
    pub completed_share: f64,
}

/// Everything the ranking model reports.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingModel {
    pub options: ModelOptions,
    pub convergence: Convergence,
    pub coefficients: Vec<Coefficient>,
    /// λ_j per piece, with the piece boundaries.
    pub boundaries: Vec<f64>,
    pub hazard: Vec<f64>,
    /// α̂_k per municipality (−∞ without events inside H).
    pub alpha: Vec<f64>,
    /// Stage 2: the names of Z's columns and γ̂.
    pub stage_two_terms: Vec<String>,
    pub stage_two_coefficients: Vec<f64>,
    /// SE of γ̂: √diag A(Σ_R + τ̂² I)Aᵀ, A = (ZᵀWZ)⁻¹ZᵀW (stage-1 noise and the
    /// municipalities' own variation; `None` without τ̂², and for the intercept).
    pub stage_two_se: Vec<Option<f64>>,
    /// τ_m² = τ̂²·median (∂observed_k/∂a)²: the funnel's overdispersion in months² (§7).
    pub overdispersion_months_squared: Option<f64>,
    /// Weighted R² of stage 2 (`None` when undefined).
    pub r_squared_municipal: Option<f64>,
    /// MODEL.md §8: 1 − Var(effect)/Var(observed) over R (the seed's "72 pct.").
    pub explained_share: Option<f64>,
    /// MODEL.md §8: τ̂², the variance of the municipalities' true excesses.
    pub tau_squared: Option<f64>,
    pub ranking: Vec<RankedMunicipality>,
    pub national: NationalRow,
    pub unranked: Vec<UnrankedMunicipality>,
    pub pooled_levels: Vec<PooledLevels>,
    pub dropped_covariates: Vec<String>,
    pub municipalities_without_events: Vec<String>,
    /// The design, for predictions (drill-down curves).
    pub design: Design,
}

impl RankingModel {
    /// β̂ as a vector, in the order of `coefficients` (for predictions).
    pub fn coefficients_vector(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.estimate).collect()
    }
}

/// Fits the ranking model to `cohort`.
pub fn fit_ranking(cohort: &Cohort, options: ModelOptions) -> Result<RankingModel, ModelError> {
    fit_ranking_identified(cohort, options, None, &mut |_| {})
}

/// [`fit_ranking`], reporting each step and each Newton iteration to `progress`.
pub fn fit_ranking_with_progress(
    cohort: &Cohort,
    options: ModelOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<RankingModel, ModelError> {
    fit_ranking_identified(cohort, options, None, progress)
}

/// [`fit_ranking`] with the α fixed at 0 chosen by the caller (for invariance tests).
#[doc(hidden)]
pub fn fit_ranking_identified(
    cohort: &Cohort,
    options: ModelOptions,
    fixed_municipality: Option<usize>,
    progress: &mut dyn FnMut(Progress),
) -> Result<RankingModel, ModelError> {
    fit_ranking_in_form(
        cohort,
        options,
        fixed_municipality,
        progress,
        residual_variance::DENSE_RANKED_LIMIT,
    )
}

/// [`fit_ranking`] with Var(û) in its structured form however few municipalities are ranked
/// (`residual_variance`; for tests of that form against the references).
#[doc(hidden)]
pub fn fit_ranking_structured(
    cohort: &Cohort,
    options: ModelOptions,
) -> Result<RankingModel, ModelError> {
    fit_ranking_in_form(cohort, options, None, &mut |_| {}, 0)
}

/// The fit, with Var(û) dense up to `dense_ranked_limit` ranked municipalities.
fn fit_ranking_in_form(
    cohort: &Cohort,
    options: ModelOptions,
    fixed_municipality: Option<usize>,
    progress: &mut dyn FnMut(Progress),
    dense_ranked_limit: usize,
) -> Result<RankingModel, ModelError> {
    progress(Progress::Phase(Phase::Design));
    let design = Design::build(cohort, options)?;
    progress(Progress::Phase(Phase::Newton));
    let stage_one = stage_one::fit(
        &design,
        &cohort.municipality,
        &cohort.time_enter,
        &cohort.municipality_names,
        fixed_municipality,
        &mut |iteration| progress(Progress::Newton(iteration)),
    )?;
    let n_municipalities = cohort.n_municipalities();
    // MODEL.md §4: a hazard ratio beyond e²⁰ means the likelihood has no finite maximum.
    if let Some((term, &estimate)) = design
        .term_names
        .iter()
        .zip(&stage_one.beta)
        .find(|(_, b)| b.abs() > MAX_ABS_COEFFICIENT)
    {
        return Err(ModelError::Diverged {
            term: term.clone(),
            estimate,
        });
    }

    let spells_of = cohort.spells_by_municipality();
    let completed_share = |k: usize| {
        let completed = spells_of[k]
            .iter()
            .filter(|&&i| cohort.outcome[i].is_event())
            .count();
        completed as f64 / spells_of[k].len() as f64
    };
    let ranked: Vec<usize> = (0..n_municipalities)
        .filter(|&k| spells_of[k].len() >= options.min_spells && design.municipality_has_event[k])
        .collect();
    let mut is_ranked = vec![false; n_municipalities];
    for &k in &ranked {
        is_ranked[k] = true;
    }
    let unranked = (0..n_municipalities)
        .filter(|&k| !is_ranked[k])
        .map(|k| UnrankedMunicipality {
            municipality: cohort.municipality_names[k].clone(),
            spells: spells_of[k].len(),
            completed_share: completed_share(k),
            reason: if spells_of[k].len() < options.min_spells {
                UnrankedReason::TooFewSpells
            } else {
                UnrankedReason::NoEventWithinHorizon
            },
        })
        .collect();

    progress(Progress::Phase(Phase::StageTwo));
    let stage_two = stage_two(cohort, &ranked, &spells_of, &stage_one, dense_ranked_limit)?;
    progress(Progress::Phase(Phase::RestrictedMeans));
    let restricted_mean = RestrictedMean::new(&design.boundaries, &stage_one.hazard);
    let predictors_of: Vec<Vec<f64>> = ranked
        .iter()
        .map(|&k| {
            spells_of[k]
                .iter()
                .map(|&i| design.linear_predictor(i, &stage_one.beta))
                .collect()
        })
        .collect();
    let mut rows: Vec<RankedMunicipality> = ranked
        .iter()
        .enumerate()
        .map(|(r, &k)| {
            let fitted = stage_two.fitted[r];
            let (observed_months, observed_slope, expected_months) = observed_and_expected(
                &restricted_mean,
                &predictors_of[r],
                stage_one.alpha[k],
                fitted,
            );
            let residual_variance = stage_two.residual_variance[r];
            let has_variance =
                residual_variance > ZERO_RESIDUAL_VARIANCE_RELATIVE * stage_two.alpha_variance[r];
            let p_value =
                has_variance.then(|| two_sided_p(stage_two.residual[r] / residual_variance.sqrt()));
            RankedMunicipality {
                rank: 0,
                municipality: cohort.municipality_names[k].clone(),
                municipality_index: k,
                observed_months,
                expected_months,
                effect_months: observed_months - expected_months,
                residual: stage_two.residual[r],
                residual_variance,
                p_value,
                stars: stars(p_value),
                spells: spells_of[k].len(),
                completed_share: completed_share(k),
                observed_slope,
                fitted_effect: fitted,
                uncertainty: RowUncertainty::default(),
            }
        })
        .collect();
    let inputs: Vec<RankedInput<'_>> = rows
        .iter()
        .zip(&predictors_of)
        .map(|(row, predictors)| row.uncertainty_input(predictors))
        .collect();
    progress(Progress::Phase(Phase::Uncertainty));
    let uncertainty = rank_uncertainty_of(
        &inputs,
        &stage_two.variance,
        &restricted_mean,
        RankDrawOptions {
            rank_draws: options.rank_draws,
            seed: options.seed,
        },
    );
    for (row, found) in rows.iter_mut().zip(uncertainty.rows) {
        row.uncertainty = found;
    }
    // The intercept is the level of α̂, which the identification sets: no SE (its SE would
    // change with the municipality fixed at 0; the slopes' do not).
    let stage_two_se: Vec<Option<f64>> = stage_two
        .projection
        .iter()
        .enumerate()
        .map(|(column, a)| {
            uncertainty.tau_squared.filter(|_| column > 0).map(|tau2| {
                let variance = stage_two.variance.coefficient_variance(a, tau2);
                variance.max(0.0).sqrt()
            })
        })
        .collect();
    let overdispersion_months_squared = uncertainty.tau_squared.and_then(|tau2| {
        let slopes: Vec<f64> = rows
            .iter()
            .filter(|r| r.p_value.is_some())
            .map(|r| r.observed_slope)
            .collect();
        intervals::overdispersion_months(tau2, &slopes)
    });
    rows.sort_by(|a, b| {
        a.effect_months
            .total_cmp(&b.effect_months)
            .then_with(|| a.municipality.cmp(&b.municipality))
    });
    for (position, row) in rows.iter_mut().enumerate() {
        row.rank = position + 1;
    }

    let n_ranked_spells: usize = rows.iter().map(|r| r.spells).sum();
    let weighted_mean = |f: &dyn Fn(&RankedMunicipality) -> f64| {
        (!rows.is_empty()).then(|| {
            rows.iter().map(|r| r.spells as f64 * f(r)).sum::<f64>() / n_ranked_spells as f64
        })
    };
    let n_completed = cohort.outcome.iter().filter(|o| o.is_event()).count();
    let national = NationalRow {
        observed_months: weighted_mean(&|r| r.observed_months),
        expected_months: weighted_mean(&|r| r.expected_months),
        effect_months: weighted_mean(&|r| r.effect_months),
        spells: cohort.n_spells(),
        completed_share: n_completed as f64 / cohort.n_spells() as f64,
    };

    let coefficients = design
        .term_names
        .iter()
        .zip(stage_one.beta.iter().zip(&stage_one.beta_se))
        .map(|(term, (&estimate, &se))| Coefficient {
            term: term.clone(),
            estimate,
            se,
        })
        .collect();
    let pooled_levels = design
        .columns
        .iter()
        .filter_map(|column| match column {
            DesignColumn::Categorical { terms, .. } => {
                terms.pooled_into.as_ref().map(|into| PooledLevels {
                    column: terms.column.clone(),
                    levels: terms.pooled.clone(),
                    into: into.clone(),
                })
            }
            DesignColumn::Numeric { .. } => None,
        })
        .collect();
    let municipalities_without_events = (0..n_municipalities)
        .filter(|&k| !design.municipality_has_event[k])
        .map(|k| cohort.municipality_names[k].clone())
        .collect();

    Ok(RankingModel {
        options,
        convergence: stage_one.convergence,
        coefficients,
        boundaries: design.boundaries.clone(),
        hazard: stage_one.hazard.clone(),
        alpha: stage_one.alpha.clone(),
        stage_two_terms: stage_two.terms,
        stage_two_coefficients: stage_two.coefficients,
        stage_two_se,
        overdispersion_months_squared,
        r_squared_municipal: stage_two.r_squared,
        explained_share: uncertainty.explained_share,
        tau_squared: uncertainty.tau_squared,
        ranking: rows,
        national,
        unranked,
        pooled_levels,
        dropped_covariates: design.dropped_covariates.clone(),
        municipalities_without_events,
        design,
    })
}

/// A ranked municipality's observed mean duration, its slope in the effect, and its expected
/// mean duration: means over its spells of `rmst(η_i + α̂_k)`, its derivative, and
/// `rmst(η_i + fitted_k)` (MODEL.md §5; the observed as `rmst` gives it, to the bit).
///
/// Never inlined, called once per municipality: see ARCHITECTURE.md, "Hot loops in the
/// browser" (one call over every municipality's spells ran in baseline wasm to its end).
#[inline(never)]
fn observed_and_expected(
    restricted_mean: &RestrictedMean,
    predictors: &[f64],
    alpha: f64,
    fitted: f64,
) -> (f64, f64, f64) {
    let n = predictors.len() as f64;
    let (observed_total, slope_total) = predictors.iter().fold((0.0, 0.0), |(o, s), &eta| {
        let (rmst, slope) = restricted_mean.rmst_and_slope(eta + alpha);
        (o + rmst, s + slope)
    });
    let expected_total = predictors
        .iter()
        .map(|&eta| restricted_mean.rmst(eta + fitted))
        .sum::<f64>();
    (observed_total / n, slope_total / n, expected_total / n)
}
