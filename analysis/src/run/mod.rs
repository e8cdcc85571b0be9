//! Running a batch: read and verify every wave, screen it, weight it, and compute every table
//! of the assessment from the stats core. [`run`] returns the tables; `crate::output` writes
//! them. Nothing here is recomputed by the report.

pub mod charts;
pub mod compare;
pub mod entropy;
pub mod estimates;
pub mod screens;
pub mod tables;
pub mod weights;

use indicatif::{ProgressBar, ProgressStyle};
use minyi_questionnaire::{ItemKind, Questionnaire};

use crate::check::{check, questionnaire, Problem};
use crate::config::{Batch, WeightMethod};
use crate::input::{read_wave, InputError, InputRecord};
use crate::stats::{AnalysisError, IndexScale};
use crate::text::{keyword_rows, KeywordRow, Keywords};
use crate::tree::{configured_weights, NodeWeights, Tree, ROOT};

use compare::{ChangeRow, VerdictOut};
use estimates::{group_estimates, groups, EstimateRow, ItemSpec, ItemType};
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
pub fn run(batch: &Batch, show_progress: bool) -> Result<Tables, RunError> {
    let problems = check(batch);
    if !problems.is_empty() {
        return Err(RunError::Check(problems));
    }
    let q = questionnaire(batch).map_err(|p| RunError::Check(vec![p]))?;
    let tree = Tree::from_questionnaire(&q);
    let items = item_specs(&q, &batch.indicators.negative);
    let mut tables = Tables::default();
    let reading = bar(show_progress, batch.waves.len(), "reading and verifying");
    let mut waves = Vec::new();
    for wave in &batch.waves {
        let (data, record) = read_wave(batch, wave, &q)?;
        for (unit, name) in &data.unit_names {
            tables
                .unit_names
                .entry(unit.clone())
                .or_insert_with(|| name.clone());
        }
        tables.inputs.push(record);
        waves.push(data);
        reading.inc(1);
    }
    reading.finish();
    let mut analysed = Vec::new();
    for data in waves {
        let s = screens::screen(&data, &q, &batch.quality)?;
        tables.quality.extend(screens::quality_rows(
            &data,
            &s,
            batch.quality.exclude_flagged,
        ));
        tables.daily.extend(charts::daily(&data, &s));
        let unflagged: Vec<bool> = (0..data.rows()).map(|i| !s.any(i)).collect();
        let kept = data.filter(&unflagged);
        analysed.push((data, kept));
    }
    let node_weights = match batch.indicators.method {
        WeightMethod::Entropy => {
            let (all, kept) = &analysed[batch.comparison().map_or(0, |c| c.0)];
            let data = if batch.quality.exclude_flagged {
                kept
            } else {
                all
            };
            let design = weights::designs(data, &batch.weighting)?.calibrated;
            entropy::weights(data, &design, &items, &tree)?
        }
        _ => configured_weights(&tree, &batch.indicators).map_err(|found| {
            RunError::Check(
                found
                    .into_iter()
                    .map(|(key, message)| Problem { key, message })
                    .collect(),
            )
        })?,
    };
    let mut per_wave: Vec<(Vec<EstimateRow>, Option<crate::stats::Estimate>)> = Vec::new();
    let keywords = Keywords::new();
    for (all, kept) in &analysed {
        let data = if batch.quality.exclude_flagged {
            kept
        } else {
            all
        };
        let designs = weights::designs(data, &batch.weighting)?;
        let design = &designs.calibrated;
        for &h in &design.lonely_strata() {
            tables.notes.push(format!("wave {}: stratum {:?} has a single response (handled as R's lonely.psu = \"adjust\")", data.label, designs.strata[h]));
        }
        if designs.trimmed > 0 {
            tables.notes.push(format!(
                "wave {}: trimming capped {} weights",
                data.label, designs.trimmed
            ));
        }
        let breakdowns = groups(data, &batch.groups);
        let progress = bar(
            show_progress,
            breakdowns.len(),
            &format!("estimates, wave {}", data.label),
        );
        let mut rows = Vec::new();
        for group in &breakdowns {
            rows.extend(group_estimates(
                data,
                design,
                &items,
                &tree,
                &node_weights,
                group,
            )?);
            progress.inc(1);
        }
        progress.finish();
        let raw_index = if designs.raw == designs.calibrated {
            None
        } else {
            let overall = &breakdowns[..1];
            group_estimates(
                data,
                &designs.raw,
                &items,
                &tree,
                &node_weights,
                &overall[0],
            )?
            .into_iter()
            .find(|r| r.level == "index" && r.measure == "index")
            .map(|r| r.to_estimate())
        };
        for (sample, subset) in [("all", all), ("unflagged", kept)] {
            let design = weights::designs(subset, &batch.weighting)?.calibrated;
            let overall = &groups(subset, &[])[0];
            let headline = group_estimates(subset, &design, &items, &tree, &node_weights, overall)?;
            tables.screening.extend(
                headline
                    .into_iter()
                    .filter(|r| {
                        r.level == "index"
                            || r.indicator == batch.overall_item && r.measure == "index"
                    })
                    .map(|r| EstimateRow {
                        group: sample.into(),
                        group_var: "responses".into(),
                        ..r
                    }),
            );
        }
        tables
            .reliability
            .extend(tables::reliability(data, &tree, &items));
        tables.importance.extend(tables::importance(
            data,
            design,
            &items,
            &rows,
            &batch.overall_item,
        )?);
        tables.ranking.extend(tables::ranking(&data.label, &rows));
        tables
            .sample
            .extend(tables::sample(data, design, &rows, &breakdowns));
        tables.keywords.extend(keyword_rows(data, &q, &keywords));
        tables.distribution.extend(charts::distribution(
            data,
            design,
            &items,
            &tree,
            &breakdowns,
        ));
        per_wave.push((rows, raw_index));
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
