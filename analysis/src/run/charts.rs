//! The tables only the report's charts need: the weighted answer distribution of each 1–5
//! item and first-level dimension (`distribution.csv`) and the responses received per day
//! (`daily.csv`). Computed here so that the report never computes a statistic.

use serde::Serialize;

use crate::input::WaveData;
use crate::stats::{Design, IndexScale};
use crate::tree::{Tree, ROOT};

use super::estimates::{Group, ItemSpec, ItemType};
use super::screens::Screened;

/// One row of `distribution.csv`: the weighted share of answer `category` (1–5) among the
/// substantive answers of an item or a dimension ("不了解" is not an answer on the scale).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DistributionRow {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    /// `item` or `indicator` (a first-level dimension: its items' answers pooled).
    pub level: String,
    pub indicator: String,
    pub category: String,
    pub share: f64,
    /// Substantive answers behind the shares (for a dimension: answers, not respondents).
    pub n: usize,
}

/// One row of `daily.csv`: responses received on a day (UTC+8, the survey's clock), per unit
/// and in all (`unit = all`), with how many of them a quality screen flagged.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DailyRow {
    pub wave: String,
    pub date: String,
    pub unit: String,
    pub responses: usize,
    pub flagged: usize,
}

/// Distributions for the whole sample and per unit: every 1–5 item, then every first-level
/// dimension with any 1–5 item. One pass over each item's answers counts every group at once
/// (a row is in the whole sample and in its unit); a dimension pools its items' counts.
pub fn distribution(
    data: &WaveData,
    design: &Design,
    items: &[ItemSpec],
    tree: &Tree,
    breakdowns: &[Group],
) -> Vec<DistributionRow> {
    /// Weighted answers per category and their count.
    type Counts = ([f64; 5], usize);
    let groups: Vec<&Group> = breakdowns
        .iter()
        .filter(|g| g.var == "overall" || g.var == "unit")
        .collect();
    // Each row's unit group, as an index into `groups` (0 is the whole sample).
    const NONE: u32 = u32::MAX;
    let mut unit_of = vec![NONE; data.rows()];
    for (g, group) in groups.iter().enumerate().filter(|(_, g)| g.var == "unit") {
        for row in group.rows.iter(data.rows()) {
            unit_of[row] = g as u32;
        }
    }
    let weights = design.weights();
    let likert: Vec<&ItemSpec> = items
        .iter()
        .filter(|i| matches!(i.kind, ItemType::Score(IndexScale::Points(5))))
        .collect();
    // Per item, per group.
    let counts: Vec<(&str, Vec<Counts>)> = likert
        .iter()
        .map(|item| {
            let mut counts: Vec<Counts> = vec![([0.0; 5], 0); groups.len()];
            for (row, value) in data.scores(&item.id).iter().enumerate() {
                let Some(v) = value else { continue };
                let category = v.round() as usize;
                if !(1..=5).contains(&category) {
                    continue;
                }
                for g in [0, unit_of[row]] {
                    if let Some(c) = counts.get_mut(g as usize) {
                        c.0[category - 1] += weights[row];
                        c.1 += 1;
                    }
                }
            }
            (item.id.as_str(), counts)
        })
        .collect();
    let dimensions: Vec<(String, Vec<String>)> = tree.nodes[0]
        .children
        .iter()
        .filter_map(|c| match c {
            crate::tree::Child::Node(n) => Some(*n),
            crate::tree::Child::Item(_) => None,
        })
        .map(|n| (tree.nodes[n].id.clone(), tree.items_under(n)))
        .filter(|(id, _)| id != ROOT)
        .collect();
    let mut out = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let mut emit = |level: &str, indicator: &str, (totals, n): Counts| {
            let sum: f64 = totals.iter().sum();
            if n == 0 || sum <= 0.0 {
                return;
            }
            for (c, total) in totals.iter().enumerate() {
                out.push(DistributionRow {
                    wave: data.label.clone(),
                    group_var: group.var.clone(),
                    group: group.value.clone(),
                    level: level.into(),
                    indicator: indicator.into(),
                    category: (c + 1).to_string(),
                    share: total / sum,
                    n,
                });
            }
        };
        for (id, per_group) in &counts {
            emit("item", id, per_group[g]);
        }
        for (dimension, under) in &dimensions {
            let mut pooled: Counts = ([0.0; 5], 0);
            let mut any = false;
            for (_, per_group) in counts
                .iter()
                .filter(|(id, _)| under.iter().any(|u| u == id))
            {
                any = true;
                for c in 0..5 {
                    pooled.0[c] += per_group[g].0[c];
                }
                pooled.1 += per_group[g].1;
            }
            if any {
                emit("indicator", dimension, pooled);
            }
        }
    }
    out
}

/// Responses per day, per unit and in all; days are counted on Beijing time (UTC+8).
/// Rows without a submission time are left out (a plain table may not have one).
pub fn daily(data: &WaveData, screens: &Screened) -> Vec<DailyRow> {
    use std::collections::{BTreeMap, HashMap};
    const DAY: i64 = 24 * 3600;
    // Days since 1970 on Beijing time, counted per unit and in all.
    let mut counts: HashMap<(i64, &str), (usize, usize)> = HashMap::new();
    for (row, submitted) in data.submitted.iter().enumerate() {
        let Some(seconds) = submitted else { continue };
        let day = (seconds + 8 * 3600).div_euclid(DAY);
        let flagged = usize::from(screens.any(row));
        for unit in [data.unit[row].as_str(), "all"] {
            let entry = counts.entry((day, unit)).or_default();
            entry.0 += 1;
            entry.1 += flagged;
        }
    }
    let mut sorted: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    for ((day, unit), value) in counts {
        let Some(date) = chrono::DateTime::from_timestamp(day * DAY, 0) else {
            continue;
        };
        sorted.insert((date.format("%Y-%m-%d").to_string(), unit), value);
    }
    sorted
        .into_iter()
        .map(|((date, unit), (responses, flagged))| DailyRow {
            wave: data.label.clone(),
            date,
            unit: unit.to_string(),
            responses,
            flagged,
        })
        .collect()
}
