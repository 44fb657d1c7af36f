//! What an analysis reports while it runs: the step it begins and each Newton iteration.
//!
//! The engine has no clock (it is pure, and `std::time::Instant` does not exist in the
//! browser's wasm), so a caller that wants the time of each step passes one to
//! [`PhaseTimer`]: the CLI `Instant`, the web worker `performance.now()`, the benchmark both.

use serde::{Deserialize, Serialize};

use crate::model::NewtonProgress;

/// A step of an analysis, in the order they run (MODEL.md's sections in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and checking the file (§1, §6); reported by the caller, which does the I/O.
    Read,
    /// The outcome and cohort tables (§3).
    Tables,
    /// The design: columns, pooling, pieces (§4).
    Design,
    /// Stage 1's Newton–Raphson fit, Var(β̂, α̂) included (§4).
    Newton,
    /// Stage 2: γ̂, û and Var(û) (§4).
    StageTwo,
    /// Observed, expected and the slope of each ranked municipality (§4).
    RestrictedMeans,
    /// Intervals, q-values, τ̂², shrinkage and rank draws (§7–§8).
    Uncertainty,
    /// The caller's own steps after the engine: drill-downs and the report.
    Report,
    /// Sending the results from the web worker to the page (measured by the page).
    Transfer,
    /// Showing the results: the page's render, to the first frame after it (measured by the
    /// page).
    Render,
}

/// Reported to an analysis' progress callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// A step begins (the previous one has ended).
    Phase(Phase),
    /// A Newton iteration of stage 1 has been evaluated.
    Newton(NewtonProgress),
}

/// The seconds spent in each step, from the [`Phase`] marks of one analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// In the order the steps began; a step that ran twice appears twice.
    pub seconds: Vec<(Phase, f64)>,
}

impl PhaseTimes {
    /// The seconds of `phase` (summed when it ran more than once).
    pub fn of(&self, phase: Phase) -> f64 {
        self.seconds
            .iter()
            .filter(|(p, _)| *p == phase)
            .map(|(_, s)| s)
            .sum()
    }

    /// The seconds of every step together.
    pub fn total(&self) -> f64 {
        self.seconds.iter().map(|(_, s)| s).sum()
    }
}

/// Turns [`Phase`] marks into [`PhaseTimes`] with a caller's clock (seconds, any origin).
pub struct PhaseTimer<C: FnMut() -> f64> {
    clock: C,
    current: Option<(Phase, f64)>,
    times: PhaseTimes,
}

impl<C: FnMut() -> f64> std::fmt::Debug for PhaseTimer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhaseTimer")
            .field("current", &self.current)
            .field("times", &self.times)
            .finish_non_exhaustive()
    }
}

impl<C: FnMut() -> f64> PhaseTimer<C> {
    pub fn new(clock: C) -> PhaseTimer<C> {
        PhaseTimer {
            clock,
            current: None,
            times: PhaseTimes::default(),
        }
    }

    /// Ends the step under way, if any, and begins `phase`.
    pub fn begin(&mut self, phase: Phase) {
        let now = (self.clock)();
        if let Some((previous, started)) = self.current.replace((phase, now)) {
            self.times.seconds.push((previous, now - started));
        }
    }

    /// Ends the step under way and returns the times.
    pub fn finish(mut self) -> PhaseTimes {
        let now = (self.clock)();
        if let Some((previous, started)) = self.current.take() {
            self.times.seconds.push((previous, now - started));
        }
        self.times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_lasts_until_the_next_begins() {
        let ticks = [0.0, 1.0, 3.5, 4.0, 10.0];
        let mut next = ticks.iter().copied();
        let mut timer = PhaseTimer::new(move || next.next().unwrap_or(f64::NAN));
        timer.begin(Phase::Read);
        timer.begin(Phase::Tables);
        timer.begin(Phase::Newton);
        timer.begin(Phase::Tables);
        let times = timer.finish();
        assert_eq!(
            times.seconds,
            [
                (Phase::Read, 1.0),
                (Phase::Tables, 2.5),
                (Phase::Newton, 0.5),
                (Phase::Tables, 6.0)
            ]
        );
        assert_eq!(times.of(Phase::Tables), 8.5);
        assert_eq!(times.of(Phase::StageTwo), 0.0);
        assert_eq!(times.total(), 10.0);
    }
}
