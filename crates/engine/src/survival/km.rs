//! Kaplan–Meier with delayed entry (left truncation), Greenwood variance and pointwise
//! confidence limits on the log(−log S) scale (MODEL.md §3, §6, §7).

/// The Kaplan–Meier estimate of one group of spells.
///
/// # Formula
/// With distinct event times t_1 < t_2 < …, the risk set at t_j is every spell with
/// t0_i < t_j ≤ t1_i (a spell is not at risk at its own entry time; a censored spell is at
/// risk at an event time equal to its censoring time), n_j its size and d_j the events at t_j:
///
/// ```text
/// S(t)      = Π_{t_j ≤ t} (1 − d_j / n_j)
/// Var̂ S(t) = S(t)² · Σ_{t_j ≤ t} d_j / (n_j (n_j − d_j))            (Greenwood)
/// ```
///
/// The cumulative share is F(t) = 1 − S(t).
///
/// # References
/// - E. L. Kaplan, P. Meier (1958), "Nonparametric estimation from incomplete observations",
///   JASA 53, 457–481.
/// - M. Greenwood (1926), "The natural duration of cancer", Reports on Public Health 33.
/// - J. P. Klein, M. L. Moeschberger (2003), *Survival Analysis*, 2nd ed., §4.6 (left
///   truncation: the risk set holds only spells that have entered).
#[derive(Clone, Debug, PartialEq)]
pub struct KaplanMeier {
    /// The distinct event times t_j, ascending (months).
    pub time: Vec<f64>,
    /// n_j: spells at risk at t_j.
    pub n_at_risk: Vec<u64>,
    /// d_j: events at t_j.
    pub n_events: Vec<u64>,
    /// S(t_j).
    pub survival: Vec<f64>,
    /// Σ_{t_k ≤ t_j} d_k / (n_k (n_k − d_k)): Greenwood's sum; infinite once S reaches 0.
    pub greenwood_sum: Vec<f64>,
    /// The largest exit time t1 of the group: beyond it nothing is known.
    pub max_time_exit: f64,
}

impl KaplanMeier {
    /// Fits the spells (t0_i, t1_i], d_i given as three parallel slices.
    pub fn fit(time_enter: &[f64], time_exit: &[f64], is_event: &[bool]) -> KaplanMeier {
        let mut entries: Vec<f64> = time_enter.to_vec();
        let mut exits: Vec<f64> = time_exit.to_vec();
        let mut event_times: Vec<f64> = time_exit
            .iter()
            .zip(is_event)
            .filter(|(_, &event)| event)
            .map(|(&t, _)| t)
            .collect();
        entries.sort_by(f64::total_cmp);
        exits.sort_by(f64::total_cmp);
        event_times.sort_by(f64::total_cmp);
        let max_time_exit = exits.last().copied().unwrap_or(0.0);

        let mut km = KaplanMeier {
            time: Vec::new(),
            n_at_risk: Vec::new(),
            n_events: Vec::new(),
            survival: Vec::new(),
            greenwood_sum: Vec::new(),
            max_time_exit,
        };
        let (mut survival, mut greenwood_sum) = (1.0, 0.0);
        let mut start = 0;
        while start < event_times.len() {
            let t = event_times[start];
            let end = start + event_times[start..].iter().take_while(|&&u| u == t).count();
            let n_events = (end - start) as u64;
            // n(t) = #{t0 < t} − #{t1 < t} = #{t0 < t ≤ t1}, since t0 < t1 for every spell.
            let n_at_risk =
                (entries.partition_point(|&e| e < t) - exits.partition_point(|&x| x < t)) as u64;
            let (n, d) = (n_at_risk as f64, n_events as f64);
            survival *= 1.0 - d / n;
            greenwood_sum += if n_at_risk > n_events {
                d / (n * (n - d))
            } else {
                f64::INFINITY
            };
            km.time.push(t);
            km.n_at_risk.push(n_at_risk);
            km.n_events.push(n_events);
            km.survival.push(survival);
            km.greenwood_sum.push(greenwood_sum);
            start = end;
        }
        km
    }

    /// S(t): the survival at the last event time ≤ t (1 before the first event).
    pub fn survival_at(&self, t: f64) -> f64 {
        match self.time.partition_point(|&u| u <= t) {
            0 => 1.0,
            j => self.survival[j - 1],
        }
    }

