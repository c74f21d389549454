//! Correlation of uncertain drivers through a Gaussian copula.
//!
//! # What a correlation applies to
//!
//! Every uncertain driver is sampled as `x_i = F_i^{-1}(Phi(z_i))`, where `F_i` is the
//! driver's own marginal distribution and `z` is a vector of standard normal *scores*.
//! The correlation matrix held by [`Correlation`] is the correlation of those normal
//! scores `z`, **not** of the drivers themselves. For non-normal drivers (triangular,
//! lognormal, PERT, discrete, ...) the Pearson correlation of the sampled drivers will
//! differ from the number the planner entered (usually smaller in magnitude). Rank
//! correlation is preserved by every monotone marginal: the Spearman correlation of any
//! two drivers is `rho_s = (6 / pi) * asin(rho / 2)` (see [`spearman_from_normal`]);
//! to target a Spearman value use `rho = 2 * sin(pi * rho_s / 6)`
//! (see [`normal_from_spearman`]).
//!
//! # Positive-definiteness rule
//!
//! A matrix is accepted when it is symmetric (tolerance `1e-12`), has a unit diagonal
//! (tolerance `1e-12`), all entries are finite and in `[-1, 1]`, its Cholesky
//! factorisation succeeds **and** its smallest eigenvalue exceeds `1e-10`. A singular
//! matrix is therefore rejected as not positive definite — for example two drivers with
//! a correlation of exactly `1` or `-1`, or any set of correlations that force one
//! driver to be an exact linear combination of others. When the matrix is rejected,
//! [`CorrelationError::NotPositiveDefinite`] names the pairs the planner should revisit:
//! first the smallest principal submatrices that fail (pairs with `|rho| = 1`, then
//! every inconsistent triple of drivers); if none fails, the drivers dominating the
//! eigenvector of the smallest eigenvalue (cumulative squared weight `>= 0.9`) and the
//! non-zero correlations among them.
//!
//! # Repair
//!
//! [`Correlation::repaired`] replaces a symmetric, unit-diagonal but inconsistent matrix
//! by the nearest correlation matrix in the Frobenius norm (Higham 2002, "Computing the
//! nearest correlation matrix — a problem from finance": alternating projections onto
//! the positive semidefinite cone and the unit-diagonal set with Dykstra's correction,
//! identity weights). That matrix may still be singular, so its eigenvalues are then
//! floored at `1e-8` and it is rescaled to a unit diagonal, which makes it strictly
//! positive definite. The entries that moved by more than `1e-6` are reported as
//! [`Adjustment`]s so the planner can see what was changed ([`summarize`] gives the
//! count and the largest changes, for a terminal).
//!
//! The repair costs `O(n^3)` for `n` drivers: only the groups of drivers joined by
//! non-zero correlations whose block fails are repaired (every other entry is kept
//! exactly), each projection is one symmetric eigendecomposition, and the number of
//! projections is capped by a fixed work budget (shrinking as `n^3` grows), after which
//! the last iterate is floored and rescaled as above, so the result is always a valid
//! correlation matrix even when the projections stop before converging.
//!
//! # Sampling
//!
//! With `R = L L^T` (lower Cholesky factor `L`), independent standard normals `e` become
//! correlated scores `z = L e`; [`Correlation::correlate_columns`] does this in place on a
//! block of draws stored column-wise (one column per driver).

use nalgebra::{Cholesky, DMatrix, Dyn, Matrix3, SymmetricEigen};

/// Tolerance for symmetry of a given matrix and for duplicate pair values.
const SYMMETRY_TOL: f64 = 1e-12;
/// Tolerance for a diagonal entry to count as 1.
const DIAGONAL_TOL: f64 = 1e-12;
/// The smallest eigenvalue must exceed this for the matrix to be positive definite.
const MIN_EIGENVALUE: f64 = 1e-10;
/// Eigenvalue floor applied after the nearest-correlation projection; escalated
/// (x10) a few times if rounding still leaves the result not positive definite.
const REPAIR_EIGEN_FLOOR: f64 = 1e-8;
/// Adjustments smaller than this are not reported.
const ADJUSTMENT_REPORT_TOL: f64 = 1e-6;
/// Relative convergence tolerance of the alternating projections.
const HIGHAM_TOL: f64 = 1e-10;
/// Iteration cap of the alternating projections (the result is valid even if it stops early).
const HIGHAM_MAX_ITER: usize = 20_000;
/// Work budget of the alternating projections, in units of `n^3` (see
/// [`higham_iterations`]).
const HIGHAM_WORK: f64 = 2e9;
/// Cumulative squared eigenvector weight that selects the implicated drivers.
const EIGENVECTOR_WEIGHT: f64 = 0.9;

/// Problems found in a planner's correlation input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorrelationError {
    /// An off-diagonal entry is outside `[-1, 1]` or is not finite.
    #[error("correlation between drivers {i} and {j} is {value}, which is not a number in [-1, 1]")]
    OutOfRange { i: usize, j: usize, value: f64 },
    /// The matrix was given with `values[i][j] != values[j][i]` (beyond `1e-12`).
    #[error(
        "correlation matrix is not symmetric: entry ({i}, {j}) is {upper} but entry ({j}, {i}) is {lower}"
    )]
    Asymmetric {
        i: usize,
        j: usize,
        upper: f64,
        lower: f64,
    },
    /// A diagonal entry (a driver's correlation with itself) is not 1.
    #[error("correlation of driver {i} with itself must be 1, got {value}")]
    Diagonal { i: usize, value: f64 },
    /// The correlations are mutually inconsistent (or singular). `pairs` are the index
    /// pairs `(i, j)`, `i < j`, implicated, sorted and deduplicated; `min_eigenvalue` is the
    /// smallest eigenvalue of the whole matrix.
    #[error(
        "correlations are inconsistent (matrix not positive definite, smallest eigenvalue {min_eigenvalue:.3e}); revisit the pairs {}",
        format_pairs(.pairs)
    )]
    NotPositiveDefinite {
        pairs: Vec<(usize, usize)>,
        min_eigenvalue: f64,
    },
    /// Wrong number of values: `rows` were given where `expected` were required
    /// (`n * n` matrix entries, or `n` columns for [`Correlation::correlate_columns`]).
    #[error("expected {expected} values, got {rows}")]
    Shape { rows: usize, expected: usize },
    /// A pair refers to a driver index `>= n`.
    #[error("pair ({i}, {j}) refers to a driver outside 0..{n}")]
    IndexOutOfBounds { i: usize, j: usize, n: usize },
    /// The same pair (in either order) was listed twice with different values.
    #[error("pair ({i}, {j}) is listed twice with different correlations {first} and {second}")]
    ConflictingPair {
        i: usize,
        j: usize,
        first: f64,
        second: f64,
    },
    /// In [`Correlation::correlate_columns`], a column's length differs from the first column's.
    #[error("column {column} holds {len} draws, expected {expected}")]
    ColumnLength {
        column: usize,
        len: usize,
        expected: usize,
    },
    /// The eigenvalue solver failed to converge (not expected for finite input).
    #[error("eigenvalue computation did not converge")]
    NoConvergence,
}

