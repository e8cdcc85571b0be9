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
            let grid: Vec<_> = section
                .items
                .iter()
                .filter(|i| matches!(i.kind, ItemKind::Likert5 { .. }))
                .filter(|i| data.answers.contains_key(&i.id))
                .map(|i| data.scores(&i.id))
                .collect();
            if grid.len() < MIN_GRID_ITEMS {
                continue;
            }
            let slices: Vec<&[Option<f64>]> = grid.iter().map(|c| c.as_ref()).collect();
            let flags = straight_liners(&slices).map_err(stats("straight-lining"))?;
            straight.iter_mut().zip(flags).for_each(|(s, f)| *s |= f);
        }
    }
    let duplicate =
        if config.duplicate_window_seconds > 0 && data.submitted.iter().all(Option::is_some) {
            let times: Vec<i64> = data.submitted.iter().map(|t| t.unwrap_or(0)).collect();
            // Each (unit, source) pair as a number, so that the rows sort fast.
            let mut ids: std::collections::HashMap<(&str, &str), u32> = Default::default();
            let sources: Vec<u32> = data
                .unit
                .iter()
                .zip(&data.source)
                .map(|(u, s)| {
                    let next = ids.len() as u32;
                    *ids.entry((u.as_str(), s.as_str())).or_insert(next)
                })
                .collect();
            drop(ids);
            let answers = answer_keys(data);
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

/// Every row's whole answer vector (open text included) as a 128-bit fingerprint: the row's
/// answers encoded column by column (a number as a presence tag and its 8 bytes, a text as a
/// presence tag, its bytes and a 0x1F separator, which no answer holds), hashed with XXH3-128.
/// Equal answers give equal fingerprints; different ones collide with probability about 2⁻¹²⁸
/// per pair, far below anything a wave of any size could meet.
fn answer_keys(data: &WaveData) -> Vec<u128> {
    let columns: Vec<&Answers> = data.answers.values().collect();
    let mut key = Vec::new();
    (0..data.rows())
        .map(|i| {
            key.clear();
            for answers in &columns {
                let mut text = |v: Option<&str>| {
                    key.push(u8::from(v.is_some()));
                    key.extend_from_slice(v.unwrap_or_default().as_bytes());
                    key.push(0x1f);
                };
                match answers {
                    Answers::Score(v) => {
                        key.push(u8::from(v[i].is_some()));
                        key.extend_from_slice(&v[i].unwrap_or(0.0).to_le_bytes());
                    }
                    Answers::YesNo(v) => key.push(v[i].map_or(2, u8::from)),
                    Answers::Choice(v) | Answers::Text(v) => text(v[i].as_deref()),
                    Answers::Multi(v) => text(Some(&v[i].join(";"))),
                }
            }
            xxhash_rust::xxh3::xxh3_128(&key)
        })
        .collect()
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
    let mut units: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, u) in data.unit.iter().enumerate() {
        units.entry(u.as_str()).or_default().push(i);
    }
    units.insert("all", (0..data.rows()).collect());
    units
        .into_iter()
        .map(|(unit, rows)| {
            let count = |v: &[bool]| rows.iter().filter(|&&i| v[i]).count();
            QualityRow {
                wave: data.label.clone(),
                unit: unit.to_string(),
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
