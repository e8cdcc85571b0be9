//! The JSON files of the output contract: `verdict.json`, `inputs.json`, `manifest.json`.

use serde::Deserialize;

/// The goal rule as the evaluator stated it before the data were seen.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub statement: String,
    #[serde(default)]
    pub stated_on: Option<String>,
    #[serde(default)]
    pub min_improvement: Option<f64>,
    #[serde(default)]
    pub min_final: Option<f64>,
    #[serde(default)]
    pub require_significance: bool,
}

/// The overall index of one wave, as the verdict uses it.
#[derive(Debug, Clone, Deserialize)]
pub struct Level {
    pub wave: String,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
    pub flagged: bool,
}

/// A change between the waves with its SE and 95% interval.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// One criterion of the rule with its numbers and its own verdict.
#[derive(Debug, Clone, Deserialize)]
pub struct Criterion {
    pub threshold: f64,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub verdict: String,
}

/// `verdict.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    pub rule: Rule,
    pub measure: String,
    pub weights: String,
    pub base: Level,
    #[serde(rename = "final")]
    pub final_level: Level,
    pub change: Change,
    pub p_two_sided: f64,
    pub p_one_sided: f64,
    pub improvement: Option<Criterion>,
    pub final_criterion: Option<Criterion>,
    /// `met`, `not_met` or `inconclusive`.
    pub verdict: String,
    pub uncalibrated_change: Option<Change>,
    pub note: Option<String>,
    pub sentence_zh: String,
    pub sentence_en: String,
}

/// What checking an input against the integrity log found (`verification.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The bundle's log, head and rows all check out.
    Verified,
    /// The bundle was checked and something does not fit (used only by override).
    Failed,
    /// The bundle could not be checked (used only by override).
    Unverifiable,
    /// A plain table: there is nothing to verify it against.
    NotApplicable,
}

/// The signed tree head a bundle was cut at (`verification.head`): the commitment the report
/// prints, when the bundle verified.
#[derive(Debug, Clone, Deserialize)]
pub struct Head {
    pub campaign: String,
    pub tree_size: u64,
    /// 64 hex digits.
    pub root: String,
    /// UTC, ISO 8601 with `Z`; absent from folders written before it was added.
    #[serde(default)]
    pub signed_at: Option<String>,
    pub timestamp_ms: i64,
    pub public_key: String,
    pub signature: String,
}

/// How an input was checked against the integrity log.
#[derive(Debug, Clone, Deserialize)]
pub struct Verification {
    pub status: Status,
    #[serde(default)]
    pub problems: Vec<String>,
    #[serde(default)]
    pub head: Option<Head>,
    #[serde(default)]
    pub overridden: bool,
}

/// `inputs.json`: one record per input file.
#[derive(Debug, Clone, Deserialize)]
pub struct Input {
    pub wave: String,
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub rows: u64,
    pub verification: Verification,
}

/// The questionnaire a batch was run with.
#[derive(Debug, Clone, Deserialize)]
pub struct QuestionnaireRef {
    pub path: String,
    pub id: String,
    pub version: String,
    pub content_hash: String,
}

/// `manifest.json`. The configuration stays JSON: the report prints parts of it as written.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub generated_at: String,
    pub analysis_version: String,
    pub polars_version: String,
    pub questionnaire: QuestionnaireRef,
    pub configuration: serde_json::Value,
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Manifest {
    /// The waves in the order the batch names them, with their role.
    pub fn waves(&self) -> Vec<(String, String)> {
        self.configuration["waves"]
            .as_array()
            .map(|waves| {
                waves
                    .iter()
                    .map(|w| {
                        let text = |k: &str| w[k].as_str().unwrap_or_default().to_string();
                        (text("label"), text("role"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A text of the batch's `[report]` section (campaign, evaluator, …), if given.
    pub fn report_field(&self, key: &str) -> Option<&str> {
        self.configuration["report"][key]
            .as_str()
            .filter(|s| !s.is_empty())
    }
}
