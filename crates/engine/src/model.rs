//! The ranking model: stage 1 (see [`crate::pwe`]), stage 2 (weighted least squares of the
//! municipality effects on municipal characteristics), restricted mean durations, observed
//! against expected, inference, stars and ranks (MODEL.md §4, §6).

use crate::cohort::{Cohort, CovariateValues};
use crate::design::{Design, DesignColumn, ModelOptions};
use crate::linalg::{Cholesky, Matrix};
use crate::pwe::{self, Convergence, NewtonProgress, StageOneFit};
use crate::Language;

/// Why the model cannot be estimated.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    InvalidOption {
        option: &'static str,
        value: f64,
    },
    /// horizon / piece width gives more pieces than the fit allows.
    TooManyPieces {
        n_pieces: f64,
        max: usize,
    },
    NoEventsWithinHorizon {
        horizon_months: f64,
    },
    ConstantCovariate {
        column: String,
    },
    Collinear {
        term: String,
    },
    NotConverged {
        iterations: usize,
        max_abs_score: f64,
    },
    /// The stage-2 design is singular: too few ranked municipalities, or a municipal
    /// covariate that is constant or collinear among them.
    StageTwoSingular {
        column: String,
        n_ranked: usize,
    },
}

impl ModelError {
    pub fn message(&self, language: Language) -> String {
        use Language::{Danish, English};
        match (language, self) {
            (Danish, ModelError::InvalidOption { option, value }) => {
                format!("Indstillingen --{option} skal være et positivt tal, ikke {value}.")
            }
            (English, ModelError::InvalidOption { option, value }) => {
                format!("The option --{option} must be a positive number, not {value}.")
            }
            (Danish, ModelError::TooManyPieces { n_pieces, max }) => format!(
                "Horisonten delt i baseline-intervaller giver {n_pieces} intervaller; højst {max} er tilladt. Brug længere intervaller eller en kortere horisont."
            ),
            (English, ModelError::TooManyPieces { n_pieces, max }) => format!(
                "The horizon divided into baseline pieces gives {n_pieces} pieces; at most {max} are allowed. Use longer pieces or a shorter horizon."
            ),
            (Danish, ModelError::NoEventsWithinHorizon { horizon_months }) => format!(
                "Ingen forløb slutter med selvforsørgelse eller uddannelse inden for {horizon_months} måneder: modellen kan ikke estimeres."
            ),
            (English, ModelError::NoEventsWithinHorizon { horizon_months }) => format!(
                "No spell ends in self-support or education within {horizon_months} months: the model cannot be estimated."
            ),
            (Danish, ModelError::ConstantCovariate { column }) => {
                format!("Variablen `{column}` er konstant: dens effekt kan ikke estimeres. Fjern den eller giv den rollen ignore.")
            }
            (English, ModelError::ConstantCovariate { column }) => {
                format!("The covariate `{column}` is constant: it cannot be estimated. Remove it or give it the role ignore.")
            }
            (Danish, ModelError::Collinear { term }) => format!(
                "`{term}` er kollineær med andre led i modellen (fx konstant inden for hver kommune): den kan ikke estimeres."
            ),
            (English, ModelError::Collinear { term }) => format!(
                "`{term}` is collinear with other terms of the model (e.g. constant within each municipality): it cannot be estimated."
            ),
            (Danish, ModelError::NotConverged { iterations, max_abs_score }) => format!(
                "Estimationen konvergerede ikke efter {iterations} iterationer (største skalerede score {max_abs_score:.3e})."
            ),
            (English, ModelError::NotConverged { iterations, max_abs_score }) => format!(
                "The estimation did not converge in {iterations} iterations (largest scaled score {max_abs_score:.3e})."
            ),
            (Danish, ModelError::StageTwoSingular { column, n_ranked }) => format!(
                "Den kommunale variabel `{column}` kan ikke bruges blandt de {n_ranked} rangordnede kommuner (den er konstant eller kollineær, eller der er for få kommuner)."
            ),
            (English, ModelError::StageTwoSingular { column, n_ranked }) => format!(
                "The municipal covariate `{column}` cannot be used among the {n_ranked} ranked municipalities (it is constant or collinear, or there are too few municipalities)."
            ),
        }
    }
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::English))
    }
}

