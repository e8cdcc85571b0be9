//! Cronbach's α per dimension and the corrected item–total correlations (METHODS §7).
//!
//! No `survey` counterpart: α is unweighted, on the rows answering every item of the
//! dimension, with sample variances — what `psych::alpha` and SPSS's RELIABILITY report as
//! "raw alpha" and "corrected item-total correlation".

use crate::stats::error::{check_len, AnalysisError};

/// A dimension's reliability.
#[derive(Debug, Clone, PartialEq)]
pub struct Reliability {
    /// `α = k/(k−1) · (1 − Σ s_i² / s_T²)`.
    pub alpha: f64,
    /// The rows that answered every item (the rows α is computed on).
    pub complete_rows: usize,
    /// Per item: the Pearson correlation of the item with the sum of the other items (NaN
    /// for an item that does not vary).
    pub item_total: Vec<f64>,
}

/// Cronbach's α of a dimension's items (one slice per item, one `Option` per row; `None` is
/// unanswered), on the rows answering all of them, unweighted, with sample variances.
///
/// Errors: fewer than 2 items or 2 complete rows, items of different lengths, or a total
/// score that does not vary ([`AnalysisError::NoVariation`]).
pub fn cronbach_alpha(items: &[&[Option<f64>]]) -> Result<Reliability, AnalysisError> {
    let k = items.len();
    if k < 2 {
        return Err(AnalysisError::TooFew {
            what: "Cronbach's alpha: items",
            needed: 2,
            got: k,
        });
    }
    let rows = items[0].len();
    for item in items {
        check_len("an item's answers", rows, item.len())?;
    }
    // Column-wise values on the complete rows.
    let complete: Vec<usize> = (0..rows)
        .filter(|&i| items.iter().all(|item| item[i].is_some()))
        .collect();
    if complete.len() < 2 {
        return Err(AnalysisError::TooFew {
            what: "Cronbach's alpha: rows answering every item",
            needed: 2,
            got: complete.len(),
        });
    }
    let columns: Vec<Vec<f64>> = items
        .iter()
        .map(|item| complete.iter().map(|&i| item[i].unwrap_or(0.0)).collect())
        .collect();
    let totals: Vec<f64> = (0..complete.len())
        .map(|r| columns.iter().map(|c| c[r]).sum())
        .collect();
    let total_variance = sample_variance(&totals);
    if total_variance == 0.0 {
        return Err(AnalysisError::NoVariation {
            what: "Cronbach's alpha",
        });
    }
    let item_variances: f64 = columns.iter().map(|c| sample_variance(c)).sum();
    let k = k as f64;
    let alpha = k / (k - 1.0) * (1.0 - item_variances / total_variance);
    let item_total = columns
        .iter()
        .map(|c| {
            let rest: Vec<f64> = totals.iter().zip(c).map(|(t, x)| t - x).collect();
            pearson(c, &rest)
        })
        .collect();
    Ok(Reliability {
        alpha,
        complete_rows: complete.len(),
        item_total,
    })
}

/// The sample variance (divisor n − 1).
fn sample_variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
}

/// The (unweighted) Pearson correlation; NaN when either variable is constant.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        f64::NAN
    } else {
        sxy / (sxx * syy).sqrt()
    }
}
