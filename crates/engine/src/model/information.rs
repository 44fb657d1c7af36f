//! The observed information of stage 1 in blocks, and the Newton system solved by
//! eliminating its diagonal municipality block (a Schur complement), with the α block of the
//! inverse kept in factored form.

use super::stage_one::Layout;
use crate::numeric::linalg::{Cholesky, Matrix};

/// The α block of the inverse information, over the municipalities with events, kept in
/// factored form: with the information I = [[A, B], [Bᵀ, D]] (A over the pieces and β, D the
/// diagonal α block), the α block of I⁻¹ is D⁻¹ + (D⁻¹Bᵀ) S⁻¹ (B D⁻¹), S = A − B D⁻¹ Bᵀ. An
/// entry costs one dot product of the length of A; nothing of size K² is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AlphaCovariance {
    /// Per municipality of the cohort: its position among the free α, if it has one.
    index: Vec<Option<usize>>,
    /// 1 / D_a per free α.
    inverse_diagonal: Vec<f64>,
    /// g_a = B_{·a} / D_a, per free α (length of A each).
    scaled_columns: Vec<Vec<f64>>,
    /// h_a = S⁻¹ g_a, per free α.
    solved_columns: Vec<Vec<f64>>,
    /// w_a = L⁻¹ g_a with S = L Lᵀ, per free α: w_a·w_b = g_aᵀ S⁻¹ g_b, so the α block is
    /// D⁻¹ + W Wᵀ (for Var(û) of many ranked municipalities, `stage_two`).
    whitened_columns: Vec<Vec<f64>>,
}

impl AlphaCovariance {
    /// Cov(α̂_k, α̂_l); 0 for a municipality whose α is fixed.
    pub fn get(&self, k: usize, l: usize) -> f64 {
        match (self.index[k], self.index[l]) {
            (Some(a), Some(b)) => {
                let diagonal = if a == b {
                    self.inverse_diagonal[a]
                } else {
                    0.0
                };
                let coupling: f64 = self.scaled_columns[a]
                    .iter()
                    .zip(&self.solved_columns[b])
                    .map(|(g, h)| g * h)
                    .sum();
                diagonal + coupling
            }
            _ => 0.0,
        }
    }

    /// Cov(α̂) as a diagonal plus low rank, for municipality k: (1/D_k, w_k) with
    /// Cov(α̂_k, α̂_l) = [k = l]/D_k + w_k·w_l; `None` for a municipality whose α is fixed
    /// (its row is 0).
    pub fn diagonal_and_root(&self, k: usize) -> Option<(f64, &[f64])> {
        self.index[k].map(|a| {
            (
                self.inverse_diagonal[a],
                self.whitened_columns[a].as_slice(),
            )
        })
    }

    /// The rank of the low-rank part (the length of each w_k).
    pub fn root_width(&self) -> usize {
        self.whitened_columns.first().map_or(0, Vec::len)
    }
}

/// The blocks of the observed information before they are placed into the full matrix.
pub(super) struct InformationBlocks {
    /// Σ_i w_ij per piece j (the γ–γ block is diagonal).
    pub(super) piece_diagonal: Vec<f64>,
    /// Σ_i μ_i per municipality k (the α–α block is diagonal).
    pub(super) municipality_diagonal: Vec<f64>,
    /// [k · J + j]: Σ_{i in k} w_ij.
    pub(super) municipality_piece: Vec<f64>,
    /// [j · p + t]: Σ_i w_ij x_it.
    pub(super) term_piece: Vec<f64>,
    /// [k · p + t]: Σ_{i in k} μ_i x_it.
    pub(super) term_municipality: Vec<f64>,
    /// [t · p + u], u ≤ t: Σ_i μ_i x_it x_iu.
    pub(super) term_term: Vec<f64>,
}

impl InformationBlocks {
    pub(super) fn new(
        (n_pieces, n_municipalities, n_terms): (usize, usize, usize),
    ) -> InformationBlocks {
        InformationBlocks {
            piece_diagonal: vec![0.0; n_pieces],
            municipality_diagonal: vec![0.0; n_municipalities],
            municipality_piece: vec![0.0; n_municipalities * n_pieces],
            term_piece: vec![0.0; n_pieces * n_terms],
            term_municipality: vec![0.0; n_municipalities * n_terms],
            term_term: vec![0.0; n_terms * n_terms],
        }
    }

