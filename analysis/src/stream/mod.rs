//! Item means for a wave larger than memory, on polars' streaming engine.
//!
//! One pass over a Parquet (or CSV) file groups the rows by stratum × group cell and sums, per
//! rated item, the answered rows and `Σw, Σwy, Σw², Σw²y, Σw²y²` ([`query`]); the sums are then
//! combined into each domain's Hájek mean and linearized SE for the stratified design with
//! fpc ([`combine`]) — the same numbers [`crate::stats::hajek_mean`] gives in memory, to
//! rounding. Domains are masks: every row of a stratum counts in its `n_h`, answered, in the
//! group or not (METHODS §3).
//!
//! Scope: item means and 0–100 indices, overall and by each grouping variable, for a design of
//! strata with population sizes (weights `N_h/n_h`) or a weight column. Calibration, quality
//! screens and composites stay with the in-memory batch (`run`).
//!
//! [`generate`] writes benchmark waves of any size, row group by row group; [`bench`] the
//! benchmark's batch and the in-memory timing of what R computes (`bench/analysis_vs_r.sh`);
//! [`cli`] is the `analysis stream …` subcommand.

pub mod bench;
pub mod cli;
pub mod combine;
pub mod generate;
pub mod query;

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::{Engine, LazyFrame, PolarsError};

use crate::run::estimates::EstimateRow;
use crate::stats::{AnalysisError, Estimate, IndexScale};
use combine::{domain_mean, ItemSums, StratumSums};
use query::Cell;

/// Where the stratum sizes `N_h` come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Population {
    /// A column holding each row's `N_h` (as R's `fpc = ~N_h`); constant within a stratum.
    Column(String),
    /// Stratum value → `N_h` (as a batch's `weighting.populations`).
    Sizes(BTreeMap<String, f64>),
}

/// What to estimate from a file: the design's columns, the domains and the items.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSpec {
    /// The `wave` column of the output.
    pub wave: String,
    pub stratum: String,
    /// With a population and no weight column, weights are `N_h/n_h`; with neither, 1.
    pub population: Option<Population>,
    pub weight: Option<String>,
    /// Grouping variables: each value is a domain, besides the whole sample.
    pub groups: Vec<String>,
    /// Rated items on `scale` (Likert: `na`/不了解/不适用 and empty cells are unanswered).
    pub items: Vec<String>,
    pub scale: IndexScale,
}

impl StreamSpec {
    /// The allowed scores: 1…K or 0…10.
    pub fn range(&self) -> (f64, f64) {
        match self.scale {
            IndexScale::Points(k) => (1.0, f64::from(k)),
            IndexScale::ZeroToTen => (0.0, 10.0),
        }
    }

    /// The middle of the scale, subtracted before squaring.
    pub fn centre(&self) -> f64 {
        let (low, high) = self.range();
        (low + high) / 2.0
    }
}

