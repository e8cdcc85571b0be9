//! `analysis check`: every problem of a batch file, each naming its key, without running.

use std::collections::BTreeSet;

use minyi_integrity::PublicKey;
use minyi_questionnaire::{ItemKind, Questionnaire};

use crate::config::{Batch, Calibration, WaveRole, WeightMethod};
use crate::input::{known_format, Format};
use crate::tree::{configured_weights, Tree};

/// One problem of a batch file: the key it concerns and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct Problem {
    pub key: String,
    pub message: String,
}

fn problem(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        key: key.into(),
        message: message.into(),
    }
}

/// Loads the batch's questionnaire.
pub fn questionnaire(batch: &Batch) -> Result<Questionnaire, Problem> {
    let text = std::fs::read_to_string(&batch.questionnaire).map_err(|e| {
        problem(
            "questionnaire",
            format!("{}: {e}", batch.questionnaire.display()),
        )
    })?;
    Questionnaire::parse(&text).map_err(|e| problem("questionnaire", e.to_string()))
}

/// Every problem in `batch` (empty: the batch can run).
pub fn check(batch: &Batch) -> Vec<Problem> {
    let mut problems = Vec::new();
    let q = match questionnaire(batch) {
        Ok(q) => Some(q),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    check_waves(batch, q.as_ref(), &mut problems);
    if let Some(hex) = &batch.public_key {
        if let Err(e) = PublicKey::from_hex(hex) {
            problems.push(problem("public_key", e.to_string()));
        }
    }
    if let Some(path) = &batch.held_heads {
        if let Err(e) = crate::input::held_heads(batch) {
            problems.push(problem("held_heads", format!("{}: {e}", path.display())));
        }
    }
    if let Some(language) = &batch.report.language {
        if !matches!(language.as_str(), "zh" | "en") {
            problems.push(problem(
                "report.language",
                format!("{language:?} is not a report language: use \"zh\" or \"en\""),
            ));
        }
    }
    check_weighting(batch, q.as_ref(), &mut problems);
    if let Some(q) = &q {
        let tree = Tree::from_questionnaire(q);
        if let Err(found) = configured_weights(&tree, &batch.indicators) {
            problems.extend(found.into_iter().map(|(k, m)| problem(k, m)));
        }
        for (i, id) in batch.indicators.negative.iter().enumerate() {
            if tree.node(id).is_none() {
                problems.push(problem(
                    format!("indicators.negative[{i}]"),
                    format!("{id:?} is not an indicator"),
                ));
            }
        }
        for (i, group) in batch.groups.iter().enumerate() {
            if !is_variable(q, group) {
                problems.push(problem(
                    format!("groups[{i}]"),
                    format!("{group:?} is not unit, respondent_type or a single-choice item"),
                ));
            }
        }
        match q.item(&batch.overall_item) {
            Some(item)
                if matches!(
                    item.kind,
                    ItemKind::Likert5 { .. } | ItemKind::Scale10 { .. }
                ) => {}
            _ => problems.push(problem(
                "overall_item",
                format!("{:?} is not a Likert or 0–10 item", batch.overall_item),
            )),
        }
    }
    if batch.indicators.method == WeightMethod::Expert && batch.indicators.expert.is_empty() {
        problems.push(problem(
            "indicators.expert",
            "method = \"expert\" but no weights are given",
        ));
    }
    if batch.indicators.method == WeightMethod::Ahp && batch.indicators.ahp.is_empty() {
        problems.push(problem(
            "indicators.ahp",
            "method = \"ahp\" but no matrices are given",
        ));
    }
    let quality = &batch.quality;
    if !(quality.speeder_factor > 0.0 && quality.speeder_factor <= 1.0) {
        problems.push(problem(
            "quality.speeder_factor",
            format!("{} is not in (0, 1]", quality.speeder_factor),
        ));
    }
    if quality.duplicate_window_seconds < 0 {
        problems.push(problem("quality.duplicate_window_seconds", "must be ≥ 0"));
    }
    let goal = &batch.goal;
    if goal.min_improvement.is_none() && goal.min_final.is_none() {
        problems.push(problem(
            "goal",
            "states neither min_improvement nor min_final",
        ));
    }
    if goal.statement.trim().is_empty() {
        problems.push(problem(
            "goal.statement",
            "is empty: state the rule in words",
        ));
    }
    problems
}

fn is_variable(q: &Questionnaire, name: &str) -> bool {
    matches!(name, "unit" | "respondent_type")
        || q.item(name)
            .is_some_and(|i| matches!(i.kind, ItemKind::Single { .. }))
}

fn check_waves(batch: &Batch, q: Option<&Questionnaire>, problems: &mut Vec<Problem>) {
    if batch.waves.is_empty() {
        problems.push(problem("waves", "no wave is given"));
    }
    let mut labels = BTreeSet::new();
    for role in [WaveRole::Baseline, WaveRole::Final] {
        if batch.waves.iter().filter(|w| w.role == role).count() > 1 {
            problems.push(problem(
                "waves",
                format!("more than one wave has role {role:?}"),
            ));
        }
    }
    for (i, wave) in batch.waves.iter().enumerate() {
        let key = format!("waves[{i}]");
        if !labels.insert(wave.label.clone()) {
            problems.push(problem(
                format!("{key}.label"),
                format!("{:?} is used twice", wave.label),
            ));
        }
        let path = &wave.input.path;
        if !path.exists() {
            problems.push(problem(
                format!("{key}.input.path"),
                format!("{} does not exist", path.display()),
            ));
        }
        if !known_format(path) {
            problems.push(problem(
                format!("{key}.input.path"),
                format!("{}: expected .zip, .csv, .xlsx or .parquet", path.display()),
            ));
        }
        let bundle = Format::of(path) == Some(Format::Bundle);
        if bundle && batch.public_key.is_none() && !batch.allow_unverified {
            problems.push(problem(
                "public_key",
                format!(
                    "{key} is a bundle and cannot be verified without the evaluator's public key"
                ),
            ));
        }
        if !bundle && wave.input.columns.unit.is_none() {
            problems.push(problem(
                format!("{key}.input.columns.unit"),
                "a table input must name its unit column",
            ));
        }
        if let Some(q) = q {
            for item in wave.input.items.keys() {
                if q.item(item).is_none() {
                    problems.push(problem(
                        format!("{key}.input.items.{item}"),
                        format!("{item:?} is not an item of the questionnaire"),
                    ));
                }
            }
        }
        if !bundle && known_format(path) && path.exists() {
            check_header(&key, wave, problems);
        }
    }
}

/// A table's header must hold every mapped column.
fn check_header(key: &str, wave: &crate::config::WaveConfig, problems: &mut Vec<Problem>) {
    let header = match crate::input::header(&wave.input.path, wave.input.sheet.as_deref()) {
        Ok(header) => header,
        Err(e) => {
            problems.push(problem(format!("{key}.input.path"), e.to_string()));
            return;
        }
    };
    let c = &wave.input.columns;
    let mapped = [
        ("unit", &c.unit),
        ("unit_name", &c.unit_name),
        ("respondent_type", &c.respondent_type),
        ("stratum", &c.stratum),
        ("weight", &c.weight),
        ("duration", &c.duration),
        ("submitted", &c.submitted),
        ("source", &c.source),
        ("version", &c.version),
        ("id", &c.id),
        ("flags", &c.flags),
    ];
    let mut missing: Vec<(String, &String)> = mapped
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (format!("{key}.input.columns.{k}"), v)))
        .collect();
    missing.extend(
        wave.input
            .items
            .iter()
            .map(|(k, v)| (format!("{key}.input.items.{k}"), v)),
    );
    for (k, column) in missing {
        if !header.contains(column) {
            problems.push(problem(
                k,
                format!("column {column:?} is not in {}", wave.input.path.display()),
            ));
        }
    }
}