    /// The full symmetric information over the free parameters of `layout`.
    pub(super) fn assemble(&self, layout: &Layout, n_terms: usize) -> Matrix {
        let n_pieces = layout.piece.len();
        let mut information = Matrix::zeros(layout.n_params);
        let beta = |t: usize| layout.first_beta + t;
        for (j, piece) in layout.piece.iter().enumerate() {
            let Some(pj) = *piece else { continue };
            information.set(pj, pj, self.piece_diagonal[j]);
            for t in 0..n_terms {
                information.set(beta(t), pj, self.term_piece[j * n_terms + t]);
            }
            for (k, municipality) in layout.municipality.iter().enumerate() {
                if let Some(mk) = *municipality {
                    information.set(mk, pj, self.municipality_piece[k * n_pieces + j]);
                }
            }
        }
        for (k, municipality) in layout.municipality.iter().enumerate() {
            let Some(mk) = *municipality else { continue };
            information.set(mk, mk, self.municipality_diagonal[k]);
            for t in 0..n_terms {
                information.set(beta(t), mk, self.term_municipality[k * n_terms + t]);
            }
        }
        for t in 0..n_terms {
            for u in 0..=t {
                information.set(beta(t), beta(u), self.term_term[t * n_terms + u]);
            }
        }
        information.symmetrize_from_lower();
        information
    }
}

impl InformationBlocks {
    /// The diagonal of the information over θ (for the scaled score of the stop rule).
    pub(super) fn diagonal(&self, layout: &Layout, n_terms: usize) -> Vec<f64> {
        let mut diagonal = vec![0.0; layout.n_params];
        for (j, piece) in layout.piece.iter().enumerate() {
            if let Some(m) = *piece {
                diagonal[m] = self.piece_diagonal[j];
            }
        }
        for (k, municipality) in layout.municipality.iter().enumerate() {
            if let Some(m) = *municipality {
                diagonal[m] = self.municipality_diagonal[k];
            }
        }
        for t in 0..n_terms {
            diagonal[layout.first_beta + t] = self.term_term[t * n_terms + t];
        }
        diagonal
    }
}

/// The Newton system I δ = U, solved by eliminating the diagonal α block.
///
/// # Formula
/// With θ = (c, α), c the free pieces and β, and I = [[A, B], [Bᵀ, D]], D = diag(D_a):
///
/// ```text
/// S = A − Σ_a b_a b_aᵀ / D_a                     (b_a: column a of B)
/// δ_c = S⁻¹ (U_c − Σ_a b_a U_a / D_a),   δ_a = (U_a − b_aᵀ δ_c) / D_a
/// (I⁻¹)_cc = S⁻¹,   (I⁻¹)_ab = [a = b] / D_a + (b_a / D_a)ᵀ S⁻¹ (b_b / D_b)
/// ```
///
/// The cost is O(K · |c|²) to form S and O(|c|³) to factor it: linear in the number of
/// municipalities K, where the dense (|c| + K)³ solve was cubic.
pub(super) struct BlockSolver {
    /// θ index of each core parameter (free pieces, then β), in core order.
    core: Vec<usize>,
    /// θ index and cohort municipality of each free α.
    alphas: Vec<(usize, usize)>,
    /// D_a per free α.
    diagonal: Vec<f64>,
    /// b_a per free α (core length).
    columns: Vec<Vec<f64>>,
    schur: Cholesky,
}

