//! Stage 2: weighted least squares of the municipality effects on municipal characteristics
//! over the ranked set R, R² and Var(û) (MODEL.md §4, §6).

use super::error::ModelError;
use super::residual_variance::ResidualVariance;
use super::stage_one::StageOneFit;
use crate::cohort::{Cohort, CovariateValues};
use crate::numeric::index_of_first_maximum;
use crate::numeric::linalg::{Cholesky, Matrix};

/// Stage 2 over the ranked set R, in the order of `ranked`.
pub(super) struct StageTwo {
    pub(super) terms: Vec<String>,
    pub(super) coefficients: Vec<f64>,
    /// [1, m_k] γ̂ per k in R.
    pub(super) fitted: Vec<f64>,
    /// û_k = α̂_k − [1, m_k] γ̂.
    pub(super) residual: Vec<f64>,
    /// Var(û)_kk = ((I − P) Σ_R (I − P)ᵀ)_kk.
    pub(super) residual_variance: Vec<f64>,
    /// (Σ_R)_kk, for the rule that counts Var(û)_kk ≤ 1e-10·(Σ_R)_kk as 0 (MODEL.md §6).
    pub(super) alpha_variance: Vec<f64>,
    /// Var(û) = M Σ_R Mᵀ with M = I − P: dense up to `DENSE_RANKED_LIMIT` ranked, else
    /// structured.
    pub(super) variance: ResidualVariance,
    /// A = (ZᵀWZ)⁻¹ZᵀW (γ̂ = A α̂), one row per stage-2 column, |R| wide.
    pub(super) projection: Vec<Vec<f64>>,
    pub(super) r_squared: Option<f64>,
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
///
/// Var(û) is kept dense up to `dense_limit` ranked municipalities (`DENSE_RANKED_LIMIT`, but
/// in tests of both forms), structured beyond (`residual_variance`).
pub(super) fn stage_two(
    cohort: &Cohort,
    ranked: &[usize],
    spells_of: &[Vec<usize>],
    stage_one: &StageOneFit,
    dense_limit: usize,
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
                let reference = index_of_first_maximum(&counts);
                // One level among R would leave the column out silently (MODEL.md §4: an
                // error naming the column).
                if n_ranked > 0 && counts.iter().filter(|&&c| c > 0).count() < 2 {
                    return Err(ModelError::StageTwoConstant {
                        column: covariate.name.clone(),
                        level: levels[reference].clone(),
                        n_ranked,
                    });
                }
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
            alpha_variance: Vec::new(),
            variance: ResidualVariance::Dense {
                n_ranked: 0,
                residual_maker: Vec::new(),
                sigma: Vec::new(),
            },
            projection: Vec::new(),
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
    if n_ranked <= n_columns {
        // A perfect fit leaves no residual variation to rank on.
        return Err(ModelError::TooFewRanked {
            n_ranked,
            needed: n_columns + 1,
        });
    }
    let cholesky = Cholesky::factor(&normal).map_err(|pivot| singular(pivot.index))?;
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

    // M = I − P with P = Z (ZᵀWZ)⁻¹ ZᵀW: column s of P is Z (ZᵀWZ)⁻¹ z_s w_s, and
    // (ZᵀWZ)⁻¹ z_s w_s is column s of A.
    let mut projection = vec![vec![0.0; n_ranked]; n_columns];
    for s in 0..n_ranked {
        let z_s: Vec<f64> = (0..n_columns).map(|c| columns[c][s] * weights[s]).collect();
        let solved = cholesky.solve(&z_s);
        for (c, value) in solved.iter().enumerate() {
            projection[c][s] = *value;
        }
    }
    let residual_maker = || {
        let mut residual_maker = vec![0.0; n_ranked * n_ranked];
        for s in 0..n_ranked {
            let solved: Vec<f64> = projection.iter().map(|row| row[s]).collect();
            residual_maker_column(&columns, &solved, s, &mut residual_maker);
        }
        residual_maker
    };
    let variance = ResidualVariance::new(
        &stage_one.alpha_covariance,
        ranked,
        (&columns, &projection),
        residual_maker,
        dense_limit,
    );
    let sigma = |s: usize, t: usize| stage_one.alpha_covariance.get(ranked[s], ranked[t]);
    Ok(StageTwo {
        terms,
        coefficients,
        fitted,
        residual,
        residual_variance: variance.diagonal(),
        alpha_variance: (0..n_ranked).map(|r| sigma(r, r)).collect(),
        variance,
        projection,
        r_squared,
    })
}

/// Column s of M = I − P: M_rs = [r = s] − Σ_c z_rc `solved`_c, into the row-major
/// `residual_maker` (never inlined, called per ranked municipality: ARCHITECTURE.md, "Hot
/// loops in the browser").
#[inline(never)]
fn residual_maker_column(
    columns: &[Vec<f64>],
    solved: &[f64],
    s: usize,
    residual_maker: &mut [f64],
) {
    let n_ranked = columns.first().map_or(0, Vec::len);
    for r in 0..n_ranked {
        let p_rs: f64 = (0..columns.len()).map(|c| columns[c][r] * solved[c]).sum();
        residual_maker[r * n_ranked + s] = f64::from(u8::from(r == s)) - p_rs;
    }
}
