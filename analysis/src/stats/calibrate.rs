//! Post-stratification and raking to known population totals (METHODS §4).
//!
//! R: `postStratify(design, ~g, totals)` and `rake(design, margins, totals,
//! control = list(maxit = 100, epsilon = 1e-10))`. A calibrated [`Design`] carries its
//! calibration, so every estimator's variance is computed from calibration residuals.

use std::collections::HashMap;

use crate::stats::design::Design;
use crate::stats::error::{check_len, AnalysisError};

/// METHODS' `rake(..., control = list(maxit = 100, ...))`: at most 100 sweeps.
pub const MAX_SWEEPS: usize = 100;
/// R's `epsilon = 1e-10`: the largest change of a cell between sweeps, relative to the total
/// weight, at which raking stops.
pub const RAKE_EPSILON: f64 = 1e-10;

/// How far (relative) a margin may be from its target when R's stopping rule holds; beyond
/// this the margins cannot be met together and raking fails.
pub const TARGET_CHECK: f64 = 1e-6;

/// One calibration margin: a name (for error messages), each row's level, and each level's
/// population total.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    name: String,
    levels: Vec<usize>,
    totals: Vec<f64>,
}

impl Margin {
    /// A margin whose rows fall in `levels[i] < totals.len()`.
    pub fn new(
        name: impl Into<String>,
        levels: Vec<usize>,
        totals: Vec<f64>,
    ) -> Result<Self, AnalysisError> {
        let name = name.into();
        if let Some((row, &level)) = levels.iter().enumerate().find(|(_, &l)| l >= totals.len()) {
            return Err(AnalysisError::UnknownLevel {
                margin: name,
                row,
                level,
                levels: totals.len(),
            });
        }
        Ok(Margin {
            name,
            levels,
            totals,
        })
    }

    /// The margin's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Each level's weighted total under `weights`.
    fn weighted_totals(&self, weights: &[f64]) -> Vec<f64> {
        let mut sums = vec![0.0; self.totals.len()];
        for (&level, &w) in self.levels.iter().zip(weights) {
            sums[level] += w;
        }
        sums
    }

    /// The largest `|Σ_g w − N_g| / N_g` over the levels with a positive total.
    fn relative_gap(&self, weights: &[f64]) -> f64 {
        self.weighted_totals(weights)
            .iter()
            .zip(&self.totals)
            .filter(|(_, &t)| t > 0.0)
            .map(|(s, t)| ((s - t) / t).abs())
            .fold(0.0, f64::max)
    }

    /// Checks the margin fits `design` and every level with a total has rows and vice versa.
    fn check(&self, design: &Design) -> Result<(), AnalysisError> {
        check_len("margin levels", design.rows(), self.levels.len())?;
        let sampled = self.weighted_totals(design.weights());
        for (level, (&total, &sum)) in self.totals.iter().zip(&sampled).enumerate() {
            let margin = self.name.clone();
            if sum > 0.0 && !(total.is_finite() && total > 0.0) {
                return Err(AnalysisError::InvalidTotal {
                    margin,
                    level,
                    total,
                });
            }
            if sum == 0.0 && total != 0.0 {
                return Err(AnalysisError::EmptyCell { margin, level });
            }
        }
        Ok(())
    }

    /// `w_i · N_g / Σ_{j∈g} w_j` for every row.
    fn adjust(&self, weights: &[f64]) -> Vec<f64> {
        let sums = self.weighted_totals(weights);
        self.levels
            .iter()
            .zip(weights)
            .map(|(&g, &w)| w * (self.totals[g] / sums[g]))
            .collect()
    }
}

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

/// Post-stratifies `design` to a margin's population totals (R: `postStratify`):
/// `w*_i = w_i · N_g / Σ_{j∈g} w_j`. Errors name the margin: a level with a total but no rows
/// ([`AnalysisError::EmptyCell`]), or rows in a level without a positive total.
pub fn post_stratify(design: &Design, margin: &Margin) -> Result<Design, AnalysisError> {
    margin.check(design)?;
    let weights = margin.adjust(design.weights());
    Ok(design.calibrated(
        weights,
        Calibration::PostStrata {
            groups: margin.levels.clone(),
            count: margin.totals.len(),
        },
    ))
}

