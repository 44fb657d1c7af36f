//! The little dense linear algebra the model needs: Cholesky factorisation of a symmetric
//! positive definite matrix, solves and the inverse. The matrices are small (the stage-1
//! information has J + K + p rows, a few hundred), so plain loops are fast enough.

/// A dense square matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub n: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(n: usize) -> Matrix {
        Matrix {
            n,
            data: vec![0.0; n * n],
        }
    }

    #[inline]
    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[row * self.n + col]
    }

    #[inline]
    pub fn set(&mut self, row: usize, col: usize, value: f64) {
        self.data[row * self.n + col] = value;
    }

    /// Copies the lower triangle onto the upper one.
    pub fn symmetrize_from_lower(&mut self) {
        for row in 0..self.n {
            for col in 0..row {
                let value = self.get(row, col);
                self.set(col, row, value);
            }
        }
    }
}

/// The factorisation failed at `index`: that row is (numerically) a combination of the
/// earlier ones, or the matrix is not positive definite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonPositivePivot {
    pub index: usize,
}

/// The lower-triangular L with A = L Lᵀ.
#[derive(Clone, Debug, PartialEq)]
pub struct Cholesky {
    lower: Matrix,
}

/// A pivot below this fraction of its original diagonal entry counts as zero: the row is
/// linearly dependent on earlier rows up to rounding.
const RELATIVE_PIVOT_TOLERANCE: f64 = 1e-11;

impl Cholesky {
    pub fn factor(matrix: &Matrix) -> Result<Cholesky, NonPositivePivot> {
        let diagonal: Vec<f64> = (0..matrix.n).map(|j| matrix.get(j, j)).collect();
        Cholesky::factor_relative_to(matrix, &diagonal)
    }

    /// [`Cholesky::factor`], judging each pivot against `reference[j]` instead of the
    /// matrix's own diagonal: for a Schur complement S = A − B D⁻¹ Bᵀ the reference is A's
    /// diagonal, since a term collinear with the eliminated block leaves S_jj itself at the
    /// level of rounding.
    pub fn factor_relative_to(
        matrix: &Matrix,
        reference: &[f64],
    ) -> Result<Cholesky, NonPositivePivot> {
        let n = matrix.n;
        let mut lower = Matrix::zeros(n);
        for (j, &diagonal) in reference.iter().enumerate().take(n) {
            let mut pivot = matrix.get(j, j);
            for k in 0..j {
                pivot -= lower.get(j, k) * lower.get(j, k);
            }
            if pivot.is_nan()
                || pivot <= RELATIVE_PIVOT_TOLERANCE * diagonal.abs()
                || pivot.is_infinite()
            {
                return Err(NonPositivePivot { index: j });
            }
            let root = pivot.sqrt();
            lower.set(j, j, root);
            for i in j + 1..n {
                let mut value = matrix.get(i, j);
                let (row_i, row_j) = (&lower.data[i * n..i * n + j], &lower.data[j * n..j * n + j]);
                value -= row_i.iter().zip(row_j).map(|(a, b)| a * b).sum::<f64>();
                lower.set(i, j, value / root);
            }
        }
        Ok(Cholesky { lower })
    }

    /// x with A x = b.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.lower.n;
        let mut x = self.solve_lower(b);
        for i in (0..n).rev() {
            let known: f64 = (i + 1..n).map(|k| self.lower.get(k, i) * x[k]).sum();
            x[i] = (x[i] - known) / self.lower.get(i, i);
        }
        x
    }

    /// y with L y = b (forward substitution): yᵀy = bᵀA⁻¹b, so the rows L⁻¹b_i are a square
    /// root of B A⁻¹ Bᵀ.
    pub fn solve_lower(&self, b: &[f64]) -> Vec<f64> {
        let n = self.lower.n;
        let mut y = b.to_vec();
        for i in 0..n {
            let known: f64 = (0..i).map(|k| self.lower.get(i, k) * y[k]).sum();
            y[i] = (y[i] - known) / self.lower.get(i, i);
        }
        y
    }

    /// A⁻¹.
    pub fn inverse(&self) -> Matrix {
        let n = self.lower.n;
        let mut inverse = Matrix::zeros(n);
        let mut unit = vec![0.0; n];
        for col in 0..n {
            unit.iter_mut().for_each(|u| *u = 0.0);
            unit[col] = 1.0;
            for (row, value) in self.solve(&unit).into_iter().enumerate() {
                inverse.set(row, col, value);
            }
        }
        inverse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts_a_small_spd_matrix() {
        let mut a = Matrix::zeros(3);
        a.data = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let Ok(cholesky) = Cholesky::factor(&a) else {
            panic!("positive definite")
        };
        let x = cholesky.solve(&[1.0, 2.0, 3.0]);
        for row in 0..3 {
            let ax: f64 = (0..3).map(|col| a.get(row, col) * x[col]).sum();
            assert!((ax - [1.0, 2.0, 3.0][row]).abs() < 1e-14);
        }
        let inverse = cholesky.inverse();
        for row in 0..3 {
            for col in 0..3 {
                let product: f64 = (0..3).map(|k| a.get(row, k) * inverse.get(k, col)).sum();
                assert!((product - f64::from(u8::from(row == col))).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn a_dependent_row_names_its_index() {
        let mut a = Matrix::zeros(3);
        // Row 2 = row 0 + row 1 (as a Gram matrix of vectors u, v, u + v).
        a.data = vec![1.0, 0.0, 1.0, 0.0, 2.0, 2.0, 1.0, 2.0, 3.0];
        assert_eq!(
            Cholesky::factor(&a).err(),
            Some(NonPositivePivot { index: 2 })
        );
    }
}