impl std::error::Error for ModelError {}

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
    /// Weighted R² of stage 2 (`None` when undefined).
    pub r_squared_municipal: Option<f64>,
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

/// RMST and its derivative in the municipality effect.
///
/// # Formula
/// With c = exp(x_iᵀβ̂ + a), Λ̂_0 piecewise linear (Λ̂_0(b_j) = Σ_{m<j} λ_m L_m), piece
/// lengths L_j and S_j = exp(−c Λ̂_0(b_j)):
///
/// ```text
/// RMST_H(x_i, a) = ∫_0^H exp(−c Λ̂_0(t)) dt = Σ_j S_j · (1 − exp(−c λ_j L_j)) / (c λ_j)
///                                            (S_j · L_j where λ_j = 0)
/// ∂RMST/∂a = −∫_0^H c Λ̂_0(t) exp(−c Λ̂_0(t)) dt
///          = −Σ_j [ (u_j + 1) e^{−u_j} − (u_{j+1} + 1) e^{−u_{j+1}} ] / (c λ_j),
///            u_j = c Λ̂_0(b_j)   (substitute u = c Λ̂_0(t), du = c λ_j dt in piece j)
///          = −Σ_j L_j e^{−u_j} [ u_j (1 − e^{−δ_j})/δ_j + (1 − e^{−δ_j})/δ_j − e^{−δ_j} ],
///            δ_j = c λ_j L_j    (−u_j e^{−u_j} L_j where λ_j = 0: the limit δ_j → 0)
/// ```
///
/// `1 − exp(−x)` is computed as `−expm1(−x)` so small c·λ_j·L_j keep their digits, and the
/// difference (1 − e^{−δ})/δ − e^{−δ} ≈ δ/2, which cancels for small δ, by its series there
/// (`expm1_ratio_minus_exp`).
///
/// # References
/// P. Royston, M. K. B. Parmar (2013), "Restricted mean survival time: an alternative to the
/// hazard ratio", BMC Medical Research Methodology 13:152 (RMST as the area under S).
#[derive(Clone, Debug)]
pub struct RestrictedMean {
    lengths: Vec<f64>,
    hazard: Vec<f64>,
    /// Λ̂_0 at the start of each piece, and at H last.
    cumulative_at_start: Vec<f64>,
}

impl RestrictedMean {
    pub fn new(boundaries: &[f64], hazard: &[f64]) -> RestrictedMean {
        let lengths: Vec<f64> = boundaries.windows(2).map(|w| w[1] - w[0]).collect();
        let mut cumulative_at_start = vec![0.0];
        for (length, lambda) in lengths.iter().zip(hazard) {
            let last = cumulative_at_start[cumulative_at_start.len() - 1];
            cumulative_at_start.push(last + lambda * length);
        }
        RestrictedMean {
            lengths,
            hazard: hazard.to_vec(),
            cumulative_at_start,
        }
    }

    /// RMST_H for linear predictor `eta` = x_iᵀβ̂ + a.
    pub fn rmst(&self, eta: f64) -> f64 {
        let c = eta.exp();
        let mut total = 0.0;
        for j in 0..self.lengths.len() {
            let survival_at_start = (-c * self.cumulative_at_start[j]).exp();
            let rate = c * self.hazard[j];
            total += if rate == 0.0 {
                survival_at_start * self.lengths[j]
            } else {
                survival_at_start * -(-rate * self.lengths[j]).exp_m1() / rate
            };
        }
        total
    }

    /// ∂RMST_H/∂a at linear predictor `eta`.
    pub fn rmst_slope(&self, eta: f64) -> f64 {
        let c = eta.exp();
        let mut total = 0.0;
        for j in 0..self.lengths.len() {
            let u_start = c * self.cumulative_at_start[j];
            let delta = c * self.hazard[j] * self.lengths[j];
            let (mean_survival_ratio, curvature) = if delta == 0.0 {
                (1.0, 0.0)
            } else {
                (-(-delta).exp_m1() / delta, expm1_ratio_minus_exp(delta))
            };
            total -=
                self.lengths[j] * (-u_start).exp() * (u_start * mean_survival_ratio + curvature);
        }
        total
    }

