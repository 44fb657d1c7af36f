//! Stage 1: the piecewise-exponential proportional-hazards model with municipality fixed
//! effects, fitted by exact maximum likelihood (MODEL.md §4, §6).
//!
//! # Formula
//! Spell i of municipality k is at risk on (t0_i, t1_i] (censored at H), with hazard
//! h_i(t) = λ_j exp(η_i), η_i = x_iᵀβ + α_k, in piece j = [b_j, b_{j+1}). With e_ij the
//! exposure of (t0_i, t1_i] in piece j and j_i the piece with b_j < t1_i ≤ b_{j+1}:
//!
//! ```text
//! ℓ = Σ_i [ d_i (log λ_{j_i} + η_i) − Σ_j λ_j e_ij exp(η_i) ]
//! ```
//!
//! In the parameters θ = (γ_j = log λ_j, α_k, β) this is a Poisson log-likelihood with the
//! canonical link, so the observed information equals Σ_ij w_ij z_ij z_ijᵀ with
//! w_ij = λ_j e_ij exp(η_i) and z_ij the indicator of piece j and municipality k joined to
//! x_i. Its γ–γ and α–α blocks are diagonal; we accumulate the blocks directly from the
//! sparse rows (never an n × K dummy matrix): one pass costs O(n · (p_nz² + J_i · p_nz)) with
//! p_nz the nonzeros of x_i and J_i the pieces a spell crosses. The solve eliminates the
//! diagonal α block (`BlockSolver`, a Schur complement): O(K (J + p)² + (J + p)³), linear
//! in the number of municipalities K, where a dense solve would be O((J + K + p)³).
//!
//! Identification: one α is fixed at 0 (the municipality with the most events). Every result
//! the engine reports is invariant to that choice.
//!
//! A piece without events has λ_j = 0 (the boundary MLE) and leaves the parameter vector; a
//! municipality without events inside H has α_k = −∞ and is left out of the estimation.
//!
//! # References
//! - N. Breslow (1974), "Covariance analysis of censored survival data", Biometrics 30.
//! - J. Holford (1980), "The analysis of rates and of survivorship using log-linear models",
//!   Biometrics 36 (the Poisson equivalence).

use super::error::ModelError;
pub use super::information::AlphaCovariance;
use super::information::{BlockSolver, InformationBlocks};
use crate::model::design::Design;
use crate::numeric::index_of_first_maximum;
use crate::numeric::tolerance::{NEWTON_MAX_ITERATIONS, NEWTON_SCALED_SCORE};

/// Why Newton–Raphson stopped (it only returns when it converged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvergenceReason {
    /// max_m |U_m| / √I_mm fell below [`NEWTON_SCALED_SCORE`].
    ScaledScoreBelowTolerance,
}

/// Reported after each Newton evaluation, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewtonProgress {
    pub iteration: usize,
    /// max_m |U_m| / √I_mm now; the fit stops below [`NEWTON_SCALED_SCORE`].
    pub max_abs_score: f64,
    pub log_likelihood: f64,
}

/// How the fit ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Convergence {
    pub reason: ConvergenceReason,
    pub iterations: usize,
    /// max_m |U_m| / √I_mm at the solution.
    pub max_abs_score: f64,
    pub log_likelihood: f64,
}

/// The fitted stage-1 model.
#[derive(Clone, Debug, PartialEq)]
pub struct StageOneFit {
    /// λ_j per piece (0 for pieces without events).
    pub hazard: Vec<f64>,
    /// α_k per municipality of the cohort; −∞ for municipalities without events inside H.
    pub alpha: Vec<f64>,
    pub beta: Vec<f64>,
    /// √diag of the inverse information for β.
    pub beta_se: Vec<f64>,
    /// Cov(α̂_k, α̂_l) from the inverse observed information, indexed by municipality of the
    /// cohort (0 rows for municipalities without events and for the one fixed at 0).
    pub alpha_covariance: AlphaCovariance,
    pub convergence: Convergence,
}

