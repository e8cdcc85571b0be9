//! The indicator system (METHODS §5): composites of item means with their SE, and the weights
//! of a node's children — AHP, entropy, equal.
//!
//! A composite `Σ a_k ȳ_k` is R's `svycontrast(svymean(~y1 + y2 + …, design), a)` when every
//! row answers every item; with items answered by different rows, its linearized variable is
//! still `Σ a_k z_k` per row, each `z_k` over its own item's domain.

use crate::stats::design::Design;
use crate::stats::error::{check_len, AnalysisError};
use crate::stats::mean::{linearize_mean_on, Estimate, Linearized};
use crate::stats::rows::RowSet;
use crate::stats::scores::IndexScale;

/// The composite `Σ a_k ȳ_k` of item means, each over its own answered rows within the group,
/// with the linearized SE from `z = Σ a_k z_k` per row (METHODS §5) and a normal 95% interval.
///
/// `n` and `n_eff` are over the group's rows that answered at least one item.
pub fn composite(
    design: &Design,
    items: &[&[Option<f64>]],
    coefficients: &[f64],
    group: Option<&[bool]>,
) -> Result<Estimate, AnalysisError> {
    check_len("coefficients", items.len(), coefficients.len())?;
    let parts = linearize_all(design, items, group)?;
    let refs: Vec<(&Linearized, f64)> = parts
        .iter()
        .zip(coefficients)
        .map(|(l, &a)| (l, a))
        .collect();
    composite_of(design, &refs)
}

/// The composite of items already linearized over one group (`Σ a_k ȳ_k`, `z = Σ a_k z_k`),
/// so that a batch linearizes each item once per group however many composites use it.
/// Every part must be linearized over the same rows; `n` and `n_eff` are over those of them
/// answering at least one of the items.
pub fn composite_of(
    design: &Design,
    parts: &[(&Linearized, f64)],
) -> Result<Estimate, AnalysisError> {
    let Some((first, _)) = parts.first() else {
        return Err(AnalysisError::TooFew {
            what: "a composite: items",
            needed: 1,
            got: 0,
        });
    };
    let rows = &first.rows;
    let len = rows.len(design.rows());
    let mut estimate = 0.0;
    let mut z = vec![0.0; len];
    let mut answered = vec![false; len];
    for (lin, a) in parts {
        if lin.rows != *rows {
            return Err(AnalysisError::OutOfRange {
                what: "a composite's part",
                allowed: "items linearized over the same group",
                value: lin.z.len() as f64,
            });
        }
        check_len("z", len, lin.z.len())?;
        estimate += a * lin.mean;
        z.iter_mut().zip(&lin.z).for_each(|(zi, zk)| *zi += a * zk);
        answered
            .iter_mut()
            .zip(&lin.answered)
            .for_each(|(x, &y)| *x |= y);
    }
    let se = design.variance_on(rows, &z)?.sqrt();
    let w = design.weights();
    let (mut n, mut sum, mut squares) = (0, 0.0, 0.0);
    for (k, _) in answered.iter().enumerate().filter(|(_, &a)| a) {
        let wi = w[rows.row(k)];
        n += 1;
        sum += wi;
        squares += wi * wi;
    }
    let n_eff = if squares == 0.0 {
        0.0
    } else {
        sum * sum / squares
    };
    Ok(Estimate::normal(estimate, se, n, n_eff))
}

fn linearize_all(
    design: &Design,
    items: &[&[Option<f64>]],
    group: Option<&[bool]>,
) -> Result<Vec<Linearized>, AnalysisError> {
    let rows = RowSet::of(group, design.rows())?;
    items
        .iter()
        .map(|item| linearize_mean_on(design, item, &rows))
        .collect()
}