    /// S(t) = exp(−exp(eta) Λ̂_0(t)) for t in [0, H].
    pub fn survival(&self, eta: f64, t: f64) -> f64 {
        let mut start = 0.0;
        for j in 0..self.lengths.len() {
            let end = start + self.lengths[j];
            if t <= end || j + 1 == self.lengths.len() {
                let cumulative =
                    self.cumulative_at_start[j] + self.hazard[j] * (t.min(end) - start).max(0.0);
                return (-eta.exp() * cumulative).exp();
            }
            start = end;
        }
        1.0
    }
}

/// (1 − e^{−δ})/δ − e^{−δ} for δ > 0, without cancellation for small δ.
///
/// # Formula
/// ```text
/// (1 − e^{−δ})/δ − e^{−δ} = Σ_{m≥2} (−1)^m (m − 1)/m! · δ^{m−1} = δ/2 − δ²/3 + δ³/8 − δ⁴/30 + …
/// ```
/// Below δ = 0.05 the series through m = 12 is exact to rounding (the next term is below
/// 1e-20 of the first); from there on the direct form loses at most about two digits of
/// sixteen to the subtraction.
fn expm1_ratio_minus_exp(delta: f64) -> f64 {
    if delta < 0.05 {
        let mut sum = 0.0;
        let mut power = 1.0; // δ^{m−2}
        let mut factorial = 2.0; // m!
        let mut sign = 1.0;
        for m in 2..=12u32 {
            sum += sign * f64::from(m - 1) / factorial * power;
            power *= delta;
            factorial *= f64::from(m + 1);
            sign = -sign;
        }
        delta * sum
    } else {
        -(-delta).exp_m1() / delta - (-delta).exp()
    }
}

/// Stars of the seed's convention: p < 0.05 `***`, p < 0.10 `**`, p < 0.20 `*`.
pub fn stars(p_value: Option<f64>) -> &'static str {
    match p_value {
        Some(p) if p < 0.05 => "***",
        Some(p) if p < 0.10 => "**",
        Some(p) if p < 0.20 => "*",
        _ => "",
    }
}

/// Two-sided normal p-value 2(1 − Φ(|z|)) = erfc(|z|/√2), accurate in the far tail.
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Fits the ranking model to `cohort`.
pub fn fit_ranking(cohort: &Cohort, options: ModelOptions) -> Result<RankingModel, ModelError> {
    fit_ranking_identified(cohort, options, None, &mut |_| {})
}

/// [`fit_ranking`], reporting each Newton iteration to `progress`.
pub fn fit_ranking_with_progress(
    cohort: &Cohort,
    options: ModelOptions,
    progress: &mut dyn FnMut(NewtonProgress),
) -> Result<RankingModel, ModelError> {
    fit_ranking_identified(cohort, options, None, progress)
}

