//! The benchmark against R (`bench/analysis_vs_r.sh`): a batch directory of generated waves,
//! and the in-memory part R also computes — per wave, `svymean` of each item and
//! `svyby(~item, ~unit, svymean)` — timed apart from the loading, as the R script times it.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use super::generate::{allocation, write_wave, Targets, ITEMS, QUESTIONNAIRE};
use crate::check::questionnaire;
use crate::config::Batch;
use crate::input::read_wave;
use crate::run::estimates::{groups, EstimateRow};
use crate::run::weights::designs;
use crate::stats::{hajek_mean_on, IndexScale};

/// The waves of a benchmark directory: (label, role, seed).
pub const WAVES: [(&str, &str, u64); 2] =
    [("baseline", "baseline", 2024), ("final", "final", 2025)];

/// Writes `questionnaire.toml`, the waves (`baseline.csv`/`.parquet`, `final.…`; only the
/// final wave with `one_wave`) and `batch.toml` (reading the CSV files) into `dir`.
pub fn write_bench_dir(dir: &Path, rows: usize, csv: bool, one_wave: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("questionnaire.toml"), QUESTIONNAIRE)?;
    for (label, _, seed) in WAVES.iter().skip(usize::from(one_wave)) {
        let csv_path = dir.join(format!("{label}.csv"));
        let parquet_path = dir.join(format!("{label}.parquet"));
        let targets = Targets {
            csv: csv.then_some(csv_path.as_path()),
            parquet: Some(parquet_path.as_path()),
        };
        write_wave(&targets, rows, *seed, *label == "final")
            .with_context(|| format!("writing the {label} wave"))?;
    }
    std::fs::write(dir.join("batch.toml"), batch_toml(rows))?;
    Ok(())
}

/// The benchmark batch: both waves, groups by unit, populations with the fpc, no
/// calibration and nothing excluded (so the estimates are R's), equal indicator weights.
pub fn batch_toml(rows: usize) -> String {
    let mut toml = String::from(
        "# Written by `analysis stream bench-data` (synthetic data, never a report).\n\
         questionnaire = \"questionnaire.toml\"\ngroups = [\"unit\"]\noverall_item = \"overall_sat\"\n",
    );
    for (label, role, _) in WAVES {
        let _ = write!(
            toml,
            "\n[[waves]]\nlabel = \"{label}\"\nrole = \"{role}\"\n[waves.input]\n\
             path = \"{label}.csv\"\n[waves.input.columns]\nunit = \"unit\"\n\
             respondent_type = \"respondent_type\"\nduration = \"duration_seconds\"\n\
             submitted = \"submitted_at\"\nsource = \"site\"\nid = \"response_id\"\n"
        );
    }
    toml.push_str("\n[weighting]\ncalibration = \"none\"\n[weighting.populations]\n");
    for s in allocation(rows) {
        let _ = writeln!(toml, "{} = {}", s.unit, s.population);
    }
    toml.push_str(
        "\n[indicators]\nmethod = \"equal\"\nnegative = []\n\n[quality]\nexclude_flagged = false\n\n\
         [goal]\nstatement = \"overall index up by at least 3 points, significantly\"\n\
         stated_on = \"2024-03-15\"\nmin_improvement = 3.0\nrequire_significance = true\n",
    );
    toml
}

/// How long the R-comparable part took, and its estimates.
pub struct MemoryRun {
    pub rows: usize,
    pub load_seconds: f64,
    pub estimate_seconds: f64,
    pub estimates: Vec<EstimateRow>,
}

/// Every wave of `config` read as the batch reads it (timed: the load), then per wave each
/// benchmark item's mean overall and by unit with the stats core (timed: the estimate).
pub fn memory_estimates(config: &Path) -> anyhow::Result<MemoryRun> {
    let batch = Batch::load(config)?;
    let q = questionnaire(&batch).map_err(|p| anyhow::anyhow!("{p}"))?;
    let started = Instant::now();
    let waves = batch
        .waves
        .iter()
        .map(|w| read_wave(&batch, w, &q).map(|(data, _)| data))
        .collect::<Result<Vec<_>, _>>()?;
    let load_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut estimates = Vec::new();
    for data in &waves {
        let design = designs(data, &batch.weighting)?.raw;
        let spec = super::StreamSpec {
            wave: data.label.clone(),
            stratum: "unit".into(),
            population: None,
            weight: None,
            groups: vec!["unit".into()],
            items: ITEMS.iter().map(|s| s.to_string()).collect(),
            scale: IndexScale::Points(5),
        };
        for group in groups(data, &spec.groups) {
            for item in ITEMS {
                let mean = hajek_mean_on(&design, &data.scores(item), &group.rows)?;
                let key = (group.var.as_str(), group.value.as_str(), item);
                estimates.push(super::row(&spec, key, "mean", &mean));
            }
        }
    }
    Ok(MemoryRun {
        rows: waves.iter().map(|w| w.rows()).sum(),
        load_seconds,
        estimate_seconds: started.elapsed().as_secs_f64(),
        estimates,
    })
}