/// Where each parameter lives in θ.
#[derive(Debug)]
pub(super) struct Layout {
    /// Per piece: index in θ (None: no events, λ = 0).
    pub(super) piece: Vec<Option<usize>>,
    /// Per municipality: index in θ (None: no events, or the one fixed at 0).
    pub(super) municipality: Vec<Option<usize>>,
    pub(super) first_beta: usize,
    pub(super) n_params: usize,
}

/// Spells per call of `Problem::add_spells`: enough that a call costs far more than its
/// entry, few enough that the first Newton iteration runs mostly optimised in the browser.
const SPELLS_PER_CALL: usize = 4096;

/// One spell of the estimation sample, ready for the inner loop.
#[derive(Clone, Copy, Debug)]
struct Spell {
    index: usize,
    pub(super) municipality: usize,
    time_enter: f64,
    time_exit: f64,
    /// The piece of the event, if the spell ends with one inside H.
    event_piece: Option<usize>,
}

/// The kernel: log-likelihood, score and information at θ.
struct Problem<'a> {
    design: &'a Design,
    layout: Layout,
    spells: Vec<Spell>,
}

struct Evaluation {
    log_likelihood: f64,
    score: Vec<f64>,
    blocks: InformationBlocks,
}

/// The spells of the estimation sample, with their event piece.
fn estimation_spells(design: &Design, municipality: &[u32], time_enter: &[f64]) -> Vec<Spell> {
    let mut spells = Vec::with_capacity(design.estimation_spells.len());
    for indices in design.estimation_spells.chunks(SPELLS_PER_CALL) {
        add_estimation_spells(design, municipality, time_enter, indices, &mut spells);
    }
    spells
}

/// [`estimation_spells`] for the spells `indices` (never inlined, called per
/// [`SPELLS_PER_CALL`] spells: ARCHITECTURE.md, "Hot loops in the browser").
#[inline(never)]
fn add_estimation_spells(
    design: &Design,
    municipality: &[u32],
    time_enter: &[f64],
    indices: &[usize],
    spells: &mut Vec<Spell>,
) {
    let boundaries = &design.boundaries;
    spells.extend(indices.iter().map(|&i| {
        Spell {
            index: i,
            municipality: municipality[i] as usize,
            time_enter: time_enter[i],
            time_exit: design.time_exit_censored[i],
            event_piece: design.event_censored[i]
                .then(|| piece_of_exit(boundaries, design.time_exit_censored[i])),
        }
    }));
}

/// Events per piece and per municipality, and exposure per piece, of `spells`, added to the
/// totals (the start values of Newton–Raphson; never inlined, called per
/// [`SPELLS_PER_CALL`] spells: ARCHITECTURE.md, "Hot loops in the browser").
#[inline(never)]
fn count_events_and_exposure(
    spells: &[Spell],
    boundaries: &[f64],
    events_per_piece: &mut [usize],
    events_per_municipality: &mut [usize],
    exposure_per_piece: &mut [f64],
) {
    for spell in spells {
        if let Some(j) = spell.event_piece {
            events_per_piece[j] += 1;
            events_per_municipality[spell.municipality] += 1;
        }
        for (j, exposure) in exposure_per_piece.iter_mut().enumerate() {
            *exposure += (spell.time_exit.min(boundaries[j + 1])
                - spell.time_enter.max(boundaries[j]))
            .max(0.0);
        }
    }
}

/// The piece j with b_j < t ≤ b_{j+1}.
fn piece_of_exit(boundaries: &[f64], t: f64) -> usize {
    boundaries
        .partition_point(|&b| b < t)
        .saturating_sub(1)
        .min(boundaries.len() - 2)
}

