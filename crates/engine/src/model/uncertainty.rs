//! The uncertainty of the ranking: the effect's SE (MODEL.md §7) and §8: intervals mapped
//! through the model, Benjamini–Hochberg q-values, the explained share, τ̂² and empirical-Bayes
//! shrinkage, and rank intervals from seeded draws.
//!
//! # Formula
//! For k in R, s_k = √Var(û)_kk and
//!
//! ```text
//! g_k(u) = mean_{i in k} RMST_H(x_iᵀβ̂ + [1, m_k]γ̂ + u) − expected_k      (decreasing, g_k(0) = 0)
//! effect_interval_k = [g_k(û_k + 1.96 s_k), g_k(û_k − 1.96 s_k)]
//! q_(i) = min_{j ≥ i} p_(j) m / j                                         (at most 1)
//! explained_share = 1 − Var_R(effect) / Var_R(observed)                   (unweighted)
//! τ̂² = argmax_{τ² ≥ 0} Σ_k [−½ log(a_k τ² + s_k²) − û_k² / (2(a_k τ² + s_k²))],
//!       a_k = [(I − P)(I − P)ᵀ]_kk
//! shrunken_k = g_k(B_k û_k),  B_k = a_k τ̂² / (a_k τ̂² + s_k²)
//! rank draws: u* = û + L ε, ε ~ N(0, I), L Lᵀ = Var(û) (Cholesky, semi-definite)
//! ```
//!
//! The draws need g_k at D points per municipality. g_k depends on u only through each
//! spell's linear predictor, so it is interpolated: RMST_H(η) is tabulated once on a fine
//! grid (cubic Hermite with the exact slope, `RmstTable`), and g_k is represented on the
//! span of its draws by a Chebyshev interpolant whose degree doubles until its last
//! coefficients fall below 1e-9 months (`Chebyshev`). The cost is then a few passes over
//! the spells, not D.
//!
//! # References
//! - Y. Benjamini, Y. Hochberg (1995), "Controlling the false discovery rate", JRSS B 57.
//! - D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
//!   Statistics in Medicine 24 (the additive random-effects overdispersion).
//! - H. Goldstein, D. J. Spiegelhalter (1996), "League tables and their limitations", JRSS A
//!   159 (intervals for ranks by simulation).
//! - L. N. Trefethen (2019), "Approximation Theory and Approximation Practice" (Chebyshev
//!   interpolation at Chebyshev–Lobatto points).

use super::intervals::Z_95;
use super::residual_variance::{dense_variance, ResidualVariance, StructuredVariance};
use super::rmst::{two_sided_p, RestrictedMean};
use crate::numeric::rng::Rng;

/// How many seeded draws rank the municipalities, and the seed (MODEL.md §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankDrawOptions {
    /// D; 0 means no rank intervals.
    pub rank_draws: usize,
    pub seed: u64,
}

impl Default for RankDrawOptions {
    fn default() -> RankDrawOptions {
        RankDrawOptions {
            rank_draws: 1000,
            seed: 1,
        }
    }
}

/// What §8 needs of one ranked municipality (in stage 2's order of R).
#[derive(Clone, Copy, Debug)]
pub struct RankedInput<'a> {
    pub name: &'a str,
    /// û_k.
    pub residual: f64,
    /// Var(û)_kk; `None` where MODEL.md §6 counts it as 0 (≤ 1e-10·(Σ_R)_kk).
    pub residual_variance: Option<f64>,
    pub observed_months: f64,
    pub expected_months: f64,
    pub effect_months: f64,
    /// ∂observed_k/∂a at a = α̂_k.
    pub observed_slope: f64,
    /// [1, m_k]γ̂.
    pub fitted_effect: f64,
    /// x_iᵀβ̂ of each of k's spells, in the order `expected_months` summed them.
    pub predictors: &'a [f64],
}

/// The §7–§8 fields of one ranked municipality; `None` as MODEL.md §6 and §8 say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowUncertainty {
    pub effect_se_months: Option<f64>,
    pub effect_interval_months: Option<[f64; 2]>,
    pub q_value: Option<f64>,
    pub shrunken_effect_months: Option<f64>,
    pub shrunken_rank: Option<usize>,
    pub rank_interval: Option<[usize; 2]>,
}

