//! Post-stratification and raking to known population totals (METHODS §4).
//!
//! R: `postStratify(design, ~g, totals)` and `rake(design, margins, totals,
//! control = list(maxit = 100, epsilon = 1e-10))`. A calibrated [`Design`] carries its
//! calibration, so every estimator's variance is computed from calibration residuals.

use std::collections::HashMap;

use crate::stats::design::Design;
use crate::stats::error::{check_len, AnalysisError};
use crate::stats::residuals::Calibration;

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