fn check_weighting(batch: &Batch, q: Option<&Questionnaire>, problems: &mut Vec<Problem>) {
    let w = &batch.weighting;
    for (stratum, &n) in &w.populations {
        if !(n.is_finite() && n > 0.0) {
            problems.push(problem(
                format!("weighting.populations.{stratum}"),
                format!("{n} is not a positive size"),
            ));
        }
    }
    if w.calibration != Calibration::None && w.margins.is_empty() {
        problems.push(problem(
            "weighting.margins",
            "calibration is set but no margin is given",
        ));
    }
    if w.calibration == Calibration::PostStratify && w.margins.len() > 1 {
        problems.push(problem(
            "weighting.margins",
            "post-stratification uses one margin; use calibration = \"rake\" for several",
        ));
    }
    for (i, margin) in w.margins.iter().enumerate() {
        let key = format!("weighting.margins[{i}]");
        if let Some(q) = q {
            if !is_variable(q, &margin.variable) {
                problems.push(problem(
                    format!("{key}.variable"),
                    format!(
                        "{:?} is not unit, respondent_type or a single-choice item",
                        margin.variable
                    ),
                ));
            }
        }
        if margin.totals.is_empty() {
            problems.push(problem(format!("{key}.totals"), "no totals given"));
        }
        for (level, &t) in &margin.totals {
            if !(t.is_finite() && t > 0.0) {
                problems.push(problem(
                    format!("{key}.totals.{level}"),
                    format!("{t} is not a positive total"),
                ));
            }
        }
    }
    if let Some(t) = w.trim {
        if !(t.is_finite() && t >= 1.0) {
            problems.push(problem(
                "weighting.trim",
                format!("{t} is not a multiple ≥ 1"),
            ));
        }
    }
}
