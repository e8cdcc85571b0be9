//! Ranking units as rank ranges (METHODS §7): units whose estimates are not significantly
//! different are not ranked apart.

use crate::stats::mean::{Estimate, Z95};

/// A unit's possible ranks, 1 = best (highest estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankRange {
    /// The best rank the unit could hold.
    pub best: usize,
    /// The worst rank the unit could hold.
    pub worst: usize,
}

/// Rank ranges for units' estimates (higher is better).
///
/// The rule: unit j is *significantly better* than unit i when
/// `ȳ_j − ȳ_i > 1.959964 · √(SE_i² + SE_j²)` — a two-sided 5% test of the difference, treating
/// the units as independent (exact when units are strata or separate samples; otherwise the
/// covariance between units' estimates, usually small, is ignored). This is less conservative
/// than requiring the two 95% intervals not to overlap, which corresponds to a test at about
/// 0.6%. Then `best = 1 + #(units significantly better)` and
/// `worst = n − #(units significantly worse)`. No adjustment for the many pairs is made; the
/// report says the ranges are pairwise.
pub fn rank_ranges(units: &[Estimate]) -> Vec<RankRange> {
    let better = |j: &Estimate, i: &Estimate| j.estimate - i.estimate > Z95 * i.se.hypot(j.se);
    units
        .iter()
        .map(|i| RankRange {
            best: 1 + units.iter().filter(|j| better(j, i)).count(),
            worst: units.len() - units.iter().filter(|j| better(i, j)).count(),
        })
        .collect()
}
