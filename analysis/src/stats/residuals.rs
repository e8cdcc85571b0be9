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
        basis: std::sync::OnceLock<(Vec<f64>, Vec<Vec<f64>>)>,
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
                    basis.get_or_init(|| (weights.to_vec(), raking_basis(margins, weights)));
                if cached.0 == weights {
                    project(&cached.1, weights, z)
                } else {
                    project(&raking_basis(margins, weights), weights, z)
                }
            }
        }
    }
}

/// `e = w (u − X β̂)` with `u = z/w` and β̂ the weighted least-squares fit on the indicator
/// columns of every margin's levels (R: `calibrate`'s `qr.resid(qr, z/w) * w`).
///
/// The columns are collinear (each margin's indicators add up to 1), so they are
/// orthonormalised in the `w`-weighted inner product by Gram–Schmidt (twice, for stability),
/// dropping a column that is already in the span of the others.
fn project(basis: &[Vec<f64>], weights: &[f64], z: &[f64]) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| weighted_dot(weights, a, b);
    let mut u: Vec<f64> = z.iter().zip(weights).map(|(zi, w)| zi / w).collect();
    for _ in 0..2 {
        for q in basis {
            let c = dot(q, &u);
            u.iter_mut().zip(q).for_each(|(x, qi)| *x -= c * qi);
        }
    }
    u.iter().zip(weights).map(|(r, w)| r * w).collect()
}

fn weighted_dot(weights: &[f64], a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(weights)
        .map(|((x, y), w)| w * x * y)
        .sum()
}

/// The margins' indicator columns orthonormalised in the `w`-weighted inner product.
fn raking_basis(margins: &[(Vec<usize>, usize)], weights: &[f64]) -> Vec<Vec<f64>> {
    let dot = |a: &[f64], b: &[f64]| weighted_dot(weights, a, b);
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for (levels, count) in margins {
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
            }
        }
    }
    basis
}
