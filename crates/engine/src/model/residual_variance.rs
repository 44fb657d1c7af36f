//! Var(û) = M Σ_R Mᵀ of stage 2 (M = I − P, MODEL.md §4, §7, §8), in one of two forms.
//!
//! Up to [`DENSE_RANKED_LIMIT`] ranked municipalities, M and Σ_R are |R|×|R| matrices, and
//! the rank draws take the Cholesky factor of Var(û) itself, a square root that does not
//! depend on how α is identified. Beyond it, nothing of size |R|² is formed, since Σ_R is a
//! diagonal plus a low-rank matrix (the α block of stage 1's inverse information after the
//! Schur complement, `information::AlphaCovariance`) and P has the rank of the stage-2 design:
//!
//! ```text
//! Σ_R = Δ + W Wᵀ             Δ = diag(1/D_k),  W = |R| × q  (q = pieces + β)
//! M   = I − Z A              Z = |R| × c,      A = (ZᵀWZ)⁻¹ZᵀW = c × |R|
//! Var(û)_rr = Δ_r (1 − 2 z_r·a_r) + z_rᵀ (Σ_s Δ_s a_s a_sᵀ) z_r + ‖w_r − z_rᵀ(A W)‖²
//! a_r (leverage) = Σ_s M_rs² = 1 − 2 z_r·a_r + z_rᵀ (A Aᵀ) z_r
//! a draw of û's noise = M (Δ^½ ε + W η),  ε ~ N(0, I_|R|), η ~ N(0, I_q)
//! ```
//!
//! (a_s is column s of A, z_r row r of Z.) The cost is O(|R| (c + q)²) for the variances and
//! O(|R| (c + q)) per draw, where the dense form costs O(|R|³): 1,052 ranked municipalities
//! took 2.2 s in stage 2 and §8 (`kommunebench analyse --min-spells 20` on the
//! 5,000-municipality benchmark file), 5,000 would take minutes and 1 GB.
//!
//! The large form's draws have the same distribution N(û, Var(û)) (MODEL.md §8), but are not
//! the same numbers as the dense form's for the same seed, and they depend on which α stage 1
//! holds at 0 (the default, the municipality with the most events, is deterministic, so a
//! result is still reproducible). The variances agree with the dense form to rounding (the
//! tests below); on both reference data sets every §7–§8 number does, and the rank intervals
//! fall inside the reference's own rank distribution (`tests/uncertainty.rs`).

use crate::numeric::rng::Rng;

use super::information::AlphaCovariance;

/// Beyond this many ranked municipalities, Var(û) is kept in structured form.
pub const DENSE_RANKED_LIMIT: usize = 500;

/// Var(û) and the matrices it is made of.
#[derive(Clone, Debug)]
pub enum ResidualVariance {
    /// M and Σ_R, |R|×|R| row-major.
    Dense {
        n_ranked: usize,
        residual_maker: Vec<f64>,
        sigma: Vec<f64>,
    },
    /// Σ_R = Δ + W Wᵀ and M = I − Z A, never multiplied out.
    Structured(StructuredVariance),
}

/// The large form of [`ResidualVariance`].
#[derive(Clone, Debug)]
pub struct StructuredVariance {
    /// Δ_r = 1/D_r (0 for the municipality whose α is fixed).
    diagonal: Vec<f64>,
    /// W, |R| × `width` row-major (a zero row for the fixed α).
    root: Vec<f64>,
    width: usize,
    /// Z by column: c columns of |R|.
    columns: Vec<Vec<f64>>,
    /// A by row: c rows of |R|.
    projection: Vec<Vec<f64>>,
}

impl ResidualVariance {
    /// The form for `ranked` municipalities (cohort indices), with Z's `columns` and A's rows
    /// (`projection`).
    /// `dense_limit` is [`DENSE_RANKED_LIMIT`] but in tests of both forms.
    pub(super) fn new(
        alpha_covariance: &AlphaCovariance,
        ranked: &[usize],
        (columns, projection): (&[Vec<f64>], &[Vec<f64>]),
        residual_maker: impl FnOnce() -> Vec<f64>,
        dense_limit: usize,
    ) -> ResidualVariance {
        let n_ranked = ranked.len();
        if n_ranked <= dense_limit {
            // Σ_R, each entry read once from stage 1's factored covariance (an entry costs a
            // dot product there, so the triple loops must not read it: that was 1.9 s of a
            // 1 M-spell analysis in the browser).
            let sigma = (0..n_ranked * n_ranked)
                .map(|index| {
                    alpha_covariance.get(ranked[index / n_ranked], ranked[index % n_ranked])
                })
                .collect();
            return ResidualVariance::Dense {
                n_ranked,
                residual_maker: residual_maker(),
                sigma,
            };
        }
        let width = alpha_covariance.root_width();
        let mut diagonal = Vec::with_capacity(n_ranked);
        let mut root = vec![0.0; n_ranked * width];
        for (r, &k) in ranked.iter().enumerate() {
            let (delta, w) = alpha_covariance.diagonal_and_root(k).unwrap_or((0.0, &[]));
            diagonal.push(delta);
            root[r * width..r * width + w.len()].copy_from_slice(w);
        }
        ResidualVariance::Structured(StructuredVariance {
            diagonal,
            root,
            width,
            columns: columns.to_vec(),
            projection: projection.to_vec(),
        })
    }

