//! The tables beside the estimates (METHODS §7, §9): reliability per dimension, derived
//! importance and IPA quadrants, unit rank ranges, and the sample-size/margin table.

use serde::Serialize;

use crate::input::WaveData;
use crate::stats::{
    cronbach_alpha, ipa, rank_ranges, weighted_correlation, AnalysisError, Design, Quadrant, Z95,
};
use crate::tree::{Child, Tree};

use super::estimates::{EstimateRow, ItemSpec, ItemType};
use super::RunError;

/// One row of `reliability.csv`: a dimension's α and one item's corrected item–total r.
#[derive(Debug, Clone, Serialize)]
pub struct ReliabilityRow {
    pub wave: String,
    pub dimension: String,
    pub items: usize,
    pub alpha: f64,
    pub complete_rows: usize,
    pub item: String,
    pub item_total: f64,
}

/// Cronbach's α for every first-level indicator with at least two scored items (unweighted,
/// rows answering all its items).
pub fn reliability(data: &WaveData, tree: &Tree, items: &[ItemSpec]) -> Vec<ReliabilityRow> {
    let scored = |id: &String| {
        items
            .iter()
            .any(|i| &i.id == id && matches!(i.kind, ItemType::Score(_)))
    };
    let mut rows = Vec::new();
    for child in &tree.nodes[0].children {
        let Child::Node(n) = child else { continue };
        let ids: Vec<String> = tree.items_under(*n).into_iter().filter(scored).collect();
        let columns: Vec<_> = ids.iter().map(|id| data.scores(id)).collect();
        let slices: Vec<&[Option<f64>]> = columns.iter().map(|c| c.as_ref()).collect();
        // Too few items or complete rows: α is not defined, the dimension is left out.
        let Ok(r) = cronbach_alpha(&slices) else {
            continue;
        };
        for (id, item_total) in ids.iter().zip(&r.item_total) {
            rows.push(ReliabilityRow {
                wave: data.label.clone(),
                dimension: tree.nodes[*n].id.clone(),
                items: ids.len(),
                alpha: r.alpha,
                complete_rows: r.complete_rows,
                item: id.clone(),
                item_total: *item_total,
            });
        }
    }
    rows
}

/// One row of `importance.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportanceRow {
    pub wave: String,
    pub item: String,
    pub indicator: String,
    /// The item's 0–100 index, whole sample.
    pub performance: f64,
    /// Weighted Pearson r with the overall-satisfaction item.
    pub importance: f64,
    pub performance_line: f64,
    pub importance_line: f64,
    pub quadrant: &'static str,
}

/// Derived importance and IPA quadrants of the scored items (the overall item excepted).
pub fn importance(
    data: &WaveData,
    design: &Design,
    items: &[ItemSpec],
    estimates: &[EstimateRow],
    overall_item: &str,
) -> Result<Vec<ImportanceRow>, RunError> {
    let overall = data.scores(overall_item);
    let mut picked = Vec::new();
    for item in items.iter().filter(|i| i.id != overall_item) {
        if !matches!(item.kind, ItemType::Score(_)) {
            continue;
        }
        let Some(perf) = estimates.iter().find(|r| {
            r.group_var == "overall"
                && r.level == "item"
                && r.indicator == item.id
                && r.measure == "index"
        }) else {
            continue;
        };
        match weighted_correlation(&data.scores(&item.id), &overall, design.weights()) {
            Ok(r) => picked.push((item, perf.estimate, r)),
            Err(AnalysisError::TooFew { .. } | AnalysisError::NoVariation { .. }) => {}
            Err(e) => {
                return Err(RunError::Stats {
                    wave: data.label.clone(),
                    step: format!("importance of {}", item.id),
                    source: e,
                })
            }
        }
    }
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let perf: Vec<f64> = picked.iter().map(|p| p.1).collect();
    let imp: Vec<f64> = picked.iter().map(|p| p.2).collect();
    let result = ipa(&perf, &imp).map_err(|e| RunError::Stats {
        wave: data.label.clone(),
        step: "IPA".into(),
        source: e,
    })?;
    Ok(picked
        .iter()
        .zip(&result.quadrants)
        .map(|((item, p, r), q)| ImportanceRow {
            wave: data.label.clone(),
            item: item.id.clone(),
            indicator: item.indicator.clone(),
            performance: *p,
            importance: *r,
            performance_line: result.performance_line,
            importance_line: result.importance_line,
            quadrant: match q {
                Quadrant::ConcentrateHere => "concentrate_here",
                Quadrant::KeepUpTheGoodWork => "keep_up",
                Quadrant::LowPriority => "low_priority",
                Quadrant::PossibleOverkill => "possible_overkill",
            },
        })
        .collect())
}

