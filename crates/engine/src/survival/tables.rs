//! The descriptive tables: outcome shares (the seed's tables 1–2) and cohort curves by permit
//! year (table 3), over all valid spells with full follow-up (MODEL.md §3, §6).

use crate::cohort::values::Outcome;
use crate::cohort::{Cohort, CovariateValues};
use crate::survival::km::KaplanMeier;

/// The months at which cohort curves are tabulated: 1 to 6 years, whatever the horizon.
pub const COHORT_GRID_MONTHS: [f64; 6] = [12.0, 24.0, 36.0, 48.0, 60.0, 72.0];

/// Shares of spells by how they ended (fractions, not percent), and their number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutcomeShares {
    pub self_support: f64,
    pub education: f64,
    pub none: f64,
    pub spells: usize,
}

impl OutcomeShares {
    /// The shares among the spells `indices` picks.
    pub fn of(cohort: &Cohort, indices: impl IntoIterator<Item = usize>) -> OutcomeShares {
        let mut counts = [0usize; 3];
        for i in indices {
            counts[match cohort.outcome[i] {
                Outcome::SelfSupport => 0,
                Outcome::Education => 1,
                Outcome::None => 2,
            }] += 1;
        }
        let spells = counts.iter().sum::<usize>();
        let share = |count: usize| {
            if spells == 0 {
                0.0
            } else {
                count as f64 / spells as f64
            }
        };
        OutcomeShares {
            self_support: share(counts[0]),
            education: share(counts[1]),
            none: share(counts[2]),
            spells,
        }
    }

    /// Self-support or education: the completed share.
    pub fn completed(&self) -> f64 {
        self.self_support + self.education
    }
}

/// Outcome shares over every valid spell.
pub fn outcome_shares(cohort: &Cohort) -> OutcomeShares {
    OutcomeShares::of(cohort, 0..cohort.n_spells())
}

/// Outcome shares per level of the individual categorical covariate `column` (e.g. `sex`),
/// in level order; `None` when there is no such categorical column.
pub fn outcome_shares_by(cohort: &Cohort, column: &str) -> Option<Vec<(String, OutcomeShares)>> {
    let CovariateValues::Categorical { levels, codes } =
        &cohort.individual_covariate(column)?.values
    else {
        return None;
    };
    let mut spells_by_level: Vec<Vec<usize>> = vec![Vec::new(); levels.len()];
    for (i, &code) in codes.iter().enumerate() {
        spells_by_level[code as usize].push(i);
    }
    Some(
        levels
            .iter()
            .zip(spells_by_level)
            .map(|(level, spells)| (level.clone(), OutcomeShares::of(cohort, spells)))
            .collect(),
    )
}

/// The Kaplan–Meier curve of the spells `indices` picks.
pub fn kaplan_meier_of(cohort: &Cohort, indices: &[usize]) -> KaplanMeier {
    let time_enter: Vec<f64> = indices.iter().map(|&i| cohort.time_enter[i]).collect();
    let time_exit: Vec<f64> = indices.iter().map(|&i| cohort.time_exit[i]).collect();
    let is_event: Vec<bool> = indices
        .iter()
        .map(|&i| cohort.outcome[i].is_event())
        .collect();
    KaplanMeier::fit(&time_enter, &time_exit, &is_event)
}

/// One permit-year cohort: its curve and F at 12, 24, …, 72 months.
#[derive(Clone, Debug, PartialEq)]
pub struct CohortCurve {
    pub permit_year: i32,
    pub spells: usize,
    pub km: KaplanMeier,
    /// F(t) on [`COHORT_GRID_MONTHS`]; `None` where no spell of the cohort reaches t.
    pub cumulative: [Option<f64>; 6],
}

/// One curve per permit year among the valid spells, ascending.
pub fn cohort_curves(cohort: &Cohort) -> Vec<CohortCurve> {
    cohort
        .permit_years()
        .into_iter()
        .map(|year| {
            let indices: Vec<usize> = (0..cohort.n_spells())
                .filter(|&i| cohort.permit_year[i] == year)
                .collect();
            let km = kaplan_meier_of(cohort, &indices);
            let cumulative = COHORT_GRID_MONTHS.map(|t| km.cumulative_at(t));
            CohortCurve {
                permit_year: year,
                spells: indices.len(),
                km,
                cumulative,
            }
        })
        .collect()
}
