//! Wave differences with Holm across groups (METHODS §6), and the verdict on the goal rule.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::GoalConfig;
use crate::stats::{assess_goal, holm, wave_change, Estimate, GoalRule, Verdict};

use super::estimates::EstimateRow;
use super::RunError;

/// One row of `comparisons.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChangeRow {
    pub level: String,
    pub indicator: String,
    pub measure: String,
    pub group_var: String,
    pub group: String,
    pub base_wave: String,
    pub final_wave: String,
    pub base: f64,
    #[serde(rename = "final")]
    pub final_value: f64,
    pub diff: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_two_sided: f64,
    pub p_one_sided: f64,
    /// Holm-adjusted two-sided p across the groups of the same variable, indicator and measure.
    pub p_holm: f64,
    /// Either wave's estimate is flagged (small n or imprecise).
    pub flagged: bool,
}

type Key = (String, String, String, String, String);

fn key(r: &EstimateRow) -> Key {
    (
        r.level.clone(),
        r.indicator.clone(),
        r.measure.clone(),
        r.group_var.clone(),
        r.group.clone(),
    )
}

/// The change of every estimate present in both waves (means excepted: their indices carry
/// the same test).
pub fn changes(
    base: &[EstimateRow],
    final_rows: &[EstimateRow],
) -> Result<Vec<ChangeRow>, RunError> {
    let by_key: BTreeMap<Key, &EstimateRow> = base.iter().map(|r| (key(r), r)).collect();
    let mut rows: Vec<ChangeRow> = Vec::new();
    for f in final_rows.iter().filter(|r| r.measure != "mean") {
        let Some(b) = by_key.get(&key(f)) else {
            continue;
        };
        let c = wave_change(&b.to_estimate(), &f.to_estimate());
        rows.push(ChangeRow {
            level: f.level.clone(),
            indicator: f.indicator.clone(),
            measure: f.measure.clone(),
            group_var: f.group_var.clone(),
            group: f.group.clone(),
            base_wave: b.wave.clone(),
            final_wave: f.wave.clone(),
            base: b.estimate,
            final_value: f.estimate,
            diff: c.delta,
            se: c.se,
            ci_low: c.lower,
            ci_high: c.upper,
            p_two_sided: c.p_two_sided,
            p_one_sided: c.p_improvement,
            p_holm: c.p_two_sided,
            flagged: b.flag_small || b.flag_imprecise || f.flag_small || f.flag_imprecise,
        });
    }
    let mut families: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        families
            .entry((r.group_var.clone(), r.indicator.clone(), r.measure.clone()))
            .or_default()
            .push(i);
    }
    for members in families.values() {
        let p: Vec<f64> = members.iter().map(|&i| rows[i].p_two_sided).collect();
        let adjusted = holm(&p).map_err(|e| RunError::Stats {
            wave: "comparison".into(),
            step: "Holm's adjustment".into(),
            source: e,
        })?;
        for (&i, a) in members.iter().zip(adjusted) {
            rows[i].p_holm = a;
        }
    }
    Ok(rows)
}

/// A criterion of the rule with its numbers.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionOut {
    pub threshold: f64,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub verdict: &'static str,
}

/// A change between the waves with its SE and 95% interval.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeOut {
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The overall index in one wave, as the verdict uses it.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub wave: String,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: usize,
    pub flagged: bool,
}

/// `verdict.json`.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictOut {
    pub rule: GoalConfig,
    /// What the rule is judged on: the overall composite index (`index`), whole sample.
    pub measure: String,
    pub weights: String,
    pub base: Level,
    #[serde(rename = "final")]
    pub final_level: Level,
    pub change: ChangeOut,
    pub p_two_sided: f64,
    pub p_one_sided: f64,
    pub improvement: Option<CriterionOut>,
    pub final_criterion: Option<CriterionOut>,
    /// `met`, `not_met` or `inconclusive`.
    pub verdict: &'static str,
    /// The change with design weights only, when the waves are calibrated (METHODS §6).
    pub uncalibrated_change: Option<ChangeOut>,
    /// Why the verdict was held at inconclusive, if it was (a flagged headline estimate).
    pub note: Option<String>,
    pub sentence_zh: String,
    pub sentence_en: String,
}

pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "met",
        Verdict::NotMet => "not_met",
        Verdict::Inconclusive => "inconclusive",
    }
}

