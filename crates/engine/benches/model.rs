//! The ranking model on 1 M spells, 271 municipalities, ~40 design columns, 16 pieces.
//!
//! Run: `cargo bench -p kommunebench-engine --bench model` (or `cargo xtask bench model`).
//! Prints the fit time (best of two) with its phases, the cost of MODEL.md §8, the cost in
//! the number of municipalities, and the peak resident memory of the process.

use std::hint::black_box;
use std::time::Instant;

use kommunebench_engine::cohort::{Cohort, Covariate, CovariateValues};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::model::fit_ranking_with_progress;
use kommunebench_engine::numeric::rng::Rng;
use kommunebench_engine::progress::{Phase, PhaseTimer, PhaseTimes, Progress};
use kommunebench_engine::Outcome;

const N_SPELLS: usize = 1_000_000;
const N_MUNICIPALITIES: usize = 271;

fn categorical(name: &str, n_levels: u32, codes: Vec<u32>) -> Covariate {
    Covariate {
        name: name.to_owned(),
        values: CovariateValues::Categorical {
            levels: (0..n_levels).map(|l| format!("level{l:02}")).collect(),
            codes,
        },
    }
}

fn synthetic_cohort(n_spells: usize, n_municipalities: usize) -> Cohort {
    let mut rng = Rng::new(0xBEEF_2006);
    let alpha: Vec<f64> = (0..n_municipalities)
        .map(|_| 0.6 * (rng.uniform() - 0.5))
        .collect();
    let mut columns: Vec<Vec<u32>> = (0..8).map(|_| Vec::with_capacity(n_spells)).collect();
    let (mut age, mut children, mut health) = (Vec::new(), Vec::new(), Vec::new());
    let (mut municipality, mut time_enter, mut time_exit, mut outcome, mut year) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Levels per categorical column: sex, residence basis, origin, partner, quota refugee,
    // Danish track, deprived area; with the permit year (6) this gives 40 terms.
    let n_levels = [2, 3, 24, 3, 2, 3, 2];
    for _ in 0..n_spells {
        // Skewed municipality sizes, like Danish municipalities.
        let k = ((rng.uniform().powi(3)) * n_municipalities as f64) as usize;
        let codes: Vec<u32> = n_levels
            .iter()
            .map(|&n| rng.below(n as usize) as u32)
            .collect();
        let person_age = 18.0 + (rng.uniform() * 45.0).floor();
        let eta = alpha[k] - 0.02 * (person_age - 35.0) + 0.1 * f64::from(codes[0])
            - 0.05 * f64::from(codes[2] % 5);
        let follow_up = 6.0 + 78.0 * rng.uniform();
        let entry = if rng.uniform() < 0.1 {
            follow_up * 0.5 * rng.uniform()
        } else {
            0.0
        };
        let exit = entry - rng.uniform().ln() / (0.02 * eta.exp());
        for (column, code) in columns.iter_mut().zip(codes) {
            column.push(code);
        }
        municipality.push(k as u32);
        time_enter.push(entry);
        time_exit.push(exit.min(follow_up));
        outcome.push(if exit <= follow_up {
            Outcome::SelfSupport
        } else {
            Outcome::None
        });
        year.push(1999 + rng.below(6) as i32);
        age.push(person_age);
        children.push(rng.below(6) as f64);
        health.push(rng.below(40) as f64);
    }
    let mut columns = columns.into_iter();
    let mut next = || columns.next().unwrap_or_default();
    Cohort {
        municipality_names: (0..n_municipalities)
            .map(|k| format!("Kommune {k:03}"))
            .collect(),
        municipality,
        time_enter,
        time_exit,
        outcome,
        permit_year: year,
        individual: vec![
            categorical("sex", 2, next()),
            categorical("residence_basis", 3, next()),
            categorical("origin", 24, next()),
            Covariate {
                name: "age".to_owned(),
                values: CovariateValues::Numeric(age),
            },
            categorical("partner", 3, next()),
            Covariate {
                name: "children".to_owned(),
                values: CovariateValues::Numeric(children),
            },
            Covariate {
                name: "health_services".to_owned(),
                values: CovariateValues::Numeric(health),
            },
            categorical("quota_refugee", 2, next()),
            categorical("danish_track", 3, next()),
            categorical("deprived_area", 2, next()),
        ],
        municipal: vec![Covariate {
            name: "unemployment_rate".to_owned(),
            values: CovariateValues::Numeric(
                (0..n_municipalities)
                    .map(|k| 4.0 + (k % 7) as f64)
                    .collect(),
            ),
        }],
        line: (1..=n_spells as u64).collect(),
    }
}

fn peak_resident_megabytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes / 1024.0)
}

/// The best of two fits: its phases and a summary of the model.
fn fit_phases(cohort: &Cohort, options: ModelOptions) -> (PhaseTimes, String) {
    let mut best: Option<PhaseTimes> = None;
    let mut summary = String::new();
    for _ in 0..2 {
        let origin = Instant::now();
        let mut timer = PhaseTimer::new(|| origin.elapsed().as_secs_f64());
        let model = fit_ranking_with_progress(black_box(cohort), options, &mut |p| {
            if let Progress::Phase(phase) = p {
                timer.begin(phase);
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let times = timer.finish();
        if best.as_ref().is_none_or(|b| times.total() < b.total()) {
            best = Some(times);
        }
        summary = format!(
            "{} terms, {} pieces, {} ranked, {} Newton iterations",
            model.coefficients.len(),
            model.boundaries.len() - 1,
            model.ranking.len(),
            model.convergence.iterations
        );
    }
    (best.unwrap_or_default(), summary)
}

fn main() {
    let cohort = synthetic_cohort(N_SPELLS, N_MUNICIPALITIES);
    let (phases, summary) = fit_phases(&cohort, ModelOptions::default());
    println!(
        "fit_ranking: {N_SPELLS} spells, {N_MUNICIPALITIES} municipalities, {summary}: {:.2} s (best of 2), with MODEL.md §8 and 1000 rank draws",
        phases.total()
    );
    for (phase, seconds) in &phases.seconds {
        println!("  {phase:?}: {seconds:.3} s");
    }
    let uncertainty = phases.of(Phase::Uncertainty);
    let without_draws = fit_phases(
        &cohort,
        ModelOptions {
            rank_draws: 0,
            ..ModelOptions::default()
        },
    )
    .0
    .of(Phase::Uncertainty);
    println!(
        "MODEL.md §8 at {N_SPELLS} spells: {uncertainty:.3} s ({without_draws:.3} s without rank draws), {:.1} % of the rest of the fit ({:.2} s)",
        100.0 * uncertainty / (phases.total() - uncertainty),
        phases.total() - uncertainty
    );
    // The cost in the number of municipalities: 100,000 spells over 270 and over 5,000
    // (sizes skewed as above, so most of the 5,000 are small and unranked).
    let mut units = Vec::new();
    for n_municipalities in [270, 5000] {
        let cohort = synthetic_cohort(100_000, n_municipalities);
        let (phases, summary) = fit_phases(&cohort, ModelOptions::default());
        println!(
            "units: 100000 spells, {n_municipalities} municipalities, {summary}: {:.3} s (best of 2)",
            phases.total()
        );
        units.push(phases.total());
    }
    println!(
        "units: 5000 municipalities take {:.2}× the time of 270 (target ≤ 3×)",
        units[1] / units[0]
    );
    if let Some(megabytes) = peak_resident_megabytes() {
        println!("peak resident memory of the benchmark process (data + fit): {megabytes:.0} MB");
    }
}
