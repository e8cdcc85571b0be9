//! The batch configuration (TOML): the waves and their data, the weighting, the indicator
//! weights, the quality screens and the goal rule stated before the data are seen.
//! `batches/demo.toml` is the commented example. [`Batch::load`] parses a file and
//! [`crate::check::check`] names every problem in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A whole batch file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The questionnaire file every wave was collected with (relative to the batch file).
    pub questionnaire: PathBuf,
    /// The evaluator's public key (64 hex digits) for verifying bundles.
    #[serde(default)]
    pub public_key: Option<String>,
    /// A JSON file of signed heads the evaluator held during collection.
    #[serde(default)]
    pub held_heads: Option<PathBuf>,
    /// Use a bundle that cannot be verified anyway (the report says so in red).
    #[serde(default)]
    pub allow_unverified: bool,
    /// The breakdowns besides the whole sample: `unit`, `respondent_type`, or a single-choice
    /// item id (e.g. `township`).
    #[serde(default = "default_groups")]
    pub groups: Vec<String>,
    pub waves: Vec<WaveConfig>,
    #[serde(default)]
    pub weighting: Weighting,
    #[serde(default)]
    pub indicators: IndicatorWeights,
    #[serde(default)]
    pub quality: QualityConfig,
    pub goal: GoalConfig,
    /// The item whose correlation with each rated item is its derived importance.
    #[serde(default = "default_overall_item")]
    pub overall_item: String,
    /// Display names of the units (code → name), over any name the inputs carry.
    #[serde(default)]
    pub unit_names: BTreeMap<String, String>,
    /// What the report's cover says (campaign, commissioning body, evaluator).
    #[serde(default)]
    pub report: ReportConfig,
}

/// The `[report]` section: the facts of the report's cover. All optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// The survey campaign, e.g. "2025 年度行政执法群众满意度调查".
    #[serde(default)]
    pub campaign: Option<String>,
    /// Who commissioned the assessment.
    #[serde(default)]
    pub commissioned_by: Option<String>,
    /// The third-party evaluator.
    #[serde(default)]
    pub evaluator: Option<String>,
    /// The report's language: `zh` (default) or `en`.
    #[serde(default)]
    pub language: Option<String>,
}

fn default_groups() -> Vec<String> {
    vec!["unit".into(), "respondent_type".into()]
}

fn default_overall_item() -> String {
    "overall_sat".into()
}

/// A wave's role in the comparison.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WaveRole {
    Baseline,
    Final,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveConfig {
    pub label: String,
    pub role: WaveRole,
    pub input: InputConfig,
}

/// One wave's data: an export bundle (`.zip`) or a table (`.csv`, `.xlsx`, `.parquet`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    pub path: PathBuf,
    /// The sheet of an XLSX file (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Which column holds what; a bundle's fixed columns need no mapping.
    #[serde(default)]
    pub columns: ColumnMap,
    /// Item id → column name, for columns not named by their item id.
    #[serde(default)]
    pub items: BTreeMap<String, String>,
}

/// Column names in a table input. Only `unit` is required; a bundle has them all.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    pub unit: Option<String>,
    /// The unit's display name (a bundle's `unit_name`).
    pub unit_name: Option<String>,
    pub respondent_type: Option<String>,
    /// The sampling stratum (default: the unit).
    pub stratum: Option<String>,
    /// A design weight given by the source (default: `N_h/n_h` or 1).
    pub weight: Option<String>,
    /// Time taken, in seconds.
    pub duration: Option<String>,
    /// Submission time, RFC 3339 or `YYYY-MM-DD HH:MM:SS`.
    pub submitted: Option<String>,
    /// Where the response came from (site, channel), for the duplicate screen.
    pub source: Option<String>,
    /// The questionnaire version, for the speeder screen's medians.
    pub version: Option<String>,
    /// A response id (default: the row number).
    pub id: Option<String>,
    /// Flags the collecting server set (device repeat, honeypot, burst…), codes joined by
    /// `;`. A bundle's `flags` column is taken when it has one.
    pub flags: Option<String>,
}

