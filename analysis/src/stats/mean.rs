//! The Hájek domain mean with its linearized standard error (METHODS §3), the Kish effective
//! sample size, and the small-sample flags of §7.
//!
//! R: `svymean(~y, design, na.rm = TRUE)` for the whole sample, `svyby(~y, ~group, design,
//! svymean, na.rm = TRUE)` for a group, `confint(...)` for the interval.

use crate::stats::design::Design;
use crate::stats::error::{check_len, AnalysisError};
use crate::stats::rows::RowSet;

/// The normal critical value of a 95% interval, `qnorm(0.975)` (METHODS §3: 1.959964).
pub const Z95: f64 = 1.959_963_984_540_054;
/// An estimate over fewer answered rows than this is flagged (METHODS §7).
pub const MIN_RELIABLE_N: usize = 30;
/// An estimate whose SE exceeds this fraction of it is flagged (METHODS §7).
pub const MAX_RELATIVE_SE: f64 = 0.3;

/// A point estimate with its standard error, 95% interval and sample sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// Its linearized standard error.
    pub se: f64,
    /// The lower end of the 95% interval.
    pub lower: f64,
    /// The upper end of the 95% interval.
    pub upper: f64,
    /// The answered rows in the domain.
    pub n: usize,
    /// The Kish effective sample size over the domain, `(Σ w)² / Σ w²`.
    pub n_eff: f64,
}

/// Why an estimate must not decide a headline (METHODS §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// Fewer than [`MIN_RELIABLE_N`] answered rows.
    pub small_sample: bool,
    /// A relative SE above [`MAX_RELATIVE_SE`].
    pub imprecise: bool,
}

impl Flags {
    /// Whether any flag is raised.
    pub fn any(&self) -> bool {
        self.small_sample || self.imprecise
    }
}

impl Estimate {
    /// `estimate ± 1.959964 · se` (R: `confint(svymean(...))`).
    pub fn normal(estimate: f64, se: f64, n: usize, n_eff: f64) -> Self {
        Estimate {
            estimate,
            se,
            lower: estimate - Z95 * se,
            upper: estimate + Z95 * se,
            n,
            n_eff,
        }
    }

    /// `se / |estimate|` (infinite for a zero estimate with a positive SE).
    pub fn relative_se(&self) -> f64 {
        if self.se == 0.0 {
            0.0
        } else {
            self.se / self.estimate.abs()
        }
    }

    /// The small-sample flags of METHODS §7, on the estimate as it is reported (so an index
    /// on 0–100 is judged on its own scale, where 0 is the scale's bottom).
    pub fn flags(&self) -> Flags {
        Flags {
            small_sample: self.n < MIN_RELIABLE_N,
            imprecise: self.relative_se() > MAX_RELATIVE_SE,
        }
    }
}

/// A domain mean and its linearized variable: the pieces every linear combination needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Linearized {
    /// The Hájek mean `ȳ = Σ_D w y / Σ_D w`.
    pub mean: f64,
    /// The group's rows (the domain is those of them that answered).
    pub rows: RowSet,
    /// Per row of `rows`: `w_i (y_i − ȳ) / Σ_D w` in the domain, 0 for an unanswered row.
    /// Every row outside `rows` has `z = 0` too; [`Linearized::dense`] spells them out.
    pub z: Vec<f64>,
    /// Per row of `rows`: whether it answered (is in the domain).
    pub answered: Vec<bool>,
    /// The answered rows in the domain.
    pub n: usize,
    /// The Kish effective sample size over the domain.
    pub n_eff: f64,
}

impl Linearized {
    /// `z` for every row of a design of `design_rows` rows.
    pub fn dense(&self, design_rows: usize) -> Vec<f64> {
        self.rows.spread(&self.z, design_rows)
    }
}

/// The Hájek mean of `y` over domain D (a group's answered rows) and its linearized variable,
/// with `z_i = 0` for every row outside D: those rows stay in the design (METHODS §3).
pub fn linearize_mean(
    design: &Design,
    y: &[Option<f64>],
    group: Option<&[bool]>,
) -> Result<Linearized, AnalysisError> {
    linearize_mean_on(design, y, &RowSet::of(group, design.rows())?)
}

