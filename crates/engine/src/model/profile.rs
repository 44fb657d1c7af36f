//! A municipality's drill-down: its observed Kaplan–Meier curve with its band, its expected
//! curve under the model, and its mix of individual characteristics next to the national mix.

use serde::{Deserialize, Serialize};

use crate::cohort::{Cohort, CovariateValues};
use crate::model::intervals::Z_95;
use crate::model::{RankingModel, RestrictedMean};
use crate::survival::tables::kaplan_meier_of;

/// One line of the covariate mix.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MixRow {
    pub covariate: String,
    /// The level for a categorical covariate (its share is shown); `None` for a numeric one
    /// (its mean is shown).
    pub level: Option<String>,
    pub municipality: f64,
    pub national: f64,
}

/// Everything the drill-down of one ranked municipality shows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MunicipalityProfile {
    pub municipality: String,
    /// The observed cumulative share F(t) = 1 − S(t) as steps from (0, 0), up to the horizon.
    pub time: Vec<f64>,
    pub cumulative: Vec<f64>,
    /// Pointwise 95 % limits on F (log(−log) scale); `None` where undefined.
    pub lower: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
    /// The expected curve on `expected_time`: 1 − mean over the municipality's spells of
    /// exp(−exp(x_iᵀβ̂ + [1, m_k]γ̂) Λ̂₀(t)).
    pub expected_time: Vec<f64>,
    pub expected_cumulative: Vec<f64>,
    pub mix: Vec<MixRow>,
}

/// The drill-down of every ranked municipality, in rank order.
pub fn municipality_profiles(cohort: &Cohort, model: &RankingModel) -> Vec<MunicipalityProfile> {
    let horizon = model.options.horizon_months;
    let restricted_mean = RestrictedMean::new(&model.boundaries, &model.hazard);
    let spells_of = cohort.spells_by_municipality();
    let all: Vec<usize> = (0..cohort.n_spells()).collect();
    let grid: Vec<f64> = (0..=96)
        .map(|step| horizon * f64::from(step) / 96.0)
        .collect();
    let beta = model.coefficients_vector();
    model
        .ranking
        .iter()
        .map(|row| {
            let spells = &spells_of[row.municipality_index];
            let km = kaplan_meier_of(cohort, spells);
            let mut time = vec![0.0];
            let mut cumulative = vec![0.0];
            let (mut lower, mut upper) = (vec![Some(0.0)], vec![Some(0.0)]);
            for j in 0..km.time.len() {
                if km.time[j] > horizon {
                    break;
                }
                time.push(km.time[j]);
                cumulative.push(1.0 - km.survival[j]);
                let limits = km.cumulative_limits(j, Z_95);
                lower.push(limits.map(|l| l.0));
                upper.push(limits.map(|l| l.1));
            }
            let predictors: Vec<f64> = spells
                .iter()
                .map(|&i| model.design.linear_predictor(i, &beta))
                .collect();
            let expected_cumulative = grid
                .iter()
                .map(|&t| {
                    let mean_survival = predictors
                        .iter()
                        .map(|&eta| restricted_mean.survival(eta + row.fitted_effect, t))
                        .sum::<f64>()
                        / predictors.len() as f64;
                    1.0 - mean_survival
                })
                .collect();
            MunicipalityProfile {
                municipality: row.municipality.clone(),
                time,
                cumulative,
                lower,
                upper,
                expected_time: grid.clone(),
                expected_cumulative,
                mix: covariate_mix(cohort, spells, &all),
            }
        })
        .collect()
}

/// Shares of each categorical level and means of each numeric covariate, among `spells`
/// and among `all`; the permit year last.
fn covariate_mix(cohort: &Cohort, spells: &[usize], all: &[usize]) -> Vec<MixRow> {
    let mut rows = Vec::new();
    for covariate in &cohort.individual {
        match &covariate.values {
            CovariateValues::Numeric(values) => {
                let mean =
                    |set: &[usize]| set.iter().map(|&i| values[i]).sum::<f64>() / set.len() as f64;
                rows.push(MixRow {
                    covariate: covariate.name.clone(),
                    level: None,
                    municipality: mean(spells),
                    national: mean(all),
                });
            }
            CovariateValues::Categorical { levels, codes } => {
                for (code, level) in levels.iter().enumerate() {
                    let share = |set: &[usize]| {
                        set.iter().filter(|&&i| codes[i] as usize == code).count() as f64
                            / set.len() as f64
                    };
                    rows.push(MixRow {
                        covariate: covariate.name.clone(),
                        level: Some(level.clone()),
                        municipality: share(spells),
                        national: share(all),
                    });
                }
            }
        }
    }
    for year in cohort.permit_years() {
        let share = |set: &[usize]| {
            set.iter()
                .filter(|&&i| cohort.permit_year[i] == year)
                .count() as f64
                / set.len() as f64
        };
        rows.push(MixRow {
            covariate: "permit_year".to_owned(),
            level: Some(year.to_string()),
            municipality: share(spells),
            national: share(all),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::design::ModelOptions;
    use crate::model::fit_ranking;
    use crate::read::{read_spells_from_bytes, ReadOptions};

    #[test]
    fn profiles_follow_the_ranking_and_agree_with_the_model() {
        let bytes = crate::demo::demo_csv(crate::demo::DEFAULT_SEED);
        let Ok(read) = read_spells_from_bytes(&bytes, &ReadOptions::default()) else {
            panic!("demo reads")
        };
        let Ok(model) = fit_ranking(&read.cohort, ModelOptions::default()) else {
            panic!("demo fits")
        };
        let profiles = municipality_profiles(&read.cohort, &model);
        assert_eq!(profiles.len(), 72);
        let (first, row) = (&profiles[0], &model.ranking[0]);
        assert_eq!(first.municipality, row.municipality);
        // The expected curve integrates to the expected RMST: ∫₀ᴴ (1 − F) dt ≈ expected_months.
        let h = model.options.horizon_months / 96.0;
        let survival: Vec<f64> = first.expected_cumulative.iter().map(|f| 1.0 - f).collect();
        let trapezoid: f64 = survival.windows(2).map(|w| h * (w[0] + w[1]) / 2.0).sum();
        assert!(
            (trapezoid - row.expected_months).abs() < 0.05,
            "{trapezoid} vs {}",
            row.expected_months
        );
        // Shares of a categorical covariate sum to one, here and nationally.
        let sex: Vec<&MixRow> = first.mix.iter().filter(|m| m.covariate == "sex").collect();
        assert_eq!(sex.len(), 2);
        assert!((sex.iter().map(|m| m.municipality).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((sex.iter().map(|m| m.national).sum::<f64>() - 1.0).abs() < 1e-12);
        // The observed curve is non-decreasing and inside its band where the band exists.
        for j in 1..first.time.len() {
            assert!(first.cumulative[j] >= first.cumulative[j - 1]);
            if let (Some(l), Some(u)) = (first.lower[j], first.upper[j]) {
                assert!(l <= first.cumulative[j] && first.cumulative[j] <= u);
            }
        }
    }
}