/// §8 for the whole ranking.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RankingUncertainty {
    /// In the order of the input.
    pub rows: Vec<RowUncertainty>,
    pub explained_share: Option<f64>,
    pub tau_squared: Option<f64>,
}

/// g_k(u) = mean_i RMST_H(x_iᵀβ̂ + [1, m_k]γ̂ + u) − expected_k, exactly (the same sum as
/// `expected_months`, so g_k(0) = 0 to the bit).
pub fn mapped_effect(row: &RankedInput<'_>, restricted_mean: &RestrictedMean, u: f64) -> f64 {
    let shift = row.fitted_effect + u;
    let total: f64 = row
        .predictors
        .iter()
        .map(|&eta| restricted_mean.rmst(eta + shift))
        .sum();
    total / row.predictors.len() as f64 - row.expected_months
}

/// g_k(u) from the table's difference mean T(η + f + u) − mean T(η + f), which is 0 at
/// u = 0 exactly and within ~1e-10 months of [`mapped_effect`] elsewhere. Where that could
/// carry the wrong sign (g_k is decreasing with g_k(0) = 0, so its sign is −sign(u)), that is
/// within 1e-6 months of 0, g_k is evaluated exactly: an interval excludes 0 exactly when
/// |z| > 1.96.
fn mapped_from_table(
    row: &RankedInput<'_>,
    restricted_mean: &RestrictedMean,
    tabulated_difference: f64,
    u: f64,
) -> f64 {
    if u == 0.0 {
        0.0
    } else if tabulated_difference.abs() < 1e-6 || tabulated_difference * u >= 0.0 {
        mapped_effect(row, restricted_mean, u)
    } else {
        tabulated_difference
    }
}