/// How the design weights are formed and calibrated (METHODS §2, §4).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weighting {
    /// Population size per stratum value: weights `N_h/n_h` with the fpc.
    #[serde(default)]
    pub populations: BTreeMap<String, f64>,
    #[serde(default)]
    pub calibration: Calibration,
    /// Known population totals per variable (`unit`, `respondent_type` or a single-choice
    /// item), used by post-stratification (the first) or raking (all).
    #[serde(default)]
    pub margins: Vec<MarginConfig>,
    /// Cap weights at this multiple of the median weight (≥ 1).
    #[serde(default)]
    pub trim: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    #[default]
    None,
    PostStratify,
    Rake,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginConfig {
    pub variable: String,
    pub totals: BTreeMap<String, f64>,
}

/// The weights of each node's children in the indicator tree (METHODS §5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorWeights {
    #[serde(default)]
    pub method: WeightMethod,
    /// Indicators whose yes/no items record problems (yes = bad): they enter the composite as
    /// `100 × (1 − incidence)`. Other yes/no items enter as `100 × share yes`.
    #[serde(default = "default_negative")]
    pub negative: Vec<String>,
    /// `expert`: node → child → weight (`root` is the overall index; a leaf's children are
    /// its items). Nodes left out get equal weights.
    #[serde(default)]
    pub expert: BTreeMap<String, BTreeMap<String, f64>>,
    /// `ahp`: node → its children and pairwise comparison matrix.
    #[serde(default)]
    pub ahp: BTreeMap<String, AhpNode>,
}

impl Default for IndicatorWeights {
    fn default() -> Self {
        IndicatorWeights {
            method: WeightMethod::Equal,
            negative: default_negative(),
            expert: BTreeMap::new(),
            ahp: BTreeMap::new(),
        }
    }
}

fn default_negative() -> Vec<String> {
    vec!["problems".into()]
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    #[default]
    Equal,
    Expert,
    Ahp,
    Entropy,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AhpNode {
    pub children: Vec<String>,
    pub matrix: Vec<Vec<f64>>,
}

/// The quality screens (METHODS §8).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    #[serde(default = "default_speeder")]
    pub speeder_factor: f64,
    #[serde(default = "yes")]
    pub straight_lining: bool,
    /// Identical answers from one source within this many seconds are duplicates (0: off).
    #[serde(default = "default_window")]
    pub duplicate_window_seconds: i64,
    /// Leave flagged responses out of every estimate.
    #[serde(default)]
    pub exclude_flagged: bool,
}

fn default_speeder() -> f64 {
    crate::stats::DEFAULT_SPEEDER_FACTOR
}
fn yes() -> bool {
    true
}
fn default_window() -> i64 {
    600
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            speeder_factor: default_speeder(),
            straight_lining: true,
            duplicate_window_seconds: default_window(),
            exclude_flagged: false,
        }
    }
}

/// The goal rule, stated before the data are seen (METHODS §6), judged on the overall index.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalConfig {
    /// The rule in words, as the evaluator committed to it.
    pub statement: String,
    /// When the rule was fixed (for the record).
    #[serde(default)]
    pub stated_on: Option<String>,
    /// Δ of the overall index (points on 0–100) at least this.
    #[serde(default)]
    pub min_improvement: Option<f64>,
    /// The final overall index at least this.
    #[serde(default)]
    pub min_final: Option<f64>,
    #[serde(default = "yes")]
    pub require_significance: bool,
}

/// Why a batch file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Syntax {
        path: String,
        source: toml::de::Error,
    },
}

impl Batch {
    /// Reads a batch file; relative paths in it are taken from the file's folder.
    pub fn load(path: &Path) -> Result<Batch, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut batch: Batch = toml::from_str(&text).map_err(|source| LoadError::Syntax {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        batch.resolve(base);
        Ok(batch)
    }

    /// Makes every relative path absolute against `base`.
    pub fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.questionnaire);
        if let Some(p) = self.held_heads.as_mut() {
            fix(p);
        }
        for wave in &mut self.waves {
            fix(&mut wave.input.path);
        }
    }

    /// The baseline and final waves' indices, when both are there.
    pub fn comparison(&self) -> Option<(usize, usize)> {
        let find = |role| self.waves.iter().position(|w| w.role == role);
        Some((find(WaveRole::Baseline)?, find(WaveRole::Final)?))
    }
}
