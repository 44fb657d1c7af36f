//! Restricted mean survival time under the fitted baseline, its slope in the municipality
//! effect, and the seed's stars and p-values (MODEL.md §4, §6, §7).

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
    ///
    /// One transcendental per piece: S at the start of the next piece is S_j · e^{−δ_j}, and
    /// e^{−δ_j} − 1 is the `expm1` the piece's area needs anyway (this runs several times per
    /// spell). Once S has underflowed the rest adds nothing.
    pub fn rmst(&self, eta: f64) -> f64 {
        let c = eta.exp();
        let mut survival = 1.0;
        let mut total = 0.0;
        for (&length, &hazard) in self.lengths.iter().zip(&self.hazard) {
            let rate = c * hazard;
            if rate == 0.0 {
                total += survival * length;
                continue;
            }
            let decay_minus_one = (-rate * length).exp_m1();
            total += survival * -decay_minus_one / rate;
            survival *= 1.0 + decay_minus_one;
            if survival < f64::MIN_POSITIVE {
                break;
            }
        }
        total
    }

    /// ∂RMST_H/∂a at linear predictor `eta` (the second half of
    /// [`RestrictedMean::rmst_and_slope`], where the formula lives).
    pub fn rmst_slope(&self, eta: f64) -> f64 {
        self.rmst_and_slope(eta).1
    }

    /// (RMST_H, ∂RMST_H/∂a) at linear predictor `eta` in one pass. One `expm1` per piece: S
    /// and u = c Λ̂_0 are carried from piece to piece, and the RMST part performs the same
    /// operations as [`RestrictedMean::rmst`] on the same `expm1`, so it is bit for bit
    /// `rmst` (tested).
    pub fn rmst_and_slope(&self, eta: f64) -> (f64, f64) {
        let c = eta.exp();
        let (mut survival, mut u_start) = (1.0, 0.0);
        let (mut rmst, mut slope) = (0.0, 0.0);
        let mut rmst_done = false;
        for (&length, &hazard) in self.lengths.iter().zip(&self.hazard) {
            let rate = c * hazard;
            let delta = rate * length;
            let (mean_survival_ratio, curvature, decay, decay_minus_one) = if delta == 0.0 {
                (1.0, 0.0, 1.0, None)
            } else {
                let decay_minus_one = (-delta).exp_m1();
                let ratio = -decay_minus_one / delta;
                (
                    ratio,
                    expm1_ratio_minus_exp(delta, ratio, 1.0 + decay_minus_one),
                    1.0 + decay_minus_one,
                    Some(decay_minus_one),
                )
            };
            if !rmst_done {
                if rate == 0.0 {
                    rmst += survival * length;
                } else {
                    // As `rmst`: e^{−rate·length} − 1 is the same `expm1` (−rate·length is
                    // −delta exactly, or underflows to the same 0).
                    let decay_minus_one =
                        decay_minus_one.unwrap_or_else(|| (-rate * length).exp_m1());
                    rmst += survival * -decay_minus_one / rate;
                    if survival * (1.0 + decay_minus_one) < f64::MIN_POSITIVE {
                        rmst_done = true;
                    }
                }
            }
            slope -= length * survival * (u_start * mean_survival_ratio + curvature);
            survival *= decay;
            u_start += delta;
            if survival < f64::MIN_POSITIVE {
                break;
            }
        }
        (rmst, slope)
    }

    /// S(t) = exp(−exp(eta) Λ̂_0(t)) for t in [0, H].
    pub fn survival(&self, eta: f64, t: f64) -> f64 {
        (-eta.exp() * self.cumulative_hazard(t)).exp()
    }

    /// Λ̂_0(t) for t in [0, H] (constant beyond H).
    pub fn cumulative_hazard(&self, t: f64) -> f64 {
        let mut start = 0.0;
        for j in 0..self.lengths.len() {
            let end = start + self.lengths[j];
            if t <= end || j + 1 == self.lengths.len() {
                return self.cumulative_at_start[j]
                    + self.hazard[j] * (t.min(end) - start).max(0.0);
            }
            start = end;
        }
        0.0
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
/// `ratio` = (1 − e^{−δ})/δ and `decay` = e^{−δ}, already at hand, give the direct form.
fn expm1_ratio_minus_exp(delta: f64, ratio: f64, decay: f64) -> f64 {
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
        ratio - decay
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Several pieces, a piece with λ = 0 and H = 10.5 not a multiple of w = 3.
    fn restricted_mean() -> RestrictedMean {
        RestrictedMean::new(&[0.0, 3.0, 6.0, 9.0, 10.5], &[0.02, 0.0, 0.05, 0.3])
    }

    /// The one-pass pair is bit for bit the two functions, across η where S underflows
    /// inside the first piece, where pieces nearly vanish, and with a λ = 0 piece.
    #[test]
    fn rmst_and_slope_together_are_the_two_functions_to_the_bit() {
        let restricted_mean = restricted_mean();
        for eta in [-40.0, -12.0, -3.3, -1.0, 0.0, 0.7, 2.0, 6.0, 9.5, 30.0] {
            let (rmst, slope) = restricted_mean.rmst_and_slope(eta);
            assert_eq!(
                rmst.to_bits(),
                restricted_mean.rmst(eta).to_bits(),
                "η = {eta}"
            );
            assert_eq!(
                slope.to_bits(),
                restricted_mean.rmst_slope(eta).to_bits(),
                "η = {eta}"
            );
        }
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

    fn curvature(delta: f64) -> f64 {
        let decay = (-delta).exp();
        expm1_ratio_minus_exp(delta, -(-delta).exp_m1() / delta, decay)
    }

    /// The series branch and the direct branch of (1 − e^{−δ})/δ − e^{−δ} meet at 0.05.
    #[test]
    fn curvature_term_is_continuous_at_the_switch() {
        let below = curvature(0.05 * (1.0 - 1e-15));
        let above = curvature(0.05 * (1.0 + 1e-15));
        assert!((below - above).abs() <= 1e-14 * above, "{below} vs {above}");
        // δ/2 − δ²/3 + δ³/8: the rest is below 1e-30.
        let tiny = 1e-8;
        let series = tiny / 2.0 - tiny * tiny / 3.0 + tiny * tiny * tiny / 8.0;
        assert!((curvature(tiny) - series).abs() <= 1e-24);
    }
}
