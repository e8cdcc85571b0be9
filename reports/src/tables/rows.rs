//! One struct per row of each CSV table of the output contract (`analysis/README.md`).
//! Numbers that the analysis may leave empty (an SE for n = 1, a p-value with no change) are
//! `Option`s; nothing here fills them in.

use serde::{Deserialize, Deserializer};

/// An empty cell, `NaN` or `null` as `None`; anything else must parse as a number.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let text = String::deserialize(d)?;
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("nan") || text == "null" {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("not a number: {text:?}")))
}

/// `estimates.csv` (and `screening.csv`, which has the same columns).
#[derive(Debug, Clone, Deserialize)]
pub struct Estimate {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    /// `item`, `indicator` or `index`.
    pub level: String,
    pub indicator: String,
    /// `mean`, `index`, `index_equal`, `top2` or `incidence`.
    pub measure: String,
    pub estimate: f64,
    #[serde(deserialize_with = "number")]
    pub se: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub ci_low: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub ci_high: Option<f64>,
    pub n: u64,
    #[serde(deserialize_with = "number")]
    pub n_eff: Option<f64>,
    pub interval: String,
    pub flag_small: bool,
    pub flag_imprecise: bool,
}

impl Estimate {
    /// Flagged estimates (small or imprecise) are shown marked and never headlined.
    pub fn flagged(&self) -> bool {
        self.flag_small || self.flag_imprecise
    }
}

/// `comparisons.csv`: a change from the baseline to the final wave.
#[derive(Debug, Clone, Deserialize)]
pub struct Comparison {
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
    #[serde(deserialize_with = "number")]
    pub se: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub ci_low: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub ci_high: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub p_two_sided: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub p_one_sided: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub p_holm: Option<f64>,
    pub flagged: bool,
}

/// `reliability.csv`: Cronbach's α of a dimension, repeated on each of its items' rows.
#[derive(Debug, Clone, Deserialize)]
pub struct Reliability {
    pub wave: String,
    pub dimension: String,
    pub items: u64,
    #[serde(deserialize_with = "number")]
    pub alpha: Option<f64>,
    pub complete_rows: u64,
    pub item: String,
    #[serde(deserialize_with = "number")]
    pub item_total: Option<f64>,
}

/// `importance.csv`: derived importance and performance of a scored item, its IPA quadrant.
#[derive(Debug, Clone, Deserialize)]
pub struct Importance {
    pub wave: String,
    pub item: String,
    pub indicator: String,
    pub performance: f64,
    #[serde(deserialize_with = "number")]
    pub importance: Option<f64>,
    pub performance_line: f64,
    pub importance_line: f64,
    pub quadrant: String,
}

/// `ranking.csv`: a unit's place with its uncertainty.
#[derive(Debug, Clone, Deserialize)]
pub struct Ranking {
    pub wave: String,
    pub unit: String,
    pub estimate: f64,
    #[serde(deserialize_with = "number")]
    pub ci_low: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub ci_high: Option<f64>,
    pub n: u64,
    pub rank_best: u64,
    pub rank_worst: u64,
    pub flagged: bool,
}

/// `sample.csv`: sample size, effective n and margins of error per group.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    pub n: u64,
    #[serde(deserialize_with = "number")]
    pub population: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub n_eff: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub moe_proportion: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub moe_index: Option<f64>,
    pub meets_minimum: bool,
}

/// `quality.csv`: the quality screens per unit (and `all`).
#[derive(Debug, Clone, Deserialize)]
pub struct Quality {
    pub wave: String,
    pub unit: String,
    pub responses: u64,
    pub speeders: u64,
    pub straight_liners: u64,
    pub duplicates: u64,
    pub server_flags: u64,
    pub flagged: u64,
    pub excluded: bool,
}

/// `keywords.csv`: the most frequent words of an open-text item.
#[derive(Debug, Clone, Deserialize)]
pub struct Keyword {
    pub wave: String,
    pub unit: String,
    pub item: String,
    pub rank: u64,
    pub word: String,
    pub count: u64,
    pub answers: u64,
}

/// `weights.csv`: the weight of each child of a node of the indicator tree.
#[derive(Debug, Clone, Deserialize)]
pub struct TreeWeight {
    pub node: String,
    pub child: String,
    pub weight: f64,
}

/// `units.csv`: a unit's display name.
#[derive(Debug, Clone, Deserialize)]
pub struct Unit {
    pub unit: String,
    pub name: String,
}

/// `labels.csv`: the display name of an indicator or item, with its parent indicator.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// `indicator` or `item`.
    pub kind: String,
    pub id: String,
    pub parent: String,
    pub zh: String,
    pub en: String,
}

/// `distribution.csv`: the weighted share of each answer of a rated item or dimension.
/// `category` is `1`…`5`: shares among the substantive answers, summing to 1 ("不了解" is not
/// on the scale; a later contract may add its share as `na`, which the charts then show).
#[derive(Debug, Clone, Deserialize)]
pub struct Distribution {
    pub wave: String,
    pub group_var: String,
    pub group: String,
    pub level: String,
    pub indicator: String,
    pub category: String,
    pub share: f64,
    pub n: u64,
}

/// `daily.csv`: responses received per day of collection, per unit and in all (`unit = all`).
#[derive(Debug, Clone, Deserialize)]
pub struct Daily {
    pub wave: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub unit: String,
    pub responses: u64,
    pub flagged: u64,
}
