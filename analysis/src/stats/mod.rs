//! Design-based estimators (METHODS.md), on plain slices.
//!
//! Every estimator takes a [`Design`] (strata, weights, population sizes, calibration), the
//! values as one `Option` per row of the design (`None`: unanswered) and optionally a group
//! mask (a unit, a respondent type) — or, in its `_on` form, the group's rows as a
//! [`RowSet`], which is what a batch uses: then an estimate costs the group's rows only. The
//! rows outside a domain stay in the design: that is what makes a domain's SE right
//! (METHODS §3); `cells.rs` shows how they count without being visited.
//!
//! Read `design.rs` first, then `mean.rs`.
//!
//! ```
//! use minyi_analysis::stats::{hajek_mean, Design, IndexScale};
//!
//! // Two units as strata, populations 120 and 80, with three and two responses: weight 40 each.
//! let design = Design::from_populations(vec![0, 0, 0, 1, 1], vec![120.0, 80.0])?;
//! // An overall-satisfaction item; `None` is 不了解/不适用 or skipped.
//! let overall = [Some(5.0), Some(4.0), None, Some(3.0), Some(4.0)];
//! let mean = hajek_mean(&design, &overall, None)?;
//! assert!((IndexScale::points(5)?.rescale(&mean).estimate - 75.0).abs() < 1e-9);
//! // The second unit: its rows form the domain, the first unit's rows stay in the design.
//! let unit = [false, false, false, true, true];
//! assert!((hajek_mean(&design, &overall, Some(&unit))?.estimate - 3.5).abs() < 1e-9);
//! # Ok::<(), minyi_analysis::stats::AnalysisError>(())
//! ```

mod ahp;
mod calibrate;
mod cells;
mod compare;
mod composite;
mod design;
mod distributions;
mod drivers;
mod error;
mod mean;
mod proportion;
mod quality;
mod ranking;
mod reliability;
mod residuals;
mod rows;
mod scores;
mod trim;

pub use ahp::{ahp, ahp_analysis, Ahp, MAX_CONSISTENCY_RATIO, SAATY_RANDOM_INDEX};
pub use calibrate::{post_stratify, rake, Margin, MAX_SWEEPS, RAKE_EPSILON, TARGET_CHECK};
pub use compare::{
    assess_goal, holm, wave_change, Criterion, GoalAssessment, GoalRule, Verdict, WaveChange,
};
pub use composite::{
    composite, composite_index, composite_index_of, composite_of, entropy_weights, equal_weights,
};
pub use design::Design;
pub use distributions::{beta_cdf, beta_quantile, normal_cdf, t_cdf, t_quantile};
pub use drivers::{ipa, weighted_correlation, Ipa, Quadrant};
pub use error::AnalysisError;
pub use mean::{
    hajek_mean, hajek_mean_on, kish_n_eff, linearize_mean, linearize_mean_on, linearize_with,
    Estimate, Flags, Linearized, MAX_RELATIVE_SE, MIN_RELIABLE_N, Z95,
};
pub use proportion::{
    clopper_pearson, logit_interval, proportion, proportion_with, Proportion, ProportionInterval,
};
pub use quality::{duplicates, speeders, straight_liners, DEFAULT_SPEEDER_FACTOR, MIN_GRID_ITEMS};
pub use ranking::{rank_ranges, RankRange};
pub use reliability::{cronbach_alpha, Reliability};
pub use rows::{RowSet, Rows};
pub use scores::{indicator, top_two_box, IndexScale};
pub use trim::{trim_weights, Trimmed, MAX_TRIM_ROUNDS};
