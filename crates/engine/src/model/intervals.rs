//! The funnel plot's control limits (MODEL.md §7), plain and widened for overdispersion.
//! (The effect's SE and the caterpillar's mapped intervals are `model::uncertainty`.)

/// The standard normal quantile of a two-sided 95 % interval.
pub const Z_95: f64 = 1.96;
/// The funnel's outer limits: 99.8 %.
pub const Z_998: f64 = 3.09;

/// The funnel's constant c = median over the ranked municipalities of n_k · SE_k²
/// (municipalities without an SE left out); `None` when there is none.
///
/// # References
/// D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
/// Statistics in Medicine 24, 1185–1202.
pub fn funnel_constant(spells_and_se: &[(usize, Option<f64>)]) -> Option<f64> {
    median(
        spells_and_se
            .iter()
            .filter_map(|&(n, se)| se.map(|se| n as f64 * se * se))
            .collect(),
    )
}

/// The funnel limit ±z·√(c/n) around 0 at n spells.
pub fn funnel_limit(c: f64, n_spells: f64, z: f64) -> f64 {
    z * (c / n_spells).sqrt()
}

/// The funnel limit widened for overdispersion, ±z·√(c/n + τ_m²): the additive
/// random-effects form of Spiegelhalter (2005), with τ_m² from [`overdispersion_months`].
pub fn funnel_limit_overdispersed(c: f64, n_spells: f64, z: f64, tau_months_squared: f64) -> f64 {
    z * (c / n_spells + tau_months_squared).sqrt()
}

/// τ_m² = τ̂² · median over R of (∂observed_k/∂a)²: the between-municipality variance τ̂² of
/// MODEL.md §8 on the log-hazard scale carried to months (MODEL.md §7).
pub fn overdispersion_months(tau_squared: f64, observed_slopes: &[f64]) -> Option<f64> {
    median(observed_slopes.iter().map(|s| s * s).collect()).map(|m| tau_squared * m)
}

/// The median (the mean of the middle two for an even count); `None` when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: SEs 0.5, 1.0, 2.0 and none, with 100, 25, 16 and 50 spells:
    /// n·SE² = 25, 25, 64 (the fourth has no SE) → median c = 25.
    /// At n = 100: 1.96·√(25/100) = 0.98 and 3.09·0.5 = 1.545; at n = 25: 1.96 and 3.09.
    /// Overdispersion: τ̂² = 0.01 and slopes −10, −12, −14 → τ_m² = 0.01·144 = 1.44; at
    /// n = 100 the 95 % limit widens to 1.96·√(0.25 + 1.44) = 1.96·1.3 = 2.548.
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
        let tau_m2 = overdispersion_months(0.01, &[-10.0, -12.0, -14.0]).expect("slopes");
        assert!((tau_m2 - 1.44).abs() < 1e-12);
        assert!((funnel_limit_overdispersed(25.0, 100.0, Z_95, tau_m2) - 2.548).abs() < 1e-12);
        assert_eq!(overdispersion_months(0.01, &[]), None);
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
    }
}