    /// Var(û)_rr for each r.
    pub fn diagonal(&self) -> Vec<f64> {
        match self {
            ResidualVariance::Dense {
                n_ranked,
                residual_maker,
                sigma,
            } => residual_maker
                .chunks((*n_ranked).max(1))
                .map(|row| quadratic_form(row, sigma))
                .collect(),
            ResidualVariance::Structured(s) => s.diagonal_of_variance(),
        }
    }

    /// a_r = [(I − P)(I − P)ᵀ]_rr = Σ_s M_rs² for each r (MODEL.md §8's τ̂²).
    pub fn leverage(&self) -> Vec<f64> {
        match self {
            ResidualVariance::Dense {
                n_ranked,
                residual_maker,
                ..
            } => residual_maker
                .chunks((*n_ranked).max(1))
                .map(|row| row.iter().map(|m| m * m).sum())
                .collect(),
            ResidualVariance::Structured(s) => s.leverage(),
        }
    }

    /// aᵀ (Σ_R + τ² I) a: the variance of a stage-2 coefficient γ̂_c = aᵀα̂ (`a` row c of A)
    /// when the municipalities' true excesses add τ² (MODEL.md §8).
    pub fn coefficient_variance(&self, a: &[f64], tau_squared: f64) -> f64 {
        match self {
            ResidualVariance::Dense { sigma, .. } => {
                let n = a.len();
                let mut variance = 0.0;
                for s in 0..n {
                    let inner: f64 = (0..n).map(|t| sigma[s * n + t] * a[t]).sum();
                    variance += a[s] * (inner + tau_squared * a[s]);
                }
                variance
            }
            ResidualVariance::Structured(s) => {
                let diagonal: f64 = s
                    .diagonal
                    .iter()
                    .zip(a)
                    .map(|(d, x)| (d + tau_squared) * x * x)
                    .sum();
                let mut projected = vec![0.0; s.width];
                for (row, &x) in s.root.chunks(s.width.max(1)).zip(a) {
                    for (p, w) in projected.iter_mut().zip(row) {
                        *p += w * x;
                    }
                }
                diagonal + projected.iter().map(|p| p * p).sum::<f64>()
            }
        }
    }
}

impl StructuredVariance {
    fn n_ranked(&self) -> usize {
        self.diagonal.len()
    }

    /// z_r (row r of Z) and a_r (column r of A).
    fn z_and_a(&self, r: usize) -> (Vec<f64>, Vec<f64>) {
        (
            self.columns.iter().map(|column| column[r]).collect(),
            self.projection.iter().map(|row| row[r]).collect(),
        )
    }

    /// Σ_s weight_s a_s a_sᵀ (c × c, row-major).
    fn weighted_gram(&self, weight: impl Fn(usize) -> f64) -> Vec<f64> {
        let c = self.projection.len();
        let mut gram = vec![0.0; c * c];
        for i in 0..c {
            for j in 0..=i {
                let value: f64 = (0..self.n_ranked())
                    .map(|s| weight(s) * self.projection[i][s] * self.projection[j][s])
                    .sum();
                gram[i * c + j] = value;
                gram[j * c + i] = value;
            }
        }
        gram
    }

    fn diagonal_of_variance(&self) -> Vec<f64> {
        let c = self.projection.len();
        let width = self.width;
        let gram = self.weighted_gram(|s| self.diagonal[s]);
        // A W: c × q.
        let mut projected_root = vec![0.0; c * width];
        for (i, a) in self.projection.iter().enumerate() {
            for (s, row) in self.root.chunks(width.max(1)).enumerate() {
                for (p, w) in projected_root[i * width..(i + 1) * width]
                    .iter_mut()
                    .zip(row)
                {
                    *p += a[s] * w;
                }
            }
        }
        (0..self.n_ranked())
            .map(|r| {
                let (z, a) = self.z_and_a(r);
                let z_dot_a: f64 = z.iter().zip(&a).map(|(z, a)| z * a).sum();
                let delta = self.diagonal[r];
                let noise = delta * (1.0 - 2.0 * z_dot_a) + quadratic(&gram, &z);
                let coupled: f64 = (0..width)
                    .map(|j| {
                        let value = self.root[r * width + j]
                            - (0..c)
                                .map(|i| z[i] * projected_root[i * width + j])
                                .sum::<f64>();
                        value * value
                    })
                    .sum();
                noise + coupled
            })
            .collect()
    }