/// [`linearize_mean`] over a group given by its rows; `y` has a value per row of the design.
pub fn linearize_mean_on(
    design: &Design,
    y: &[Option<f64>],
    rows: &RowSet,
) -> Result<Linearized, AnalysisError> {
    check_len("y", design.rows(), y.len())?;
    linearize_with(design, rows, |i| y[i])
}

/// [`linearize_mean`] over a group given by its rows, with row i's value `y(i)` (`None`:
/// unanswered), so that a caller can code its answers on the fly.
pub fn linearize_with<Y: Fn(usize) -> Option<f64>>(
    design: &Design,
    rows: &RowSet,
    y: Y,
) -> Result<Linearized, AnalysisError> {
    rows.check(design.rows())?;
    // One loop for every row, one for a list: no test per row to tell them apart.
    match rows.listed() {
        None => linearize_rows(design, rows, 0..design.rows(), y),
        Some(list) => linearize_rows(design, rows, list.iter().map(|&i| i as usize), y),
    }
}

fn linearize_rows<I, Y>(
    design: &Design,
    rows: &RowSet,
    each: I,
    y: Y,
) -> Result<Linearized, AnalysisError>
where
    I: Iterator<Item = usize> + Clone,
    Y: Fn(usize) -> Option<f64>,
{
    let w = design.weights();
    let (mut n, mut weight_sum, mut weighted, mut squares) = (0usize, 0.0, 0.0, 0.0);
    for i in each.clone() {
        if let Some(yi) = y(i) {
            if !yi.is_finite() {
                return Err(AnalysisError::OutOfRange {
                    what: "an answer",
                    allowed: "a finite number",
                    value: yi,
                });
            }
            n += 1;
            weight_sum += w[i];
            weighted += w[i] * yi;
            squares += w[i] * w[i];
        }
    }
    if n == 0 {
        return Err(AnalysisError::EmptyDomain);
    }
    let mean = weighted / weight_sum;
    let len = rows.len(design.rows());
    let (mut z, mut answered) = (Vec::with_capacity(len), Vec::with_capacity(len));
    for i in each {
        match y(i) {
            Some(yi) => {
                z.push(w[i] * (yi - mean) / weight_sum);
                answered.push(true);
            }
            None => {
                z.push(0.0);
                answered.push(false);
            }
        }
    }
    Ok(Linearized {
        mean,
        rows: rows.clone(),
        z,
        answered,
        n,
        n_eff: weight_sum * weight_sum / squares,
    })
}

/// The Hájek mean of `y` over a group's answered rows (`None` in `y` is unanswered; `group`
/// `None` is the whole sample), its linearized SE and `ȳ ± 1.959964 · SE`.
///
/// R: `svymean(~y, design, na.rm = TRUE)`; for a group, `svyby(~y, ~group, design, svymean,
/// na.rm = TRUE)`, which keeps the rows outside the group in the design.
pub fn hajek_mean(
    design: &Design,
    y: &[Option<f64>],
    group: Option<&[bool]>,
) -> Result<Estimate, AnalysisError> {
    hajek_mean_on(design, y, &RowSet::of(group, design.rows())?)
}

/// [`hajek_mean`] over a group given by its rows.
pub fn hajek_mean_on(
    design: &Design,
    y: &[Option<f64>],
    rows: &RowSet,
) -> Result<Estimate, AnalysisError> {
    let lin = linearize_mean_on(design, y, rows)?;
    let se = design.variance_on(&lin.rows, &lin.z)?.sqrt();
    Ok(Estimate::normal(lin.mean, se, lin.n, lin.n_eff))
}

/// The Kish effective sample size `(Σ w)² / Σ w²` of a set of weights (0 for none).
pub fn kish_n_eff(weights: &[f64]) -> f64 {
    let sum: f64 = weights.iter().sum();
    let squares: f64 = weights.iter().map(|w| w * w).sum();
    if squares == 0.0 {
        0.0
    } else {
        sum * sum / squares
    }
}
