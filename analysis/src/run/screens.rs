//! The quality screens (METHODS §8) applied to a wave: speeders, straight-liners on grids of
//! six or more Likert items (a questionnaire section), duplicates from one source within the
//! window, and the server's own flags. Counted per unit for `quality.csv`.

use std::collections::BTreeMap;

use minyi_questionnaire::{ItemKind, Questionnaire};
use serde::Serialize;

use crate::config::QualityConfig;
use crate::input::{Answers, WaveData};
use crate::stats::{duplicates, speeders, straight_liners, MIN_GRID_ITEMS};

use super::RunError;

/// Each row's flags.
pub struct Screened {
    pub speeder: Vec<bool>,
    pub straight: Vec<bool>,
    pub duplicate: Vec<bool>,
    pub server: Vec<bool>,
}

impl Screened {
    pub fn any(&self, i: usize) -> bool {
        self.speeder[i] || self.straight[i] || self.duplicate[i] || self.server[i]
    }
}

pub fn screen(
    data: &WaveData,
    q: &Questionnaire,
    config: &QualityConfig,
) -> Result<Screened, RunError> {
    let rows = data.rows();
    let stats = |step: &str| {
        let wave = data.label.clone();
        let step = step.to_string();
        move |e| RunError::Stats {
            wave,
            step,
            source: e,
        }
    };
    let speeder = if data.duration.iter().any(Option::is_some) {
        speeders(&data.duration, &data.version, config.speeder_factor).map_err(stats("speeders"))?
    } else {
        vec![false; rows]
    };
    let mut straight = vec![false; rows];
    if config.straight_lining {
        for section in &q.sections {
            let grid: Vec<Vec<Option<f64>>> = section
                .items
                .iter()
                .filter(|i| matches!(i.kind, ItemKind::Likert5 { .. }))
                .filter(|i| data.answers.contains_key(&i.id))
                .map(|i| data.scores(&i.id))
                .collect();
            if grid.len() < MIN_GRID_ITEMS {
                continue;
            }
            let slices: Vec<&[Option<f64>]> = grid.iter().map(Vec::as_slice).collect();
            let flags = straight_liners(&slices).map_err(stats("straight-lining"))?;
            straight.iter_mut().zip(flags).for_each(|(s, f)| *s |= f);
        }
    }
    let duplicate =
        if config.duplicate_window_seconds > 0 && data.submitted.iter().all(Option::is_some) {
            let times: Vec<i64> = data.submitted.iter().map(|t| t.unwrap_or(0)).collect();
            let sources: Vec<(&str, &str)> = data
                .unit
                .iter()
                .zip(&data.source)
                .map(|(u, s)| (u.as_str(), s.as_str()))
                .collect();
            let answers: Vec<String> = (0..rows).map(|i| answer_key(data, i)).collect();
            duplicates(&sources, &times, &answers, config.duplicate_window_seconds)
                .map_err(stats("duplicates"))?
        } else {
            vec![false; rows]
        };
    let server = data.server_flags.iter().map(|f| !f.is_empty()).collect();
    Ok(Screened {
        speeder,
        straight,
        duplicate,
        server,
    })
}

/// A row's whole answer vector as one string (open text included).
fn answer_key(data: &WaveData, i: usize) -> String {
    let mut key = String::new();
    for answers in data.answers.values() {
        let cell = match answers {
            Answers::Score(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Answers::YesNo(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Answers::Choice(v) | Answers::Text(v) => v[i].clone().unwrap_or_default(),
            Answers::Multi(v) => v[i].join(";"),
        };
        key.push_str(&cell);
        key.push('\u{1f}');
    }
    key
}

/// One row of `quality.csv`: a unit's counts (and `all`).
#[derive(Debug, Clone, Serialize)]
pub struct QualityRow {
    pub wave: String,
    pub unit: String,
    pub responses: usize,
    pub speeders: usize,
    pub straight_liners: usize,
    pub duplicates: usize,
    pub server_flags: usize,
    pub flagged: usize,
    /// Whether flagged responses were left out of the estimates.
    pub excluded: bool,
}

pub fn quality_rows(data: &WaveData, s: &Screened, excluded: bool) -> Vec<QualityRow> {
    let mut units: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, u) in data.unit.iter().enumerate() {
        units.entry(u.clone()).or_default().push(i);
    }
    units.insert("all".into(), (0..data.rows()).collect());
    units
        .into_iter()
        .map(|(unit, rows)| {
            let count = |v: &[bool]| rows.iter().filter(|&&i| v[i]).count();
            QualityRow {
                wave: data.label.clone(),
                unit,
                responses: rows.len(),
                speeders: count(&s.speeder),
                straight_liners: count(&s.straight),
                duplicates: count(&s.duplicate),
                server_flags: count(&s.server),
                flagged: rows.iter().filter(|&&i| s.any(i)).count(),
                excluded,
            }
        })
        .collect()
}