    fn leverage(&self) -> Vec<f64> {
        let gram = self.weighted_gram(|_| 1.0);
        (0..self.n_ranked())
            .map(|r| {
                let (z, a) = self.z_and_a(r);
                let z_dot_a: f64 = z.iter().zip(&a).map(|(z, a)| z * a).sum();
                1.0 - 2.0 * z_dot_a + quadratic(&gram, &z)
            })
            .collect()
    }

    /// One draw of û's noise, M (Δ^½ ε + W η), into `out` (|R|); `eta` is scratch of the
    /// root's width. Never inlined, called per draw (ARCHITECTURE.md, "Hot loops in the
    /// browser").
    #[inline(never)]
    pub(super) fn draw(&self, rng: &mut Rng, eta: &mut [f64], out: &mut [f64]) {
        for value in out.iter_mut() {
            *value = rng.normal();
        }
        for value in eta.iter_mut() {
            *value = rng.normal();
        }
        self.apply_root(out, eta);
    }

    /// `out` ← M (Δ^½ ε + W η) with ε the entries of `out` on entry: a square root of Var(û)
    /// applied to (ε, η).
    fn apply_root(&self, out: &mut [f64], eta: &[f64]) {
        for (value, delta) in out.iter_mut().zip(&self.diagonal) {
            *value *= delta.sqrt();
        }
        for (value, row) in out.iter_mut().zip(self.root.chunks(self.width.max(1))) {
            *value += row.iter().zip(eta.iter()).map(|(w, e)| w * e).sum::<f64>();
        }
        // M v = v − Z (A v).
        let projected: Vec<f64> = self
            .projection
            .iter()
            .map(|a| a.iter().zip(out.iter()).map(|(a, v)| a * v).sum())
            .collect();
        for (r, value) in out.iter_mut().enumerate() {
            *value -= self
                .columns
                .iter()
                .zip(&projected)
                .map(|(column, p)| column[r] * p)
                .sum::<f64>();
        }
    }

    /// The width of `eta` in [`StructuredVariance::draw`].
    pub(super) fn root_width(&self) -> usize {
        self.width
    }

    /// Var(û) multiplied out from the square root the draws use (|R|×|R| row-major; for
    /// tests against the dense form).
    #[cfg(test)]
    fn implied_variance(&self) -> Vec<f64> {
        let n = self.n_ranked();
        // Columns of the root: M Δ^½ e_s for each s, then M W e_j for each j.
        let mut root_columns = Vec::with_capacity(n + self.width);
        for s in 0..n {
            let mut epsilon = vec![0.0; n];
            epsilon[s] = 1.0;
            self.apply_root(&mut epsilon, &vec![0.0; self.width]);
            root_columns.push(epsilon);
        }
        for j in 0..self.width {
            let mut eta = vec![0.0; self.width];
            eta[j] = 1.0;
            let mut epsilon = vec![0.0; n];
            self.apply_root(&mut epsilon, &eta);
            root_columns.push(epsilon);
        }
        let mut variance = vec![0.0; n * n];
        for column in &root_columns {
            for r in 0..n {
                for t in 0..n {
                    variance[r * n + t] += column[r] * column[t];
                }
            }
        }
        variance
    }
}

/// Var(û) = M Σ_R Mᵀ multiplied out (|R|×|R| row-major) from M = `residual_maker` and
/// Σ_R = `sigma`, both |R| = `n` square: for the rank draws' Cholesky factor, and for the
/// tests of the structured form. The loops over n are functions of their own, never
/// inlined (ARCHITECTURE.md, "Hot loops in the browser"); each sum runs in the same order
/// as in one loop.
pub(super) fn dense_variance(residual_maker: &[f64], sigma: &[f64], n: usize) -> Vec<f64> {
    let mut half = vec![0.0; n * n]; // M Σ_R
    for (row, out) in half.chunks_mut(n.max(1)).enumerate() {
        row_times(&residual_maker[row * n..(row + 1) * n], sigma, out);
    }
    let mut variance = vec![0.0; n * n]; // M Σ_R Mᵀ, lower triangle first
    for (row, out) in variance.chunks_mut(n.max(1)).enumerate() {
        row_times_transposed(
            &half[row * n..(row + 1) * n],
            residual_maker,
            &mut out[..=row],
        );
    }
    for row in 0..n {
        for col in 0..row {
            variance[col * n + row] = variance[row * n + col];
        }
    }
    variance
}

/// `out`_c = Σ_s `row`_s B_sc for B square and row-major (`out` has B's order).
#[inline(never)]
fn row_times(row: &[f64], b: &[f64], out: &mut [f64]) {
    let n = row.len();
    for (col, value) in out.iter_mut().enumerate() {
        *value = (0..n).map(|s| row[s] * b[s * n + col]).sum();
    }
}

