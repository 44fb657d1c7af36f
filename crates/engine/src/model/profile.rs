//! A municipality's drill-down: its observed Kaplan–Meier curve with its band, its expected
//! curve under the model, and its mix of individual characteristics next to the national mix.

use serde::{Deserialize, Serialize};

use crate::cohort::{Cohort, CovariateValues};
use crate::model::intervals::Z_95;
use crate::model::{RankedMunicipality, RankingModel, RestrictedMean};
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

/// The drill-down of every ranked municipality, in rank order (see [`municipality_profile`]
/// for one; the web app asks for each when it is opened).
pub fn municipality_profiles(cohort: &Cohort, model: &RankingModel) -> Vec<MunicipalityProfile> {
    let shared = ProfileCache::new(cohort, model);
    model
        .ranking
        .iter()
        .map(|row| shared.profile_of(cohort, model, row))
        .collect()
}

/// The drill-down of the ranked municipality `name`; `None` when it is not ranked.
pub fn municipality_profile(
    cohort: &Cohort,
    model: &RankingModel,
    name: &str,
) -> Option<MunicipalityProfile> {
    ProfileCache::new(cohort, model).profile(cohort, model, name)
}

/// What every drill-down of one analysis shares: the grid, Λ̂₀ on it, β̂, each
/// municipality's spells and the national mix. Built once per analysis (the web worker keeps
/// it beside the analysis, so that each drill-down opened costs only its own spells).
///
/// Cost: the national mix is counted once, each municipality's mix in one pass over its own
/// spells, and the expected curve takes one `exp` per spell for c = e^η and one per spell
/// and grid point for S. (Counting the national mix per municipality and level made this
/// 18 s of a 1 M-spell analysis in the browser.)
#[derive(Clone, Debug)]
pub struct ProfileCache {
    grid: Vec<f64>,
    cumulative_on_grid: Vec<f64>,
    beta: Vec<f64>,
    spells_of: Vec<Vec<usize>>,
    national: Vec<(String, Option<String>, f64)>,
}

impl ProfileCache {
    /// For the analysis of `cohort` by `model` (the same two must be passed to
    /// [`ProfileCache::profile`]).
    pub fn new(cohort: &Cohort, model: &RankingModel) -> ProfileCache {
        let horizon = model.options.horizon_months;
        let restricted_mean = RestrictedMean::new(&model.boundaries, &model.hazard);
        let grid: Vec<f64> = (0..=96)
            .map(|step| horizon * f64::from(step) / 96.0)
            .collect();
        let cumulative_on_grid = grid
            .iter()
            .map(|&t| restricted_mean.cumulative_hazard(t))
            .collect();
        ProfileCache {
            grid,
            cumulative_on_grid,
            beta: model.coefficients_vector(),
            spells_of: cohort.spells_by_municipality(),
            national: mix_of(cohort, &(0..cohort.n_spells()).collect::<Vec<_>>()),
        }
    }

    /// The drill-down of the ranked municipality `name`; `None` when it is not ranked.
    pub fn profile(
        &self,
        cohort: &Cohort,
        model: &RankingModel,
        name: &str,
    ) -> Option<MunicipalityProfile> {
        let row = model.ranking.iter().find(|r| r.municipality == name)?;
        Some(self.profile_of(cohort, model, row))
    }

    fn profile_of(
        &self,
        cohort: &Cohort,
        model: &RankingModel,
        row: &RankedMunicipality,
    ) -> MunicipalityProfile {
        let horizon = model.options.horizon_months;
        let spells = &self.spells_of[row.municipality_index];
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
        // S(t) = exp(−e^η Λ̂₀(t)), summed over the spells in their order at every t.
        let mut survival_totals = vec![0.0; self.grid.len()];
        for &i in spells {
            let c = (model.design.linear_predictor(i, &self.beta) + row.fitted_effect).exp();
            for (total, &cumulative) in survival_totals.iter_mut().zip(&self.cumulative_on_grid) {
                *total += (-c * cumulative).exp();
            }
        }
        let expected_cumulative = survival_totals
            .iter()
            .map(|total| 1.0 - total / spells.len() as f64)
            .collect();
        MunicipalityProfile {
            municipality: row.municipality.clone(),
            time,
            cumulative,
            lower,
            upper,
            expected_time: self.grid.clone(),
            expected_cumulative,
            mix: mix_of(cohort, spells)
                .into_iter()
                .zip(&self.national)
                .map(
                    |((covariate, level, municipality), (_, _, national))| MixRow {
                        covariate,
                        level,
                        municipality,
                        national: *national,
                    },
                )
                .collect(),
        }
    }
}

/// Shares of each categorical level and means of each numeric covariate among `spells`
/// (one pass per covariate), the permit year last: (covariate, level, value).
fn mix_of(cohort: &Cohort, spells: &[usize]) -> Vec<(String, Option<String>, f64)> {
    let n = spells.len() as f64;
    let mut rows = Vec::new();
    for covariate in &cohort.individual {
        match &covariate.values {
            CovariateValues::Numeric(values) => {
                let mean = spells.iter().map(|&i| values[i]).sum::<f64>() / n;
                rows.push((covariate.name.clone(), None, mean));
            }
            CovariateValues::Categorical { levels, codes } => {
                let mut counts = vec![0usize; levels.len()];
                for &i in spells {
                    counts[codes[i] as usize] += 1;
                }
                for (level, count) in levels.iter().zip(counts) {
                    rows.push((
                        covariate.name.clone(),
                        Some(level.clone()),
                        count as f64 / n,
                    ));
                }
            }
        }
    }
    let years = cohort.permit_years();
    let mut counts = vec![0usize; years.len()];
    for &i in spells {
        if let Ok(position) = years.binary_search(&cohort.permit_year[i]) {
            counts[position] += 1;
        }
    }
    for (year, count) in years.iter().zip(counts) {
        rows.push((
            "permit_year".to_owned(),
            Some(year.to_string()),
            count as f64 / n,
        ));
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
        // One asked for by name is the same as the list's.
        let odense = profiles.iter().find(|p| p.municipality == "Odense");
        assert_eq!(
            municipality_profile(&read.cohort, &model, "Odense").as_ref(),
            odense
        );
        assert_eq!(municipality_profile(&read.cohort, &model, "Atlantis"), None);
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