fn format_pairs(pairs: &[(usize, usize)]) -> String {
    if pairs.is_empty() {
        return "(none identified)".to_string();
    }
    pairs
        .iter()
        .map(|(i, j)| format!("({i}, {j})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One entry changed by [`Correlation::repaired`]: `(i, j)` with `i <= j` moved from
/// `from` to `to` (only reported when `|to - from| > 1e-6`; the symmetric entry moved too).
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub i: usize,
    pub j: usize,
    pub from: f64,
    pub to: f64,
}

/// Precomputed work for one row of the Cholesky factor.
#[derive(Debug, Clone)]
struct RowPlan {
    /// `L_ii`.
    diag: f64,
    /// `(j, L_ij)` for `j < i` with `L_ij != 0`.
    terms: Vec<(usize, f64)>,
}

/// A validated correlation matrix (symmetric, unit diagonal, positive definite) with its
/// lower Cholesky factor.
#[derive(Debug, Clone)]
pub struct Correlation {
    n: usize,
    /// Row-major `n * n`, exactly symmetric with an exact unit diagonal.
    matrix: Vec<f64>,
    /// Lower triangular, row-major `n * n`.
    cholesky: Vec<f64>,
    rows: Vec<RowPlan>,
}

/// Spearman rank correlation of two drivers whose normal scores have correlation `rho`:
/// `(6 / pi) * asin(rho / 2)`. Holds for any continuous, strictly monotone marginals.
pub fn spearman_from_normal(rho: f64) -> f64 {
    6.0 / std::f64::consts::PI * (rho / 2.0).asin()
}

/// Normal-score correlation that yields Spearman rank correlation `rho_s`:
/// `2 * sin(pi * rho_s / 6)`. Inverse of [`spearman_from_normal`].
pub fn normal_from_spearman(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

impl Correlation {
    /// `n` independent drivers.
    pub fn identity(n: usize) -> Self {
        let mut matrix = vec![0.0; n * n];
        for i in 0..n {
            matrix[i * n + i] = 1.0;
        }
        let rows = (0..n)
            .map(|_| RowPlan {
                diag: 1.0,
                terms: Vec::new(),
            })
            .collect();
        Self {
            n,
            cholesky: matrix.clone(),
            matrix,
            rows,
        }
    }

    /// From a full matrix (row-major, `n * n` values). Checks the shape, that off-diagonal
    /// entries are finite and in `[-1, 1]`, that the diagonal is 1 (tolerance `1e-12`),
    /// symmetry (tolerance `1e-12`; the stored matrix is the symmetric average) and
    /// positive definiteness (Cholesky succeeds and the smallest eigenvalue is `> 1e-10`,
    /// so a singular matrix such as one with a correlation of exactly 1 is rejected; use
    /// [`Correlation::repaired`] to accept it after a minimal change).
    pub fn from_matrix(n: usize, values: &[f64]) -> Result<Self, CorrelationError> {
        let matrix = checked_matrix(n, values)?;
        Self::from_checked(n, matrix)
    }

    /// From `(i, j, rho)` pairs (either order; unlisted pairs are 0). Listing a pair twice
    /// with different values is [`CorrelationError::ConflictingPair`]; `i == j` is
    /// [`CorrelationError::Diagonal`] unless `rho == 1`; an index `>= n` is
    /// [`CorrelationError::IndexOutOfBounds`]. Then as [`Correlation::from_matrix`].
    pub fn from_pairs(n: usize, pairs: &[(usize, usize, f64)]) -> Result<Self, CorrelationError> {
        let matrix = matrix_from_pairs(n, pairs)?;
        Self::from_checked(n, matrix)
    }

    /// Like [`Correlation::from_matrix`], but a matrix that is not positive definite
    /// (inconsistent or singular) is replaced by the nearest correlation matrix (Higham
    /// 2002, alternating projections with Dykstra's correction, identity weights), made
    /// strictly positive definite (eigenvalues floored at `1e-8`, rescaled to unit
    /// diagonal). Returns the entries `(i, j)`, `i < j`, that moved by more than `1e-6`
    /// (empty when the input was already valid; it is then returned unchanged).
    /// Still fails on shape, range, NaN, asymmetry and diagonal problems.
    pub fn repaired(n: usize, values: &[f64]) -> Result<(Self, Vec<Adjustment>), CorrelationError> {
        let matrix = checked_matrix(n, values)?;
        Self::repair_symmetric(n, matrix)
    }

    /// [`Correlation::repaired`] for input given as pairs (validated as in
    /// [`Correlation::from_pairs`]); unlisted pairs are 0 and may be adjusted too.
    pub fn repaired_pairs(
        n: usize,
        pairs: &[(usize, usize, f64)],
    ) -> Result<(Self, Vec<Adjustment>), CorrelationError> {
        let matrix = matrix_from_pairs(n, pairs)?;
        Self::repair_symmetric(n, matrix)
    }

    /// Number of drivers.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Correlation of the normal scores of drivers `i` and `j`; NaN if either index is `>= n`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i >= self.n || j >= self.n {
            return f64::NAN;
        }
        self.matrix.get(i * self.n + j).copied().unwrap_or(f64::NAN)
    }

    /// The matrix, row-major `n * n`.
    pub fn matrix(&self) -> &[f64] {
        &self.matrix
    }

    /// The lower Cholesky factor `L` (`R = L L^T`), row-major `n * n`.
    pub fn cholesky(&self) -> &[f64] {
        &self.cholesky
    }

    /// Correlates one block of draws in place.
    ///
    /// `columns` holds one column per driver (`columns.len() == n`), all of the same
    /// length; it accepts `&mut [Vec<f64>]` as well as `&mut [&mut [f64]]`. On entry
    /// `columns[i]` holds independent N(0, 1) draws `e_i`; on return it holds
    /// `z_i = sum_{j <= i} L_ij e_j`. Rows are processed from last to first so no scratch
    /// buffer is needed; a driver uncorrelated with all earlier ones is left untouched.
    ///
    /// Errors ([`CorrelationError::Shape`] for a wrong column count,
    /// [`CorrelationError::ColumnLength`] for ragged columns) leave `columns` unchanged.
    pub fn correlate_columns<C>(&self, columns: &mut [C]) -> Result<(), CorrelationError>
    where
        C: AsRef<[f64]> + AsMut<[f64]>,
    {
        if columns.len() != self.n {
            return Err(CorrelationError::Shape {
                rows: columns.len(),
                expected: self.n,
            });
        }
        let expected = columns.first().map_or(0, |c| c.as_ref().len());
        for (column, c) in columns.iter().enumerate() {
            let len = c.as_ref().len();
            if len != expected {
                return Err(CorrelationError::ColumnLength {
                    column,
                    len,
                    expected,
                });
            }
        }
        for (i, plan) in self.rows.iter().enumerate().rev() {
            if plan.terms.is_empty() && plan.diag == 1.0 {
                continue;
            }
            let (head, tail) = columns.split_at_mut(i);
            let Some(target) = tail.first_mut() else {
                continue;
            };
            let target = target.as_mut();
            if plan.diag != 1.0 {
                let d = plan.diag;
                for t in target.iter_mut() {
                    *t *= d;
                }
            }
            for &(j, l) in &plan.terms {
                if let Some(src) = head.get(j) {
                    add_scaled(target, l, src.as_ref());
                }
            }
        }
        Ok(())
    }

    /// Positive-definiteness check and factorisation of a symmetric unit-diagonal matrix.
    /// The check is a Cholesky factorisation of `R - 1e-10 I` (it succeeds exactly when
    /// the smallest eigenvalue exceeds `1e-10`), so a valid matrix costs two
    /// factorisations and no eigendecomposition; only a rejected one is examined further.
    fn from_checked(n: usize, matrix: Vec<f64>) -> Result<Self, CorrelationError> {
        if n == 0 {
            return Ok(Self::identity(0));
        }
        let m = DMatrix::from_row_slice(n, n, &matrix);
        let chol = is_positive_definite(&m).then(|| Cholesky::new(m)).flatten();
        let Some(chol) = chol else {
            return Err(not_positive_definite(n, &matrix));
        };
        let l = chol.l();
        let mut cholesky = vec![0.0; n * n];
        let mut rows = Vec::with_capacity(n);
        for i in 0..n {
            let mut terms = Vec::new();
            for j in 0..i {
                let v = l[(i, j)];
                cholesky[i * n + j] = v;
                if v != 0.0 {
                    terms.push((j, v));
                }
            }
            let diag = l[(i, i)];
            cholesky[i * n + i] = diag;
            rows.push(RowPlan { diag, terms });
        }
        Ok(Self {
            n,
            matrix,
            cholesky,
            rows,
        })
    }

    /// Repair path shared by the public entry points: `matrix` is symmetric, finite,
    /// unit diagonal. Drivers fall into groups joined by non-zero correlations (the
    /// connected components of the matrix's graph); the matrix is positive definite
    /// exactly when every group's block is, and the projections keep the blocks apart,
    /// so only the groups that fail are repaired, each on its own, and every other
    /// entry is kept exactly as given.
    fn repair_symmetric(
        n: usize,
        matrix: Vec<f64>,
    ) -> Result<(Self, Vec<Adjustment>), CorrelationError> {
        if n == 0 {
            return Ok((Self::identity(0), Vec::new()));
        }
        if is_positive_definite(&DMatrix::from_row_slice(n, n, &matrix)) {
            return Self::from_checked(n, matrix).map(|c| (c, Vec::new()));
        }
        let mut repaired = matrix.clone();
        for group in components(n, &matrix) {
            let k = group.len();
            if k < 2 {
                continue;
            }
            let block: Vec<f64> = group
                .iter()
                .flat_map(|&i| group.iter().map(move |&j| (i, j)))
                .map(|(i, j)| matrix[i * n + j])
                .collect();
            // One group of all drivers is the whole matrix, already known to fail.
            if k < n && is_positive_definite(&DMatrix::from_row_slice(k, k, &block)) {
                continue;
            }
            let fixed = repair_block(k, &block)?;
            for (a, &i) in group.iter().enumerate() {
                for (b, &j) in group.iter().enumerate() {
                    repaired[i * n + j] = fixed[a * k + b];
                }
            }
        }
        let c = Self::from_checked(n, repaired)?;
        let adjustments = adjustments(n, &matrix, &c.matrix);
        Ok((c, adjustments))
    }

    /// Nearest correlation matrix of any finite symmetric `n * n` matrix (the diagonal
    /// need not be 1), made strictly positive definite.
    #[cfg(test)]
    fn repair_unchecked(
        n: usize,
        values: &[f64],
    ) -> Result<(Self, Vec<Adjustment>), CorrelationError> {
        if n == 0 {
            return Ok((Self::identity(0), Vec::new()));
        }
        let fixed = repair_block(n, values)?;
        let c = Self::from_checked(n, fixed)?;
        let adjustments = adjustments(n, values, &c.matrix);
        Ok((c, adjustments))
    }
}

/// Whether a symmetric matrix's smallest eigenvalue exceeds [`MIN_EIGENVALUE`]: the
/// Cholesky factorisation of `M - MIN_EIGENVALUE * I` succeeds.
fn is_positive_definite(m: &DMatrix<f64>) -> bool {
    let n = m.nrows();
    let shifted = m - DMatrix::<f64>::identity(n, n) * MIN_EIGENVALUE;
    Cholesky::new(shifted).is_some()
}

/// The error for a matrix that failed [`is_positive_definite`]: its smallest
/// eigenvalue and the pairs to revisit.
fn not_positive_definite(n: usize, matrix: &[f64]) -> CorrelationError {
    let m = DMatrix::from_row_slice(n, n, matrix);
    let min_eigenvalue = m
        .clone()
        .symmetric_eigenvalues()
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    // The eigenvector is needed only when no pair or triple explains the failure.
    let pairs = implicated_pairs(n, matrix, || {
        symmetric_eigen(m)
            .ok()
            .map(|eig| {
                let (k, _) = min_eigen(&eig);
                eig.eigenvectors.column(k).iter().copied().collect()
            })
            .unwrap_or_default()
    });
    CorrelationError::NotPositiveDefinite {
        pairs,
        min_eigenvalue,
    }
}

/// Groups of drivers joined, directly or through others, by non-zero correlations;
/// each group in increasing order, groups by their first driver.
fn components(n: usize, m: &[f64]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..n {
        for j in (i + 1)..n {
            if m[i * n + j] != 0.0 {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot = vec![usize::MAX; n];
    for i in 0..n {
        let r = root(&mut parent, i);
        if slot[r] == usize::MAX {
            slot[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[r]].push(i);
    }
    groups
}

/// The nearest correlation matrix to a finite symmetric `k * k` block, floored to be
/// strictly positive definite and rescaled to a unit diagonal (row-major).
fn repair_block(k: usize, values: &[f64]) -> Result<Vec<f64>, CorrelationError> {
    let (_, last) = nearest_correlation(k, values)?;
    let mut floor = REPAIR_EIGEN_FLOOR;
    let mut candidate = floor_and_rescale(k, &last, floor);
    for _ in 0..4 {
        if is_positive_definite(&DMatrix::from_row_slice(k, k, &candidate)) {
            return Ok(candidate);
        }
        floor *= 10.0;
        candidate = floor_and_rescale(k, &last, floor);
    }
    Err(CorrelationError::NoConvergence)
}

/// Shape, range, diagonal and symmetry checks; returns the symmetrised matrix with an exact
/// unit diagonal.
fn checked_matrix(n: usize, values: &[f64]) -> Result<Vec<f64>, CorrelationError> {
    let expected = n.saturating_mul(n);
    if values.len() != expected {
        return Err(CorrelationError::Shape {
            rows: values.len(),
            expected,
        });
    }
    for i in 0..n {
        for j in 0..n {
            let value = values[i * n + j];
            if i == j {
                if !value.is_finite() || (value - 1.0).abs() > DIAGONAL_TOL {
                    return Err(CorrelationError::Diagonal { i, value });
                }
            } else if !value.is_finite() || value.abs() > 1.0 {
                return Err(CorrelationError::OutOfRange { i, j, value });
            }
        }
    }
    let mut matrix = vec![0.0; n * n];
    for i in 0..n {
        matrix[i * n + i] = 1.0;
        for j in (i + 1)..n {
            let upper = values[i * n + j];
            let lower = values[j * n + i];
            if (upper - lower).abs() > SYMMETRY_TOL {
                return Err(CorrelationError::Asymmetric { i, j, upper, lower });
            }
            let v = 0.5 * (upper + lower);
            matrix[i * n + j] = v;
            matrix[j * n + i] = v;
        }
    }
    Ok(matrix)
}

/// Builds the symmetric unit-diagonal matrix from pairs, validating each pair.
fn matrix_from_pairs(
    n: usize,
    pairs: &[(usize, usize, f64)],
) -> Result<Vec<f64>, CorrelationError> {
    let mut matrix = vec![0.0; n * n];
    let mut set = vec![false; n * n];
    for i in 0..n {
        matrix[i * n + i] = 1.0;
    }
    for &(i, j, rho) in pairs {
        if i >= n || j >= n {
            return Err(CorrelationError::IndexOutOfBounds { i, j, n });
        }
        if i == j {
            if rho != 1.0 {
                return Err(CorrelationError::Diagonal { i, value: rho });
            }
            continue;
        }
        if !rho.is_finite() || rho.abs() > 1.0 {
            return Err(CorrelationError::OutOfRange { i, j, value: rho });
        }
        let (a, b) = if i < j { (i, j) } else { (j, i) };
        let idx = a * n + b;
        if set[idx] {
            let first = matrix[idx];
            if (first - rho).abs() > SYMMETRY_TOL {
                return Err(CorrelationError::ConflictingPair {
                    i: a,
                    j: b,
                    first,
                    second: rho,
                });
            }
            continue;
        }
        set[idx] = true;
        matrix[idx] = rho;
        matrix[b * n + a] = rho;
    }
    Ok(matrix)
}

fn symmetric_eigen(m: DMatrix<f64>) -> Result<SymmetricEigen<f64, Dyn>, CorrelationError> {
    let max_iter = 10_000 + 1_000 * m.nrows();
    SymmetricEigen::try_new(m, f64::EPSILON, max_iter).ok_or(CorrelationError::NoConvergence)
}

/// Index and value of the smallest eigenvalue (eigenvalues are not sorted by nalgebra).
fn min_eigen(eig: &SymmetricEigen<f64, Dyn>) -> (usize, f64) {
    eig.eigenvalues
        .iter()
        .copied()
        .enumerate()
        .fold(
            (0, f64::INFINITY),
            |best, (k, v)| {
                if v < best.1 { (k, v) } else { best }
            },
        )
}

/// Smallest eigenvalue of the principal submatrix on drivers `i, j, k`.
fn triple_min_eigenvalue(n: usize, m: &[f64], i: usize, j: usize, k: usize) -> f64 {
    let (a, b, c) = (m[i * n + j], m[i * n + k], m[j * n + k]);
    let sub = Matrix3::new(1.0, a, b, a, 1.0, c, b, c, 1.0);
    match SymmetricEigen::try_new(sub, f64::EPSILON, 1_000) {
        Some(e) => e.eigenvalues.min(),
        // Fallback (not expected): the determinant has the sign of the smallest eigenvalue
        // when the 2x2 minors are positive definite, which the caller has established.
        None => 1.0 + 2.0 * a * b * c - a * a - b * b - c * c,
    }
}

/// Stop looking for more failing triples once this many pairs are named: the
/// message lists only the first few, and a search over every triple of a large
/// matrix is the slow part.
const MAX_IMPLICATED_PAIRS: usize = 1_000;

/// The pairs to report for a matrix that failed the positive-definiteness rule.
/// `vector` gives the eigenvector of the smallest eigenvalue, computed only if needed.
fn implicated_pairs(n: usize, m: &[f64], vector: impl FnOnce() -> Vec<f64>) -> Vec<(usize, usize)> {
    // 2x2: |rho| = 1 (within the eigenvalue threshold) is singular on its own.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        for j in (i + 1)..n {
            if 1.0 - m[i * n + j].abs() <= MIN_EIGENVALUE {
                pairs.push((i, j));
            }
        }
    }
    if !pairs.is_empty() {
        return pairs;
    }
    // 3x3: every inconsistent triple. With unit diagonal and |rho| < 1 the other two
    // eigenvalues are positive and sum to at most 3, so a smallest eigenvalue at most
    // MIN_EIGENVALUE means a determinant at most 2.25 * MIN_EIGENVALUE: the cheap
    // determinant rules out almost every triple before an eigenvalue is computed.
    let det_bound = 2.25 * MIN_EIGENVALUE + 1e-12;
    'scan: for i in 0..n {
        for j in (i + 1)..n {
            let a = m[i * n + j];
            for k in (j + 1)..n {
                let (b, c) = (m[i * n + k], m[j * n + k]);
                if a == 0.0 && (b == 0.0 || c == 0.0) || b == 0.0 && c == 0.0 {
                    continue;
                }
                let det = 1.0 + 2.0 * a * b * c - a * a - b * b - c * c;
                if det > det_bound {
                    continue;
                }
                if triple_min_eigenvalue(n, m, i, j, k) <= MIN_EIGENVALUE {
                    pairs.extend([(i, j), (i, k), (j, k)]);
                    if pairs.len() >= MAX_IMPLICATED_PAIRS {
                        break 'scan;
                    }
                }
            }
        }
    }
    if !pairs.is_empty() {
        pairs.sort_unstable();
        pairs.dedup();
        return pairs;
    }
    // Larger: drivers dominating the eigenvector of the smallest eigenvalue.
    let vector = vector();
    let mut order: Vec<usize> = (0..vector.len().min(n)).collect();
    order.sort_by(|&a, &b| vector[b].abs().total_cmp(&vector[a].abs()).then(a.cmp(&b)));
    let total: f64 = vector.iter().map(|v| v * v).sum();
    let mut chosen = Vec::new();
    let mut cumulative = 0.0;
    for &d in &order {
        chosen.push(d);
        cumulative += vector[d] * vector[d];
        if cumulative >= EIGENVECTOR_WEIGHT * total {
            break;
        }
    }
    chosen.sort_unstable();
    for (x, &i) in chosen.iter().enumerate() {
        for &j in &chosen[x + 1..] {
            if m[i * n + j] != 0.0 {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

fn frobenius(m: &DMatrix<f64>) -> f64 {
    m.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// `V diag(max(lambda, floor)) V^T`, symmetrised.
fn recompose_clipped(eig: &SymmetricEigen<f64, Dyn>, floor: f64) -> DMatrix<f64> {
    let mut b = eig.eigenvectors.clone();
    for (k, mut col) in b.column_iter_mut().enumerate() {
        col *= eig.eigenvalues[k].max(floor).sqrt();
    }
    let x = &b * b.transpose();
    (&x + x.transpose()) * 0.5
}

/// Iterations of the alternating projections for `n` drivers: each costs one
/// eigendecomposition, `O(n^3)`, so the cap shrinks with `n^3` to keep a repair
/// within a fixed amount of work (2e9 `n^3`-units: seconds, not minutes, even for
/// 2,000 drivers), between 1 and [`HIGHAM_MAX_ITER`]. Stopping early is safe: the
/// last iterate is floored and rescaled into a valid correlation matrix anyway, only
/// possibly farther from the input than the nearest one. Deterministic: the same
/// input always takes the same iterations.
fn higham_iterations(n: usize) -> usize {
    let cube = (n.max(1) as f64).powi(3);
    ((HIGHAM_WORK / cube) as usize).clamp(1, HIGHAM_MAX_ITER)
}

/// Higham (2002) alternating projections with Dykstra's correction, W = I. Returns the
/// unit-diagonal iterate (positive semidefinite up to the convergence tolerance) and
/// the eigendecomposition of the last projected matrix, whose eigenvalues the caller
/// floors (so the final step costs no further decomposition).
fn nearest_correlation(
    n: usize,
    values: &[f64],
) -> Result<(DMatrix<f64>, SymmetricEigen<f64, Dyn>), CorrelationError> {
    let a = DMatrix::from_row_slice(n, n, values);
    let mut y = (&a + a.transpose()) * 0.5;
    let mut ds = DMatrix::<f64>::zeros(n, n);
    let mut x_prev = y.clone();
    let mut last = None;
    for _ in 0..higham_iterations(n) {
        let r = &y - &ds;
        let eig = symmetric_eigen(r.clone())?;
        let x = recompose_clipped(&eig, 0.0);
        last = Some(eig);
        ds = &x - &r;
        let mut y_new = x.clone();
        y_new.fill_diagonal(1.0);
        let dx = frobenius(&(&x - &x_prev)) / frobenius(&x).max(f64::MIN_POSITIVE);
        let dy = frobenius(&(&y_new - &y)) / frobenius(&y_new).max(f64::MIN_POSITIVE);
        let dxy = frobenius(&(&y_new - &x)) / frobenius(&y_new).max(f64::MIN_POSITIVE);
        y = y_new;
        x_prev = x;
        if dx.max(dy).max(dxy) <= HIGHAM_TOL {
            break;
        }
    }
    let last = match last {
        Some(eig) => eig,
        None => symmetric_eigen(y.clone())?,
    };
    Ok((y, last))
}

/// Floors the eigenvalues at `floor`, rescales to unit diagonal and returns the exactly
/// symmetric row-major matrix with entries clamped into `[-1, 1]`.
fn floor_and_rescale(n: usize, eig: &SymmetricEigen<f64, Dyn>, floor: f64) -> Vec<f64> {
    let x = recompose_clipped(eig, floor);
    let scale: Vec<f64> = (0..n).map(|i| 1.0 / x[(i, i)].sqrt()).collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        out[i * n + i] = 1.0;
        for j in (i + 1)..n {
            let v = (x[(i, j)] * scale[i] * scale[j]).clamp(-1.0, 1.0);
            out[i * n + j] = v;
            out[j * n + i] = v;
        }
    }
    out
}

/// Entries `(i, j)`, `i <= j`, that moved by more than the report tolerance.
fn adjustments(n: usize, from: &[f64], to: &[f64]) -> Vec<Adjustment> {
    let mut out = Vec::new();
    for i in 0..n {
        for j in i..n {
            let (f, t) = (from[i * n + j], to[i * n + j]);
            if (t - f).abs() > ADJUSTMENT_REPORT_TOL {
                out.push(Adjustment {
                    i,
                    j,
                    from: f,
                    to: t,
                });
            }
        }
    }
    out
}

/// What a repair changed, in brief: how many pairs moved and the largest moves, for a
/// terminal or a report (a repair of 500 drivers can move over 100,000 pairs).
#[derive(Debug, Clone, PartialEq)]
pub struct RepairSummary {
    /// Pairs `(i, j)`, `i < j`, that moved by more than `1e-6`.
    pub pairs: usize,
    /// The largest moves, largest first (ties in pair order), at most the number asked.
    pub largest: Vec<Adjustment>,
}

/// The count of off-diagonal adjustments and the `keep` largest, largest first.
pub fn summarize(adjustments: &[Adjustment], keep: usize) -> RepairSummary {
    let mut off: Vec<&Adjustment> = adjustments.iter().filter(|a| a.i != a.j).collect();
    let pairs = off.len();
    let key = |a: &Adjustment| (a.to - a.from).abs();
    let order = |a: &&Adjustment, b: &&Adjustment| {
        key(b)
            .total_cmp(&key(a))
            .then(a.i.cmp(&b.i))
            .then(a.j.cmp(&b.j))
    };
    if off.len() > keep && keep > 0 {
        off.select_nth_unstable_by(keep - 1, order);
    }
    off.truncate(keep);
    off.sort_by(order);
    RepairSummary {
        pairs,
        largest: off.into_iter().cloned().collect(),
    }
}

/// `t += l s`, element by element (a multiply, then an add: no fused
/// multiply-add, so every CPU gives the same bits), eight to a register on
/// CPUs with AVX-512 (the crate is built for the x86-64 baseline's two).
fn add_scaled(t: &mut [f64], l: f64, s: &[f64]) {
    #[inline(always)]
    fn any(t: &mut [f64], l: f64, s: &[f64]) {
        for (t, s) in t.iter_mut().zip(s) {
            *t += l * s;
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn avx512(t: &mut [f64], l: f64, s: &[f64]) {
        any(t, l, s)
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx512() {
        // SAFETY: the CPU has AVX-512 (checked just above).
        return unsafe { avx512(t, l, s) };
    }
    any(t, l, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_llt_equals(c: &Correlation, tol: f64) {
        let n = c.n();
        let l = c.cholesky();
        for i in 0..n {
            for j in 0..n {
                if j > i {
                    assert_eq!(l[i * n + j], 0.0, "L not lower triangular at ({i},{j})");
                }
                let s: f64 = (0..n).map(|k| l[i * n + k] * l[j * n + k]).sum();
                assert!(
                    (s - c.get(i, j)).abs() <= tol,
                    "LL^T({i},{j}) = {s}, R = {}",
                    c.get(i, j)
                );
            }
        }
    }

    fn is_valid_correlation(m: &[f64], n: usize) -> bool {
        let sym = (0..n).all(|i| (0..n).all(|j| m[i * n + j] == m[j * n + i]));
        let diag = (0..n).all(|i| m[i * n + i] == 1.0);
        let chol = Cholesky::new(DMatrix::from_row_slice(n, n, m)).is_some();
        sym && diag && chol
    }

    fn frob_dist(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    }

    fn triple() -> Vec<f64> {
        vec![1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0]
    }

    #[test]
    fn identity_is_its_own_factor() {
        let c = Correlation::identity(4);
        assert_eq!(c.n(), 4);
        assert_eq!(c.matrix(), c.cholesky());
        assert_eq!(c.get(2, 2), 1.0);
        assert_eq!(c.get(1, 3), 0.0);
        assert!(c.get(4, 0).is_nan());
        let from = Correlation::from_matrix(4, c.matrix()).expect("identity valid");
        assert_eq!(from.cholesky(), c.cholesky());
        let mut cols = vec![
            vec![1.0, 2.0],
            vec![3.0, 4.0],
            vec![5.0, 6.0],
            vec![7.0, 8.0],
        ];
        let before = cols.clone();
        c.correlate_columns(&mut cols).expect("shape ok");
        assert_eq!(cols, before);
    }

    #[test]
    fn empty_and_single() {
        let c = Correlation::from_matrix(0, &[]).expect("empty ok");
        assert_eq!(c.n(), 0);
        let c = Correlation::from_matrix(1, &[1.0]).expect("1x1 ok");
        assert_eq!(c.cholesky(), &[1.0]);
        let (c, adj) = Correlation::repaired(1, &[1.0]).expect("1x1 ok");
        assert!(adj.is_empty());
        assert_eq!(c.matrix(), &[1.0]);
    }

    #[test]
    fn valid_3x3_cholesky() {
        let r = [1.0, 0.5, -0.3, 0.5, 1.0, 0.2, -0.3, 0.2, 1.0];
        let c = Correlation::from_matrix(3, &r).expect("valid");
        assert_eq!(c.matrix(), &r);
        assert_llt_equals(&c, 1e-12);
        let p = Correlation::from_pairs(3, &[(0, 1, 0.5), (2, 0, -0.3), (1, 2, 0.2), (1, 1, 1.0)])
            .expect("valid pairs");
        assert_eq!(p.matrix(), &r);
    }

    #[test]
    fn inconsistent_triple_names_its_pairs() {
        let err = Correlation::from_matrix(3, &triple()).expect_err("not PD");
        match err {
            CorrelationError::NotPositiveDefinite {
                pairs,
                min_eigenvalue,
            } => {
                assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
                assert!(min_eigenvalue < 0.0);
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = Correlation::from_pairs(3, &[(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)])
            .expect_err("not PD");
        assert!(err.to_string().contains("(0, 1), (0, 2), (1, 2)"), "{err}");
    }

    #[test]
    fn problem_among_1_3_4_of_five() {
        let pairs = [
            (0, 1, 0.2),
            (0, 2, 0.3),
            (2, 3, 0.1),
            (1, 3, 0.9),
            (3, 4, 0.9),
            (1, 4, -0.9),
            (0, 4, 0.05),
        ];
        let err = Correlation::from_pairs(5, &pairs).expect_err("not PD");
        assert!(
            matches!(&err, CorrelationError::NotPositiveDefinite { pairs, .. } if pairs == &vec![(1, 3), (1, 4), (3, 4)]),
            "{err:?}"
        );
    }

    #[test]
    fn unit_correlation_is_singular_and_named() {
        let err = Correlation::from_pairs(3, &[(0, 2, 1.0), (0, 1, 0.3), (1, 2, 0.3)])
            .expect_err("singular");
        assert!(
            matches!(&err, CorrelationError::NotPositiveDefinite { pairs, .. } if pairs == &vec![(0, 2)]),
            "{err:?}"
        );
        let (c, adj) = Correlation::repaired_pairs(3, &[(0, 2, 1.0), (0, 1, 0.3), (1, 2, 0.3)])
            .expect("repairable");
        assert!(is_valid_correlation(c.matrix(), 3));
        assert!(c.get(0, 2) > 0.999 && c.get(0, 2) < 1.0);
        assert!(adj.iter().all(|a| a.i < a.j));
    }

    #[test]
    fn no_failing_triple_falls_back_to_eigenvector() {
        // Drivers 0..4 equicorrelated at -0.34: every triple is PD (1 + 2 rho > 0) but the
        // block is not (1 + 3 rho < 0). Driver 4 is correlated with driver 0 only weakly.
        let mut pairs = Vec::new();
        for i in 0..4 {
            for j in (i + 1)..4 {
                pairs.push((i, j, -0.34));
            }
        }
        pairs.push((0, 4, 0.01));
        let err = Correlation::from_pairs(5, &pairs).expect_err("not PD");
        assert!(
            matches!(&err, CorrelationError::NotPositiveDefinite { pairs, .. }
                if pairs == &vec![(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]),
            "{err:?}"
        );
    }

    #[test]
    fn out_of_range_and_nan() {
        let mut r = vec![1.0, 1.2, 1.2, 1.0];
        assert_eq!(
            Correlation::from_matrix(2, &r).unwrap_err(),
            CorrelationError::OutOfRange {
                i: 0,
                j: 1,
                value: 1.2
            }
        );
        assert!(matches!(
            Correlation::repaired(2, &r),
            Err(CorrelationError::OutOfRange { .. })
        ));
        r[1] = f64::NAN;
        r[2] = f64::NAN;
        assert!(matches!(
            Correlation::from_matrix(2, &r),
            Err(CorrelationError::OutOfRange { .. })
        ));
        assert!(matches!(
            Correlation::repaired(2, &r),
            Err(CorrelationError::OutOfRange { .. })
        ));
        assert!(matches!(
            Correlation::from_pairs(3, &[(0, 1, -1.2)]),
            Err(CorrelationError::OutOfRange { i: 0, j: 1, .. })
        ));
    }

    #[test]
    fn asymmetric_diagonal_shape_index() {
        let r = [1.0, 0.5, 0.4, 1.0];
        assert_eq!(
            Correlation::from_matrix(2, &r).unwrap_err(),
            CorrelationError::Asymmetric {
                i: 0,
                j: 1,
                upper: 0.5,
                lower: 0.4
            }
        );
        assert!(matches!(
            Correlation::repaired(2, &r),
            Err(CorrelationError::Asymmetric { .. })
        ));
        // Asymmetry within 1e-12 is accepted and averaged.
        let c = Correlation::from_matrix(2, &[1.0, 0.5, 0.5 + 1e-13, 1.0]).expect("tolerated");
        assert_eq!(c.get(0, 1), c.get(1, 0));
        assert_eq!(
            Correlation::from_matrix(2, &[0.9, 0.0, 0.0, 1.0]).unwrap_err(),
            CorrelationError::Diagonal { i: 0, value: 0.9 }
        );
        assert_eq!(
            Correlation::repaired(2, &[1.0, 0.0, 0.0, 2.0]).unwrap_err(),
            CorrelationError::Diagonal { i: 1, value: 2.0 }
        );
        assert_eq!(
            Correlation::from_pairs(2, &[(1, 1, 0.5)]).unwrap_err(),
            CorrelationError::Diagonal { i: 1, value: 0.5 }
        );
        assert_eq!(
            Correlation::from_matrix(2, &[1.0, 0.0, 1.0]).unwrap_err(),
            CorrelationError::Shape {
                rows: 3,
                expected: 4
            }
        );
        assert_eq!(
            Correlation::from_pairs(2, &[(0, 2, 0.1)]).unwrap_err(),
            CorrelationError::IndexOutOfBounds { i: 0, j: 2, n: 2 }
        );
    }

    #[test]
    fn duplicate_pairs() {
        assert_eq!(
            Correlation::from_pairs(3, &[(0, 1, 0.3), (1, 0, 0.4)]).unwrap_err(),
            CorrelationError::ConflictingPair {
                i: 0,
                j: 1,
                first: 0.3,
                second: 0.4
            }
        );
        let c = Correlation::from_pairs(3, &[(0, 1, 0.3), (1, 0, 0.3)]).expect("same value ok");
        assert_eq!(c.get(1, 0), 0.3);
        assert_eq!(c.get(2, 1), 0.0);
    }

    #[test]
    fn repaired_triple() {
        let a = triple();
        let (c, adj) = Correlation::repaired(3, &a).expect("repairable");
        let m = c.matrix();
        assert!(is_valid_correlation(m, 3));
        assert_llt_equals(&c, 1e-12);
        let eig = symmetric_eigen(DMatrix::from_row_slice(3, 3, m)).expect("eig");
        assert!(min_eigen(&eig).1 > MIN_EIGENVALUE);
        let identity = Correlation::identity(3);
        assert!(frob_dist(m, &a) <= frob_dist(identity.matrix(), &a));
        // By symmetry of the problem the nearest matrix keeps the pattern (r, r, -r).
        assert!((m[1] - m[5]).abs() < 1e-6 && (m[1] + m[2]).abs() < 1e-6);
        assert_eq!(adj.len(), 3);
        assert!(
            adj.iter()
                .all(|x| x.i < x.j && (x.to - c.get(x.i, x.j)).abs() == 0.0)
        );
        assert!(adj.iter().all(|x| (x.from - a[x.i * 3 + x.j]).abs() == 0.0));
    }

    #[test]
    fn repaired_valid_input_is_unchanged() {
        let r = [1.0, 0.5, -0.3, 0.5, 1.0, 0.2, -0.3, 0.2, 1.0];
        let (c, adj) = Correlation::repaired(3, &r).expect("valid");
        assert!(adj.is_empty());
        assert_eq!(c.matrix(), &r);
    }

    #[test]
    fn a_summary_counts_the_moved_pairs_and_lists_the_largest_first() {
        let adj = |i, j, from, to| Adjustment { i, j, from, to };
        let all = vec![
            adj(0, 0, 2.0, 1.0),
            adj(0, 1, 0.9, 0.7),
            adj(0, 2, -0.9, -0.5),
            adj(1, 2, 0.9, 0.85),
            adj(2, 3, 0.0, 0.1),
        ];
        let s = summarize(&all, 2);
        assert_eq!(s.pairs, 4, "the diagonal is not a pair");
        assert_eq!(s.largest, vec![all[2].clone(), all[1].clone()]);
        assert_eq!(summarize(&all, 10).largest.len(), 4);
        assert_eq!(summarize(&[], 10).pairs, 0);
    }

    #[test]
    fn only_the_group_that_fails_is_repaired_and_the_rest_kept_exactly() {
        // Drivers 0-2 are inconsistent; 3-4 are a valid pair of their own; 5 is alone.
        let pairs = [(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9), (3, 4, 0.7)];
        let (c, adj) = Correlation::repaired_pairs(6, &pairs).expect("repairable");
        assert!(is_valid_correlation(c.matrix(), 6));
        assert_eq!(c.get(3, 4), 0.7);
        for i in 0..3 {
            for j in 3..6 {
                assert_eq!(c.get(i, j), 0.0);
            }
        }
        assert!(adj.iter().all(|a| a.i < 3 && a.j < 3));
        assert_eq!(adj.len(), 3);
    }

    #[test]
    fn repairing_hundreds_of_inconsistent_drivers_takes_seconds_not_minutes() {
        // A chain of inconsistent triples joining all drivers into one group.
        let n = 300;
        let mut pairs = Vec::new();
        for i in 0..n - 2 {
            pairs.push((i, i + 1, 0.9));
            pairs.push((i, i + 2, -0.9));
        }
        let start = std::time::Instant::now();
        let (c, adj) = Correlation::repaired_pairs(n, &pairs).expect("repairable");
        let took = start.elapsed();
        assert!(Correlation::from_matrix(n, c.matrix()).is_ok());
        assert!(!adj.is_empty());
        assert!(took.as_secs() < 60, "repair of {n} drivers took {took:?}");
        // The unrepaired matrix is refused quickly too, naming some triple.
        let start = std::time::Instant::now();
        let e = Correlation::from_pairs(n, &pairs).unwrap_err();
        assert!(
            matches!(e, CorrelationError::NotPositiveDefinite { ref pairs, .. } if !pairs.is_empty())
        );
        assert!(start.elapsed().as_secs() < 30);
    }

    #[test]
    fn higham_2002_example() {
        let a = [
            2.0, -1.0, 0.0, 0.0, -1.0, 2.0, -1.0, 0.0, 0.0, -1.0, 2.0, -1.0, 0.0, 0.0, -1.0, 2.0,
        ];
        let expected = [
            1.0000, -0.8084, 0.1916, 0.1068, -0.8084, 1.0000, -0.6562, 0.1916, 0.1916, -0.6562,
            1.0000, -0.8084, 0.1068, 0.1916, -0.8084, 1.0000,
        ];
        let (c, adj) = Correlation::repair_unchecked(4, &a).expect("repairable");
        for (k, (got, want)) in c.matrix().iter().zip(expected).enumerate() {
            assert!((got - want).abs() < 1e-3, "entry {k}: {got} vs {want}");
        }
        assert!(is_valid_correlation(c.matrix(), 4));
        // Diagonal moved from 2 to 1 and is reported; (0, 3) moved from 0 to ~0.1068.
        assert!(adj.iter().any(|x| x.i == 0 && x.j == 0 && x.from == 2.0));
        assert!(adj.iter().any(|x| x.i == 0 && x.j == 3));
    }

    #[test]
    fn correlate_columns_matches_naive() {
        let r = [
            1.0, 0.0, 0.6, 0.0, 0.0, 1.0, 0.0, 0.0, 0.6, 0.0, 1.0, -0.4, 0.0, 0.0, -0.4, 1.0,
        ];
        let c = Correlation::from_matrix(4, &r).expect("valid");
        let len = 7;
        let e: Vec<Vec<f64>> = (0..4)
            .map(|i| {
                (0..len)
                    .map(|k| ((i * 31 + k * 17) % 13) as f64 / 6.5 - 1.0)
                    .collect()
            })
            .collect();
        let l = c.cholesky();
        let naive: Vec<Vec<f64>> = (0..4)
            .map(|i| {
                (0..len)
                    .map(|k| (0..4).map(|j| l[i * 4 + j] * e[j][k]).sum())
                    .collect()
            })
            .collect();
        let mut cols = e.clone();
        c.correlate_columns(&mut cols).expect("shape ok");
        for i in 0..4 {
            for k in 0..len {
                assert!((cols[i][k] - naive[i][k]).abs() < 1e-14, "({i},{k})");
            }
        }
        // Driver 1 is uncorrelated with everything before it: untouched.
        assert_eq!(cols[1], e[1]);
        // Slices of a flat buffer work too.
        let mut flat: Vec<f64> = e.concat();
        let mut slices: Vec<&mut [f64]> = flat.chunks_mut(len).collect();
        c.correlate_columns(&mut slices).expect("shape ok");
        assert_eq!(flat, cols.concat());
    }

    #[test]
    fn correlate_columns_shape_errors() {
        let c = Correlation::from_pairs(2, &[(0, 1, 0.5)]).expect("valid");
        let mut three = vec![vec![0.0; 2]; 3];
        assert_eq!(
            c.correlate_columns(&mut three),
            Err(CorrelationError::Shape {
                rows: 3,
                expected: 2
            })
        );
        let mut ragged = vec![vec![1.0; 2], vec![1.0; 3]];
        assert_eq!(
            c.correlate_columns(&mut ragged),
            Err(CorrelationError::ColumnLength {
                column: 1,
                len: 3,
                expected: 2
            })
        );
        assert_eq!(ragged[1], vec![1.0; 3]);
    }

    #[test]
    fn spearman_conversion_round_trips() {
        for rho in [-1.0, -0.7, 0.0, 0.3, 1.0] {
            let s = spearman_from_normal(rho);
            assert!((normal_from_spearman(s) - rho).abs() < 1e-12);
        }
        assert!((spearman_from_normal(1.0) - 1.0).abs() < 1e-12);
    }

    fn symmetric_input() -> impl Strategy<Value = (usize, Vec<f64>)> {
        (1usize..=8).prop_flat_map(|n| {
            proptest::collection::vec(-1.0f64..=1.0, n * (n - 1) / 2).prop_map(move |upper| {
                let mut m = vec![0.0; n * n];
                let mut k = 0;
                for i in 0..n {
                    m[i * n + i] = 1.0;
                    for j in (i + 1)..n {
                        m[i * n + j] = upper[k];
                        m[j * n + i] = upper[k];
                        k += 1;
                    }
                }
                (n, m)
            })
        })
    }

    proptest! {
        #[test]
        fn repaired_always_factorises((n, m) in symmetric_input()) {
            let (c, adj) = Correlation::repaired(n, &m).expect("repair never fails on valid-range input");
            prop_assert!(is_valid_correlation(c.matrix(), n));
            prop_assert!(adj.iter().all(|a| a.i < a.j));
            // Reconstruct from the stored factor.
            let l = c.cholesky();
            for i in 0..n {
                for j in 0..n {
                    let s: f64 = (0..n).map(|k| l[i * n + k] * l[j * n + k]).sum();
                    prop_assert!((s - c.get(i, j)).abs() < 1e-9);
                }
            }
            // The repaired matrix is accepted as is.
            prop_assert!(Correlation::from_matrix(n, c.matrix()).is_ok());
        }
    }
}