/// MODEL.md §7's SE and every §8 field. `residual_maker` is I − P and `sigma` is Σ_R, both
/// |R|×|R| row-major in the order of `rows`.
pub fn rank_uncertainty(
    rows: &[RankedInput<'_>],
    residual_maker: &[f64],
    sigma: &[f64],
    restricted_mean: &RestrictedMean,
    draws: RankDrawOptions,
) -> RankingUncertainty {
    let variance = ResidualVariance::Dense {
        n_ranked: rows.len(),
        residual_maker: residual_maker.to_vec(),
        sigma: sigma.to_vec(),
    };
    rank_uncertainty_of(rows, &variance, restricted_mean, draws)
}

/// [`rank_uncertainty`] with Var(û) in either of its forms (`residual_variance`).
pub fn rank_uncertainty_of(
    rows: &[RankedInput<'_>],
    variance: &ResidualVariance,
    restricted_mean: &RestrictedMean,
    draws: RankDrawOptions,
) -> RankingUncertainty {
    let n = rows.len();
    let sd: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.residual_variance.map(f64::sqrt))
        .collect();
    let p_values: Vec<Option<f64>> = rows
        .iter()
        .zip(&sd)
        .map(|(r, s)| s.map(|s| two_sided_p(r.residual / s)))
        .collect();
    let q_values = benjamini_hochberg(&p_values);
    let explained_share = explained_share(
        &rows.iter().map(|r| r.effect_months).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.observed_months).collect::<Vec<_>>(),
    );
    // a_k = [(I − P)(I − P)ᵀ]_kk = Σ_s M_ks².
    let leverage = variance.leverage();
    let with_variance: Vec<(f64, f64, f64)> = (0..n)
        .filter_map(|k| {
            rows[k]
                .residual_variance
                .map(|v| (rows[k].residual, v, leverage[k]))
        })
        .collect();
    let tau_squared = tau_squared(&with_variance);

    // The draws first: their spans, with the interval ends and the shrunken points, set the
    // range of the one RMST table that every g_k below is evaluated on.
    let draws_by_municipality = (draws.rank_draws > 0 && n > 0).then(|| match variance {
        ResidualVariance::Dense {
            residual_maker,
            sigma,
            ..
        } => draw_residuals(rows, residual_maker, sigma, draws),
        ResidualVariance::Structured(structured) => {
            draw_structured_residuals(rows, structured, draws)
        }
    });
    let shrinkage: Vec<Option<f64>> = (0..n)
        .map(|k| {
            let (s, tau2) = (sd[k]?, tau_squared?);
            let signal = leverage[k] * tau2;
            Some(if signal == 0.0 {
                0.0
            } else {
                signal / (signal + s * s)
            })
        })
        .collect();
    // The points u at which each g_k is wanted outside the draws: 0, the interval's ends and
    // the shrunken residual.
    let points: Vec<[f64; 4]> = (0..n)
        .map(|k| {
            let (u, s) = (rows[k].residual, sd[k].unwrap_or(0.0));
            [
                0.0,
                u + Z_95 * s,
                u - Z_95 * s,
                shrinkage[k].unwrap_or(0.0) * u,
            ]
        })
        .collect();
    let table = {
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for (k, row) in rows.iter().enumerate() {
            let (mut u_low, mut u_high) = points[k]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &u| {
                    (l.min(u), h.max(u))
                });
            if let Some(all) = &draws_by_municipality {
                let n_draws = draws.rank_draws;
                for &u in &all[k * n_draws..(k + 1) * n_draws] {
                    (u_low, u_high) = (u_low.min(u), u_high.max(u));
                }
            }
            for &eta in row.predictors {
                low = low.min(eta + row.fitted_effect + u_low);
                high = high.max(eta + row.fitted_effect + u_high);
            }
        }
        RmstTable::new(restricted_mean, low, high)
    };

    let mut out: Vec<RowUncertainty> = rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let Some(s) = sd[k] else {
                return RowUncertainty::default();
            };
            let [at_zero, at_upper, at_lower, at_shrunken] = table.mean_rmst(row, &points[k]);
            let [_, upper_u, lower_u, shrunken_u] = points[k];
            let mapped = |tabulated: f64, u: f64| {
                mapped_from_table(row, restricted_mean, tabulated - at_zero, u)
            };
            RowUncertainty {
                effect_se_months: Some(row.observed_slope.abs() * s),
                effect_interval_months: Some([
                    mapped(at_upper, upper_u),
                    mapped(at_lower, lower_u),
                ]),
                q_value: q_values[k],
                shrunken_effect_months: shrinkage[k].map(|_| mapped(at_shrunken, shrunken_u)),
                shrunken_rank: None,
                rank_interval: None,
            }
        })
        .collect();

    if tau_squared.is_some_and(|t| t > 0.0) {
        let mut order: Vec<usize> = (0..n)
            .filter(|&k| out[k].shrunken_effect_months.is_some())
            .collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (
                out[a].shrunken_effect_months.unwrap_or(0.0),
                out[b].shrunken_effect_months.unwrap_or(0.0),
            );
            x.total_cmp(&y).then_with(|| rows[a].name.cmp(rows[b].name))
        });
        for (position, &k) in order.iter().enumerate() {
            out[k].shrunken_rank = Some(position + 1);
        }
    }

    if let Some(drawn) = draws_by_municipality {
        let intervals = rank_intervals(rows, drawn, draws.rank_draws, &table);
        for (k, interval) in intervals.into_iter().enumerate() {
            if sd[k].is_some() {
                out[k].rank_interval = Some(interval);
            }
        }
    }
    RankingUncertainty {
        rows: out,
        explained_share,
        tau_squared,
    }
}

/// Benjamini–Hochberg q-values of the p-values present: sort p ascending,
/// q_(i) = min_{j ≥ i} p_(j)·m/j, at most 1 (m = how many p-values).
pub fn benjamini_hochberg(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&k| p_values[k].is_some())
        .collect();
    order.sort_by(|&a, &b| {
        p_values[a]
            .unwrap_or(1.0)
            .total_cmp(&p_values[b].unwrap_or(1.0))
            .then(a.cmp(&b))
    });
    let m = order.len() as f64;
    let mut q = vec![None; p_values.len()];
    let mut running = 1.0_f64;
    for (position, &k) in order.iter().enumerate().rev() {
        let p = p_values[k].unwrap_or(1.0);
        running = running.min(p * m / (position + 1) as f64);
        q[k] = Some(running);
    }
    q
}

