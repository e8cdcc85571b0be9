//! A proportion with its logit interval, or Clopper–Pearson with the Kish effective n when the
//! proportion is 0 or 1 (METHODS §3).
//!
//! R: `svyciprop(~y, design, method = "logit")`, `svyby(~y, ~group, design, svyciprop,
//! method = "logit")`.

use crate::stats::design::Design;
use crate::stats::distributions::{beta_quantile, t_quantile};
use crate::stats::error::AnalysisError;
use crate::stats::mean::{linearize_with, Estimate};
use crate::stats::rows::RowSet;

/// Which interval a [`Proportion`] carries; the table says which (METHODS §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProportionInterval {
    /// `expit(logit(p) ± t_df · SE/(p(1−p)))`.
    Logit,
    /// Clopper–Pearson with the Kish effective n, because p is 0 or 1 and the logit interval
    /// would collapse to a point.
    ClopperPearson,
}

/// A proportion: the estimate (its `lower`/`upper` are the interval named by `interval`), the
/// design degrees of freedom of the t quantile, and which interval it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    /// p, its linearized SE, its 95% interval, the answered rows and the Kish n_eff.
    pub estimate: Estimate,
    /// The degrees of freedom of the logit interval's t quantile.
    pub df: usize,
    /// Which interval `estimate.lower`/`estimate.upper` are.
    pub interval: ProportionInterval,
}

/// The share of `true` among a group's answered rows (`None` in `y` is unanswered; `group`
/// `None` is the whole sample), with the logit interval at the design degrees of freedom.
///
/// R: `svyciprop(~y, subset(design, group), method = "logit")`. Like R, the degrees of freedom
/// are those of the group's subdesign — all its rows, answered or not, less the strata they
/// fall in — and the SE is the linearized SE of the domain mean of the 0/1 variable. With
/// `df = 0` the t quantile is infinite and the interval is [0, 1].
///
/// When p is exactly 0 or 1 the interval is Clopper–Pearson at n = the Kish effective sample
/// size of the domain: for p = 1, `[(α/2)^(1/n_eff), 1]`; for p = 0, `[0, 1 − (α/2)^(1/n_eff)]`.
pub fn proportion(
    design: &Design,
    y: &[Option<bool>],
    group: Option<&[bool]>,
) -> Result<Proportion, AnalysisError> {
    let numeric: Vec<Option<f64>> = y
        .iter()
        .map(|v| v.map(|b| if b { 1.0 } else { 0.0 }))
        .collect();
    crate::stats::error::check_len("y", design.rows(), numeric.len())?;
    proportion_with(&RowSet::of(group, design.rows())?, design, |i| numeric[i])
}

/// [`proportion`] over a group given by its rows, with row i's answer `y(i)` coded 1 (true)
/// or 0 (false).
pub fn proportion_with<Y: Fn(usize) -> Option<f64>>(
    rows: &RowSet,
    design: &Design,
    y: Y,
) -> Result<Proportion, AnalysisError> {
    let bad = std::cell::Cell::new(None);
    let lin = linearize_with(design, rows, |i| {
        let v = y(i);
        if v.is_some_and(|x| x != 0.0 && x != 1.0) {
            bad.set(v);
        }
        v
    });
    if let Some(value) = bad.get() {
        return Err(AnalysisError::OutOfRange {
            what: "a yes/no answer",
            allowed: "0 or 1",
            value,
        });
    }
    let lin = lin?;
    let se = design.variance_on(&lin.rows, &lin.z)?.sqrt();
    let df = design.group_degf_on(rows)?;
    let p = lin.mean;
    let (lower, upper, interval) = if p == 0.0 || p == 1.0 {
        let (lower, upper) = clopper_pearson(p, lin.n_eff);
        (lower, upper, ProportionInterval::ClopperPearson)
    } else {
        let (lower, upper) = logit_interval(p, se, df);
        (lower, upper, ProportionInterval::Logit)
    };
    Ok(Proportion {
        estimate: Estimate {
            estimate: p,
            se,
            lower,
            upper,
            n: lin.n,
            n_eff: lin.n_eff,
        },
        df,
        interval,
    })
}

/// `expit(logit(p) ± t · se/(p(1−p)))` with t the 0.975 quantile of Student's t on `df`.
pub fn logit_interval(p: f64, se: f64, df: usize) -> (f64, f64) {
    if df == 0 {
        return (0.0, 1.0);
    }
    let t = t_quantile(0.975, df as f64);
    let centre = (p / (1.0 - p)).ln();
    let half = t * se / (p * (1.0 - p));
    (expit(centre - half), expit(centre + half))
}

/// The 95% Clopper–Pearson interval of a proportion p over `n` (possibly fractional)
/// observations: `[qbeta(α/2, x, n−x+1), qbeta(1−α/2, x+1, n−x)]` with `x = p n`, each end
/// 0 or 1 where its beta parameter would be 0.
pub fn clopper_pearson(p: f64, n: f64) -> (f64, f64) {
    const HALF_ALPHA: f64 = 0.025;
    let x = p * n;
    let lower = if x <= 0.0 {
        0.0
    } else {
        beta_quantile(HALF_ALPHA, x, n - x + 1.0)
    };
    let upper = if x >= n {
        1.0
    } else {
        beta_quantile(1.0 - HALF_ALPHA, x + 1.0, n - x)
    };
    (lower, upper)
}

/// `1 / (1 + e^(−x))`.
fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
