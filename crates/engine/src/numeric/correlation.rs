//! Spearman's rank correlation, for comparing rankings (the demo's calibration against the
//! publication, the simulation's estimates against the truth).

/// The 0-based ranks of `values` (ties ranked in their order; the values compared here are
/// continuous, so ties do not occur in practice).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = rank as f64;
    }
    ranks
}

/// Pearson's correlation of two equally long series.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (mean_a, mean_b) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let covariance: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - mean_a) * (y - mean_b))
        .sum();
    let variance_a: f64 = a.iter().map(|x| (x - mean_a).powi(2)).sum();
    let variance_b: f64 = b.iter().map(|y| (y - mean_b).powi(2)).sum();
    covariance / (variance_a * variance_b).sqrt()
}

/// Spearman's ρ: Pearson's correlation of the ranks.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_series_correlate_perfectly() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(spearman(&a, &[10.0, 20.0, 35.0, 100.0]), 1.0);
        assert_eq!(spearman(&a, &[4.0, 3.0, 2.0, 1.0]), -1.0);
        // Ranks 0 1 2 3 against 1 0 3 2: ρ = 1 − 6·4/(4·15) = 0.6.
        assert!((spearman(&a, &[2.0, 1.0, 4.0, 3.0]) - 0.6).abs() < 1e-15);
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), [2.0, 0.0, 1.0]);
    }
}
