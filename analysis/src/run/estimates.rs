//! The estimates table (METHODS §1, §3, §5): per wave and group, each rated item's mean,
//! 0–100 index, top-2-box or incidence, and each indicator's composite index (configured and
//! equal weights), every one with its linearized SE, 95% interval, n and Kish n_eff.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::WaveData;
use crate::stats::{
    composite_index_of, linearize_with, proportion_with, AnalysisError, Design, Estimate,
    IndexScale, Linearized, Proportion, ProportionInterval, RowSet,
};
use crate::tree::{NodeWeights, Tree, ROOT};

pub use super::prepared::Prepared;
use super::prepared::{code, share};
use super::RunError;

/// How a rated item is scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemType {
    Score(IndexScale),
    /// A yes/no item; `negative` when yes records a problem.
    YesNo {
        negative: bool,
    },
}

#[derive(Debug, Clone)]
pub struct ItemSpec {
    pub id: String,
    pub indicator: String,
    pub kind: ItemType,
}

/// A breakdown: `overall`/`all` (every row), or one value of a grouping variable.
pub struct Group {
    pub var: String,
    pub value: String,
    pub rows: RowSet,
}

/// The whole sample, then every value of every grouping variable (sorted).
pub fn groups(data: &WaveData, vars: &[String]) -> Vec<Group> {
    let mut out = vec![Group {
        var: "overall".into(),
        value: "all".into(),
        rows: RowSet::all(),
    }];
    for var in vars {
        let mut by_value: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let values = data.variable(var);
        for (row, value) in values.iter().enumerate() {
            if let Some(value) = value {
                by_value.entry(value).or_default().push(row as u32);
            }
        }
        for (value, rows) in by_value {
            out.push(Group {
                var: var.clone(),
                value: value.to_string(),
                // Rows were pushed in increasing order.
                rows: RowSet::from_rows(rows).expect("rows in increasing order"),
            });
        }
    }
    out
}

/// One row of `estimates.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstimateRow {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    /// `item`, `indicator` or `index` (the overall composite).
    pub level: String,
    pub indicator: String,
    /// `mean`, `index`, `index_equal`, `top2`, `incidence`.
    pub measure: String,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: usize,
    pub n_eff: f64,
    /// `normal`, `logit` or `clopper_pearson` (p is 0 or 1).
    pub interval: String,
    pub flag_small: bool,
    pub flag_imprecise: bool,
}

impl EstimateRow {
    fn new(key: (&str, &Group, &str, &str, &str), e: &Estimate, interval: &str) -> Self {
        let (wave, group, level, indicator, measure) = key;
        let flags = e.flags();
        EstimateRow {
            wave: wave.into(),
            group_var: group.var.clone(),
            group: group.value.clone(),
            level: level.into(),
            indicator: indicator.into(),
            measure: measure.into(),
            estimate: e.estimate,
            se: e.se,
            ci_low: e.lower,
            ci_high: e.upper,
            n: e.n,
            n_eff: e.n_eff,
            interval: interval.into(),
            flag_small: flags.small_sample,
            flag_imprecise: flags.imprecise,
        }
    }

    /// Back to an [`Estimate`] (for changes, ranks and the verdict).
    pub fn to_estimate(&self) -> Estimate {
        Estimate {
            estimate: self.estimate,
            se: self.se,
            lower: self.ci_low,
            upper: self.ci_high,
            n: self.n,
            n_eff: self.n_eff,
        }
    }
}

/// Skips an empty domain (an item nobody in the group answered); other errors stop the run.
fn present<T>(result: Result<T, AnalysisError>) -> Result<Option<T>, AnalysisError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(AnalysisError::EmptyDomain) => Ok(None),
        Err(e) => Err(e),
    }
}

fn interval_name(p: &Proportion) -> &'static str {
    match p.interval {
        ProportionInterval::Logit => "logit",
        ProportionInterval::ClopperPearson => "clopper_pearson",
    }
}

