//! Derived importance and importance–performance analysis (METHODS §7).
//!
//! R: the weighted Pearson correlation is `cov.wt(cbind(x, y), wt = w, cor = TRUE)$cor[1, 2]`
//! (equivalently from `svyvar(~x + y, design)`), on the rows answering both.

use crate::stats::error::{check_len, AnalysisError};

/// The weighted Pearson correlation of `x` and `y` over the rows answering both (derived
/// importance of item x for overall satisfaction y). Errors: lengths differ, fewer than 2
/// such rows, or either variable constant on them ([`AnalysisError::NoVariation`]).
pub fn weighted_correlation(
    x: &[Option<f64>],
    y: &[Option<f64>],
    weights: &[f64],
) -> Result<f64, AnalysisError> {
    check_len("y", x.len(), y.len())?;
    check_len("weights", x.len(), weights.len())?;
    let pairs: Vec<(f64, f64, f64)> = x
        .iter()
        .zip(y)
        .zip(weights)
        .filter_map(|((a, b), &w)| Some(((*a)?, (*b)?, w)))
        .collect();
    if pairs.len() < 2 {
        return Err(AnalysisError::TooFew {
            what: "a correlation: rows answering both",
            needed: 2,
            got: pairs.len(),
        });
    }
    let total: f64 = pairs.iter().map(|p| p.2).sum();
    let mx = pairs.iter().map(|p| p.2 * p.0).sum::<f64>() / total;
    let my = pairs.iter().map(|p| p.2 * p.1).sum::<f64>() / total;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b, w) in &pairs {
        sxy += w * (a - mx) * (b - my);
        sxx += w * (a - mx).powi(2);
        syy += w * (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(AnalysisError::NoVariation {
            what: "a correlation",
        });
    }
    Ok(sxy / (sxx * syy).sqrt())
}

/// An item's place in the importance–performance grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    /// High importance, low performance: "concentrate here".
    ConcentrateHere,
    /// High importance, high performance: "keep up the good work".
    KeepUpTheGoodWork,
    /// Low importance, low performance: "low priority".
    LowPriority,
    /// Low importance, high performance: "possible overkill".
    PossibleOverkill,
}

/// Importance–performance analysis of a set of items.
#[derive(Debug, Clone, PartialEq)]
pub struct Ipa {
    /// The vertical line: the mean performance across items.
    pub performance_line: f64,
    /// The horizontal line: the mean importance across items.
    pub importance_line: f64,
    /// Each item's quadrant, in the order given.
    pub quadrants: Vec<Quadrant>,
}

/// IPA (METHODS §7): x = performance (the item's index), y = importance (its derived
/// importance), the quadrant lines at the unweighted means across the items. An item on a
/// line counts as high on that axis.
pub fn ipa(performance: &[f64], importance: &[f64]) -> Result<Ipa, AnalysisError> {
    check_len("importance", performance.len(), importance.len())?;
    if performance.is_empty() {
        return Err(AnalysisError::TooFew {
            what: "IPA: items",
            needed: 1,
            got: 0,
        });
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (performance_line, importance_line) = (mean(performance), mean(importance));
    let quadrants = performance
        .iter()
        .zip(importance)
        .map(
            |(&p, &i)| match (i >= importance_line, p >= performance_line) {
                (true, false) => Quadrant::ConcentrateHere,
                (true, true) => Quadrant::KeepUpTheGoodWork,
                (false, false) => Quadrant::LowPriority,
                (false, true) => Quadrant::PossibleOverkill,
            },
        )
        .collect();
    Ok(Ipa {
        performance_line,
        importance_line,
        quadrants,
    })
}
