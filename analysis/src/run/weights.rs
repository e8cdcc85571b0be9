//! A wave's design (METHODS §2) and its calibration (§4): strata from the stratum column,
//! weights `N_h/n_h` (or the source's weight column, or 1), post-stratification or raking to
//! the batch's margins, and trimming.

use std::collections::BTreeMap;

use crate::config::{Calibration, Weighting};
use crate::input::WaveData;
use crate::stats::{post_stratify, rake, trim_weights, Design, Margin};

use super::RunError;

/// A wave's designs: as sampled, and calibrated (the same when there is no calibration).
pub struct Designs {
    pub raw: Design,
    pub calibrated: Design,
    /// The stratum values, in the order of the design's stratum indices.
    pub strata: Vec<String>,
    /// How many weights trimming capped.
    pub trimmed: usize,
}

/// Builds the design of `data` from the batch's weighting.
pub fn designs(data: &WaveData, weighting: &Weighting) -> Result<Designs, RunError> {
    designs_over(data, weighting, None)
}

/// Builds the design of some of `data`'s rows (design row i is the wave's row `map[i]`;
/// `None`: every row, in order) from the batch's weighting.
pub fn designs_over(
    data: &WaveData,
    weighting: &Weighting,
    map: Option<&[usize]>,
) -> Result<Designs, RunError> {
    let wave = &data.label;
    let wave_rows: Vec<usize> = match map {
        Some(m) => m.to_vec(),
        None => (0..data.rows()).collect(),
    };
    let strata: Vec<String> = wave_rows
        .iter()
        .map(|&r| data.stratum[r].as_str())
        .collect::<std::collections::BTreeSet<&str>>()
        .into_iter()
        .map(String::from)
        .collect();
    let index: BTreeMap<&str, usize> = strata
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let rows: Vec<usize> = wave_rows
        .iter()
        .map(|&r| index[data.stratum[r].as_str()])
        .collect();
    let populations: Vec<Option<f64>> = if weighting.populations.is_empty() {
        vec![None; strata.len()]
    } else {
        strata
            .iter()
            .map(|s| {
                weighting
                    .populations
                    .get(s)
                    .copied()
                    .map(Some)
                    .ok_or_else(|| RunError::Config {
                        wave: wave.clone(),
                        message: format!(
                            "stratum {s:?} has responses but no size in weighting.populations"
                        ),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let mut sizes = vec![0usize; strata.len()];
    rows.iter().for_each(|&h| sizes[h] += 1);
    let weights: Vec<f64> = match &data.weight {
        Some(w) => wave_rows.iter().map(|&r| w[r]).collect(),
        None => rows
            .iter()
            .map(|&h| populations[h].map_or(1.0, |n| n / sizes[h] as f64))
            .collect(),
    };
    let stats = |e: crate::stats::AnalysisError| RunError::Stats {
        wave: wave.clone(),
        step: "the design".into(),
        source: e,
    };
    let raw = Design::new(rows, weights, populations).map_err(stats)?;
    let margins = weighting
        .margins
        .iter()
        .map(|m| margin(data, &wave_rows, &m.variable, &m.totals))
        .collect::<Result<Vec<_>, _>>()?;
    let calibrate = |e: crate::stats::AnalysisError| RunError::Stats {
        wave: wave.clone(),
        step: "calibration".into(),
        source: e,
    };
    let margins = match weighting.calibration {
        Calibration::None => Vec::new(),
        Calibration::PostStratify => margins.into_iter().take(1).collect(),
        Calibration::Rake => margins,
    };
    let (calibrated, trimmed) = match (weighting.trim, weighting.calibration) {
        (Some(multiple), _) => {
            let t = trim_weights(&raw, &margins, multiple).map_err(calibrate)?;
            (t.design, t.trimmed)
        }
        (None, Calibration::None) => (raw.clone(), 0),
        (None, Calibration::PostStratify) => {
            (post_stratify(&raw, &margins[0]).map_err(calibrate)?, 0)
        }
        (None, Calibration::Rake) => (rake(&raw, &margins).map_err(calibrate)?, 0),
    };
    Ok(Designs {
        raw,
        calibrated,
        strata,
        trimmed,
    })
}

/// A calibration margin over the rows of `data`: each row's level among the totals' keys.
fn margin(
    data: &WaveData,
    wave_rows: &[usize],
    variable: &str,
    totals: &BTreeMap<String, f64>,
) -> Result<Margin, RunError> {
    let levels: Vec<&String> = totals.keys().collect();
    let values = data.variable(variable);
    let rows = wave_rows
        .iter()
        .map(|&r| {
            let value = values[r].as_deref().unwrap_or("");
            levels
                .iter()
                .position(|l| l.as_str() == value)
                .ok_or_else(|| RunError::Config {
                    wave: data.label.clone(),
                    message: format!(
                        "row {}: {variable} {value:?} has no total in the margin for {variable}",
                        r + 1
                    ),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Margin::new(variable, rows, totals.values().copied().collect()).map_err(|e| RunError::Stats {
        wave: data.label.clone(),
        step: format!("the margin for {variable}"),
        source: e,
    })
}
