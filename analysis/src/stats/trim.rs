//! Weight trimming (METHODS §4, optional): cap the weights at a multiple of the median weight,
//! redistribute the excess, re-rake; report how many weights were trimmed.
//!
//! R: `trimWeights(design, upper = multiple * median(weights(design)))` (which caps and spreads
//! the excess over the other weights in proportion), followed by `rake` when there are margins,
//! alternated until no weight exceeds the cap.

use crate::stats::calibrate::{rake, Margin};
use crate::stats::design::Design;
use crate::stats::error::AnalysisError;

/// At most this many rounds of capping and re-raking.
pub const MAX_TRIM_ROUNDS: usize = 100;
/// A weight this much (relative) above the cap after re-raking counts as at the cap.
const CAP_TOLERANCE: f64 = 1e-9;

/// A trimmed design, the cap and the number of rows whose weight was capped.
#[derive(Debug, Clone, PartialEq)]
pub struct Trimmed {
    /// The design with trimmed (and, with margins, re-raked) weights.
    pub design: Design,
    /// The cap: `multiple ×` the median weight.
    pub cap: f64,
    /// How many rows had their weight capped in at least one round.
    pub trimmed: usize,
}

/// Trims `design`'s weights at `multiple ×` their median.
///
/// Without margins the design is trimmed as it is: each round caps the weights above the cap
/// and spreads the excess over the others in proportion to their weights, keeping the total.
/// With margins the design is first raked and the cap is `multiple ×` the median raked weight;
/// each round caps, spreads, and re-rakes from the capped weights, until no weight is above
/// the cap (to 1e-9 relative). The cap stays fixed across rounds. Errors: the raking's own, or
/// [`AnalysisError::TrimNotConverged`] when the cap and the margins (or, without margins, the
/// total) cannot both be met. `multiple` must be at least 1.
pub fn trim_weights(
    design: &Design,
    margins: &[Margin],
    multiple: f64,
) -> Result<Trimmed, AnalysisError> {
    if !(multiple.is_finite() && multiple >= 1.0) {
        return Err(AnalysisError::OutOfRange {
            what: "trim multiple",
            allowed: "a finite number ≥ 1",
            value: multiple,
        });
    }
    if design.rows() == 0 {
        return Err(AnalysisError::TooFew {
            what: "trimming: rows",
            needed: 1,
            got: 0,
        });
    }
    let mut current = if margins.is_empty() {
        design.clone()
    } else {
        rake(design, margins)?
    };
    let cap = multiple * median(current.weights());
    let mut capped = vec![false; design.rows()];
    let mut rounds = 0;
    while rounds < MAX_TRIM_ROUNDS {
        if current
            .weights()
            .iter()
            .all(|&w| w <= cap * (1.0 + CAP_TOLERANCE))
        {
            return Ok(Trimmed {
                design: current,
                cap,
                trimmed: capped.iter().filter(|&&c| c).count(),
            });
        }
        rounds += 1;
        let Some(weights) = cap_and_spread(current.weights(), cap, &mut capped) else {
            break;
        };
        current = if margins.is_empty() {
            design.reweighted(weights)
        } else {
            rake(&design.reweighted(weights), margins)?
        };
    }
    Err(AnalysisError::TrimNotConverged { multiple, rounds })
}

/// Caps the weights above `cap` (marking them in `capped`) and adds their excess to the
/// weights below the cap, in proportion to those weights; `None` when none is below the cap.
fn cap_and_spread(weights: &[f64], cap: f64, capped: &mut [bool]) -> Option<Vec<f64>> {
    let excess: f64 = weights.iter().map(|&w| (w - cap).max(0.0)).sum();
    let below: f64 = weights.iter().filter(|&&w| w < cap).sum();
    if below == 0.0 {
        return None;
    }
    let spread = weights
        .iter()
        .zip(capped.iter_mut())
        .map(|(&w, was_capped)| {
            if w > cap {
                *was_capped = true;
                cap
            } else if w < cap {
                w * (1.0 + excess / below)
            } else {
                w
            }
        })
        .collect();
    Some(spread)
}

/// The median (mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }
}