/// Rakes `design` to several margins by iterative proportional fitting (R: `rake(design,
/// margins, totals, control = list(maxit = 100, epsilon = 1e-10))`).
///
/// Each sweep post-stratifies to every margin in turn. It stops by R's rule: when no cell of
/// the cross-classification of all the margins changed in the last sweep by more than
/// 1e-10 × the total weight; the weights are then R's to rounding. METHODS asks for every
/// margin within 1e-10 (relative) of its target, but R's stopping sweep can leave a margin
/// slightly further off (3e-10 on the `api` test data), and METHODS also requires R's point
/// estimates to 1e-9, which a few more sweeps would miss — so R's rule decides, and a margin
/// still more than [`TARGET_CHECK`] off its target when it holds means IPF has stalled on
/// margins that cannot all be met. Errors name the margin: an empty cell, or (no convergence
/// in 100 sweeps, or stalled) the margin furthest from its target.
///
/// The variance uses the residuals of the weighted least-squares fit of `u = z/w` on the
/// indicator columns of all margins together (METHODS §4); R's `rake` approximates the same
/// projection by ten rounds of back-fitting in an unweighted metric, and `calibrate(calfun =
/// "raking")` has an extra `√g` in its residuals, so their SEs differ slightly (see
/// `tests/calibrate.rs` for the sizes).
pub fn rake(design: &Design, margins: &[Margin]) -> Result<Design, AnalysisError> {
    for margin in margins {
        margin.check(design)?;
    }
    let cells = cross_classification(margins, design.rows());
    let cell_table = |weights: &[f64]| {
        let mut table = vec![0.0; cells.1];
        for (&c, &w) in cells.0.iter().zip(weights) {
            table[c] += w;
        }
        table
    };
    let epsilon = RAKE_EPSILON * design.weights().iter().sum::<f64>();
    let mut weights = design.weights().to_vec();
    let mut old = cell_table(&weights);
    let mut converged = false;
    for _ in 0..MAX_SWEEPS {
        for margin in margins {
            weights = margin.adjust(&weights);
        }
        let new = cell_table(&weights);
        let delta = old
            .iter()
            .zip(&new)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        old = new;
        if delta < epsilon {
            // R's rule alone also stops where IPF has stalled on the boundary of margins that
            // cannot all be met; such a sweep leaves a margin visibly off its target.
            converged = margins
                .iter()
                .all(|m| m.relative_gap(&weights) <= TARGET_CHECK);
            break;
        }
    }
    if !converged {
        return Err(worst_margin(margins, &weights));
    }
    let calibration = Calibration::Raking {
        basis: std::sync::OnceLock::new(),
        margins: margins
            .iter()
            .map(|m| (m.levels.clone(), m.totals.len()))
            .collect(),
    };
    Ok(design.calibrated(weights, calibration))
}

/// Each row's cell in the cross-classification of all margins, and the number of cells.
fn cross_classification(margins: &[Margin], rows: usize) -> (Vec<usize>, usize) {
    let mut index: HashMap<Vec<usize>, usize> = HashMap::new();
    let cells = (0..rows)
        .map(|row| {
            let key: Vec<usize> = margins.iter().map(|m| m.levels[row]).collect();
            let next = index.len();
            *index.entry(key).or_insert(next)
        })
        .collect();
    (cells, index.len())
}

/// The non-convergence error, naming the margin furthest (relatively) from its totals.
fn worst_margin(margins: &[Margin], weights: &[f64]) -> AnalysisError {
    let (margin, gap) = margins
        .iter()
        .map(|m| (m, m.relative_gap(weights)))
        .fold(None, |best: Option<(&Margin, f64)>, (m, g)| match best {
            Some((_, bg)) if bg >= g => best,
            _ => Some((m, g)),
        })
        .map(|(m, g)| (m.name.clone(), g))
        .unwrap_or_default();
    AnalysisError::NotConverged {
        margin,
        sweeps: MAX_SWEEPS,
        gap,
    }
}
