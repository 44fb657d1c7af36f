//! The intervals of the plots (MODEL.md §7): caterpillar intervals of the effects and the
//! funnel plot's control limits.

/// The standard normal quantile of a two-sided 95 % interval.
pub const Z_95: f64 = 1.96;
/// The funnel's outer limits: 99.8 %.
pub const Z_998: f64 = 3.09;

/// SE of an effect in months by the delta method.
///
/// # Formula
/// SE_k = |∂observed_k/∂a at a = α̂_k| · √Var(û)_kk, with ∂observed_k/∂a the mean over k's
/// spells of ∂RMST_H(x_i, a)/∂a. `None` when Var(û)_kk ≤ 0.
pub fn effect_se(observed_slope: f64, residual_variance: f64) -> Option<f64> {
    (residual_variance > 0.0).then(|| observed_slope.abs() * residual_variance.sqrt())
}

/// The caterpillar interval effect ± z·SE.
pub fn caterpillar_interval(effect: f64, se: f64, z: f64) -> (f64, f64) {
    (effect - z * se, effect + z * se)
}

/// The funnel's constant c = median over the ranked municipalities of n_k · SE_k²
/// (municipalities without an SE left out); `None` when there is none.
///
/// # References
/// D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
/// Statistics in Medicine 24, 1185–1202.
pub fn funnel_constant(spells_and_se: &[(usize, Option<f64>)]) -> Option<f64> {
    let mut values: Vec<f64> = spells_and_se
        .iter()
        .filter_map(|&(n, se)| se.map(|se| n as f64 * se * se))
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

/// The funnel limit ±z·√(c/n) around 0 at n spells.
pub fn funnel_limit(c: f64, n_spells: f64, z: f64) -> f64 {
    z * (c / n_spells).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: SEs 0.5, 1.0, 2.0 and none, with 100, 25, 16 and 50 spells:
    /// n·SE² = 25, 25, 64 (the fourth has no SE) → median c = 25.
    /// At n = 100: 1.96·√(25/100) = 0.98 and 3.09·0.5 = 1.545; at n = 25: 1.96 and 3.09.
    /// Caterpillar of effect −2 with SE 0.5: −2 ± 0.98 = (−2.98, −1.02).
    #[test]
    fn hand_worked_limits() {
        let c = funnel_constant(&[
            (100, Some(0.5)),
            (25, Some(1.0)),
            (16, Some(2.0)),
            (50, None),
        ]);
        assert_eq!(c, Some(25.0));
        assert!((funnel_limit(25.0, 100.0, Z_95) - 0.98).abs() < 1e-15);
        assert!((funnel_limit(25.0, 100.0, Z_998) - 1.545).abs() < 1e-15);
        assert!((funnel_limit(25.0, 25.0, Z_95) - 1.96).abs() < 1e-15);
        let (low, high) = caterpillar_interval(-2.0, 0.5, Z_95);
        assert!((low + 2.98).abs() < 1e-15 && (high + 1.02).abs() < 1e-15);
        assert_eq!(funnel_constant(&[(10, None)]), None);
        // Even count: the mean of the middle two (4·1 = 4 and 9·1 = 9 → 6.5).
        assert_eq!(
            funnel_constant(&[
                (4, Some(1.0)),
                (9, Some(1.0)),
                (1, Some(1.0)),
                (16, Some(1.0))
            ]),
            Some(6.5)
        );
        assert_eq!(effect_se(-12.0, 0.04), Some(12.0 * 0.2));
        assert_eq!(effect_se(-12.0, 0.0), None);
    }
}