/// A node's index on 0–100 from its items: `Σ_k weight_k · index_k`, each item on its own
/// scale (`index_k = (ȳ_k − origin_k) · factor_k`), with the composite's SE. The weights
/// are the products of the node weights along the tree down to each item, so a first-level
/// indicator or the overall index is one call over all the items under it.
pub fn composite_index(
    design: &Design,
    items: &[&[Option<f64>]],
    scales: &[IndexScale],
    weights: &[f64],
    group: Option<&[bool]>,
) -> Result<Estimate, AnalysisError> {
    check_len("scales", items.len(), scales.len())?;
    check_len("weights", items.len(), weights.len())?;
    let parts = linearize_all(design, items, group)?;
    let refs: Vec<(&Linearized, IndexScale, f64)> = parts
        .iter()
        .zip(scales)
        .zip(weights)
        .map(|((l, &s), &w)| (l, s, w))
        .collect();
    composite_index_of(design, &refs)
}

/// [`composite_index`] from items already linearized over one group: `(item, scale, weight)`.
pub fn composite_index_of(
    design: &Design,
    parts: &[(&Linearized, IndexScale, f64)],
) -> Result<Estimate, AnalysisError> {
    let coefficients: Vec<(&Linearized, f64)> =
        parts.iter().map(|(l, s, w)| (*l, w * s.factor())).collect();
    let offset: f64 = parts
        .iter()
        .map(|(_, s, w)| w * s.factor() * s.origin())
        .sum();
    let means = composite_of(design, &coefficients)?;
    Ok(Estimate {
        estimate: means.estimate - offset,
        lower: means.lower - offset,
        upper: means.upper - offset,
        ..means
    })
}

/// `n` weights of `1/n`: the equal-weight composite reported beside an AHP or entropy one.
pub fn equal_weights(n: usize) -> Vec<f64> {
    vec![1.0 / n as f64; n]
}

/// Entropy weights of indicators from data: one slice per indicator, each with one
/// non-negative value per row (e.g. per unit; unweighted).
///
/// Normalisation: each indicator's values are divided by their sum, `p_ij = x_ij / Σ_i x_ij`,
/// with no min–max rescaling first. Scores here are all non-negative and on one scale, and
/// min–max would make the weights hinge on the single best and worst row (and give the worst
/// `p = 0`). Then `e_j = −Σ_i p_ij ln p_ij / ln m` (with `0 ln 0 = 0`, m rows),
/// `d_j = 1 − e_j`, `w_j = d_j / Σ_k d_k`: an indicator that varies more gets more weight.
/// Errors: fewer than 2 rows, a negative or non-finite value, an indicator whose values are
/// all 0, or no indicator varying at all ([`AnalysisError::NoVariation`]).
pub fn entropy_weights(indicators: &[&[f64]]) -> Result<Vec<f64>, AnalysisError> {
    let rows = indicators.first().map_or(0, |x| x.len());
    if rows < 2 {
        return Err(AnalysisError::TooFew {
            what: "entropy weights: rows",
            needed: 2,
            got: rows,
        });
    }
    let mut divergence = Vec::with_capacity(indicators.len());
    for values in indicators {
        check_len("an indicator's values", rows, values.len())?;
        if let Some(&value) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(AnalysisError::OutOfRange {
                what: "an entropy-weight value",
                allowed: "finite and ≥ 0",
                value,
            });
        }
        let sum: f64 = values.iter().sum();
        if sum == 0.0 {
            return Err(AnalysisError::OutOfRange {
                what: "an indicator's total",
                allowed: "positive",
                value: sum,
            });
        }
        let entropy: f64 = values
            .iter()
            .map(|x| x / sum)
            .filter(|&p| p > 0.0)
            .map(|p| -p * p.ln())
            .sum::<f64>()
            / (rows as f64).ln();
        divergence.push((1.0 - entropy).max(0.0));
    }
    let total: f64 = divergence.iter().sum();
    // Below this the divergences are rounding noise of identical columns.
    if total <= 1e-12 {
        return Err(AnalysisError::NoVariation {
            what: "entropy weights",
        });
    }
    Ok(divergence.iter().map(|d| d / total).collect())
}
