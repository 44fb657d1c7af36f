//! The synthetic demo data set: spells that look like the seed's study (the ministry's 2006
//! benchmarking), generated deterministically from a seed.
//!
//! What is taken from the publication (`data/table4.csv`, `data/other-municipalities.txt`
//! and the constants below): 23,563 spells; the 72 ranked municipalities with their
//! published spell counts; the outcome shares of tables 1–2 (integer counts that round to
//! every published share); each ranked municipality's completed share; table 3's cohort
//! curves (as the baseline the calibration starts from). Everything else is drawn: permit
//! dates 1999–2004, follow-up to week 50 of 2005, ~10 % movers with a second, late-entry
//! spell, the individual and municipal covariates of MODEL.md.
//!
//! The municipality effects and the baseline are *calibrated* (see
//! `examples/calibrate_demo.rs`): generate, analyse with the engine, move each effect
//! towards its published value, repeat with the same seed. The result is shipped in
//! `data/demo_calibration.txt`.
//!
//! The generator uses its own seeded RNG and `libm` for every transcendental function, and
//! formats numbers with Rust's own formatting, so native and wasm32 builds write
//! byte-identical files.

mod published;
pub mod synthetic;

use crate::numeric::rng::Rng;

/// The default seed: the demo everyone sees.
pub const DEFAULT_SEED: u64 = 2006;

/// The calibrated parameters (written by `examples/calibrate_demo.rs`).
const CALIBRATION: &str = include_str!("../../data/demo_calibration.txt");

/// [`fingerprint`] of `demo_csv(DEFAULT_SEED)`. Native and wasm32 tests both compare against
/// it, so the browser's demo and the CLI's are the same bytes. `cargo xtask calibrate-demo`
/// prints the new value when the calibration changes.
pub const DEFAULT_DEMO_FINGERPRINT: u64 = 0xc045_87e5_f2b1_c2ca;

pub use published::*;

const FIRST_PERMIT_YEAR: i32 = 1999;
/// Relative numbers of permits per year 1999–2004 (newcomers under the act fell after 2002).
const PERMITS_PER_YEAR: [f64; 6] = [0.19, 0.21, 0.22, 0.17, 0.11, 0.10];
/// Monday of ISO week 50 of 2005: the end of follow-up.
const END_OF_FOLLOW_UP: (i32, u8, u8) = (2005, 12, 12);
/// Share of spells that belong to movers (each mover has two spells).
const MOVER_SPELL_SHARE: f64 = 0.10;
/// Duration years the baseline covers (beyond the last, the last year's hazard holds).
pub const BASELINE_YEARS: usize = 7;

/// The calibrated parameters: a hazard multiplier exp(α) per municipality (ranked first, in
/// table order, then the others) and the baseline yearly hazards per permit year.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoParameters {
    /// α per municipality, ranked in table order then others in file order.
    pub alpha: Vec<f64>,
    /// Yearly baseline hazard per permit year (1999…2004) and duration year (1…7).
    pub baseline: [[f64; BASELINE_YEARS]; 6],
    /// A ranked municipality's unemployment rate (%), where set explicitly (else it follows
    /// the published expected duration).
    pub unemployment: Vec<Option<f64>>,
}

impl DemoParameters {
    /// The uncalibrated start: α = 0 and the yearly hazards implied by table 3.
    pub fn initial() -> DemoParameters {
        let n = published_ranking().len() + other_municipalities().len();
        let mut baseline = [[0.0; BASELINE_YEARS]; 6];
        for (year, row) in TABLE3.iter().enumerate() {
            let mut previous_survival = 1.0;
            let mut last = 0.1;
            for (d, slot) in baseline[year].iter_mut().enumerate() {
                // Later years: the 1999 cohort's pattern (the only one followed that long).
                let cumulative = row
                    .get(d)
                    .copied()
                    .flatten()
                    .or_else(|| TABLE3[0].get(d).copied().flatten());
                if let Some(percent) = cumulative {
                    let survival = 1.0 - percent / 100.0;
                    last = -libm::log(survival / previous_survival);
                    previous_survival = survival;
                }
                *slot = last;
            }
        }
        DemoParameters {
            alpha: vec![0.0; n],
            baseline,
            unemployment: vec![None; n],
        }
    }