/// `out`_c = Σ_s `row`_s B_cs for c < `out.len()` (a row of A·Bᵀ, up to the diagonal).
#[inline(never)]
fn row_times_transposed(row: &[f64], b: &[f64], out: &mut [f64]) {
    let n = row.len();
    for (col, value) in out.iter_mut().enumerate() {
        *value = (0..n).map(|s| row[s] * b[col * n + s]).sum();
    }
}

/// zᵀ G z for G square and row-major.
fn quadratic(gram: &[f64], z: &[f64]) -> f64 {
    let c = z.len();
    (0..c)
        .map(|i| z[i] * (0..c).map(|j| gram[i * c + j] * z[j]).sum::<f64>())
        .sum()
}

/// mᵀ Σ m for a row m of M and Σ = Σ_R (row-major): Var(û)_rr = Σ_{s,t} M_rs Σ_st M_rt
/// (never inlined, called per ranked municipality: ARCHITECTURE.md, "Hot loops in the
/// browser").
#[inline(never)]
fn quadratic_form(row: &[f64], sigma_matrix: &[f64]) -> f64 {
    let n = row.len();
    let mut total = 0.0;
    for s in 0..n {
        if row[s] == 0.0 {
            continue;
        }
        let sigma_row = &sigma_matrix[s * n..(s + 1) * n];
        let inner: f64 = sigma_row.iter().zip(row).map(|(sigma, m)| sigma * m).sum();
        total += row[s] * inner;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::synthetic::{synthetic_rows, SYNTHETIC_HEADER};
    use crate::model::design::{Design, ModelOptions};
    use crate::model::stage_one;
    use crate::model::stage_two::stage_two;
    use crate::numeric::tolerance::STRUCTURED_AGREEMENT_REL;
    use crate::read::{read_spells_from_bytes, ReadOptions};

    /// Both forms on one cohort (60 ranked municipalities, the synthetic file's municipal
    /// covariate in stage 2): the same Var(û)_kk, leverages and stage-2 coefficient
    /// variances, and the structured draws' square root multiplies out to the dense
    /// (I − P) Σ_R (I − P)ᵀ, entry by entry, to rounding.
    #[test]
    fn the_structured_form_equals_the_dense_one() {
        let mut bytes = SYNTHETIC_HEADER.as_bytes().to_vec();
        for row in synthetic_rows(12_000, 60, 11) {
            bytes.extend_from_slice(row.as_bytes());
        }
        let cohort = read_spells_from_bytes(&bytes, &ReadOptions::default())
            .expect("reads")
            .cohort;
        let design = Design::build(&cohort, ModelOptions::default()).expect("design");
        let stage_one = stage_one::fit(
            &design,
            &cohort.municipality,
            &cohort.time_enter,
            &cohort.municipality_names,
            None,
            &mut |_| {},
        )
        .expect("fits");
        let spells_of = cohort.spells_by_municipality();
        let ranked: Vec<usize> = (0..cohort.n_municipalities())
            .filter(|&k| spells_of[k].len() >= 20 && design.municipality_has_event[k])
            .collect();
        assert!(ranked.len() >= 50, "{} ranked", ranked.len());
        let dense = stage_two(&cohort, &ranked, &spells_of, &stage_one, usize::MAX).expect("dense");
        let structured =
            stage_two(&cohort, &ranked, &spells_of, &stage_one, 0).expect("structured");
        assert!(
            dense.projection.len() >= 2,
            "a municipal covariate in stage 2"
        );
        let (
            ResidualVariance::Dense {
                residual_maker,
                sigma,
                ..
            },
            ResidualVariance::Structured(root),
        ) = (&dense.variance, &structured.variance)
        else {
            panic!("one dense, one structured form");
        };
        let agree = |got: &[f64], want: &[f64], what: &str| {
            assert_eq!(got.len(), want.len(), "{what}");
            let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                assert!(
                    (g - w).abs() <= STRUCTURED_AGREEMENT_REL * scale,
                    "{what}[{i}]: {g} against {w}"
                );
            }
        };
        agree(
            &structured.residual_variance,
            &dense.residual_variance,
            "Var(û)_kk",
        );
        agree(
            &structured.variance.leverage(),
            &dense.variance.leverage(),
            "leverage",
        );
        for a in &dense.projection {
            agree(
                &[structured.variance.coefficient_variance(a, 0.03)],
                &[dense.variance.coefficient_variance(a, 0.03)],
                "Var(γ̂)",
            );
        }
        let variance = dense_variance(residual_maker, sigma, ranked.len());
        agree(&root.implied_variance(), &variance, "M Σ_R Mᵀ");
    }
}