/// 1 − Var(effect)/Var(observed), unweighted over R; `None` when |R| < 2 or Var(observed) = 0.
pub fn explained_share(effects: &[f64], observed: &[f64]) -> Option<f64> {
    let variance = |values: &[f64]| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>()
    };
    if effects.len() < 2 {
        return None;
    }
    let observed_variance = variance(observed);
    (observed_variance > 0.0).then(|| 1.0 - variance(effects) / observed_variance)
}

/// τ̂² over (û_k, s_k², a_k): the maximiser over τ² ≥ 0 of
/// Σ [−½ log(a τ² + s²) − û²/(2(a τ² + s²))]; `None` without any municipality.
///
/// The score ½ Σ a (û² − v)/v² (v = a τ² + s²) decides: at most 0 at τ² = 0 gives the
/// boundary 0; else its sign change is bracketed by doubling and bisected to the last bit.
pub fn tau_squared(residual_variance_leverage: &[(f64, f64, f64)]) -> Option<f64> {
    if residual_variance_leverage.is_empty() {
        return None;
    }
    let score = |tau2: f64| twice_tau_squared_score(residual_variance_leverage, tau2);
    if score(0.0) <= 0.0 {
        return Some(0.0);
    }
    let mut low = 0.0;
    let mut high = residual_variance_leverage
        .iter()
        .map(|&(u, _, a)| if a > 0.0 { u * u / a } else { 0.0 })
        .fold(1e-12_f64, f64::max);
    while score(high) > 0.0 {
        low = high;
        high *= 2.0;
        if !high.is_finite() {
            return Some(low);
        }
    }
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if score(middle) > 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(0.5 * (low + high))
}

/// Σ a (û² − v)/v² with v = a τ² + s²: twice the derivative in τ² of the log-likelihood
/// Σ [−½ log v − û²/(2v)] that [`tau_squared`] maximises (its sign decides).
fn twice_tau_squared_score(residual_variance_leverage: &[(f64, f64, f64)], tau2: f64) -> f64 {
    residual_variance_leverage
        .iter()
        .map(|&(u, s2, a)| {
            let v = a * tau2 + s2;
            a * (u * u - v) / (v * v)
        })
        .sum::<f64>()
}

