//! The one-stage stratified design (METHODS §2) and the linearized variance of §3.
//!
//! R: `svydesign(ids = ~1, strata = ~h, weights = ~w, fpc = ~N_h)` with
//! `options(survey.lonely.psu = "adjust")`; [`Design::variance`] is what `svyrecvar` computes
//! for such a design.

use std::sync::OnceLock;

use crate::stats::cells::Cells;
use crate::stats::error::{check_len, AnalysisError};
use crate::stats::residuals::Calibration;
use crate::stats::rows::RowSet;

/// A sample's strata and weights: per row a stratum index and a weight; per stratum an optional
/// population size `N_h` (which brings in the finite-population correction).
///
/// Calibrating a design ([`post_stratify`](crate::stats::calibrate::post_stratify),
/// [`rake`](crate::stats::calibrate::rake)) gives a new `Design` that carries its calibration,
/// so that every estimator's variance uses the calibration residuals, as R's calibrated
/// designs do.
#[derive(Debug, Clone)]
pub struct Design {
    strata: Vec<usize>,
    weights: Vec<f64>,
    populations: Vec<Option<f64>>,
    sizes: Vec<usize>,
    calibrations: Vec<Calibration>,
    /// The rows' cells and their totals, made on first use by [`Design::variance_on`].
    cells: OnceLock<Cells>,
}

/// Equal when they are the same sample with the same weights and calibrations.
impl PartialEq for Design {
    fn eq(&self, other: &Self) -> bool {
        self.strata == other.strata
            && self.weights == other.weights
            && self.populations == other.populations
            && self.calibrations == other.calibrations
    }
}