/// Every estimate of one wave in one group.
pub fn group_estimates(
    wave: &str,
    design: &Design,
    prepared: &Prepared,
    tree: &Tree,
    weights: &NodeWeights,
    group: &Group,
) -> Result<Vec<EstimateRow>, RunError> {
    let stats = |e: AnalysisError| RunError::Stats {
        wave: wave.to_string(),
        step: format!("estimates for {} = {}", group.var, group.value),
        source: e,
    };
    let rows_of = &group.rows;
    let mut rows = Vec::new();
    // Each item linearized once per group, for its own estimates and every composite.
    let mut codes = std::collections::BTreeMap::new();
    for item in &prepared.items {
        let id = item.spec.id.as_str();
        let (scores, kind): (&[Option<f64>], ItemType) = (&item.scores, item.spec.kind);
        let lin = present(match prepared.map {
            None => linearize_with(design, rows_of, |i| code(kind, scores[i])),
            Some(map) => linearize_with(design, rows_of, |i| code(kind, scores[map[i]])),
        })
        .map_err(stats)?;
        let key = |measure| (wave, group, "item", id, measure);
        let headline = prepared.headline;
        if headline.is_some_and(|overall| overall != id) {
            if let Some(lin) = lin {
                codes.insert(id, (lin, item.scale));
            }
            continue;
        }
        // The 1/0 share: top-2 of a scored item, incidence of a yes/no item.
        let proportion = match headline {
            Some(_) => None,
            None => present(match prepared.map {
                None => proportion_with(rows_of, design, |i| share(kind, scores[i])),
                Some(map) => proportion_with(rows_of, design, |i| share(kind, scores[map[i]])),
            })
            .map_err(stats)?,
        };
        match item.spec.kind {
            ItemType::Score(scale) => {
                let Some(lin) = lin else {
                    continue;
                };
                // As `hajek_mean`: the coded values of a scored item are its scores.
                let se = design.variance_on(rows_of, &lin.z).map_err(stats)?.sqrt();
                let mean = Estimate::normal(lin.mean, se, lin.n, lin.n_eff);
                rows.push(EstimateRow::new(key("mean"), &mean, "normal"));
                rows.push(EstimateRow::new(
                    key("index"),
                    &scale.rescale(&mean),
                    "normal",
                ));
                if let Some(p) = proportion {
                    rows.push(EstimateRow::new(
                        key("top2"),
                        &p.estimate,
                        interval_name(&p),
                    ));
                }
                codes.insert(id, (lin, item.scale));
            }
            ItemType::YesNo { .. } => {
                if let Some(p) = proportion {
                    rows.push(EstimateRow::new(
                        key("incidence"),
                        &p.estimate,
                        interval_name(&p),
                    ));
                }
                if let Some(lin) = lin {
                    codes.insert(id, (lin, item.scale));
                }
            }
        }
    }
    let available = |id: &str| codes.contains_key(id);
    let equal = NodeWeights::new();
    for (n, node) in tree.nodes.iter().enumerate() {
        if prepared.headline.is_some() && node.id != ROOT {
            continue;
        }
        let level = if node.id == ROOT {
            "index"
        } else {
            "indicator"
        };
        for (measure, node_weights) in [("index", weights), ("index_equal", &equal)] {
            let parts = tree.item_weights(n, node_weights, &available);
            if parts.is_empty() {
                continue;
            }
            let linearized: Vec<(&Linearized, IndexScale, f64)> = parts
                .iter()
                .map(|(id, a)| (&codes[id.as_str()].0, codes[id.as_str()].1, *a))
                .collect();
            let e = composite_index_of(design, &linearized).map_err(stats)?;
            rows.push(EstimateRow::new(
                (wave, group, level, node.id.as_str(), measure),
                &e,
                "normal",
            ));
        }
    }
    Ok(rows)
}