fn level(wave: &str, e: &Estimate) -> Level {
    Level {
        wave: wave.into(),
        estimate: e.estimate,
        se: e.se,
        ci_low: e.lower,
        ci_high: e.upper,
        n: e.n,
        flagged: e.flags().any(),
    }
}

/// The verdict on the goal from the two waves' overall index (calibrated, and raw beside it).
pub fn verdict(
    goal: &GoalConfig,
    waves: (&str, &str),
    calibrated: (&Estimate, &Estimate),
    raw: Option<(&Estimate, &Estimate)>,
) -> Result<VerdictOut, RunError> {
    let rule = GoalRule {
        min_improvement: goal.min_improvement,
        min_final: goal.min_final,
        require_significance: goal.require_significance,
    };
    let (base, fin) = calibrated;
    let a = assess_goal(&rule, base, fin).map_err(|e| RunError::Stats {
        wave: "verdict".into(),
        step: "the goal rule".into(),
        source: e,
    })?;
    let criterion = |c: &crate::stats::Criterion| CriterionOut {
        threshold: c.threshold,
        estimate: c.estimate,
        ci_low: c.lower,
        ci_high: c.upper,
        verdict: verdict_name(c.verdict),
    };
    let change = |b: &Estimate, f: &Estimate| {
        let c = wave_change(b, f);
        ChangeOut {
            estimate: c.delta,
            se: c.se,
            ci_low: c.lower,
            ci_high: c.upper,
        }
    };
    // METHODS §7: a flagged estimate never decides a headline.
    let flagged = base.flags().any() || fin.flags().any();
    let overall = if flagged {
        Verdict::Inconclusive
    } else {
        a.verdict
    };
    let note = flagged.then(|| {
        "the overall index of a wave is flagged (n < 30 or relative SE > 30%): the verdict is held at inconclusive".to_string()
    });
    let (zh, en) = sentences(goal, overall, base, fin, &a.change);
    Ok(VerdictOut {
        rule: goal.clone(),
        measure: "index".into(),
        weights: "calibrated".into(),
        base: level(waves.0, base),
        final_level: level(waves.1, fin),
        change: change(base, fin),
        p_two_sided: a.change.p_two_sided,
        p_one_sided: a.change.p_improvement,
        improvement: a.improvement.as_ref().map(criterion),
        final_criterion: a.final_level.as_ref().map(criterion),
        verdict: verdict_name(overall),
        uncalibrated_change: raw.map(|(b, f)| change(b, f)),
        note,
        sentence_zh: zh,
        sentence_en: en,
    })
}

/// The one sentence a non-statistician can repeat, in Chinese and English.
fn sentences(
    goal: &GoalConfig,
    v: Verdict,
    base: &Estimate,
    fin: &Estimate,
    c: &crate::stats::WaveChange,
) -> (String, String) {
    let numbers_zh = format!(
        "群众满意度总体指数由{:.1}分变为{:.1}分，变化{:+.1}分（95%置信区间{:+.1}至{:+.1}分）",
        base.estimate, fin.estimate, c.delta, c.lower, c.upper
    );
    let numbers_en = format!(
        "the overall satisfaction index went from {:.1} to {:.1}, a change of {:+.1} points (95% CI {:+.1} to {:+.1})",
        base.estimate, fin.estimate, c.delta, c.lower, c.upper
    );
    let rule = goal.statement.trim();
    match v {
        Verdict::Met => (
            format!("按事先确定的规则（{rule}），满意度目标已经达到：{numbers_zh}。"),
            format!("By the rule fixed in advance ({rule}), the satisfaction goal is met: {numbers_en}."),
        ),
        Verdict::NotMet => (
            format!("按事先确定的规则（{rule}），满意度目标没有达到：{numbers_zh}。"),
            format!("By the rule fixed in advance ({rule}), the satisfaction goal is not met: {numbers_en}."),
        ),
        Verdict::Inconclusive => (
            format!("按事先确定的规则（{rule}），现有数据还不能判定满意度目标是否达到：{numbers_zh}，区间跨过了目标线。"),
            format!("By the rule fixed in advance ({rule}), the data cannot yet tell whether the satisfaction goal is met: {numbers_en}, an interval that straddles the threshold."),
        ),
    }
}
