//! Comparing waves and the 2025 verdict (METHODS §6): the change between two independent
//! waves with its SE, interval and p-values; Holm's adjustment; the verdict on a goal stated
//! before the data were seen.
//!
//! R: for independent samples, `svycontrast` does not apply across designs; the change is
//! `Δ = ȳ_final − ȳ_base`, `SE = √(SE_base² + SE_final²)`, `2 * pnorm(-abs(Δ/SE))` and
//! `pnorm(Δ/SE, lower.tail = FALSE)`; Holm is `p.adjust(p, "holm")`.

use crate::stats::distributions::normal_cdf;
use crate::stats::error::AnalysisError;
use crate::stats::mean::{Estimate, Z95};

/// The change between a base and a final wave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaveChange {
    /// `Δ = final − base`.
    pub delta: f64,
    /// `√(SE_base² + SE_final²)`: the waves are independent samples.
    pub se: f64,
    /// `Δ − 1.959964 · SE`.
    pub lower: f64,
    /// `Δ + 1.959964 · SE`.
    pub upper: f64,
    /// Two-sided p of "no change", from the normal distribution.
    pub p_two_sided: f64,
    /// One-sided p of "no improvement" (H₀: Δ ≤ 0).
    pub p_improvement: f64,
}

/// The change from `base` to `final_wave` (METHODS §6). With SE = 0 the p-values are 0 or 1.
pub fn wave_change(base: &Estimate, final_wave: &Estimate) -> WaveChange {
    let delta = final_wave.estimate - base.estimate;
    let se = base.se.hypot(final_wave.se);
    let (p_two_sided, p_improvement) = if se > 0.0 {
        let z = delta / se;
        (2.0 * normal_cdf(-z.abs()), normal_cdf(-z))
    } else {
        (
            if delta == 0.0 { 1.0 } else { 0.0 },
            if delta > 0.0 { 0.0 } else { 1.0 },
        )
    };
    WaveChange {
        delta,
        se,
        lower: delta - Z95 * se,
        upper: delta + Z95 * se,
        p_two_sided,
        p_improvement,
    }
}

/// Holm's step-down adjustment of p-values, in their original order (R: `p.adjust(p,
/// "holm")`): sorted ascending, the i-th of m becomes `max_{j≤i} min(1, (m − j + 1) p_(j))`.
pub fn holm(p_values: &[f64]) -> Result<Vec<f64>, AnalysisError> {
    if let Some(&value) = p_values.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(AnalysisError::OutOfRange {
            what: "a p-value",
            allowed: "in [0, 1]",
            value,
        });
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0_f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    Ok(adjusted)
}

/// A goal stated in the batch configuration before the data are seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalRule {
    /// "The index improves by at least this much" (Δ ≥ threshold), if part of the goal.
    pub min_improvement: Option<f64>,
    /// "The final index is at least this" (final ≥ threshold), if part of the goal.
    pub min_final: Option<f64>,
    /// Whether the goal counts as met only when the 95% interval clears the threshold.
    pub require_significance: bool,
}

/// The verdict on a goal, or on one of its criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The rule holds (and, where significance is required, the interval clears it).
    Met,
    /// The whole 95% interval lies below the threshold.
    NotMet,
    /// The interval straddles the threshold (and the rule cannot be called met).
    Inconclusive,
}

/// One criterion of a goal with its numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Criterion {
    /// The threshold from the rule.
    pub threshold: f64,
    /// The estimate it is judged on (Δ, or the final level).
    pub estimate: f64,
    /// The lower end of its 95% interval.
    pub lower: f64,
    /// The upper end of its 95% interval.
    pub upper: f64,
    /// The criterion's verdict.
    pub verdict: Verdict,
}

/// The verdict on a goal with every number behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalAssessment {
    /// The change between the waves.
    pub change: WaveChange,
    /// The improvement criterion, when the rule has one (judged on Δ and its interval).
    pub improvement: Option<Criterion>,
    /// The final-level criterion, when the rule has one (judged on the final wave's estimate
    /// and its interval).
    pub final_level: Option<Criterion>,
    /// Met when every criterion is met; not met when any is not met; else inconclusive.
    pub verdict: Verdict,
}

/// Judges a pre-stated goal on the base and final waves' estimates (METHODS §6).
///
/// Each criterion: **met** when the interval lies at or above the threshold, or — when
/// significance is not required — when the estimate itself reaches it; **not met** when the
/// whole interval lies below the threshold; otherwise **inconclusive**. A rule with neither
/// criterion is an error.
pub fn assess_goal(
    rule: &GoalRule,
    base: &Estimate,
    final_wave: &Estimate,
) -> Result<GoalAssessment, AnalysisError> {
    if rule.min_improvement.is_none() && rule.min_final.is_none() {
        return Err(AnalysisError::TooFew {
            what: "a goal: criteria (minimum improvement, minimum final level)",
            needed: 1,
            got: 0,
        });
    }
    let change = wave_change(base, final_wave);
    let judge = |threshold: f64, estimate: f64, lower: f64, upper: f64| {
        let verdict = if lower >= threshold || (!rule.require_significance && estimate >= threshold)
        {
            Verdict::Met
        } else if upper < threshold {
            Verdict::NotMet
        } else {
            Verdict::Inconclusive
        };
        Criterion {
            threshold,
            estimate,
            lower,
            upper,
            verdict,
        }
    };
    let improvement = rule
        .min_improvement
        .map(|t| judge(t, change.delta, change.lower, change.upper));
    let final_level = rule
        .min_final
        .map(|t| judge(t, final_wave.estimate, final_wave.lower, final_wave.upper));
    let verdicts: Vec<Verdict> = [improvement, final_level]
        .iter()
        .flatten()
        .map(|c| c.verdict)
        .collect();
    let verdict = if verdicts.contains(&Verdict::NotMet) {
        Verdict::NotMet
    } else if verdicts.iter().all(|&v| v == Verdict::Met) {
        Verdict::Met
    } else {
        Verdict::Inconclusive
    };
    Ok(GoalAssessment {
        change,
        improvement,
        final_level,
        verdict,
    })
}
