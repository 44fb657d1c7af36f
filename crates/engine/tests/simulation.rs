//! Seeded simulation from the model itself: 120 municipalities with known effects.
//!
//! Data: h_i(t) = λ exp(β_age·age_i + β_sex·male_i + α_k) with a constant baseline, a
//! municipal covariate m_k that explains part of α (α_k = γ·m_k + v_k), administrative
//! censoring, and 10 % late entries (memoryless hazard: the exit after a late entry is the
//! entry plus an exponential draw). The fit must recover the residual effects
//! (I − P) α_true: Spearman ≥ 0.9 between the estimated effect in months and the truth, and
//! û_k ± 1.96 √Var(û)_kk covering the truth for 90–99 % of municipalities.

use kommunebench_engine::cohort::{Cohort, Covariate, CovariateValues};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::model::fit_ranking;
use kommunebench_engine::numeric::correlation::spearman;
use kommunebench_engine::numeric::rng::Rng;
use kommunebench_engine::Outcome;

#[test]
fn recovers_known_municipality_effects() {
    let mut rng = Rng::new(0x5EED_2006);
    let n_municipalities = 120;
    let municipal: Vec<f64> = (0..n_municipalities)
        .map(|_| 4.0 + 6.0 * rng.uniform())
        .collect();
    let alpha_true: Vec<f64> = municipal
        .iter()
        .map(|m| -0.08 * (m - 7.0) + 0.3 * rng.normal())
        .collect();
    let (mut municipality, mut time_enter, mut time_exit, mut outcome) =
        (vec![], vec![], vec![], vec![]);
    let (mut age, mut sex, mut permit_year) = (vec![], vec![], vec![]);
    for (k, &alpha_k) in alpha_true.iter().enumerate() {
        let n_spells = 150 + (rng.uniform() * 150.0) as usize;
        for _ in 0..n_spells {
            let person_age = 18.0 + 40.0 * rng.uniform();
            let male = rng.uniform() < 0.5;
            let eta = -0.02 * (person_age - 35.0) + 0.3 * f64::from(u8::from(male)) + alpha_k;
            let rate = 0.025 * eta.exp();
            let follow_up = 12.0 + 72.0 * rng.uniform();
            let entry = if rng.uniform() < 0.1 {
                follow_up * 0.5 * rng.uniform()
            } else {
                0.0
            };
            let exit = entry + rng.exponential(rate);
            municipality.push(k as u32);
            time_enter.push(entry);
            time_exit.push(exit.min(follow_up));
            outcome.push(if exit <= follow_up {
                Outcome::SelfSupport
            } else {
                Outcome::None
            });
            age.push(person_age);
            sex.push(u32::from(male));
            permit_year.push(2001);
        }
    }
    let n = municipality.len();
    let cohort = Cohort {
        municipality_names: (0..n_municipalities).map(|k| format!("K{k:03}")).collect(),
        municipality,
        time_enter,
        time_exit,
        outcome,
        permit_year,
        individual: vec![
            Covariate {
                name: "age".to_owned(),
                values: CovariateValues::Numeric(age),
            },
            Covariate {
                name: "sex".to_owned(),
                values: CovariateValues::Categorical {
                    levels: vec!["K".to_owned(), "M".to_owned()],
                    codes: sex,
                },
            },
        ],
        municipal: vec![Covariate {
            name: "unemployment_rate".to_owned(),
            values: CovariateValues::Numeric(municipal.clone()),
        }],
        line: (1..=n as u64).collect(),
    };
    let model = fit_ranking(&cohort, ModelOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.ranking.len(), n_municipalities);
    let age_beta = model
        .coefficients
        .iter()
        .find(|c| c.term == "age")
        .map_or(f64::NAN, |c| c.estimate);
    assert!((age_beta + 0.02).abs() < 4.0 * 0.0015, "β_age {age_beta}");

    // The truth (I − P) α_true, with the same weights and design as stage 2.
    let mut rows: Vec<_> = model.ranking.iter().collect();
    rows.sort_by_key(|r| r.municipality_index);
    let weights: Vec<f64> = rows.iter().map(|r| r.spells as f64).collect();
    let (sw, swm, swmm) = rows
        .iter()
        .zip(&weights)
        .fold((0.0, 0.0, 0.0), |(a, b, c), (r, w)| {
            let m = municipal[r.municipality_index];
            (a + w, b + w * m, c + w * m * m)
        });
    let (swa, swma) = rows
        .iter()
        .zip(&weights)
        .fold((0.0, 0.0), |(a, b), (r, w)| {
            let (m, alpha) = (
                municipal[r.municipality_index],
                alpha_true[r.municipality_index],
            );
            (a + w * alpha, b + w * m * alpha)
        });
    let determinant = sw * swmm - swm * swm;
    let slope = (sw * swma - swm * swa) / determinant;
    let intercept = (swa - slope * swm) / sw;
    let truth: Vec<f64> = rows
        .iter()
        .map(|r| {
            alpha_true[r.municipality_index] - intercept - slope * municipal[r.municipality_index]
        })
        .collect();

    // A larger effect on the hazard means a shorter duration: compare with −truth.
    let effects: Vec<f64> = rows.iter().map(|r| r.effect_months).collect();
    let negative_truth: Vec<f64> = truth.iter().map(|t| -t).collect();
    let spearman = spearman(&effects, &negative_truth);
    assert!(spearman >= 0.9, "Spearman {spearman}");

    let covered = rows
        .iter()
        .zip(&truth)
        .filter(|(r, t)| (r.residual - **t).abs() <= 1.96 * r.residual_variance.sqrt())
        .count();
    let coverage = covered as f64 / rows.len() as f64;
    eprintln!("simulation: Spearman {spearman:.4}, coverage {coverage:.4}");
    assert!((0.90..=0.99).contains(&coverage), "coverage {coverage}");
}