/// [`fit_ranking`] with the α fixed at 0 chosen by the caller (for invariance tests).
#[doc(hidden)]
pub fn fit_ranking_identified(
    cohort: &Cohort,
    options: ModelOptions,
    fixed_municipality: Option<usize>,
    progress: &mut dyn FnMut(NewtonProgress),
) -> Result<RankingModel, ModelError> {
    let design = Design::build(cohort, options)?;
    let stage_one = pwe::fit(
        &design,
        &cohort.municipality,
        &cohort.time_enter,
        &cohort.municipality_names,
        fixed_municipality,
        progress,
    )?;
    let n_municipalities = cohort.n_municipalities();

    let mut spells_of: Vec<Vec<usize>> = vec![Vec::new(); n_municipalities];
    for (i, &k) in cohort.municipality.iter().enumerate() {
        spells_of[k as usize].push(i);
    }
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
    let unranked = (0..n_municipalities)
        .filter(|k| !ranked.contains(k))
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

    let stage_two = stage_two(cohort, &ranked, &spells_of, &stage_one)?;
    let restricted_mean = RestrictedMean::new(&design.boundaries, &stage_one.hazard);
    let mut rows: Vec<RankedMunicipality> = ranked
        .iter()
        .enumerate()
        .map(|(r, &k)| {
            let spells = &spells_of[k];
            let predictors: Vec<f64> = spells
                .iter()
                .map(|&i| design.linear_predictor(i, &stage_one.beta))
                .collect();
            let mean = |f: &dyn Fn(f64) -> f64| {
                predictors.iter().map(|&eta| f(eta)).sum::<f64>() / spells.len() as f64
            };
            let alpha = stage_one.alpha[k];
            let fitted = stage_two.fitted[r];
            let observed_months = mean(&|eta| restricted_mean.rmst(eta + alpha));
            let expected_months = mean(&|eta| restricted_mean.rmst(eta + fitted));
            let residual_variance = stage_two.residual_variance[r];
            let p_value = (residual_variance > 0.0)
                .then(|| two_sided_p(stage_two.residual[r] / residual_variance.sqrt()));
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
                spells: spells.len(),
                completed_share: completed_share(k),
                observed_slope: mean(&|eta| restricted_mean.rmst_slope(eta + alpha)),
                fitted_effect: fitted,
            }
        })
        .collect();
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
        r_squared_municipal: stage_two.r_squared,
        ranking: rows,
        national,
        unranked,
        pooled_levels,
        dropped_covariates: design.dropped_covariates.clone(),
        municipalities_without_events,
        design,
    })
}

/// Stage 2 over the ranked set R, in the order of `ranked`.
struct StageTwo {
    terms: Vec<String>,
    coefficients: Vec<f64>,
    /// [1, m_k] γ̂ per k in R.
    fitted: Vec<f64>,
    /// û_k = α̂_k − [1, m_k] γ̂.
    residual: Vec<f64>,
    /// Var(û)_kk = ((I − P) Σ_R (I − P)ᵀ)_kk.
    residual_variance: Vec<f64>,
    r_squared: Option<f64>,
}