/// One row of `ranking.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub wave: String,
    pub unit: String,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: usize,
    /// The best and worst rank the unit could take: units not significantly apart share ranks.
    pub rank_best: usize,
    pub rank_worst: usize,
    pub flagged: bool,
}

/// Units ranked on the overall index, as ranges.
pub fn ranking(wave: &str, estimates: &[EstimateRow]) -> Vec<RankRow> {
    let units: Vec<&EstimateRow> = estimates
        .iter()
        .filter(|r| r.group_var == "unit" && r.level == "index" && r.measure == "index")
        .collect();
    let ranges = rank_ranges(&units.iter().map(|r| r.to_estimate()).collect::<Vec<_>>());
    let mut rows: Vec<RankRow> = units
        .iter()
        .zip(ranges)
        .map(|(r, range)| RankRow {
            wave: wave.into(),
            unit: r.group.clone(),
            estimate: r.estimate,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            n: r.n,
            rank_best: range.best,
            rank_worst: range.worst,
            flagged: r.flag_small || r.flag_imprecise,
        })
        .collect();
    rows.sort_by_key(|a| (a.rank_best, a.rank_worst));
    rows
}

/// One row of `sample.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct SampleRow {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    pub n: usize,
    /// The group's population when it is a union of strata with known sizes.
    pub population: Option<f64>,
    pub n_eff: f64,
    /// The margin of error of a proportion at p = 0.5 a simple random sample of n gives.
    pub moe_proportion: f64,
    /// The achieved half-width of the overall index's 95% interval (index points).
    pub moe_index: Option<f64>,
    /// Whether n reaches the minimum per reported unit (30).
    pub meets_minimum: bool,
}

/// The sample-size/margin table per group (METHODS §9).
pub fn sample(
    data: &WaveData,
    design: &Design,
    estimates: &[EstimateRow],
    groups: &[super::estimates::Group],
) -> Vec<SampleRow> {
    groups
        .iter()
        .map(|g| {
            let rows: Vec<usize> = g.rows.iter(data.rows()).collect();
            let weights: Vec<f64> = rows.iter().map(|&i| design.weights()[i]).collect();
            // The population is known when every stratum the group touches lies wholly in it.
            let mut touched: std::collections::BTreeMap<usize, usize> = Default::default();
            for &i in &rows {
                *touched.entry(design.strata()[i]).or_default() += 1;
            }
            let whole = touched
                .iter()
                .all(|(&h, &n)| n == design.stratum_sizes()[h]);
            let population = if whole {
                touched
                    .keys()
                    .map(|&h| design.populations()[h])
                    .sum::<Option<f64>>()
            } else {
                None
            };
            let n = rows.len();
            let moe = minyi_design::margin_of_error(
                Z95,
                0.5,
                n as u64,
                population.map(|p| p.round() as u64),
            )
            .unwrap_or(f64::NAN);
            let index = estimates.iter().find(|r| {
                r.group_var == g.var
                    && r.group == g.value
                    && r.level == "index"
                    && r.measure == "index"
            });
            SampleRow {
                wave: data.label.clone(),
                group_var: g.var.clone(),
                group: g.value.clone(),
                n,
                population,
                n_eff: crate::stats::kish_n_eff(&weights),
                moe_proportion: moe,
                moe_index: index.map(|r| (r.ci_high - r.ci_low) / 2.0),
                meets_minimum: n >= crate::stats::MIN_RELIABLE_N,
            }
        })
        .collect()
}