impl BlockSolver {
    /// Forms and factors S; `Err` is the θ index of a parameter that is (numerically) a
    /// combination of the others.
    pub(super) fn new(
        blocks: &InformationBlocks,
        layout: &Layout,
        n_terms: usize,
    ) -> Result<BlockSolver, usize> {
        let n_pieces = layout.piece.len();
        let pieces: Vec<(usize, usize)> = layout
            .piece
            .iter()
            .enumerate()
            .filter_map(|(j, p)| p.map(|m| (j, m)))
            .collect();
        let n_free_pieces = pieces.len();
        let n_core = n_free_pieces + n_terms;
        let mut core: Vec<usize> = pieces.iter().map(|&(_, m)| m).collect();
        core.extend((0..n_terms).map(|t| layout.first_beta + t));
        let mut schur = Matrix::zeros(n_core);
        for (position, &(j, _)) in pieces.iter().enumerate() {
            schur.set(position, position, blocks.piece_diagonal[j]);
            for t in 0..n_terms {
                schur.set(
                    n_free_pieces + t,
                    position,
                    blocks.term_piece[j * n_terms + t],
                );
            }
        }
        for t in 0..n_terms {
            for u in 0..=t {
                schur.set(
                    n_free_pieces + t,
                    n_free_pieces + u,
                    blocks.term_term[t * n_terms + u],
                );
            }
        }
        // Collinearity is judged against A's diagonal: a term collinear with the α block
        // leaves its diagonal in S at the level of rounding.
        let reference: Vec<f64> = (0..n_core).map(|i| schur.get(i, i)).collect();
        let (mut alphas, mut diagonal, mut columns) = (Vec::new(), Vec::new(), Vec::new());
        for (k, municipality) in layout.municipality.iter().enumerate() {
            let Some(m) = *municipality else { continue };
            let d = blocks.municipality_diagonal[k];
            if d.is_nan() || d <= 0.0 {
                return Err(m);
            }
            let mut column = vec![0.0; n_core];
            for (position, &(j, _)) in pieces.iter().enumerate() {
                column[position] = blocks.municipality_piece[k * n_pieces + j];
            }
            for t in 0..n_terms {
                column[n_free_pieces + t] = blocks.term_municipality[k * n_terms + t];
            }
            // S −= b bᵀ / D, lower triangle.
            for row in 0..n_core {
                let scaled = column[row] / d;
                if scaled == 0.0 {
                    continue;
                }
                let target = &mut schur.data[row * n_core..row * n_core + row + 1];
                for (value, b) in target.iter_mut().zip(&column[..=row]) {
                    *value -= scaled * b;
                }
            }
            alphas.push((m, k));
            diagonal.push(d);
            columns.push(column);
        }
        schur.symmetrize_from_lower();
        let schur = Cholesky::factor_relative_to(&schur, &reference).map_err(|p| core[p.index])?;
        Ok(BlockSolver {
            core,
            alphas,
            diagonal,
            columns,
            schur,
        })
    }

    /// δ with I δ = `score` (both over θ).
    pub(super) fn solve(&self, score: &[f64]) -> Vec<f64> {
        let mut reduced: Vec<f64> = self.core.iter().map(|&m| score[m]).collect();
        for ((&(m, _), d), column) in self.alphas.iter().zip(&self.diagonal).zip(&self.columns) {
            let factor = score[m] / d;
            for (r, b) in reduced.iter_mut().zip(column) {
                *r -= b * factor;
            }
        }
        let core_step = self.schur.solve(&reduced);
        let mut step = vec![0.0; score.len()];
        for (&m, value) in self.core.iter().zip(&core_step) {
            step[m] = *value;
        }
        for ((&(m, _), d), column) in self.alphas.iter().zip(&self.diagonal).zip(&self.columns) {
            let coupled: f64 = column.iter().zip(&core_step).map(|(b, s)| b * s).sum();
            step[m] = (score[m] - coupled) / d;
        }
        step
    }

    /// (I⁻¹)_mm for each core θ index m (the β standard errors need their own).
    pub(super) fn core_inverse_diagonal(&self) -> Vec<(usize, f64)> {
        let inverse = self.schur.inverse();
        self.core
            .iter()
            .enumerate()
            .map(|(position, &m)| (m, inverse.get(position, position)))
            .collect()
    }

    /// The α block of I⁻¹, for the `n_municipalities` of the cohort.
    pub(super) fn alpha_covariance(&self, n_municipalities: usize) -> AlphaCovariance {
        let mut index = vec![None; n_municipalities];
        for (a, &(_, k)) in self.alphas.iter().enumerate() {
            index[k] = Some(a);
        }
        let scaled_columns: Vec<Vec<f64>> = self
            .columns
            .iter()
            .zip(&self.diagonal)
            .map(|(column, d)| column.iter().map(|b| b / d).collect())
            .collect();
        let solved_columns = scaled_columns.iter().map(|g| self.schur.solve(g)).collect();
        let whitened_columns = scaled_columns
            .iter()
            .map(|g| self.schur.solve_lower(g))
            .collect();
        AlphaCovariance {
            index,
            inverse_diagonal: self.diagonal.iter().map(|d| 1.0 / d).collect(),
            scaled_columns,
            solved_columns,
            whitened_columns,
        }
    }
}