/// Weighted least squares of α̂_k on Z = [1, m_k] with weights n_k, and Var(û).
///
/// # Formula
/// ```text
/// γ̂ = (ZᵀWZ)⁻¹ ZᵀW α̂,   P = Z (ZᵀWZ)⁻¹ ZᵀW,   û = (I − P) α̂
/// R² = 1 − Σ n_k û_k² / Σ n_k (α̂_k − ᾱ)²,   ᾱ = Σ n_k α̂_k / Σ n_k
/// Var(û) = (I − P) Σ_R (I − P)ᵀ
/// ```
/// W = diag(n_k), Σ_R the α-block of the stage-1 inverse information. (I − P) removes any
/// common shift of α, so Var(û) does not depend on how α is identified.
fn stage_two(
    cohort: &Cohort,
    ranked: &[usize],
    spells_of: &[Vec<usize>],
    stage_one: &StageOneFit,
) -> Result<StageTwo, ModelError> {
    let n_ranked = ranked.len();
    let mut terms = vec!["(intercept)".to_owned()];
    let mut columns: Vec<Vec<f64>> = vec![vec![1.0; n_ranked]];
    for covariate in &cohort.municipal {
        match &covariate.values {
            CovariateValues::Numeric(values) => {
                terms.push(covariate.name.clone());
                columns.push(ranked.iter().map(|&k| values[k]).collect());
            }
            CovariateValues::Categorical { levels, codes } => {
                // Reference: the level of most ranked municipalities (ties: first in level order).
                let mut counts = vec![0usize; levels.len()];
                for &k in ranked {
                    counts[codes[k] as usize] += 1;
                }
                let reference =
                    (0..levels.len())
                        .fold(0, |best, l| if counts[l] > counts[best] { l } else { best });
                for (level, name) in levels.iter().enumerate() {
                    if level != reference && counts[level] > 0 {
                        terms.push(format!("{}={name}", covariate.name));
                        columns.push(
                            ranked
                                .iter()
                                .map(|&k| f64::from(u8::from(codes[k] as usize == level)))
                                .collect(),
                        );
                    }
                }
            }
        }
    }
    if n_ranked == 0 {
        return Ok(StageTwo {
            terms,
            coefficients: Vec::new(),
            fitted: Vec::new(),
            residual: Vec::new(),
            residual_variance: Vec::new(),
            r_squared: None,
        });
    }
    let n_columns = columns.len();
    let weights: Vec<f64> = ranked.iter().map(|&k| spells_of[k].len() as f64).collect();
    let alpha: Vec<f64> = ranked.iter().map(|&k| stage_one.alpha[k]).collect();

    let mut normal = Matrix::zeros(n_columns);
    let mut right = vec![0.0; n_columns];
    for a in 0..n_columns {
        for b in 0..=a {
            let value: f64 = (0..n_ranked)
                .map(|r| weights[r] * columns[a][r] * columns[b][r])
                .sum();
            normal.set(a, b, value);
        }
        right[a] = (0..n_ranked)
            .map(|r| weights[r] * columns[a][r] * alpha[r])
            .sum();
    }
    normal.symmetrize_from_lower();
    let singular = |index: usize| {
        let column = terms[index]
            .split('=')
            .next()
            .unwrap_or_default()
            .to_owned();
        ModelError::StageTwoSingular { column, n_ranked }
    };
    let cholesky = Cholesky::factor(&normal).map_err(|pivot| singular(pivot.index))?;
    if n_ranked <= n_columns {
        // A perfect fit leaves no residual variation to rank on.
        return Err(singular(n_columns - 1));
    }
    let coefficients = cholesky.solve(&right);
    let fitted: Vec<f64> = (0..n_ranked)
        .map(|r| {
            (0..n_columns)
                .map(|c| columns[c][r] * coefficients[c])
                .sum()
        })
        .collect();
    let residual: Vec<f64> = alpha.iter().zip(&fitted).map(|(a, f)| a - f).collect();

    let total_weight: f64 = weights.iter().sum();
    let alpha_mean = weights.iter().zip(&alpha).map(|(w, a)| w * a).sum::<f64>() / total_weight;
    let total_ss: f64 = weights
        .iter()
        .zip(&alpha)
        .map(|(w, a)| w * (a - alpha_mean).powi(2))
        .sum();
    let residual_ss: f64 = weights.iter().zip(&residual).map(|(w, u)| w * u * u).sum();
    let r_squared = if total_ss == 0.0 {
        None
    } else if n_columns == 1 {
        Some(0.0)
    } else {
        Some(1.0 - residual_ss / total_ss)
    };

    // M = I − P with P = Z (ZᵀWZ)⁻¹ ZᵀW: column s of P is Z (ZᵀWZ)⁻¹ z_s w_s.
    let mut residual_maker = vec![0.0; n_ranked * n_ranked];
    for s in 0..n_ranked {
        let z_s: Vec<f64> = (0..n_columns).map(|c| columns[c][s] * weights[s]).collect();
        let solved = cholesky.solve(&z_s);
        for r in 0..n_ranked {
            let p_rs: f64 = (0..n_columns).map(|c| columns[c][r] * solved[c]).sum();
            residual_maker[r * n_ranked + s] = f64::from(u8::from(r == s)) - p_rs;
        }
    }
    // Var(û)_rr = Σ_{s,t} M_rs Σ_st M_rt.
    let sigma = |s: usize, t: usize| stage_one.alpha_covariance.get(ranked[s], ranked[t]);
    let residual_variance = (0..n_ranked)
        .map(|r| {
            let row = &residual_maker[r * n_ranked..(r + 1) * n_ranked];
            let mut total = 0.0;
            for s in 0..n_ranked {
                if row[s] == 0.0 {
                    continue;
                }
                let inner: f64 = (0..n_ranked).map(|t| sigma(s, t) * row[t]).sum();
                total += row[s] * inner;
            }
            total
        })
        .collect();
    Ok(StageTwo {
        terms,
        coefficients,
        fitted,
        residual,
        residual_variance,
        r_squared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several pieces, a piece with λ = 0 and H = 10.5 not a multiple of w = 3.
    fn restricted_mean() -> RestrictedMean {
        RestrictedMean::new(&[0.0, 3.0, 6.0, 9.0, 10.5], &[0.02, 0.0, 0.05, 0.3])
    }

    /// ∂RMST/∂a equals a central finite difference of RMST over a range of linear
    /// predictors x_iᵀβ̂ and municipality effects a, from c·λ_j·L_j ≈ 1e-6 (where the
    /// piece terms nearly cancel) to c ≈ e⁴ (where S falls to 0 inside the first piece).
    #[test]
    fn slope_matches_finite_differences() {
        let restricted_mean = restricted_mean();
        for x_beta in [-12.0, -6.0, -2.5, -1.0, 0.0, 0.7, 2.0] {
            for a in [-3.0, -0.4, 0.0, 0.9, 2.0] {
                let eta: f64 = x_beta + a;
                let step = 1e-5;
                let numeric = (restricted_mean.rmst(eta + step) - restricted_mean.rmst(eta - step))
                    / (2.0 * step);
                let analytic = restricted_mean.rmst_slope(eta);
                assert!(
                    analytic <= 0.0,
                    "RMST decreases in a: {analytic} at η = {eta}"
                );
                // The finite difference itself carries rounding of about ε·RMST/step ≈ 1e-10
                // months, which dominates where the slope is tiny (c ≈ e⁻¹⁵).
                assert!(
                    (numeric - analytic).abs() <= 1e-7 * analytic.abs() + 1e-9,
                    "η = {eta}: analytic {analytic} vs finite difference {numeric}"
                );
            }
        }
    }

    /// ∂RMST/∂a equals −∫_0^H c Λ̂_0(t) S(t) dt by composite Simpson quadrature on a grid
    /// that holds every piece boundary (the integrand is smooth within a piece).
    #[test]
    fn slope_matches_quadrature() {
        let restricted_mean = restricted_mean();
        let boundaries = [0.0, 3.0, 6.0, 9.0, 10.5];
        for eta in [-9.0_f64, -2.0, 0.0, 1.5, 3.0] {
            let c = eta.exp();
            let integrand = |t: f64| {
                let survival = restricted_mean.survival(eta, t);
                // S = exp(−c Λ̂_0), so c Λ̂_0 = −ln S.
                -(-survival.ln()) * survival * if c > 0.0 { 1.0 } else { 0.0 }
            };
            let mut integral = 0.0;
            for piece in boundaries.windows(2) {
                let n_intervals = 2000;
                let h = (piece[1] - piece[0]) / n_intervals as f64;
                let mut sum = integrand(piece[0]) + integrand(piece[1]);
                for m in 1..n_intervals {
                    let weight = if m % 2 == 1 { 4.0 } else { 2.0 };
                    sum += weight * integrand(piece[0] + m as f64 * h);
                }
                integral += sum * h / 3.0;
            }
            let analytic = restricted_mean.rmst_slope(eta);
            assert!(
                (integral - analytic).abs() <= 1e-10 * analytic.abs().max(1e-6),
                "η = {eta}: analytic {analytic} vs quadrature {integral}"
            );
        }
    }

    /// The series branch and the direct branch of (1 − e^{−δ})/δ − e^{−δ} meet at 0.05.
    #[test]
    fn curvature_term_is_continuous_at_the_switch() {
        let below = expm1_ratio_minus_exp(0.05 * (1.0 - 1e-15));
        let above = expm1_ratio_minus_exp(0.05 * (1.0 + 1e-15));
        assert!((below - above).abs() <= 1e-14 * above, "{below} vs {above}");
        // δ/2 − δ²/3 + δ³/8: the rest is below 1e-30.
        let tiny = 1e-8;
        let series = tiny / 2.0 - tiny * tiny / 3.0 + tiny * tiny * tiny / 8.0;
        assert!((expm1_ratio_minus_exp(tiny) - series).abs() <= 1e-24);
    }
}