impl Design {
    /// A design from each row's stratum index and weight, and each stratum's population size
    /// (`None` when unknown: sampling with replacement, no finite-population correction).
    ///
    /// `populations.len()` is the number of strata; every stratum index must be below it.
    /// Weights must be finite and positive; a known `N_h` must be at least the stratum's rows.
    pub fn new(
        strata: Vec<usize>,
        weights: Vec<f64>,
        populations: Vec<Option<f64>>,
    ) -> Result<Self, AnalysisError> {
        check_len("weights", strata.len(), weights.len())?;
        let mut sizes = vec![0; populations.len()];
        for (row, &h) in strata.iter().enumerate() {
            let size = sizes.get_mut(h).ok_or(AnalysisError::UnknownStratum {
                row,
                stratum: h,
                strata: populations.len(),
            })?;
            *size += 1;
        }
        if let Some((row, &value)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w > 0.0))
        {
            return Err(AnalysisError::InvalidWeight { row, value });
        }
        for (stratum, (&population, &sampled)) in populations.iter().zip(&sizes).enumerate() {
            if let Some(population) = population {
                if !(population.is_finite() && population >= sampled as f64) {
                    return Err(AnalysisError::InvalidPopulation {
                        stratum,
                        population,
                        sampled,
                    });
                }
            }
        }
        Ok(Design {
            strata,
            weights,
            populations,
            sizes,
            calibrations: Vec::new(),
            cells: OnceLock::new(),
        })
    }

    /// The design of METHODS §2 when every stratum's population is known: weights
    /// `w_i = N_h / n_h`, with the finite-population correction (R: `fpc = ~N_h`).
    pub fn from_populations(
        strata: Vec<usize>,
        populations: Vec<f64>,
    ) -> Result<Self, AnalysisError> {
        let mut sizes = vec![0usize; populations.len()];
        for (row, &h) in strata.iter().enumerate() {
            let size = sizes.get_mut(h).ok_or(AnalysisError::UnknownStratum {
                row,
                stratum: h,
                strata: populations.len(),
            })?;
            *size += 1;
        }
        let weights = strata
            .iter()
            .map(|&h| populations[h] / sizes[h] as f64)
            .collect();
        Design::new(strata, weights, populations.into_iter().map(Some).collect())
    }

    /// The number of sampled rows.
    pub fn rows(&self) -> usize {
        self.strata.len()
    }

    /// Each row's stratum index.
    pub fn strata(&self) -> &[usize] {
        &self.strata
    }

    /// Each row's weight (after calibration, for a calibrated design).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The number of strata, including any with no sampled row.
    pub fn stratum_count(&self) -> usize {
        self.populations.len()
    }

    /// Each stratum's number of sampled rows `n_h`.
    pub fn stratum_sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Each stratum's population size `N_h`, where known.
    pub fn populations(&self) -> &[Option<f64>] {
        &self.populations
    }

    /// Whether the design has been post-stratified or raked.
    pub fn is_calibrated(&self) -> bool {
        !self.calibrations.is_empty()
    }

    /// The strata with a single sampled row, handled as R's `survey.lonely.psu = "adjust"`;
    /// the report lists them (METHODS §2).
    pub fn lonely_strata(&self) -> Vec<usize> {
        (0..self.sizes.len())
            .filter(|&h| self.sizes[h] == 1)
            .collect()
    }

    /// The design degrees of freedom, rows − strata with a row (R: `degf(design)`).
    pub fn degf(&self) -> usize {
        let occupied = self.sizes.iter().filter(|&&n| n > 0).count();
        self.rows() - occupied
    }

    /// The degrees of freedom of a group's subdesign: its rows − the strata they fall in
    /// (R: `degf(subset(design, group))`; `None` is the whole sample). Zero for an empty group.
    pub fn group_degf(&self, group: Option<&[bool]>) -> Result<usize, AnalysisError> {
        self.group_degf_on(&RowSet::of(group, self.rows())?)
    }

    /// [`Design::group_degf`] of a group given by its rows.
    pub fn group_degf_on(&self, rows: &RowSet) -> Result<usize, AnalysisError> {
        if rows.is_all() {
            return Ok(self.degf());
        }
        rows.check(self.rows())?;
        let mut seen = vec![false; self.stratum_count()];
        for i in rows.iter(self.rows()) {
            seen[self.strata[i]] = true;
        }
        Ok(rows.len(self.rows()) - seen.iter().filter(|&&s| s).count())
    }

    /// The linearized variance of an estimator whose linearized variable is `z` (one value per
    /// row, 0 for rows outside the estimator's domain), METHODS §3:
    ///
    /// `V = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_{i∈h} (z_i − z̄_h)²`, `f_h = n_h/N_h` or 0.
    ///
    /// A stratum with a single row contributes `(1 − f_h) z_i²`: R's `"adjust"` centres it on
    /// 0, which is the overall mean of `z` for every estimator in this crate (each `z` sums to
    /// 0). A calibrated design first replaces `z` by its calibration residuals, as R's
    /// `svyrecvar` does with `postStrata`.
    pub fn variance(&self, z: &[f64]) -> Result<f64, AnalysisError> {
        self.variance_on(&RowSet::all(), z)
    }

    /// [`Design::variance`] of a linearized variable that is 0 outside `rows`, given by its
    /// values on `rows` (`z[k]` is row `rows.row(k)`'s). The rows outside count through their
    /// cells' totals, so the cost is that of `rows`, not of the design.
    pub fn variance_on(&self, rows: &RowSet, z: &[f64]) -> Result<f64, AnalysisError> {
        check_len("z", rows.len(self.rows()), z.len())?;
        rows.check(self.rows())?;
        let cells = self.cells.get_or_init(|| Cells::new(self));
        let squares = cells.stratum_squares(self, rows, z);
        Ok((0..self.stratum_count())
            .filter(|&h| self.sizes[h] > 0)
            .map(|h| {
                let n = self.sizes[h] as f64;
                let fpc = self.populations[h].map_or(1.0, |population| 1.0 - n / population);
                let scale = if self.sizes[h] > 1 {
                    n / (n - 1.0)
                } else {
                    1.0
                };
                fpc * scale * squares[h]
            })
            .sum())
    }

    /// The calibrations, in the order they were applied.
    pub(crate) fn calibrations(&self) -> &[Calibration] {
        &self.calibrations
    }

    /// The same sample with calibrated weights and one more calibration step for the variance.
    pub(crate) fn calibrated(&self, weights: Vec<f64>, calibration: Calibration) -> Design {
        let mut calibrations = self.calibrations.clone();
        calibrations.push(calibration);
        Design {
            weights,
            calibrations,
            cells: OnceLock::new(),
            ..self.clone()
        }
    }

    /// The same sample and calibrations with new weights (trimming re-rakes from these).
    pub(crate) fn reweighted(&self, weights: Vec<f64>) -> Design {
        Design {
            weights,
            cells: OnceLock::new(),
            ..self.clone()
        }
    }
}