    /// F(t) = 1 − S(t), or `None` when t lies beyond the group's largest exit time.
    pub fn cumulative_at(&self, t: f64) -> Option<f64> {
        (t <= self.max_time_exit).then(|| 1.0 - self.survival_at(t))
    }

    /// Greenwood standard error of S(t_j).
    pub fn std_err(&self, j: usize) -> f64 {
        self.survival[j] * self.greenwood_sum[j].sqrt()
    }

    /// Pointwise limits on F(t_j) = 1 − S(t_j) at normal quantile `z` (1.96 for 95 %).
    ///
    /// # Formula
    /// On the log(−log S) scale (Kalbfleisch & Prentice 1980, §1.3):
    ///
    /// ```text
    /// σ_j = √(Greenwood sum_j) / |log S(t_j)|
    /// S_lower = S^{exp(+z σ_j)},  S_upper = S^{exp(−z σ_j)}
    /// F_lower = 1 − S_upper,      F_upper = 1 − S_lower
    /// ```
    ///
    /// `None` where the limits do not exist: S = 1 or S = 0 (the transform is undefined).
    ///
    /// # References
    /// J. D. Kalbfleisch, R. L. Prentice (1980), *The Statistical Analysis of Failure Time
    /// Data*; lifelines' `KaplanMeierFitter` (exponential Greenwood) uses the same limits.
    pub fn cumulative_limits(&self, j: usize, z: f64) -> Option<(f64, f64)> {
        let survival = self.survival[j];
        let log_survival = survival.ln();
        if !(survival > 0.0 && survival < 1.0 && self.greenwood_sum[j].is_finite()) {
            return None;
        }
        let sigma = self.greenwood_sum[j].sqrt() / log_survival.abs();
        let survival_lower = survival.powf((z * sigma).exp());
        let survival_upper = survival.powf((-z * sigma).exp());
        Some((1.0 - survival_upper, 1.0 - survival_lower))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-worked cohort with delayed entry (months):
    ///
    /// ```text
    /// spell  t0  t1  d
    /// a       0   2  1
    /// b       0   4  0
    /// c       1   4  1     enters at 1
    /// d       2   5  1     enters at 2, the time of a's event: not at risk then
    /// e       0   6  0
    /// ```
    ///
    /// t = 2: at risk a, b, c, e (d enters at 2, so 2 ∉ (2, 5]) → n = 4, d = 1, S = 3/4.
    /// t = 4: at risk b (censored at 4 still counts), c, d, e → n = 4, d = 1,
    ///        S = 3/4 · 3/4 = 9/16.
    /// t = 5: at risk d, e → n = 2, d = 1, S = 9/16 · 1/2 = 9/32.
    /// Greenwood sums: 1/(4·3) = 1/12; 1/12 + 1/12 = 1/6; 1/6 + 1/(2·1) = 2/3.
    #[test]
    fn hand_worked_delayed_entry() {
        let km = KaplanMeier::fit(
            &[0.0, 0.0, 1.0, 2.0, 0.0],
            &[2.0, 4.0, 4.0, 5.0, 6.0],
            &[true, false, true, true, false],
        );
        assert_eq!(km.time, [2.0, 4.0, 5.0]);
        assert_eq!(km.n_at_risk, [4, 4, 2]);
        assert_eq!(km.n_events, [1, 1, 1]);
        assert_eq!(km.survival, [0.75, 0.5625, 0.28125]);
        let expected_sums = [1.0 / 12.0, 1.0 / 6.0, 2.0 / 3.0];
        for (got, want) in km.greenwood_sum.iter().zip(expected_sums) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        assert_eq!(km.survival_at(1.9), 1.0);
        assert_eq!(km.survival_at(4.5), 0.5625);
        assert_eq!(km.cumulative_at(6.0), Some(1.0 - 0.28125));
        assert_eq!(km.cumulative_at(6.5), None);
    }

    #[test]
    fn limits_bracket_the_estimate_and_vanish_where_undefined() {
        let km = KaplanMeier::fit(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0], &[true, false, true]);
        // S(1) = 2/3, S(3) = 0: limits only at t = 1.
        let Some((lower, upper)) = km.cumulative_limits(0, 1.96) else {
            panic!("limits at t=1")
        };
        assert!(lower < 1.0 / 3.0 && 1.0 / 3.0 < upper && lower > 0.0 && upper < 1.0);
        assert_eq!(km.cumulative_limits(1, 1.96), None);
    }
}