    /// The shipped calibration (`data/demo_calibration.txt`), or the initial parameters
    /// where a line is missing.
    pub fn calibrated() -> DemoParameters {
        DemoParameters::parse(CALIBRATION)
    }

    /// Reads `alpha,<index>,<value>`, `unemployment,<index>,<value>` and
    /// `baseline,<year index>,<duration index>,<value>` lines.
    pub fn parse(text: &str) -> DemoParameters {
        let mut parameters = DemoParameters::initial();
        for line in text.lines() {
            let fields: Vec<&str> = line.split(',').collect();
            match fields.as_slice() {
                ["alpha", index, value] => {
                    if let (Ok(i), Ok(v)) = (index.parse::<usize>(), value.parse::<f64>()) {
                        if let Some(slot) = parameters.alpha.get_mut(i) {
                            *slot = v;
                        }
                    }
                }
                ["unemployment", index, value] => {
                    if let (Ok(i), Ok(v)) = (index.parse::<usize>(), value.parse::<f64>()) {
                        if let Some(slot) = parameters.unemployment.get_mut(i) {
                            *slot = Some(v);
                        }
                    }
                }
                ["baseline", year, duration, value] => {
                    if let (Ok(y), Ok(d), Ok(v)) = (
                        year.parse::<usize>(),
                        duration.parse::<usize>(),
                        value.parse::<f64>(),
                    ) {
                        if let Some(slot) = parameters
                            .baseline
                            .get_mut(y)
                            .and_then(|row| row.get_mut(d))
                        {
                            *slot = v;
                        }
                    }
                }
                _ => {}
            }
        }
        parameters
    }

    /// The text form read by [`DemoParameters::parse`].
    pub fn to_text(&self) -> String {
        let mut text = String::from(
            "# Calibrated demo parameters: written by `cargo xtask calibrate-demo`.\n",
        );
        for (i, alpha) in self.alpha.iter().enumerate() {
            text.push_str(&format!("alpha,{i},{alpha}\n"));
        }
        for (i, rate) in self.unemployment.iter().enumerate() {
            if let Some(rate) = rate {
                text.push_str(&format!("unemployment,{i},{rate}\n"));
            }
        }
        for (y, row) in self.baseline.iter().enumerate() {
            for (d, value) in row.iter().enumerate() {
                text.push_str(&format!("baseline,{y},{d},{value}\n"));
            }
        }
        text
    }
}

/// Days since 1970-01-01 of a (valid) date.
fn day_number(year: i32, month: u8, day: u8) -> i64 {
    crate::cohort::time::Date::new(year, month, day)
        .map_or(0, crate::cohort::time::Date::days_since_epoch)
}

fn date_text(days: i64) -> String {
    crate::cohort::time::Date::from_days_since_epoch(days).to_string()
}

/// The cumulative baseline hazard Λ(t) of a permit-year cohort at t days.
fn cumulative_hazard(baseline: &[f64; BASELINE_YEARS], days: f64) -> f64 {
    let years = days / 365.25;
    let mut total = 0.0;
    for (d, hazard) in baseline.iter().enumerate() {
        let start = d as f64;
        let end = if d + 1 == BASELINE_YEARS {
            f64::INFINITY
        } else {
            start + 1.0
        };
        if years <= start {
            break;
        }
        total += hazard * (years.min(end) - start);
    }
    total
}

/// The t (days) with Λ(t) = `target`.
fn inverse_cumulative_hazard(baseline: &[f64; BASELINE_YEARS], target: f64) -> f64 {
    let mut remaining = target;
    for (d, hazard) in baseline.iter().enumerate() {
        let last = d + 1 == BASELINE_YEARS;
        if last || remaining <= *hazard {
            return (d as f64 + remaining / hazard.max(1e-12)) * 365.25;
        }
        remaining -= hazard;
    }
    f64::INFINITY
}