/// Why a file could not be estimated.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error(transparent)]
    Polars(#[from] PolarsError),
    #[error("{0}: not a .parquet or .csv file")]
    Format(String),
    #[error("column {0:?} is not in the file")]
    MissingColumn(String),
    #[error("the stratum column {0:?} has missing values")]
    MissingStratum(String),
    #[error("{count} rows have a missing or non-positive weight")]
    BadWeights { count: f64 },
    #[error("item {item}: {count} answers are neither a score on the scale nor na/不了解/不适用")]
    BadAnswers { item: String, count: f64 },
    #[error("stratum {stratum:?}: {problem}")]
    Population { stratum: String, problem: String },
    #[error("{0}")]
    Stats(#[from] AnalysisError),
}

/// The estimates of a file and the size of what was scanned.
#[derive(Debug, Clone)]
pub struct Streamed {
    pub rows: usize,
    pub strata: usize,
    pub estimates: Vec<EstimateRow>,
}

/// Streams a Parquet or CSV wave: each item's mean and index, overall and per group value.
pub fn estimate_file(path: &Path, spec: &StreamSpec) -> Result<Streamed, StreamError> {
    estimate_frame(query::scan(path)?, spec)
}

/// As [`estimate_file`], for any lazy frame (the query runs on the streaming engine).
pub fn estimate_frame(frame: LazyFrame, spec: &StreamSpec) -> Result<Streamed, StreamError> {
    estimate_on(frame, spec, Engine::Streaming)
}

/// As [`estimate_frame`], on a chosen polars engine (`InMemory` only to measure what
/// streaming saves).
pub fn estimate_on(
    frame: LazyFrame,
    spec: &StreamSpec,
    engine: Engine,
) -> Result<Streamed, StreamError> {
    let cells = query::cells(frame, spec, engine)?;
    let bad_weights: f64 = cells.iter().map(|c| c.bad_weights).sum();
    if bad_weights > 0.0 {
        return Err(StreamError::BadWeights { count: bad_weights });
    }
    for (k, item) in spec.items.iter().enumerate() {
        let count: f64 = cells.iter().map(|c| c.bad[k]).sum();
        if count > 0.0 {
            return Err(StreamError::BadAnswers {
                item: item.clone(),
                count,
            });
        }
    }
    let strata = strata(&cells, spec)?;
    let mut estimates = Vec::new();
    let mut domains = vec![("overall".to_string(), "all".to_string(), None)];
    for (g, var) in spec.groups.iter().enumerate() {
        let mut values: Vec<&String> = cells.iter().filter_map(|c| c.keys[g].as_ref()).collect();
        values.sort();
        values.dedup();
        domains.extend(
            values
                .into_iter()
                .map(|v| (var.clone(), v.clone(), Some(g))),
        );
    }
    for (var, value, g) in &domains {
        let inside = |c: &Cell| g.is_none_or(|g| c.keys[g].as_ref() == Some(value));
        for (k, item) in spec.items.iter().enumerate() {
            let mut by_stratum: BTreeMap<&str, ItemSums> = BTreeMap::new();
            for c in cells.iter().filter(|c| inside(c)) {
                *by_stratum.entry(&c.stratum).or_default() += c.items[k];
            }
            let sums: Vec<StratumSums> = strata
                .iter()
                .map(|(h, s)| StratumSums {
                    domain: by_stratum
                        .get(h.as_str())
                        .copied()
                        .unwrap_or_default()
                        .scaled(s.multiplier),
                    ..s.sums
                })
                .collect();
            let mean = match domain_mean(&sums, spec.centre()) {
                Ok(mean) => mean,
                Err(AnalysisError::EmptyDomain) => continue,
                Err(e) => return Err(e.into()),
            };
            let row = |measure: &str, e: &Estimate| row(spec, (var, value, item), measure, e);
            estimates.push(row("mean", &mean));
            estimates.push(row("index", &spec.scale.rescale(&mean)));
        }
    }
    Ok(Streamed {
        rows: cells.iter().map(|c| c.rows).sum::<f64>() as usize,
        strata: strata.len(),
        estimates,
    })
}

/// One `estimates.csv` row of an item's estimate.
pub(crate) fn row(
    spec: &StreamSpec,
    key: (&str, &str, &str),
    measure: &str,
    e: &Estimate,
) -> EstimateRow {
    let flags = e.flags();
    EstimateRow {
        wave: spec.wave.clone(),
        group_var: key.0.into(),
        group: key.1.into(),
        level: "item".into(),
        indicator: key.2.into(),
        measure: measure.into(),
        estimate: e.estimate,
        se: e.se,
        ci_low: e.lower,
        ci_high: e.upper,
        n: e.n,
        n_eff: e.n_eff,
        interval: "normal".into(),
        flag_small: flags.small_sample,
        flag_imprecise: flags.imprecise,
    }
}

/// A stratum's rows and population, and the multiplier that turns base weights into `w_i`.
struct Stratum {
    sums: StratumSums,
    multiplier: f64,
}

fn strata(cells: &[Cell], spec: &StreamSpec) -> Result<BTreeMap<String, Stratum>, StreamError> {
    let mut rows: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for c in cells {
        let (lo, hi) = c.population.unwrap_or((f64::NAN, f64::NAN));
        let e = rows
            .entry(c.stratum.clone())
            .or_insert((0.0, f64::INFINITY, f64::NEG_INFINITY));
        *e = (e.0 + c.rows, e.1.min(lo), e.2.max(hi));
    }
    rows.into_iter()
        .map(|(h, (n, lo, hi))| {
            let problem = |p: String| StreamError::Population {
                stratum: h.clone(),
                problem: p,
            };
            let population = match &spec.population {
                None => None,
                Some(Population::Sizes(sizes)) => Some(
                    *sizes
                        .get(&h)
                        .ok_or_else(|| problem("has responses but no size".into()))?,
                ),
                Some(Population::Column(_)) if lo == hi => Some(lo),
                Some(Population::Column(c)) => {
                    return Err(problem(format!("{c} varies within it ({lo} to {hi})")))
                }
            };
            if let Some(p) = population.filter(|p| !(p.is_finite() && *p >= n)) {
                return Err(problem(format!("N_h = {p} is below its {n} sampled rows")));
            }
            let multiplier = match (&spec.weight, population) {
                (None, Some(p)) => p / n,
                _ => 1.0,
            };
            let sums = StratumSums {
                rows: n,
                population,
                domain: ItemSums::default(),
            };
            Ok((h, Stratum { sums, multiplier }))
        })
        .collect()
}

/// Writes `estimates.csv` (the output contract's columns) into `dir`; returns its path.
pub fn write_estimates(dir: &Path, rows: &[EstimateRow]) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("estimates.csv");
    let mut out = csv::Writer::from_path(&path)?;
    for row in rows {
        out.serialize(row)?;
    }
    out.flush()?;
    Ok(path)
}
