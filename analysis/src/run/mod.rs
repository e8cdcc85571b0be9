//! Running a batch: read and verify every wave, screen it, weight it, and compute every table
//! of the assessment from the stats core. [`run`] returns the tables; `crate::output` writes
//! them. Nothing here is recomputed by the report.

pub mod charts;
pub mod compare;
pub mod entropy;
pub mod estimates;
mod prepared;
pub mod screens;
pub mod tables;
mod wave;
pub mod weights;

use indicatif::{ProgressBar, ProgressStyle};
use minyi_questionnaire::{ItemKind, Questionnaire};

use crate::check::{check, questionnaire, Problem};
use crate::config::{Batch, WeightMethod};
use crate::input::{read_wave, InputError, InputRecord};
use crate::stats::{AnalysisError, IndexScale};
use crate::text::KeywordRow;
use crate::tree::{configured_weights, NodeWeights, Tree, ROOT};

use compare::{ChangeRow, VerdictOut};
use estimates::{EstimateRow, ItemSpec, ItemType};
use screens::QualityRow;
use tables::{ImportanceRow, RankRow, ReliabilityRow, SampleRow};

/// Why a batch stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the batch file has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Check(Vec<Problem>),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("wave {wave}: {message}")]
    Config { wave: String, message: String },
    #[error("wave {wave}: {step}: {source}")]
    Stats {
        wave: String,
        step: String,
        #[source]
        source: AnalysisError,
    },
}

/// Every table of a batch.
#[derive(Debug, Default)]
pub struct Tables {
    pub estimates: Vec<EstimateRow>,
    pub comparisons: Vec<ChangeRow>,
    pub verdict: Option<VerdictOut>,
    pub reliability: Vec<ReliabilityRow>,
    pub importance: Vec<ImportanceRow>,
    pub ranking: Vec<RankRow>,
    pub sample: Vec<SampleRow>,
    pub quality: Vec<QualityRow>,
    /// The overall index with and without the flagged responses, per wave.
    pub screening: Vec<EstimateRow>,
    pub keywords: Vec<KeywordRow>,
    /// The answer distributions and daily counts the report's charts draw.
    pub distribution: Vec<charts::DistributionRow>,
    pub daily: Vec<charts::DailyRow>,
    pub inputs: Vec<InputRecord>,
    /// Unit code → display name: the batch's `unit_names` over the inputs' own.
    pub unit_names: std::collections::BTreeMap<String, String>,
    /// The weights used at each node of the indicator tree.
    pub node_weights: NodeWeights,
    /// Per wave: strata with a single response, and weights capped by trimming.
    pub notes: Vec<String>,
}

/// The rated items of the questionnaire, with how each is scored.
pub fn item_specs(q: &Questionnaire, negative: &[String]) -> Vec<ItemSpec> {
    q.items()
        .filter_map(|(_, item)| {
            let indicator = item.indicator.clone()?;
            let kind = match item.kind {
                ItemKind::Likert5 { .. } => ItemType::Score(IndexScale::Points(5)),
                ItemKind::Scale10 { .. } => ItemType::Score(IndexScale::ZeroToTen),
                ItemKind::YesNo { .. } => ItemType::YesNo {
                    negative: negative.contains(&indicator),
                },
                _ => return None,
            };
            Some(ItemSpec {
                id: item.id.clone(),
                indicator,
                kind,
            })
        })
        .collect()
}

fn bar(show: bool, len: usize, message: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg:28} [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}

/// Runs the batch (after checking it) and returns every table.
///
/// The waves are read and analysed one at a time, so a batch holds one wave in memory.
pub fn run(batch: &Batch, show_progress: bool) -> Result<Tables, RunError> {
    let problems = check(batch);
    if !problems.is_empty() {
        return Err(RunError::Check(problems));
    }
    let q = questionnaire(batch).map_err(|p| RunError::Check(vec![p]))?;
    let tree = Tree::from_questionnaire(&q);
    let items = item_specs(&q, &batch.indicators.negative);
    let node_weights = node_weights(batch, &q, &tree, &items)?;
    let context = wave::Context {
        batch,
        questionnaire: &q,
        tree: &tree,
        items: &items,
        node_weights: &node_weights,
        show_progress,
    };
    let mut tables = Tables::default();
    let keywords = std::sync::OnceLock::new();
    let mut per_wave: Vec<(Vec<EstimateRow>, Option<crate::stats::Estimate>)> = Vec::new();
    for wave in &batch.waves {
        let reading = bar(show_progress, 1, &format!("reading wave {}", wave.label));
        let (data, record) = read_wave(batch, wave, &q)?;
        reading.finish();
        for (unit, name) in &data.unit_names {
            tables
                .unit_names
                .entry(unit.clone())
                .or_insert_with(|| name.clone());
        }
        tables.inputs.push(record);
        per_wave.push(context.analyse(data, &keywords, &mut tables)?);
    }
    if let Some((b, f)) = batch.comparison() {
        tables.comparisons = compare::changes(&per_wave[b].0, &per_wave[f].0)?;
        let headline = |rows: &[EstimateRow]| {
            rows.iter()
                .find(|r| {
                    r.group_var == "overall"
                        && r.level == "index"
                        && r.indicator == ROOT
                        && r.measure == "index"
                })
                .map(|r| r.to_estimate())
        };
        if let (Some(base), Some(fin)) = (headline(&per_wave[b].0), headline(&per_wave[f].0)) {
            let raw = match (&per_wave[b].1, &per_wave[f].1) {
                (Some(rb), Some(rf)) => Some((rb, rf)),
                _ => None,
            };
            let labels = (batch.waves[b].label.as_str(), batch.waves[f].label.as_str());
            tables.verdict = Some(compare::verdict(&batch.goal, labels, (&base, &fin), raw)?);
        }
    }
    tables.estimates = per_wave.into_iter().flat_map(|(rows, _)| rows).collect();
    tables.node_weights = node_weights;
    tables.unit_names.extend(batch.unit_names.clone());
    Ok(tables)
}

/// The weights of the indicator tree: configured, or (entropy) from the comparison's
/// baseline wave as analysed.
fn node_weights(
    batch: &Batch,
    q: &Questionnaire,
    tree: &Tree,
    items: &[ItemSpec],
) -> Result<NodeWeights, RunError> {
    if batch.indicators.method != WeightMethod::Entropy {
        return configured_weights(tree, &batch.indicators).map_err(|found| {
            RunError::Check(
                found
                    .into_iter()
                    .map(|(key, message)| Problem { key, message })
                    .collect(),
            )
        });
    }
    let wave = &batch.waves[batch.comparison().map_or(0, |c| c.0)];
    let (data, _) = read_wave(batch, wave, q)?;
    let data = wave::analysed(data, q, batch)?;
    let design = weights::designs(&data, &batch.weighting)?.calibrated;
    entropy::weights(&data, &design, items, tree)
}