impl Problem<'_> {
    fn hazard(&self, theta: &[f64]) -> Vec<f64> {
        self.layout
            .piece
            .iter()
            .map(|p| p.map_or(0.0, |m| theta[m].exp()))
            .collect()
    }

    fn alpha(&self, theta: &[f64], k: usize) -> f64 {
        self.layout.municipality[k].map_or(0.0, |m| theta[m])
    }

    /// ℓ(θ), and with `derivatives` also U(θ) and I(θ).
    fn evaluate(&self, theta: &[f64], derivatives: bool) -> Evaluation {
        let layout = &self.layout;
        let hazard = self.hazard(theta);
        // The information's blocks, accumulated in small dense arrays indexed by piece,
        // municipality and term (cache-friendly), and placed into the (J + K + p)² matrix once
        // at the end. The piece and municipality blocks are diagonal.
        let mut evaluation = Evaluation {
            log_likelihood: 0.0,
            score: vec![0.0; if derivatives { layout.n_params } else { 0 }],
            blocks: InformationBlocks::new(if derivatives {
                (
                    layout.piece.len(),
                    layout.municipality.len(),
                    self.design.n_terms(),
                )
            } else {
                (0, 0, 0)
            }),
        };
        let mut row: Vec<(usize, f64)> = Vec::new();
        for spells in self.spells.chunks(SPELLS_PER_CALL) {
            self.add_spells(
                spells,
                theta,
                &hazard,
                derivatives,
                &mut evaluation,
                &mut row,
            );
        }
        evaluation
    }

    /// Adds `spells`' terms to `evaluation`, in order (so the sums are those of one loop).
    ///
    /// Never inlined, called per [`SPELLS_PER_CALL`] spells: see ARCHITECTURE.md, "Hot loops
    /// in the browser" (one call over all spells ran the first Newton iteration in baseline
    /// wasm to its end).
    #[inline(never)]
    fn add_spells(
        &self,
        spells: &[Spell],
        theta: &[f64],
        hazard: &[f64],
        derivatives: bool,
        evaluation: &mut Evaluation,
        row: &mut Vec<(usize, f64)>,
    ) {
        let layout = &self.layout;
        let boundaries = &self.design.boundaries;
        let beta = &theta[layout.first_beta..];
        let (n_pieces, n_terms) = (layout.piece.len(), self.design.n_terms());
        let Evaluation {
            log_likelihood: total_log_likelihood,
            score,
            blocks,
        } = evaluation;
        let mut log_likelihood = *total_log_likelihood;
        for spell in spells {
            // With derivatives the sparse row is needed anyway: η from it, not a second pass
            // over the design columns.
            let x_beta = if derivatives {
                self.design.row(spell.index, row);
                row.iter().map(|&(term, x)| beta[term] * x).sum()
            } else {
                self.design.linear_predictor(spell.index, beta)
            };
            let eta = x_beta + self.alpha(theta, spell.municipality);
            let exp_eta = eta.exp();
            let k = spell.municipality;
            let mut mu = 0.0;
            let first_piece = boundaries
                .partition_point(|&b| b <= spell.time_enter)
                .saturating_sub(1);
            let last_piece = piece_of_exit(boundaries, spell.time_exit);
            for j in first_piece..=last_piece {
                let Some(piece_param) = layout.piece[j] else {
                    continue;
                };
                let exposure =
                    spell.time_exit.min(boundaries[j + 1]) - spell.time_enter.max(boundaries[j]);
                if exposure <= 0.0 {
                    continue;
                }
                let w = hazard[j] * exposure * exp_eta;
                mu += w;
                if derivatives {
                    score[piece_param] -= w;
                    blocks.piece_diagonal[j] += w;
                    blocks.municipality_piece[k * n_pieces + j] += w;
                    let term_piece = &mut blocks.term_piece[j * n_terms..(j + 1) * n_terms];
                    for &(term, x) in row.iter() {
                        term_piece[term] += w * x;
                    }
                }
            }
            log_likelihood -= mu;
            if let Some(j) = spell.event_piece {
                log_likelihood += hazard[j].ln() + eta;
            }
            if !derivatives {
                continue;
            }
            let residual = f64::from(u8::from(spell.event_piece.is_some())) - mu;
            if let Some(j) = spell.event_piece.and_then(|j| layout.piece[j]) {
                score[j] += 1.0;
            }
            if let Some(m) = layout.municipality[k] {
                score[m] += residual;
            }
            blocks.municipality_diagonal[k] += mu;
            let term_municipality = &mut blocks.term_municipality[k * n_terms..(k + 1) * n_terms];
            for (a, &(term, x)) in row.iter().enumerate() {
                score[layout.first_beta + term] += residual * x;
                term_municipality[term] += mu * x;
                let term_term = &mut blocks.term_term[term * n_terms..(term + 1) * n_terms];
                // Rows list terms in increasing order: this fills the lower triangle.
                for &(other_term, other_x) in &row[..=a] {
                    term_term[other_term] += mu * x * other_x;
                }
            }
        }
        *total_log_likelihood = log_likelihood;
    }

    /// The parameter name of θ index `m`, for messages.
    fn parameter_name(&self, m: usize, municipality_names: &[String]) -> String {
        if m >= self.layout.first_beta {
            return self.design.term_names[m - self.layout.first_beta].clone();
        }
        if let Some(k) = self.layout.municipality.iter().position(|&p| p == Some(m)) {
            return format!("municipality {}", municipality_names[k]);
        }
        let j = self
            .layout
            .piece
            .iter()
            .position(|&p| p == Some(m))
            .unwrap_or(0);
        format!(
            "baseline piece {}–{} months",
            self.design.boundaries[j],
            self.design.boundaries[j + 1]
        )
    }
}