/// The seeded draws u* ~ N(û, Var(û)), stored per municipality (k-major: D draws of the
/// first municipality, then of the second, …).
fn draw_residuals(
    rows: &[RankedInput<'_>],
    residual_maker: &[f64],
    sigma: &[f64],
    options: RankDrawOptions,
) -> Vec<f64> {
    let n = rows.len();
    let n_draws = options.rank_draws;
    // u* = û + L ε with L the Cholesky factor of Var(û) = M Σ_R Mᵀ itself: a square root
    // that depends only on Var(û), which is free of how α is identified, so the draws are too
    // (a factor of Σ_R, or eigenvectors with their arbitrary signs, would not be).
    let variance = dense_variance(residual_maker, sigma, n);
    let factor = semidefinite_cholesky(&variance, n);
    let mut rng = Rng::new(options.seed);
    // Draws stored per municipality (k-major), as the interpolation reads them.
    let mut draws = vec![0.0; n * n_draws];
    let mut noise = vec![0.0; n];
    for d in (0..n_draws).filter(|_| n > 0) {
        add_draw(
            rows,
            &factor,
            &mut rng,
            &mut noise,
            &mut draws[d..],
            n_draws,
        );
    }
    draws
}

/// [`draw_residuals`] for Var(û) in structured form (`residual_variance`): the same
/// distribution, O(|R| (c + q)) per draw instead of a Cholesky factor of O(|R|³).
fn draw_structured_residuals(
    rows: &[RankedInput<'_>],
    variance: &StructuredVariance,
    options: RankDrawOptions,
) -> Vec<f64> {
    let n = rows.len();
    let n_draws = options.rank_draws;
    let mut rng = Rng::new(options.seed);
    let mut draws = vec![0.0; n * n_draws];
    let mut eta = vec![0.0; variance.root_width()];
    let mut noise = vec![0.0; n];
    for d in 0..n_draws {
        variance.draw(&mut rng, &mut eta, &mut noise);
        for (k, offset) in noise.iter().enumerate() {
            draws[k * n_draws + d] = rows[k].residual + offset;
        }
    }
    draws
}

/// One draw u* = û + L ε into `draws`[k·`stride`] for each k (the draw's column of the
/// k-major table).
#[inline(never)]
fn add_draw(
    rows: &[RankedInput<'_>],
    factor: &[f64],
    rng: &mut Rng,
    noise: &mut [f64],
    draws: &mut [f64],
    stride: usize,
) {
    let n = rows.len();
    for value in noise.iter_mut() {
        *value = rng.normal();
    }
    for k in 0..n {
        let offset: f64 = factor[k * n..(k + 1) * n]
            .iter()
            .zip(noise.iter())
            .map(|(f, e)| f * e)
            .sum();
        draws[k * stride] = rows[k].residual + offset;
    }
}

/// [lo, hi] of each municipality's rank over the seeded draws (the ⌈0.025·D⌉-th and
/// ⌈0.975·D⌉-th smallest), in the order of `rows`.
fn rank_intervals(
    rows: &[RankedInput<'_>],
    draws: Vec<f64>,
    n_draws: usize,
    table: &RmstTable<'_>,
) -> Vec<[usize; 2]> {
    let n = rows.len();
    // effect*_k = g_k(u*_k), through the RMST table and a Chebyshev interpolant per k on
    // k's span of draws [min, max], written over the draws (with thousands of ranked
    // municipalities the draws are the largest array of the analysis).
    let mut effects = draws;
    for (k, row) in rows.iter().enumerate() {
        let own = &mut effects[k * n_draws..(k + 1) * n_draws];
        let (u_low, u_high) = own
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &u| {
                (l.min(u), h.max(u))
            });
        let tabulated = |u: f64| {
            let shift = row.fitted_effect + u;
            row.predictors
                .iter()
                .map(|&eta| table.rmst(eta + shift))
                .sum::<f64>()
                / row.predictors.len() as f64
                - row.expected_months
        };
        let interpolant = (u_high - u_low > 1e-12 * u_low.abs().max(1.0))
            .then(|| Chebyshev::fit(u_low, u_high, &tabulated, CHEBYSHEV_TAIL_MONTHS))
            .flatten();
        match interpolant {
            Some(chebyshev) => {
                for u in own.iter_mut() {
                    *u = chebyshev.evaluate(*u);
                }
            }
            None if u_high - u_low <= 1e-12 * u_low.abs().max(1.0) => {
                let value = mapped_effect(row, table.restricted_mean, u_low);
                own.iter_mut().for_each(|e| *e = value);
            }
            None => {
                for u in own.iter_mut() {
                    *u = tabulated(*u);
                }
            }
        }
    }

    // Rank every draw like the table: ascending effect, ties by name.
    let mut by_name: Vec<usize> = (0..n).collect();
    by_name.sort_by(|&a, &b| rows[a].name.cmp(rows[b].name));
    let mut name_position = vec![0; n];
    for (position, &k) in by_name.iter().enumerate() {
        name_position[k] = position;
    }
    let mut ranks = vec![0u32; n * n_draws];
    let mut order: Vec<usize> = (0..n).collect();
    for d in 0..n_draws {
        order.sort_by(|&a, &b| {
            effects[a * n_draws + d]
                .total_cmp(&effects[b * n_draws + d])
                .then(name_position[a].cmp(&name_position[b]))
        });
        for (position, &k) in order.iter().enumerate() {
            ranks[k * n_draws + d] = position as u32 + 1;
        }
    }
    let low_index = (0.025 * n_draws as f64).ceil().max(1.0) as usize - 1;
    let high_index = (0.975 * n_draws as f64).ceil().max(1.0) as usize - 1;
    (0..n)
        .map(|k| {
            let own = &mut ranks[k * n_draws..(k + 1) * n_draws];
            own.sort_unstable();
            [own[low_index] as usize, own[high_index] as usize]
        })
        .collect()
}

/// The lower-triangular L with V = L Lᵀ for a symmetric positive semi-definite V (n×n,
/// row-major): a pivot at or below 1e-13 of its diagonal gives a zero column instead of a
/// failure. Var(û) has such pivots by construction: (I − P) removes the span of the stage-2
/// design, so its rank is |R| minus the number of stage-2 columns; in exact arithmetic those
/// pivots are 0, computed they are rounding.
fn semidefinite_cholesky(sigma: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        cholesky_column(sigma, n, j, &mut l);
    }
    l
}

/// Column j of [`semidefinite_cholesky`]'s L, from its columns before j (a function of its
/// own, never inlined: ARCHITECTURE.md, "Hot loops in the browser").
#[inline(never)]
fn cholesky_column(sigma: &[f64], n: usize, j: usize, l: &mut [f64]) {
    let diagonal = sigma[j * n + j] - (0..j).map(|m| l[j * n + m] * l[j * n + m]).sum::<f64>();
    if diagonal <= 1e-13 * sigma[j * n + j].abs() || diagonal <= 0.0 {
        return;
    }
    let pivot = diagonal.sqrt();
    l[j * n + j] = pivot;
    for i in j + 1..n {
        let dot: f64 = (0..j).map(|m| l[i * n + m] * l[j * n + m]).sum();
        l[i * n + j] = (sigma[i * n + j] - dot) / pivot;
    }
}

/// The Chebyshev tail below which an interpolant of g_k is accepted, in months (the draws
/// need g_k to 1e-6 months; the neglected coefficients bound the error).
const CHEBYSHEV_TAIL_MONTHS: f64 = 1e-9;

/// RMST_H(η) tabulated on a grid of step 1/256 by cubic Hermite interpolation with the exact
/// slope (error ≤ h⁴/384·max|RMST⁗| < 1e-10 months); exact outside the grid.
struct RmstTable<'a> {
    restricted_mean: &'a RestrictedMean,
    start: f64,
    values: Vec<f64>,
    slopes: Vec<f64>,
}

const TABLE_STEP: f64 = 1.0 / 256.0;
/// Beyond |η| = 40, exp(η) is below 1e-17 or above 1e17: the grid stops and RMST is exact.
const TABLE_LIMIT: f64 = 40.0;

impl<'a> RmstTable<'a> {
    fn new(restricted_mean: &'a RestrictedMean, low: f64, high: f64) -> RmstTable<'a> {
        let start = (low.max(-TABLE_LIMIT) / TABLE_STEP).floor() * TABLE_STEP;
        let end = high.min(TABLE_LIMIT);
        let n_nodes = if end > start {
            ((end - start) / TABLE_STEP).ceil() as usize + 2
        } else {
            0
        };
        let (values, slopes) = (0..n_nodes)
            .map(|j| restricted_mean.rmst_and_slope(start + j as f64 * TABLE_STEP))
            .unzip();
        RmstTable {
            restricted_mean,
            start,
            values,
            slopes,
        }
    }

    /// mean_i RMST_H(η_i + [1, m_k]γ̂ + u) over k's spells at each of the four `points` u,
    /// in one pass (never inlined: ARCHITECTURE.md, "Hot loops in the browser").
    #[inline(never)]
    fn mean_rmst(&self, row: &RankedInput<'_>, points: &[f64; 4]) -> [f64; 4] {
        let mut totals = [0.0; 4];
        for &eta in row.predictors {
            let at = eta + row.fitted_effect;
            for (total, &u) in totals.iter_mut().zip(points) {
                *total += self.rmst(at + u);
            }
        }
        totals.map(|t| t / row.predictors.len() as f64)
    }

    fn rmst(&self, eta: f64) -> f64 {
        let position = (eta - self.start) / TABLE_STEP;
        if !(position >= 0.0 && position < (self.values.len().max(1) - 1) as f64) {
            return self.restricted_mean.rmst(eta);
        }
        let j = position as usize;
        let t = position - j as f64;
        let (v0, v1) = (self.values[j], self.values[j + 1]);
        let (m0, m1) = (self.slopes[j] * TABLE_STEP, self.slopes[j + 1] * TABLE_STEP);
        let one_minus = 1.0 - t;
        (1.0 + 2.0 * t) * one_minus * one_minus * v0
            + t * one_minus * one_minus * m0
            + t * t * (3.0 - 2.0 * t) * v1
            - t * t * one_minus * m1
    }
}

/// A Chebyshev interpolant on [low, high] at Chebyshev–Lobatto points.
struct Chebyshev {
    middle: f64,
    half_width: f64,
    coefficients: Vec<f64>,
}

impl Chebyshev {
    /// Interpolates `f` with 9, 17, 33, … points (nested, so each doubling reuses the values)
    /// until the last two coefficients sum below `tail`; `None` past 257 points.
    fn fit(low: f64, high: f64, f: &dyn Fn(f64) -> f64, tail: f64) -> Option<Chebyshev> {
        let middle = 0.5 * (low + high);
        let half_width = 0.5 * (high - low);
        let at = |j: usize, n: usize| {
            middle + half_width * (std::f64::consts::PI * j as f64 / n as f64).cos()
        };
        let mut n = 8;
        let mut values: Vec<f64> = (0..=n).map(|j| f(at(j, n))).collect();
        loop {
            let coefficients = chebyshev_coefficients(&values);
            if coefficients[n].abs() + coefficients[n - 1].abs() <= tail {
                return Some(Chebyshev {
                    middle,
                    half_width,
                    coefficients,
                });
            }
            if n >= 256 {
                return None;
            }
            let doubled = 2 * n;
            values = (0..=doubled)
                .map(|j| {
                    if j % 2 == 0 {
                        values[j / 2]
                    } else {
                        f(at(j, doubled))
                    }
                })
                .collect();
            n = doubled;
        }
    }

    /// Clenshaw's recurrence.
    fn evaluate(&self, u: f64) -> f64 {
        let x = ((u - self.middle) / self.half_width).clamp(-1.0, 1.0);
        let (mut b1, mut b2) = (0.0, 0.0);
        for &c in self.coefficients.iter().skip(1).rev() {
            let b0 = 2.0 * x * b1 - b2 + c;
            b2 = b1;
            b1 = b0;
        }
        x * b1 - b2 + self.coefficients[0]
    }
}

/// Coefficients c_0..c_n of the interpolant Σ c_m T_m through values at x_j = cos(πj/n).
fn chebyshev_coefficients(values: &[f64]) -> Vec<f64> {
    let n = values.len() - 1;
    (0..=n)
        .map(|m| {
            let sum: f64 = (0..=n)
                .map(|j| {
                    let weight = if j == 0 || j == n { 0.5 } else { 1.0 };
                    weight
                        * values[j]
                        * (std::f64::consts::PI * (m * j % (2 * n)) as f64 / n as f64).cos()
                })
                .sum();
            let scale = if m == 0 || m == n { 1.0 } else { 2.0 };
            scale * sum / n as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// τ̂²'s score is the derivative of its log-likelihood: against a central finite
    /// difference at τ² from 0 to well past the data's scale, on residuals, variances and
    /// leverages of different sizes; and at the τ̂² found, the log-likelihood is at its maximum.
    #[test]
    fn the_tau_squared_score_matches_finite_differences() {
        let data = [
            (0.31, 0.010, 0.97),
            (-0.52, 0.040, 0.91),
            (0.08, 0.002, 0.99),
            (-0.12, 0.020, 0.85),
            (0.44, 0.090, 0.95),
            (-0.27, 0.005, 0.60),
        ];
        let log_likelihood = |tau2: f64| -> f64 {
            data.iter()
                .map(|&(u, s2, a)| {
                    let v = a * tau2 + s2;
                    -0.5 * v.ln() - u * u / (2.0 * v)
                })
                .sum()
        };
        for tau2 in [0.0f64, 1e-4, 0.003, 0.02, 0.07, 0.4, 2.0] {
            let step = 1e-6 * tau2.max(1e-3);
            let numeric = (log_likelihood(tau2 + step) - log_likelihood((tau2 - step).max(0.0)))
                / (tau2 + step - (tau2 - step).max(0.0));
            let analytic = 0.5 * twice_tau_squared_score(&data, tau2);
            assert!(
                (numeric - analytic).abs() <= 1e-6 * analytic.abs().max(1.0),
                "τ² = {tau2}: analytic {analytic} vs finite difference {numeric}"
            );
        }
        let found = tau_squared(&data).expect("data");
        assert!(found > 0.0, "these residuals exceed their noise");
        for other in [
            found * 0.9,
            found * 1.1,
            found + 1e-3,
            (found - 1e-3).max(0.0),
        ] {
            assert!(
                log_likelihood(found) >= log_likelihood(other),
                "τ̂² = {found} against {other}"
            );
        }
    }
}
