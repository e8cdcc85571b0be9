//! Writing a batch's tables to its output folder: the contract the report reads (see
//! `analysis/README.md`). Every CSV also as Parquet, `verdict.json`, `inputs.json` and
//! `manifest.json` (inputs, configuration, versions, time) so a batch can be reproduced.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::config::Batch;
use crate::run::Tables;
use crate::tree::Tree;

#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write: {message}")]
pub struct OutputError {
    pub path: String,
    pub message: String,
}

fn fail(path: &Path) -> impl Fn(String) -> OutputError + '_ {
    move |message| OutputError {
        path: path.display().to_string(),
        message,
    }
}

/// One table as `NAME.csv` and `NAME.parquet`.
fn table<T: Serialize>(
    dir: &Path,
    name: &str,
    rows: &[T],
    header: &[&str],
) -> Result<(), OutputError> {
    let path = dir.join(format!("{name}.csv"));
    let err = fail(&path);
    let mut writer = csv::Writer::from_path(&path).map_err(|e| err(e.to_string()))?;
    if rows.is_empty() {
        writer
            .write_record(header)
            .map_err(|e| err(e.to_string()))?;
    }
    for row in rows {
        writer.serialize(row).map_err(|e| err(e.to_string()))?;
    }
    writer.flush().map_err(|e| err(e.to_string()))?;
    drop(writer);
    if rows.is_empty() && header.is_empty() {
        return Ok(());
    }
    parquet_copy(&path, &dir.join(format!("{name}.parquet")))
}

/// The CSV read back by polars (types inferred from the whole file) and written as Parquet.
fn parquet_copy(csv_path: &Path, parquet: &Path) -> Result<(), OutputError> {
    let err = fail(parquet);
    let mut frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .try_into_reader_with_file_path(Some(PathBuf::from(csv_path)))
        .and_then(|r| r.finish())
        .map_err(|e| err(e.to_string()))?;
    let file = std::fs::File::create(parquet).map_err(|e| err(e.to_string()))?;
    ParquetWriter::new(file)
        .finish(&mut frame)
        .map_err(|e| err(e.to_string()))?;
    Ok(())
}

fn json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), OutputError> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(|e| fail(&path)(e.to_string()))?;
    std::fs::write(&path, text + "\n").map_err(|e| fail(&path)(e.to_string()))
}

/// One row of `weights.csv`: the weight of a child at a node of the indicator tree.
#[derive(Serialize)]
struct WeightRow {
    node: String,
    child: String,
    weight: f64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    generated_at: String,
    analysis_version: &'static str,
    polars_version: &'static str,
    questionnaire: QuestionnaireRef,
    inputs: &'a [crate::input::InputRecord],
    configuration: &'a Batch,
    notes: &'a [String],
}

#[derive(Serialize)]
struct QuestionnaireRef {
    path: String,
    id: String,
    version: String,
    content_hash: String,
}

/// Writes every table of `tables` into `dir` (created if needed).
pub fn write(dir: &Path, batch: &Batch, tables: &Tables) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|e| fail(dir)(e.to_string()))?;
    table(dir, "estimates", &tables.estimates, &[])?;
    table(
        dir,
        "comparisons",
        &tables.comparisons,
        &[
            "level",
            "indicator",
            "measure",
            "group_var",
            "group",
            "base_wave",
            "final_wave",
            "base",
            "final",
            "diff",
            "se",
            "ci_low",
            "ci_high",
            "p_two_sided",
            "p_one_sided",
            "p_holm",
            "flagged",
        ],
    )?;
    table(
        dir,
        "reliability",
        &tables.reliability,
        &[
            "wave",
            "dimension",
            "items",
            "alpha",
            "complete_rows",
            "item",
            "item_total",
        ],
    )?;
    table(
        dir,
        "importance",
        &tables.importance,
        &[
            "wave",
            "item",
            "indicator",
            "performance",
            "importance",
            "performance_line",
            "importance_line",
            "quadrant",
        ],
    )?;
    table(
        dir,
        "ranking",
        &tables.ranking,
        &[
            "wave",
            "unit",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "rank_best",
            "rank_worst",
            "flagged",
        ],
    )?;
    table(dir, "sample", &tables.sample, &[])?;
    table(dir, "quality", &tables.quality, &[])?;
    table(dir, "screening", &tables.screening, &[])?;
    table(
        dir,
        "keywords",
        &tables.keywords,
        &["wave", "unit", "item", "rank", "word", "count", "answers"],
    )?;
    let q = crate::check::questionnaire(batch).map_err(|p| fail(dir)(p.to_string()))?;
    let tree = Tree::from_questionnaire(&q);
    let weights: Vec<WeightRow> = tree
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(n, node)| {
            let children = tree.child_ids(n);
            let given = tables.node_weights.get(&node.id).cloned();
            let count = children.len();
            children
                .into_iter()
                .enumerate()
                .map(move |(i, child)| WeightRow {
                    node: node.id.clone(),
                    child,
                    weight: given.as_ref().map_or(1.0 / count as f64, |w| w[i]),
                })
        })
        .collect();
    table(dir, "weights", &weights, &["node", "child", "weight"])?;
    #[derive(Serialize)]
    struct UnitRow<'a> {
        unit: &'a str,
        name: &'a str,
    }
    let units: Vec<UnitRow> = tables
        .unit_names
        .iter()
        .map(|(unit, name)| UnitRow { unit, name })
        .collect();
    table(dir, "units", &units, &["unit", "name"])?;
    table(
        dir,
        "labels",
        &crate::labels::labels(&q),
        &["kind", "id", "parent", "zh", "en"],
    )?;
    table(
        dir,
        "distribution",
        &tables.distribution,
        &[
            "wave",
            "group_var",
            "group",
            "level",
            "indicator",
            "category",
            "share",
            "n",
        ],
    )?;
    table(
        dir,
        "daily",
        &tables.daily,
        &["wave", "date", "unit", "responses", "flagged"],
    )?;
    if let Some(verdict) = &tables.verdict {
        json(dir, "verdict.json", verdict)?;
    }
    json(dir, "inputs.json", &tables.inputs)?;
    json(
        dir,
        "manifest.json",
        &Manifest {
            generated_at: chrono::Utc::now().to_rfc3339(),
            analysis_version: env!("CARGO_PKG_VERSION"),
            polars_version: polars::VERSION,
            questionnaire: QuestionnaireRef {
                path: batch.questionnaire.display().to_string(),
                id: q.id.clone(),
                version: q.version.clone(),
                content_hash: q.content_hash(),
            },
            inputs: &tables.inputs,
            configuration: batch,
            notes: &tables.notes,
        },
    )
}