/// Fits stage 1 by Newton–Raphson with step halving. `fixed_municipality` chooses the α
/// held at 0 (default: the municipality with the most events); results reported by the
/// engine do not depend on it, which the tests check.
pub fn fit(
    design: &Design,
    municipality: &[u32],
    time_enter: &[f64],
    municipality_names: &[String],
    fixed_municipality: Option<usize>,
    progress: &mut dyn FnMut(NewtonProgress),
) -> Result<StageOneFit, ModelError> {
    let boundaries = &design.boundaries;
    let n_pieces = boundaries.len() - 1;
    let n_municipalities = design.municipality_has_event.len();
    let spells = estimation_spells(design, municipality, time_enter);

    let mut events_per_piece = vec![0usize; n_pieces];
    let mut events_per_municipality = vec![0usize; n_municipalities];
    let mut exposure_per_piece = vec![0.0; n_pieces];
    for spells in spells.chunks(SPELLS_PER_CALL) {
        count_events_and_exposure(
            spells,
            boundaries,
            &mut events_per_piece,
            &mut events_per_municipality,
            &mut exposure_per_piece,
        );
    }
    // The municipality with the most events carries α = 0 (ties: the first by name).
    let most_events = index_of_first_maximum(&events_per_municipality);
    let fixed = fixed_municipality
        .filter(|&k| events_per_municipality[k] > 0)
        .unwrap_or(most_events);
    let mut n_params = 0;
    let mut next = || {
        n_params += 1;
        n_params - 1
    };
    let piece: Vec<Option<usize>> = events_per_piece
        .iter()
        .map(|&d| (d > 0).then(&mut next))
        .collect();
    let municipality_layout: Vec<Option<usize>> = (0..n_municipalities)
        .map(|k| (events_per_municipality[k] > 0 && k != fixed).then(&mut next))
        .collect();
    let first_beta = n_params;
    let n_params = first_beta + design.n_terms();
    let problem = Problem {
        design,
        layout: Layout {
            piece,
            municipality: municipality_layout,
            first_beta,
            n_params,
        },
        spells,
    };

    // Start: crude piece rates, no covariate or municipality effect.
    let mut theta = vec![0.0; n_params];
    for (j, param) in problem.layout.piece.iter().enumerate() {
        if let Some(m) = param {
            theta[*m] = (events_per_piece[j] as f64 / exposure_per_piece[j]).ln();
        }
    }

    let mut iterations = 0;
    loop {
        let current = problem.evaluate(&theta, true);
        let information_diagonal = current.blocks.diagonal(&problem.layout, design.n_terms());
        let max_abs_score = (0..n_params)
            .map(|m| current.score[m].abs() / information_diagonal[m].sqrt())
            .fold(0.0, f64::max);
        progress(NewtonProgress {
            iteration: iterations,
            max_abs_score,
            log_likelihood: current.log_likelihood,
        });
        let solver =
            BlockSolver::new(&current.blocks, &problem.layout, design.n_terms()).map_err(|m| {
                ModelError::Collinear {
                    term: problem.parameter_name(m, municipality_names),
                }
            })?;
        if max_abs_score < NEWTON_SCALED_SCORE {
            let hazard = problem.hazard(&theta);
            let alpha = (0..n_municipalities)
                .map(|k| {
                    if events_per_municipality[k] > 0 {
                        problem.alpha(&theta, k)
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect();
            let beta = theta[first_beta..].to_vec();
            let mut beta_se = vec![0.0; n_params - first_beta];
            for (m, variance) in solver.core_inverse_diagonal() {
                if m >= first_beta {
                    beta_se[m - first_beta] = variance.sqrt();
                }
            }
            return Ok(StageOneFit {
                hazard,
                alpha,
                beta,
                beta_se,
                alpha_covariance: solver.alpha_covariance(n_municipalities),
                convergence: Convergence {
                    reason: ConvergenceReason::ScaledScoreBelowTolerance,
                    iterations,
                    max_abs_score,
                    log_likelihood: current.log_likelihood,
                },
            });
        }
        if iterations == NEWTON_MAX_ITERATIONS {
            return Err(ModelError::NotConverged {
                iterations,
                max_abs_score,
            });
        }
        iterations += 1;
        let step = solver.solve(&current.score);
        // Step halving: never accept a decrease of ℓ (beyond rounding).
        let mut scale = 1.0;
        let tolerance = 1e-12 * current.log_likelihood.abs().max(1.0);
        loop {
            let candidate: Vec<f64> = theta
                .iter()
                .zip(&step)
                .map(|(t, s)| t + scale * s)
                .collect();
            let log_likelihood = problem.evaluate(&candidate, false).log_likelihood;
            if log_likelihood >= current.log_likelihood - tolerance || scale < 1e-10 {
                theta = candidate;
                break;
            }
            scale /= 2.0;
        }
    }
}

/// ℓ, U and I at given parameters, for finite-difference tests.
#[doc(hidden)]
pub fn evaluate_for_test(
    design: &Design,
    municipality: &[u32],
    time_enter: &[f64],
    theta: &[f64],
) -> (f64, Vec<f64>, Vec<f64>) {
    let boundaries = &design.boundaries;
    let n_pieces = boundaries.len() - 1;
    let n_municipalities = design.municipality_has_event.len();
    let spells = estimation_spells(design, municipality, time_enter);
    // Every piece and municipality free except municipality 0: the test chooses θ to match.
    let piece: Vec<Option<usize>> = (0..n_pieces).map(Some).collect();
    let municipality_layout: Vec<Option<usize>> = (0..n_municipalities)
        .map(|k| (k > 0).then(|| n_pieces + k - 1))
        .collect();
    let first_beta = n_pieces + n_municipalities - 1;
    let problem = Problem {
        design,
        layout: Layout {
            piece,
            municipality: municipality_layout,
            first_beta,
            n_params: first_beta + design.n_terms(),
        },
        spells,
    };
    let evaluation = problem.evaluate(theta, true);
    (
        evaluation.log_likelihood,
        evaluation.score,
        evaluation
            .blocks
            .assemble(&problem.layout, design.n_terms())
            .data,
    )
}