/// The draws that decide whether, and when, an event-eligible spell completes.
#[derive(Clone, Copy, Debug)]
struct EventDraw {
    /// E / A: the exponential draw over the cumulative hazard available in the spell.
    ratio: f64,
    spell: usize,
    /// A: the cumulative hazard (times the person's multiplier) from entry to the end.
    available: f64,
    /// Λ at entry.
    start: f64,
    /// A uniform draw for E given E ≤ A, when the spell is made to complete.
    conditional: f64,
}

/// A person of the demo: where they live, who they are.
#[derive(Clone, Debug)]
struct Person {
    /// One spell, or two for a mover (the first censored at the move).
    spells: Vec<usize>,
    permit_day: i64,
    permit_year_index: usize,
    linear_predictor: f64,
    covariates: [String; 9],
}

/// One spell being generated.
#[derive(Clone, Debug)]
struct DemoSpell {
    municipality: usize,
    person: usize,
    entry_day: i64,
    end_day: i64,
    outcome: &'static str,
    sex: &'static str,
}

/// The demo file (UTF-8 CSV, `,`, ISO dates) for `seed` with the shipped calibration.
pub fn demo_csv(seed: u64) -> Vec<u8> {
    generate_csv(seed, &DemoParameters::calibrated())
}

/// The demo file for `seed` and explicit parameters (the calibration uses this).
pub fn generate_csv(seed: u64, parameters: &DemoParameters) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ 0x6B6F_6D6D_756E_6562);
    let ranked = published_ranking();
    let others = other_municipalities();
    let names: Vec<String> = ranked
        .iter()
        .map(|m| m.name.clone())
        .chain(others.iter().cloned())
        .collect();
    let n_municipalities = names.len();

    // Spells per municipality: published for the ranked, the rest spread below 80.
    let mut spells_per: Vec<usize> = ranked.iter().map(|m| m.spells).collect();
    let ranked_total: usize = spells_per.iter().sum();
    let weights: Vec<f64> = others
        .iter()
        .map(|_| libm::pow(rng.uniform(), 1.5) + 0.05)
        .collect();
    let weight_total: f64 = weights.iter().sum();
    let remaining = TOTAL_SPELLS - ranked_total;
    let mut other_counts: Vec<usize> = weights
        .iter()
        .map(|w| ((w / weight_total * remaining as f64) as usize).clamp(1, 79))
        .collect();
    let mut assigned: usize = other_counts.iter().sum();
    let mut cursor = 0;
    while assigned != remaining {
        let slot = &mut other_counts[cursor % others.len()];
        if assigned < remaining && *slot < 79 {
            *slot += 1;
            assigned += 1;
        } else if assigned > remaining && *slot > 1 {
            *slot -= 1;
            assigned -= 1;
        }
        cursor += 1;
    }
    spells_per.extend(other_counts);

    // Municipal covariates: plausible ranges, constant within a municipality. The ranked
    // municipalities' unemployment follows their published expected duration (slower where
    // unemployment is higher), so that stage 2 reproduces the published expectations.
    let mut municipal: Vec<[f64; 5]> = (0..n_municipalities)
        .map(|k| {
            let noise = rng.uniform();
            let unemployment = match ranked.get(k) {
                Some(m) => parameters.unemployment[k]
                    .unwrap_or(4.0 + 7.0 * (m.expected_months - 25.0) / 18.0 + 0.4 * (noise - 0.5)),
                None => 4.0 + 7.0 * noise,
            };
            [
                unemployment,                // unemployment_rate, %
                1.0 + 8.0 * rng.uniform(),   // share_third_country, %
                0.2 + 1.5 * rng.uniform(),   // share_integration_law, %
                25.0 + 25.0 * rng.uniform(), // share_skilled_jobs, %
                0.35 + 0.5 * rng.uniform(),  // jobs_per_capita
            ]
        })
        .collect();
    // In the publication the effects are residuals of the municipal characteristics (stage 2
    // makes them orthogonal to them). Random characteristics would be correlated with the
    // published effects by chance and absorb part of them; so among the ranked, each
    // characteristic is made uncorrelated (weighted by spells) with the published effects.
    let weights: Vec<f64> = ranked.iter().map(|m| m.spells as f64).collect();
    let weight_sum: f64 = weights.iter().sum();
    let effect_mean = ranked
        .iter()
        .zip(&weights)
        .map(|(m, w)| w * m.effect_months)
        .sum::<f64>()
        / weight_sum;
    let centred: Vec<f64> = ranked
        .iter()
        .map(|m| m.effect_months - effect_mean)
        .collect();
    let effect_ss: f64 = centred.iter().zip(&weights).map(|(c, w)| w * c * c).sum();
    let n_ranked = ranked.len();
    for column in 0..5 {
        let values: Vec<f64> = municipal[..n_ranked]
            .iter()
            .map(|row| row[column])
            .collect();
        let mean = values.iter().zip(&weights).map(|(v, w)| w * v).sum::<f64>() / weight_sum;
        let covariance: f64 = values
            .iter()
            .zip(&weights)
            .zip(&centred)
            .map(|((v, w), c)| w * (v - mean) * c)
            .sum();
        for (row, c) in municipal[..n_ranked].iter_mut().zip(&centred) {
            row[column] -= covariance / effect_ss * c;
        }
    }

    // Spell slots, shuffled; consecutive pairs at the front become movers.
    let mut slots: Vec<usize> = spells_per
        .iter()
        .enumerate()
        .flat_map(|(k, &n)| std::iter::repeat_n(k, n))
        .collect();
    rng.shuffle(&mut slots);
    let n_mover_spells = ((TOTAL_SPELLS as f64 * MOVER_SPELL_SHARE) as usize) & !1;
    let mut spells: Vec<DemoSpell> = Vec::with_capacity(TOTAL_SPELLS);
    let mut persons: Vec<Person> = Vec::new();
    let end_day = day_number(END_OF_FOLLOW_UP.0, END_OF_FOLLOW_UP.1, END_OF_FOLLOW_UP.2);
    let mut position = 0;
    while position < slots.len() {
        let is_mover = position + 1 < n_mover_spells && slots[position] != slots[position + 1];
        let person_spells = if is_mover {
            vec![position, position + 1]
        } else {
            vec![position]
        };
        position += person_spells.len();
        let year_index = rng.weighted(&PERMITS_PER_YEAR);
        let year = FIRST_PERMIT_YEAR + year_index as i32;
        let year_start = day_number(year, 1, 1);
        let permit_day =
            year_start + rng.below((day_number(year + 1, 1, 1) - year_start) as usize) as i64;
        let follow_up = end_day - permit_day;
        let move_fraction = rng.uniform();
        let move_day = is_mover.then(|| {
            permit_day + 30 + ((follow_up.min(4 * 365) - 60) as f64 * move_fraction) as i64
        });

        // Individual covariates (sex is assigned later, to match tables 1–2 exactly).
        let basis = rng.weighted(&[0.51, 0.25, 0.24]);
        let origin = rng.weighted(&[0.22, 0.18, 0.14, 0.12, 0.09, 0.08, 0.07, 0.06, 0.04]);
        let age = 18.0 + libm::floor(42.0 * libm::pow(rng.uniform(), 1.4));
        let partner = rng.weighted(&[0.45, 0.40, 0.15]);
        let children = libm::floor(-libm::log(rng.uniform()) * 1.4);
        let health = libm::floor(-libm::log(rng.uniform()) * 9.0);
        let quota = usize::from(basis == 0 && rng.uniform() < 0.2);
        let track = rng.weighted(&[0.25, 0.45, 0.30]);
        let deprived = usize::from(rng.uniform() < 0.3);
        let linear_predictor =
            -0.018 * (age - 32.0) + [0.15, -0.05, -0.1][basis] + [0.0, 0.1, 0.3][partner]
                - 0.06 * children
                - 0.012 * health
                + [-0.35, 0.0, 0.25][track]
                - 0.15 * deprived as f64;
        let origins = [
            "Irak",
            "Somalia",
            "Afghanistan",
            "Iran",
            "Bosnien-Hercegovina",
            "Libanon",
            "Tyrkiet",
            "Sri Lanka",
            "Vietnam",
        ];
        let covariates = [
            ["refugee", "family_refugee", "family_other"][basis].to_owned(),
            origins[origin].to_owned(),
            format!("{age}"),
            ["none", "foreign", "danish"][partner].to_owned(),
            format!("{children}"),
            format!("{health}"),
            quota.to_string(),
            (track + 1).to_string(),
            deprived.to_string(),
        ];
        let person = persons.len();
        for (order, &slot) in person_spells.iter().enumerate() {
            let entry_day = if order == 1 {
                move_day.unwrap_or(permit_day)
            } else {
                permit_day
            };
            let spell_end = if order == 0 && is_mover {
                move_day.unwrap_or(end_day)
            } else {
                end_day
            };
            spells.push(DemoSpell {
                municipality: slots[slot],
                person,
                entry_day,
                end_day: spell_end,
                outcome: "none",
                sex: "",
            });
        }
        persons.push(Person {
            spells: (spells.len() - person_spells.len()..spells.len()).collect(),
            permit_day,
            permit_year_index: year_index,
            linear_predictor,
            covariates,
        });
    }

    // Which spells end with an event: the event-eligible spell of each person (a single
    // spell, or a mover's second) draws E ~ Exp(1) against its available cumulative hazard
    // A; within each municipality the spells with the smallest E/A complete, exactly as many
    // as published (ranked) or allocated (others).
    let (men, women) = outcome_counts();
    let total_events = men[0] + men[1] + women[0] + women[1];
    let mut eligible_by_municipality: Vec<Vec<EventDraw>> = vec![Vec::new(); n_municipalities];
    for person in &persons {
        let last = *person.spells.last().unwrap_or(&0);
        let spell = &spells[last];
        let baseline = &parameters.baseline[person.permit_year_index];
        let scale = libm::exp(person.linear_predictor + parameters.alpha[spell.municipality]);
        let start = cumulative_hazard(baseline, (spell.entry_day - person.permit_day) as f64);
        let available = scale
            * (cumulative_hazard(baseline, (spell.end_day - person.permit_day) as f64) - start);
        let exponential = -libm::log(rng.uniform());
        let conditional = rng.uniform();
        eligible_by_municipality[spell.municipality].push(EventDraw {
            ratio: exponential / available,
            spell: last,
            available,
            start,
            conditional,
        });
    }
    let mut events_per: Vec<usize> = ranked
        .iter()
        .map(|m| libm::round(m.completed_percent / 100.0 * m.spells as f64) as usize)
        .collect();
    // The other municipalities share the remaining events in proportion to their expected
    // number (Σ 1 − e^{−A}), largest remainders first.
    let remaining_events = total_events.saturating_sub(events_per.iter().sum());
    let expected: Vec<f64> = (ranked.len()..n_municipalities)
        .map(|k| {
            eligible_by_municipality[k]
                .iter()
                .map(|e| -libm::expm1(-e.available))
                .sum()
        })
        .collect();
    let expected_total: f64 = expected.iter().sum();
    let quotas: Vec<f64> = expected
        .iter()
        .map(|e| e / expected_total * remaining_events as f64)
        .collect();
    let mut other_events: Vec<usize> = quotas.iter().map(|q| *q as usize).collect();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| {
        (quotas[b] - libm::floor(quotas[b]))
            .total_cmp(&(quotas[a] - libm::floor(quotas[a])))
            .then(a.cmp(&b))
    });
    let mut short = remaining_events.saturating_sub(other_events.iter().sum());
    for &i in order.iter().cycle().take(order.len() * 4) {
        if short == 0 {
            break;
        }
        if other_events[i] < eligible_by_municipality[ranked.len() + i].len() {
            other_events[i] += 1;
            short -= 1;
        }
    }
    events_per.extend(other_events);

    let mut completed: Vec<usize> = Vec::new();
    for (k, eligible) in eligible_by_municipality.iter_mut().enumerate() {
        eligible.sort_by(|a, b| a.ratio.total_cmp(&b.ratio).then(a.spell.cmp(&b.spell)));
        let n_events = events_per[k].min(eligible.len());
        for &EventDraw {
            ratio,
            spell: spell_index,
            available,
            start,
            conditional,
        } in &eligible[..n_events]
        {
            let person = &persons[spells[spell_index].person];
            let baseline = &parameters.baseline[person.permit_year_index];
            let scale = libm::exp(person.linear_predictor + parameters.alpha[k]);
            // E ≤ A: the drawn time; else one drawn from T | T ≤ end (E given E ≤ A).
            let used = if ratio <= 1.0 {
                ratio * available
            } else {
                -libm::log1p(-conditional * -libm::expm1(-available))
            };
            let event_days = inverse_cumulative_hazard(baseline, start + used / scale);
            let spell = &mut spells[spell_index];
            let day = person.permit_day + libm::ceil(event_days) as i64;
            spell.end_day = day.clamp(spell.entry_day + 1, spell.end_day);
            spell.outcome = "event";
            completed.push(spell_index);
        }
    }

    // Sex by person, so that men and women have exactly the published numbers of spells,
    // completed spells and education spells.
    rng.shuffle(&mut completed);
    let events_men = men[0] + men[1];
    let mut person_sex: Vec<Option<&'static str>> = vec![None; persons.len()];
    let mut spells_men = 0;
    for (position, &spell_index) in completed.iter().enumerate() {
        let sex = if position < events_men { "M" } else { "K" };
        let person = spells[spell_index].person;
        person_sex[person] = Some(sex);
        if sex == "M" {
            spells_men += persons[person].spells.len();
        }
        // Education for the first of each sex's completed spells, self-support after.
        let education = if sex == "M" {
            position < men[1]
        } else {
            position - events_men < women[1]
        };
        spells[spell_index].outcome = if education {
            "education"
        } else {
            "self_support"
        };
    }
    // Persons without an event: movers first (two spells), then singles fill exactly.
    let mut rest: Vec<usize> = (0..persons.len())
        .filter(|&p| person_sex[p].is_none())
        .collect();
    rest.sort_by_key(|&p| std::cmp::Reverse(persons[p].spells.len()));
    for p in rest {
        let n = persons[p].spells.len();
        let sex = if spells_men + n <= SPELLS_MEN {
            "M"
        } else {
            "K"
        };
        if sex == "M" {
            spells_men += n;
        }
        person_sex[p] = Some(sex);
    }
    for spell in &mut spells {
        spell.sex = person_sex[spell.person].unwrap_or("K");
    }

    // The file.
    let mut text = String::from(
        "spell_id,person_id,municipality,permit_date,entry_date,end_date,outcome,sex,residence_basis,origin,age,partner,children,health_services,quota_refugee,danish_track,deprived_area,unemployment_rate,share_third_country,share_integration_law,share_skilled_jobs,jobs_per_capita\n",
    );
    for (spell_id, spell) in spells.iter().enumerate() {
        let person = &persons[spell.person];
        let entry = if spell.entry_day == person.permit_day {
            String::new()
        } else {
            date_text(spell.entry_day)
        };
        let m = &municipal[spell.municipality];
        let c = &person.covariates;
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.1},{:.2},{:.2},{:.1},{:.3}\n",
            spell_id + 1,
            spell.person + 1,
            names[spell.municipality],
            date_text(person.permit_day),
            entry,
            date_text(spell.end_day),
            spell.outcome,
            spell.sex,
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8],
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
        ));
    }
    text.into_bytes()
}

/// FNV-1a (64 bit) of `bytes`: a platform-independent fingerprint of the demo file.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
