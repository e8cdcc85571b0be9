//! Cochran's sample sizes and the finite-population correction (METHODS.md §9).

use crate::error::{check_range, DesignError};
use crate::margin::{margin_of_error, margin_of_error_mean};
use crate::normal::z_for_confidence;

/// Cochran's sample size for a proportion, infinite population: `n₀ = z² p(1−p) / e²`.
///
/// `z` is the critical value (see [`z_for_confidence`]), `p` the anticipated proportion (0.5
/// when unknown, which gives the largest n₀) and `margin` the half-width e of the interval, as a
/// proportion (0.05 for ±5 points). Unrounded and unchecked: NaN or ∞ in, NaN or ∞ out.
/// [`SampleSizeSpec`] is the checked way in.
pub fn cochran_proportion(z: f64, p: f64, margin: f64) -> f64 {
    z * z * p * (1.0 - p) / (margin * margin)
}

/// Cochran's sample size for a mean (e.g. an index), infinite population: `n₀ = (z σ / e)²`.
///
/// `sigma` is the anticipated standard deviation and `margin` the half-width e, both in the
/// units of the mean (index points for a 0–100 index). Unrounded and unchecked, as
/// [`cochran_proportion`].
pub fn cochran_mean(z: f64, sigma: f64, margin: f64) -> f64 {
    (z * sigma / margin).powi(2)
}

/// The finite-population correction of a sample size: `n = n₀ / (1 + (n₀ − 1)/N)`.
///
/// Unrounded and unchecked. For `n₀ ≥ 1` and `N ≥ 1` the result lies in [1, N]; N = ∞ would
/// give back n₀. [`margin_of_error`] with the same N is its exact inverse.
pub fn finite_population(n0: f64, population: u64) -> f64 {
    n0 / (1.0 + (n0 - 1.0) / population as f64)
}

/// The integer sample size for an unrounded `n0`: corrected for `population` when one is
/// given (see [`finite_population`]), rounded up, and never above the population.
///
/// Rounding up treats a value within 1e-9 (relative) of an integer as that integer, so that
/// floating-point noise (2² · 0.1 · 0.9 / 0.06² evaluates to 100.00000000000001) never adds a
/// respondent. The result is at least 1. Errors: `n0` not finite and positive
/// ([`DesignError::OutOfRange`] naming `n0`); a population of 0
/// ([`DesignError::ZeroPopulation`]).
pub fn required_size(n0: f64, population: Option<u64>) -> Result<u64, DesignError> {
    let n0 = check_range("n0", "finite and > 0", n0, |v| v.is_finite() && v > 0.0)?;
    match population {
        None => Ok(round_up(n0)),
        Some(0) => Err(DesignError::ZeroPopulation),
        Some(big_n) => Ok(round_up(finite_population(n0, big_n)).min(big_n)),
    }
}

/// What is to be estimated, and what the sample size therefore depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimate {
    /// A proportion (top-2-box, incidence) anticipated to be about `p`; margins are proportions.
    Proportion {
        /// The anticipated proportion, in (0, 1).
        p: f64,
    },
    /// A mean (a 0–100 index) with anticipated standard deviation `sigma`; margins are in the
    /// units of the mean.
    Mean {
        /// The anticipated standard deviation, > 0.
        sigma: f64,
    },
}

/// A checked sample-size requirement: a confidence level, a margin of error, and what is
/// estimated. Once built, every computation from it succeeds except for a bad population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSizeSpec {
    confidence: f64,
    z: f64,
    margin: f64,
    estimate: Estimate,
}

impl SampleSizeSpec {
    /// A requirement for a proportion: `confidence` in (0, 1), `margin` in (0, 1) as a
    /// proportion (0.05 for ±5 points), and the anticipated `p` in (0, 1) — `None` means
    /// unknown and uses p = 0.5, the most demanding value.
    ///
    /// Errors: [`DesignError::OutOfRange`] naming `confidence`, `margin` or `p`.
    pub fn proportion(confidence: f64, margin: f64, p: Option<f64>) -> Result<Self, DesignError> {
        let z = z_for_confidence(confidence)?;
        let margin = check_range("margin", "in (0, 1)", margin, |e| e > 0.0 && e < 1.0)?;
        let p = match p {
            None => 0.5,
            Some(p) => check_range("p", "in (0, 1)", p, |p| p > 0.0 && p < 1.0)?,
        };
        let estimate = Estimate::Proportion { p };
        Ok(Self {
            confidence,
            z,
            margin,
            estimate,
        })
    }

    /// A requirement for a mean (an index): `confidence` in (0, 1), and `margin` and the
    /// anticipated `sigma` both finite and > 0, in the units of the mean.
    ///
    /// Errors: [`DesignError::OutOfRange`] naming `confidence`, `margin` or `sigma`.
    pub fn mean(confidence: f64, margin: f64, sigma: f64) -> Result<Self, DesignError> {
        let z = z_for_confidence(confidence)?;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        let margin = check_range("margin", "finite and > 0", margin, positive)?;
        let sigma = check_range("sigma", "finite and > 0", sigma, positive)?;
        let estimate = Estimate::Mean { sigma };
        Ok(Self {
            confidence,
            z,
            margin,
            estimate,
        })
    }

    /// The confidence level, as given.
    pub fn confidence(&self) -> f64 {
        self.confidence
    }

    /// The two-sided critical value for the confidence level ([`z_for_confidence`]).
    pub fn z(&self) -> f64 {
        self.z
    }

    /// The margin of error asked for.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// What is estimated, with p = 0.5 filled in when it was unknown.
    pub fn estimate(&self) -> Estimate {
        self.estimate
    }

    /// Cochran's unrounded n₀ for an infinite population ([`cochran_proportion`] or
    /// [`cochran_mean`]).
    pub fn initial_size(&self) -> f64 {
        match self.estimate {
            Estimate::Proportion { p } => cochran_proportion(self.z, p, self.margin),
            Estimate::Mean { sigma } => cochran_mean(self.z, sigma, self.margin),
        }
    }

    /// The integer sample size meeting the requirement: n₀ corrected for `population` when
    /// given, rounded up, never above the population ([`required_size`]).
    ///
    /// Errors: a population of 0 ([`DesignError::ZeroPopulation`]).
    pub fn sample_size(&self, population: Option<u64>) -> Result<u64, DesignError> {
        required_size(self.initial_size(), population)
    }

    /// The margin of error a sample of `n` from `population` achieves for this estimate, at
    /// this confidence level ([`margin_of_error`] or [`margin_of_error_mean`]).
    ///
    /// Errors: `n = 0` or `n` above the population.
    pub fn achieved_margin(&self, n: u64, population: Option<u64>) -> Result<f64, DesignError> {
        match self.estimate {
            Estimate::Proportion { p } => margin_of_error(self.z, p, n, population),
            Estimate::Mean { sigma } => margin_of_error_mean(self.z, sigma, n, population),
        }
    }
}

/// The smallest integer ≥ `x`, treating `x` within 1e-9 (relative) of an integer as that integer.
fn round_up(x: f64) -> u64 {
    let nearest = x.round();
    let rounded = if (x - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        x.ceil()
    };
    // `as` saturates; n₀ is finite and positive here, so this is at least 1 unless x rounds to 0.
    (rounded as u64).max(1)
}
