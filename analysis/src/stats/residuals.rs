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
    /// Each row's level in each of the calibration's margins, with the margin's level count
    /// (post-strata are one margin).
    pub(crate) fn margins(&self) -> Vec<(&[usize], usize)> {
        match self {
            Calibration::PostStrata { groups, count } => vec![(groups.as_slice(), *count)],
            Calibration::Raking { margins, .. } => margins
                .iter()
                .map(|(levels, count)| (levels.as_slice(), *count))
                .collect(),
        }
    }

    /// The calibration residuals (METHODS §4) as amounts per margin level: the residual of
    /// row i is `e_i − w_i · Σ_m c[m][level_m(i)]`, given, per margin and level, `Σ e` over
    /// its rows (`sums`) and `Σ w` (`weight_sums`).
    ///
    /// Post-strata: `e_i = w_i (u_i − ū_g)`, `u = e/w`, `ū_g = Σ_g e / Σ_g w`, so `c_g = ū_g`.
    /// Raking: `e − w · Xβ̂` with `β̂ = (XᵀWX)⁻¹ Xᵀe`, so `c[m][l] = β̂` of that level's column
    /// (0 for a dependent column).
    pub(crate) fn adjustments(
        &self,
        weights: &[f64],
        sums: &[Vec<f64>],
        weight_sums: &[Vec<f64>],
    ) -> Vec<Vec<f64>> {
        match self {
            Calibration::PostStrata { .. } => vec![sums[0]
                .iter()
                .zip(&weight_sums[0])
                .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
                .collect()],
            Calibration::Raking { margins, basis } => {
                let cached =
                    basis.get_or_init(|| (weights.to_vec(), RakingFit::new(margins, weights)));
                if cached.0 == weights {
                    cached.1.adjustments(sums)
                } else {
                    RakingFit::new(margins, weights).adjustments(sums)
                }
            }
        }
    }
}

/// The weighted least-squares fit of `u = z/w` on the indicator columns of every margin's
/// levels (R: `calibrate`'s `qr.resid(qr, z/w) * w`), set up once per design: which columns
/// are independent (each margin's indicators add up to 1, so some are not) and the inverse of
/// `XᵀWX` over them. Each residual is then `e = z − w · X β̂` with `β̂ = (XᵀWX)⁻¹ Xᵀz`
/// (`XᵀWu = Xᵀz`): per estimate only `Xᵀz`, from the cells' totals (`cells.rs`).
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

    /// β̂ = (XᵀWX)⁻¹ Xᵀe from `Xᵀe` (each column's `Σ e`), as amounts per margin level.
    fn adjustments(&self, sums: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let mut xe = vec![0.0; self.inverse.len()];
        for (cols, level_sums) in self.columns.iter().zip(sums) {
            for (col, s) in cols.iter().zip(level_sums) {
                if let Some(c) = col {
                    xe[*c] += s;
                }
            }
        }
        let beta: Vec<f64> = self
            .inverse
            .iter()
            .map(|row| row.iter().zip(&xe).map(|(a, b)| a * b).sum())
            .collect();
        self.columns
            .iter()
            .map(|cols| cols.iter().map(|c| c.map_or(0.0, |c| beta[c])).collect())
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
