//! The calibration residuals a calibrated design's variance uses (METHODS §4): residuals
//! from the post-stratum means, or from the weighted least-squares fit on every raking
//! margin's indicator columns.

/// How a calibrated design turns a linearized variable into the residuals its variance uses.
#[derive(Debug, Clone)]
pub(crate) enum Calibration {
    /// Post-strata: each row's post-stratum and their count.
    PostStrata { groups: Vec<usize>, count: usize },
    /// Raking: each margin's rows' levels and level count, and the orthonormal basis of
    /// their indicator columns for the weights it was first used with (a batch computes
    /// thousands of SEs on one design; rebuilding the basis each time dominated the run).
    Raking {
        margins: Vec<(Vec<usize>, usize)>,
        basis: std::sync::OnceLock<(Vec<f64>, RakingFit)>,
    },
}

/// Equal when they calibrate the same way (the cached basis aside).
impl PartialEq for Calibration {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Calibration::PostStrata { groups, count },
                Calibration::PostStrata {
                    groups: g,
                    count: c,
                },
            ) => groups == g && count == c,
            (Calibration::Raking { margins, .. }, Calibration::Raking { margins: m, .. }) => {
                margins == m
            }
            _ => false,
        }
    }
}

impl Calibration {
    /// The residuals `e` of `z` under calibrated weights `w` (METHODS §4).
    pub(crate) fn residuals(&self, weights: &[f64], z: &[f64]) -> Vec<f64> {
        match self {
            // e_i = w_i (u_i − ū_g), u = z/w, ū_g = Σ_g w u / Σ_g w = Σ_g z / Σ_g w.
            Calibration::PostStrata { groups, count } => {
                let (mut z_sums, mut w_sums) = (vec![0.0; *count], vec![0.0; *count]);
                for ((&g, &zi), &w) in groups.iter().zip(z).zip(weights) {
                    z_sums[g] += zi;
                    w_sums[g] += w;
                }
                groups
                    .iter()
                    .zip(z)
                    .zip(weights)
                    .map(|((&g, &zi), &w)| zi - w * z_sums[g] / w_sums[g])
                    .collect()
            }
            Calibration::Raking { margins, basis } => {
                let cached =
                    basis.get_or_init(|| (weights.to_vec(), RakingFit::new(margins, weights)));
                if cached.0 == weights {
                    cached.1.residuals(margins, weights, z)
                } else {
                    RakingFit::new(margins, weights).residuals(margins, weights, z)
                }
            }
        }
    }
}

/// The weighted least-squares fit of `u = z/w` on the indicator columns of every margin's
/// levels (R: `calibrate`'s `qr.resid(qr, z/w) * w`), set up once per design: which columns
/// are independent (each margin's indicators add up to 1, so some are not) and the inverse of
/// `XᵀWX` over them. Each residual is then `e = z − w · X β̂` with `β̂ = (XᵀWX)⁻¹ Xᵀz`
/// (`XᵀWu = Xᵀz`), O(rows × margins) per estimate.
#[derive(Debug, Clone)]
pub(crate) struct RakingFit {
    /// Per margin, per level: the column of the fit, or `None` for a dependent column.
    columns: Vec<Vec<Option<usize>>>,
    inverse: Vec<Vec<f64>>,
}

impl RakingFit {
    fn new(margins: &[(Vec<usize>, usize)], weights: &[f64]) -> RakingFit {
        let independent = independent_columns(margins, weights);
        let mut columns: Vec<Vec<Option<usize>>> = margins
            .iter()
            .map(|(_, count)| vec![None; *count])
            .collect();
        for (k, &(m, level)) in independent.iter().enumerate() {
            columns[m][level] = Some(k);
        }
        let k = independent.len();
        let mut gram = vec![vec![0.0; k]; k];
        let mut row_columns = Vec::with_capacity(margins.len());
        for (i, &w) in weights.iter().enumerate() {
            row_columns.clear();
            row_columns.extend(
                margins
                    .iter()
                    .zip(&columns)
                    .filter_map(|((levels, _), cols)| cols[levels[i]]),
            );
            for &a in &row_columns {
                for &b in &row_columns {
                    gram[a][b] += w;
                }
            }
        }
        RakingFit {
            columns,
            inverse: invert(gram),
        }
    }

    fn residuals(&self, margins: &[(Vec<usize>, usize)], weights: &[f64], z: &[f64]) -> Vec<f64> {
        let row_columns = |i: usize| {
            margins
                .iter()
                .zip(&self.columns)
                .filter_map(move |((levels, _), cols)| cols[levels[i]])
        };
        let mut xz = vec![0.0; self.inverse.len()];
        for (i, &zi) in z.iter().enumerate() {
            row_columns(i).for_each(|c| xz[c] += zi);
        }
        let beta: Vec<f64> = self
            .inverse
            .iter()
            .map(|row| row.iter().zip(&xz).map(|(a, b)| a * b).sum())
            .collect();
        z.iter()
            .zip(weights)
            .enumerate()
            .map(|(i, (&zi, &w))| zi - w * row_columns(i).map(|c| beta[c]).sum::<f64>())
            .collect()
    }
}

/// The margin levels whose indicator columns are linearly independent of the ones before
/// them, found once by Gram–Schmidt (twice, for stability) in the `w`-weighted inner product.
fn independent_columns(margins: &[(Vec<usize>, usize)], weights: &[f64]) -> Vec<(usize, usize)> {
    let dot = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(weights)
            .map(|((x, y), w)| w * x * y)
            .sum()
    };
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut kept = Vec::new();
    for (m, (levels, count)) in margins.iter().enumerate() {
        for level in 0..*count {
            let mut column: Vec<f64> = levels
                .iter()
                .map(|&l| if l == level { 1.0 } else { 0.0 })
                .collect();
            let norm0 = dot(&column, &column).sqrt();
            if norm0 == 0.0 {
                continue;
            }
            for _ in 0..2 {
                for q in &basis {
                    let c = dot(q, &column);
                    column.iter_mut().zip(q).for_each(|(x, qi)| *x -= c * qi);
                }
            }
            let norm = dot(&column, &column).sqrt();
            if norm > 1e-9 * norm0 {
                column.iter_mut().for_each(|x| *x /= norm);
                basis.push(column);
                kept.push((m, level));
            }
        }
    }
    kept
}

/// The inverse of a symmetric positive-definite matrix, by Gauss–Jordan with partial pivoting.
fn invert(mut a: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        for j in 0..n {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for row in 0..n {
            if row != col {
                let f = a[row][col];
                if f != 0.0 {
                    for j in 0..n {
                        a[row][j] -= f * a[col][j];
                        inv[row][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    inv
}
