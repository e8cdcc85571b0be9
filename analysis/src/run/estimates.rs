//! The estimates table (METHODS §1, §3, §5): per wave and group, each rated item's mean,
//! 0–100 index, top-2-box or incidence, and each indicator's composite index (configured and
//! equal weights), every one with its linearized SE, 95% interval, n and Kish n_eff.

use serde::Serialize;

use crate::input::WaveData;
use crate::stats::{
    composite_index_of, linearize_mean, proportion, top_two_box, AnalysisError, Design, Estimate,
    IndexScale, Linearized, Proportion, ProportionInterval,
};
use crate::tree::{NodeWeights, Tree, ROOT};

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

/// A breakdown: `overall`/`all` with no mask, or one value of a grouping variable.
pub struct Group {
    pub var: String,
    pub value: String,
    pub mask: Option<Vec<bool>>,
}

/// The whole sample, then every value of every grouping variable (sorted).
pub fn groups(data: &WaveData, vars: &[String]) -> Vec<Group> {
    let mut out = vec![Group {
        var: "overall".into(),
        value: "all".into(),
        mask: None,
    }];
    for var in vars {
        let values = data.variable(var);
        let mut distinct: Vec<&String> = values.iter().flatten().collect();
        distinct.sort();
        distinct.dedup();
        for value in distinct {
            out.push(Group {
                var: var.clone(),
                value: value.clone(),
                mask: Some(values.iter().map(|v| v.as_ref() == Some(value)).collect()),
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

/// An item's answers coded for a composite, with the scale that maps them to 0–100.
pub fn coded(data: &WaveData, item: &ItemSpec) -> (Vec<Option<f64>>, IndexScale) {
    let scores = data.scores(&item.id);
    match item.kind {
        ItemType::Score(scale) => (scores, scale),
        // yes/no as 1/2 on a 2-point scale: the index is 100 × the share coded 2.
        ItemType::YesNo { negative } => (
            scores
                .iter()
                .map(|v| v.map(|yes| if (yes == 1.0) != negative { 2.0 } else { 1.0 }))
                .collect(),
            IndexScale::Points(2),
        ),
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
    data: &WaveData,
    design: &Design,
    items: &[ItemSpec],
    tree: &Tree,
    weights: &NodeWeights,
    group: &Group,
) -> Result<Vec<EstimateRow>, RunError> {
    let stats = |e: AnalysisError| RunError::Stats {
        wave: data.label.clone(),
        step: format!("estimates for {} = {}", group.var, group.value),
        source: e,
    };
    let wave = data.label.as_str();
    let mask = group.mask.as_deref();
    let mut rows = Vec::new();
    // Each item linearized once per group, for its own estimates and every composite.
    let mut codes = std::collections::BTreeMap::new();
    for item in items {
        let (values, scale) = coded(data, item);
        if let Some(lin) = present(linearize_mean(design, &values, mask)).map_err(stats)? {
            let answered: Vec<bool> = (0..values.len())
                .map(|i| values[i].is_some() && mask.is_none_or(|m| m[i]))
                .collect();
            codes.insert(item.id.clone(), (lin, scale, answered));
        }
        let key = |measure| (wave, group, "item", item.id.as_str(), measure);
        match item.kind {
            ItemType::Score(scale) => {
                let scores = data.scores(&item.id);
                let Some((lin, _, _)) = codes.get(&item.id) else {
                    continue;
                };
                // As `hajek_mean`: the coded values of a scored item are its scores.
                let se = design.variance(&lin.z).map_err(stats)?.sqrt();
                let mean = Estimate::normal(lin.mean, se, lin.n, lin.n_eff);
                rows.push(EstimateRow::new(key("mean"), &mean, "normal"));
                rows.push(EstimateRow::new(
                    key("index"),
                    &scale.rescale(&mean),
                    "normal",
                ));
                let top = top_two_box(&scores, scale).map_err(stats)?;
                if let Some(p) = present(proportion(design, &top, mask)).map_err(stats)? {
                    rows.push(EstimateRow::new(
                        key("top2"),
                        &p.estimate,
                        interval_name(&p),
                    ));
                }
            }
            ItemType::YesNo { .. } => {
                let answers: Vec<Option<bool>> = data
                    .scores(&item.id)
                    .iter()
                    .map(|v| v.map(|x| x == 1.0))
                    .collect();
                if let Some(p) = present(proportion(design, &answers, mask)).map_err(stats)? {
                    rows.push(EstimateRow::new(
                        key("incidence"),
                        &p.estimate,
                        interval_name(&p),
                    ));
                }
            }
        }
    }
    let available = |id: &str| codes.contains_key(id);
    let equal = NodeWeights::new();
    for (n, node) in tree.nodes.iter().enumerate() {
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
                .map(|(id, a)| (&codes[id].0, codes[id].1, *a))
                .collect();
            let masks: Vec<&[bool]> = parts.iter().map(|(id, _)| codes[id].2.as_slice()).collect();
            let answered: Vec<bool> = (0..data.rows())
                .map(|i| masks.iter().any(|m| m[i]))
                .collect();
            let e = composite_index_of(design, &linearized, &answered).map_err(stats)?;
            rows.push(EstimateRow::new(
                (wave, group, level, node.id.as_str(), measure),
                &e,
                "normal",
            ));
        }
    }
    Ok(rows)
}
