//! Large synthetic spell files for benchmarks (`kommunebench synthetic`, `cargo xtask bench
//! browser`): any number of spells over any number of municipalities, with every column of
//! MODEL.md §1, produced row by row so that a file of a million spells is never held in
//! memory. Not calibrated to anything: they measure the cost of an analysis, not its numbers.
//!
//! Municipality sizes are skewed like Danish municipalities' (k = ⌊u³ K⌋); durations follow
//! a proportional-hazards model with a municipality effect, so the model has something to
//! find; about 10 % of spells enter late (movers). Deterministic for a seed, with the
//! engine's own RNG and `libm`, like the demo.

use crate::numeric::rng::Rng;

use super::{date_text, day_number};

/// The header of a synthetic file.
pub const SYNTHETIC_HEADER: &str = "spell_id,person_id,municipality,permit_date,entry_date,end_date,outcome,sex,age,residence_basis,origin,children,unemployment_rate\n";

/// The rows of a synthetic file (each with its line break), after [`SYNTHETIC_HEADER`].
#[derive(Debug)]
pub struct SyntheticRows {
    rng: Rng,
    n_spells: usize,
    written: usize,
    alpha: Vec<f64>,
    first_permit_day: i64,
    permit_days: i64,
    end_day: i64,
}

/// `n_spells` rows over `n_municipalities` (at least 1) municipalities, for `seed`.
pub fn synthetic_rows(n_spells: usize, n_municipalities: usize, seed: u64) -> SyntheticRows {
    let mut rng = Rng::new(seed ^ 0x5359_4E54_4845_5449);
    let alpha = (0..n_municipalities.max(1))
        .map(|_| 0.6 * (rng.uniform() - 0.5))
        .collect();
    let first_permit_day = day_number(1999, 1, 1);
    SyntheticRows {
        rng,
        n_spells,
        written: 0,
        alpha,
        first_permit_day,
        permit_days: day_number(2005, 1, 1) - first_permit_day,
        end_day: day_number(2005, 12, 12),
    }
}

const ORIGINS: usize = 24;

impl Iterator for SyntheticRows {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.written == self.n_spells {
            return None;
        }
        self.written += 1;
        let rng = &mut self.rng;
        let n_municipalities = self.alpha.len();
        let k = ((libm::pow(rng.uniform(), 3.0) * n_municipalities as f64) as usize)
            .min(n_municipalities - 1);
        let permit = self.first_permit_day + rng.below(self.permit_days as usize) as i64;
        let entry = if rng.uniform() < 0.1 {
            permit + 1 + rng.below(((self.end_day - permit) / 2).max(1) as usize) as i64
        } else {
            permit
        };
        let sex = rng.below(2);
        let age = 18 + rng.below(45);
        let basis = rng.below(3);
        let origin = rng.below(ORIGINS);
        let children = rng.below(6);
        let eta = self.alpha[k] - 0.02 * (age as f64 - 35.0) + 0.1 * sex as f64
            - 0.05 * (origin % 5) as f64
            + [0.15, -0.05, -0.1][basis];
        // Exponential time to the event, 0.02 a month at η = 0, from the permit date.
        let months = -libm::log(rng.uniform()) / (0.02 * libm::exp(eta));
        let event_day = permit + (months * 30.436875).ceil() as i64;
        let education = rng.uniform() < 0.1;
        let (end, outcome) = if event_day <= self.end_day {
            let outcome = if education {
                "education"
            } else {
                "self_support"
            };
            (event_day.max(entry + 1), outcome)
        } else {
            (self.end_day, "none")
        };
        let entry_text = if entry == permit {
            String::new()
        } else {
            date_text(entry)
        };
        Some(format!(
            "{id},{id},Kommune {k:05},{permit},{entry_text},{end},{outcome},{sex},{age},{basis},Land {origin:02},{children},{rate}\n",
            id = self.written,
            permit = date_text(permit),
            end = date_text(end),
            sex = ["M", "K"][sex],
            basis = ["refugee", "family_refugee", "family_other"][basis],
            rate = 4 + k % 7,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_spells_from_bytes, ReadOptions};

    #[test]
    fn every_row_is_a_valid_spell_and_the_file_is_deterministic() {
        let text: String = std::iter::once(SYNTHETIC_HEADER.to_owned())
            .chain(synthetic_rows(3000, 40, 7))
            .collect();
        let again: String = std::iter::once(SYNTHETIC_HEADER.to_owned())
            .chain(synthetic_rows(3000, 40, 7))
            .collect();
        assert_eq!(text, again);
        let read = read_spells_from_bytes(text.as_bytes(), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.excluded_rows, vec![]);
        assert_eq!(read.cohort.n_spells(), 3000);
        assert!(read.cohort.n_municipalities() > 20);
        let events = read.cohort.outcome.iter().filter(|o| o.is_event()).count();
        assert!(events > 300 && events < 2900, "{events} events");
    }
}
