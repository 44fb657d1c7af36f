//! Every numerical tolerance of the project, named once (as statrs' `prec.rs`).
//!
//! Tests compare against these constants; the estimator's stop rule lives here too so that
//! a reader can see all the "how close is close enough" decisions in one place.

/// Agreement required between the engine and independent reference implementations
/// (lifelines, statsmodels) on Kaplan–Meier values.
pub const KM_REFERENCE_ABS: f64 = 1e-10;

/// Relative agreement on log-likelihood and coefficients against statsmodels.
pub const MODEL_REFERENCE_REL: f64 = 1e-6;

/// Absolute agreement, in months, on observed/expected/effect against the reference.
pub const MONTHS_REFERENCE_ABS: f64 = 1e-6;

/// Absolute agreement on p-values against the reference.
pub const P_VALUE_REFERENCE_ABS: f64 = 1e-6;

/// Var(û)_kk at or below this share of (Σ_R)_kk is 0 up to rounding (MODEL.md §6): the
/// municipality gets no p-value, no SE and no §8 field.
pub const ZERO_RESIDUAL_VARIANCE_RELATIVE: f64 = 1e-10;

/// Agreement on the §7–§8 numbers (SE, mapped intervals, q, explained share, τ̂², shrunken
/// effects) against the numpy/scipy reference.
pub const UNCERTAINTY_REFERENCE_ABS: f64 = 1e-6;

/// |β̂_m| above this after convergence is an error naming the term (MODEL.md §4).
pub const MAX_ABS_COEFFICIENT: f64 = 20.0;

/// Newton–Raphson stops when max_m |U_m| / √I_mm falls below this (MODEL.md §4).
pub const NEWTON_SCALED_SCORE: f64 = 1e-8;

/// Newton–Raphson gives up after this many iterations (MODEL.md §4).
pub const NEWTON_MAX_ITERATIONS: usize = 50;

/// Agreement between a structured computation and the dense one it replaces (Var(û) as a
/// diagonal plus low rank against |R|×|R| matrices), relative to the largest entry compared:
/// rounding only.
pub const STRUCTURED_AGREEMENT_REL: f64 = 1e-10;
