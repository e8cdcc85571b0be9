//! AHP weights for a node of the indicator tree (METHODS §5): the principal eigenvector of a
//! pairwise comparison matrix, λ_max, and Saaty's consistency ratio.
//!
//! There is no `survey` counterpart; the reference is Saaty (1980, 1990), whose published
//! examples `tests/ahp.rs` reproduces.

use crate::stats::error::AnalysisError;

/// Saaty's random index RI for n = 1 … 15 (Saaty, *The Analytic Hierarchy Process*, 1980;
/// the values most texts print: 0.58 for n = 3 … 1.59 for n = 15).
pub const SAATY_RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];
/// A consistency ratio at or above this is an error naming the node (METHODS §5).
pub const MAX_CONSISTENCY_RATIO: f64 = 0.1;
/// How far `a_ij · a_ji` may be from 1 (write 1/3, not 0.33).
const RECIPROCAL_TOLERANCE: f64 = 1e-9;

/// The AHP result for one node.
#[derive(Debug, Clone, PartialEq)]
pub struct Ahp {
    /// The children's weights: the principal eigenvector, summing to 1.
    pub weights: Vec<f64>,
    /// The principal eigenvalue λ_max.
    pub lambda_max: f64,
    /// `CI = (λ_max − n)/(n − 1)` (0 for n ≤ 2).
    pub consistency_index: f64,
    /// Saaty's random index for n.
    pub random_index: f64,
    /// `CR = CI/RI` (0 for n ≤ 2, where every reciprocal matrix is consistent).
    pub consistency_ratio: f64,
}

/// The AHP weights of `node`'s children from its pairwise comparison matrix (`matrix[i][j]`:
/// how much more important child i is than child j, on Saaty's 1–9 scale), refused when the
/// consistency ratio is 0.1 or more ([`AnalysisError::Inconsistent`], naming the node).
///
/// See [`ahp_analysis`] for the computation and the other errors.
pub fn ahp(node: &str, matrix: &[Vec<f64>]) -> Result<Ahp, AnalysisError> {
    let analysis = ahp_analysis(node, matrix)?;
    if analysis.consistency_ratio >= MAX_CONSISTENCY_RATIO {
        return Err(AnalysisError::Inconsistent {
            node: node.to_owned(),
            cr: analysis.consistency_ratio,
        });
    }
    Ok(analysis)
}

/// Every AHP number for a node, consistent or not (to show an evaluator why a matrix was
/// refused).
///
/// The principal eigenvector is found by power iteration (the matrix is positive, so by
/// Perron–Frobenius it converges from the uniform vector) until no weight moves by more than
/// 1e-15. Errors name the node: a matrix that is not square, positive, with a unit diagonal
/// and reciprocal, or n > 15 (no random index).
pub fn ahp_analysis(node: &str, matrix: &[Vec<f64>]) -> Result<Ahp, AnalysisError> {
    check_matrix(node, matrix)?;
    let n = matrix.len();
    let mut weights = vec![1.0 / n as f64; n];
    let mut lambda_max = n as f64;
    for _ in 0..100_000 {
        let product: Vec<f64> = matrix
            .iter()
            .map(|row| row.iter().zip(&weights).map(|(a, w)| a * w).sum())
            .collect();
        // With Σ w = 1, Σ (A w) = λ Σ w = λ at the fixed point.
        lambda_max = product.iter().sum();
        let next: Vec<f64> = product.iter().map(|p| p / lambda_max).collect();
        let moved = next
            .iter()
            .zip(&weights)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        weights = next;
        if moved <= 1e-15 {
            break;
        }
    }
    let random_index = SAATY_RANDOM_INDEX[n - 1];
    let (consistency_index, consistency_ratio) = if n <= 2 {
        (0.0, 0.0)
    } else {
        let ci = (lambda_max - n as f64) / (n as f64 - 1.0);
        (ci, ci / random_index)
    };
    Ok(Ahp {
        weights,
        lambda_max,
        consistency_index,
        random_index,
        consistency_ratio,
    })
}

/// Square, 1 ≤ n ≤ 15, positive finite entries, unit diagonal, `a_ji = 1/a_ij`.
fn check_matrix(node: &str, matrix: &[Vec<f64>]) -> Result<(), AnalysisError> {
    let problem = |problem: String| AnalysisError::InvalidComparisons {
        node: node.to_owned(),
        problem,
    };
    let n = matrix.len();
    if n == 0 || n > SAATY_RANDOM_INDEX.len() {
        return Err(problem(format!("AHP needs 1 to 15 children, got {n}")));
    }
    if let Some((i, row)) = matrix.iter().enumerate().find(|(_, row)| row.len() != n) {
        return Err(problem(format!(
            "the comparison matrix is not square: row {i} has {} entries, not {n}",
            row.len()
        )));
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, &a) in row.iter().enumerate() {
            if !(a.is_finite() && a > 0.0) {
                return Err(problem(format!("entry ({i}, {j}) = {a} is not positive")));
            }
            if i == j && a != 1.0 {
                return Err(problem(format!("diagonal entry ({i}, {i}) = {a} is not 1")));
            }
            if (a * matrix[j][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return Err(problem(format!(
                    "entries ({i}, {j}) = {a} and ({j}, {i}) = {} are not reciprocal",
                    matrix[j][i]
                )));
            }
        }
    }
    Ok(())
}
