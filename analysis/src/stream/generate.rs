//! Benchmark waves of any size (`bench/analysis_vs_r.sh`): the demo's 12 units as strata with
//! unequal samples (∝ √N_h) and sampling fractions, 20 rated Likert items of
//! `bench/questionnaire.toml` with "na" (不了解) and skipped answers, and the columns the
//! batch's screens read. Written chunk by chunk — CSV rows and one Parquet row group per
//! chunk — so 10M rows never sit in memory. Deterministic by seed and size.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::demo::{TRUE_SHIFT, TYPES, UNITS};

/// The questionnaire the benchmark waves answer (written beside them).
pub const QUESTIONNAIRE: &str = include_str!("../../../bench/questionnaire.toml");

/// The 20 rated items, in questionnaire order.
pub const ITEMS: [&str; 20] = [
    "conduct_duty",
    "conduct_consistent",
    "conduct_procedure",
    "conduct_documents",
    "fair_equal",
    "fair_outcome",
    "fair_discretion",
    "fair_leniency",
    "open_certificate",
    "open_rights",
    "open_recorded",
    "open_lawful",
    "service_manner",
    "service_listen",
    "service_speed",
    "service_guidance",
    "trust_law",
    "trust_result",
    "trust_complaint",
    "overall_sat",
];

/// The columns before the items; `population` is each row's `N_h` (R's `fpc`).
pub const COLUMNS: [&str; 7] = [
    "response_id",
    "submitted_at",
    "unit",
    "respondent_type",
    "duration_seconds",
    "site",
    "population",
];

/// Rows generated (and written as one Parquet row group) at a time.
pub const CHUNK: usize = 100_000;

const SCORES: [&str; 5] = ["1", "2", "3", "4", "5"];
const SITES: [&str; 3] = ["hall", "scenic", "case"];

/// One unit of a benchmark wave: its sample `n_h`, population `N_h` and true mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    pub unit: &'static str,
    pub sampled: usize,
    pub population: u64,
    pub mean: f64,
}

/// The strata of a wave of `rows` responses: `n_h ∝ √N_h` (largest remainders, at least 2
/// each), and `N_h` the demo's population scaled so the smallest unit is sampled at one half
/// (larger units at smaller fractions). The same for both waves of a size.
pub fn allocation(rows: usize) -> Vec<Stratum> {
    let roots: Vec<f64> = UNITS.iter().map(|u| u.1.sqrt()).collect();
    let total: f64 = roots.iter().sum();
    let spare = rows.saturating_sub(2 * UNITS.len()) as f64;
    let exact: Vec<f64> = roots.iter().map(|r| spare * r / total).collect();
    let mut sampled: Vec<usize> = exact.iter().map(|x| 2 + x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..UNITS.len()).collect();
    order.sort_by(|&a, &b| (exact[b].fract()).total_cmp(&exact[a].fract()));
    let short = rows.saturating_sub(sampled.iter().sum());
    for &h in order.iter().cycle().take(short) {
        sampled[h] += 1;
    }
    let scale = (0..UNITS.len())
        .map(|h| 2.0 * sampled[h] as f64 / UNITS[h].1)
        .fold(0.0, f64::max);
    (0..UNITS.len())
        .map(|h| Stratum {
            unit: UNITS[h].0,
            sampled: sampled[h],
            population: ((UNITS[h].1 * scale).ceil() as u64).max(sampled[h] as u64),
            mean: UNITS[h].2,
        })
        .collect()
}

/// Box–Muller: one standard normal draw.
fn normal(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn pick(rng: &mut StdRng) -> &'static str {
    let mut x = rng.gen::<f64>();
    for (name, share) in TYPES {
        x -= share;
        if x <= 0.0 {
            return name;
        }
    }
    TYPES[TYPES.len() - 1].0
}

/// One chunk of rows as a frame of the file's columns.
fn chunk(rng: &mut StdRng, strata: &[Stratum], first: usize, len: usize, shift: f64) -> DataFrame {
    let mut bounds = Vec::with_capacity(strata.len());
    let mut end = 0;
    for s in strata {
        end += s.sampled;
        bounds.push(end);
    }
    let mut ids = Vec::with_capacity(len);
    let mut times = Vec::with_capacity(len);
    let (mut units, mut types, mut sites) = (Vec::new(), Vec::new(), Vec::new());
    let (mut durations, mut populations) = (Vec::with_capacity(len), Vec::with_capacity(len));
    let mut items: Vec<Vec<Option<&str>>> = vec![Vec::with_capacity(len); ITEMS.len()];
    let start = if shift > 0.0 {
        1_760_000_000
    } else {
        1_728_000_000
    };
    for row in first..first + len {
        let s = &strata[bounds.partition_point(|&b| b <= row)];
        let kind = pick(rng);
        let person = s.mean + shift + 0.6 * normal(rng) - if kind == "party" { 0.3 } else { 0.0 };
        ids.push(row as i64 + 1);
        let t = start + rng.gen_range(0..5_000_000);
        times.push(chrono::DateTime::from_timestamp(t, 0).map(|t| t.to_rfc3339()));
        units.push(s.unit);
        types.push(kind);
        sites.push(SITES[rng.gen_range(0..SITES.len())]);
        durations.push(if rng.gen::<f64>() < 0.03 {
            rng.gen_range(20.0..50.0)
        } else {
            (240.0 * (0.35 * normal(rng)).exp() * 10.0_f64).round() / 10.0
        });
        populations.push(s.population as i64);
        for (j, answers) in items.iter_mut().enumerate() {
            let u: f64 = rng.gen();
            answers.push(if u < 0.08 {
                Some("na")
            } else if u < 0.09 {
                None
            } else {
                let offset = 0.3 * ((j % 5) as f64 - 2.0) / 2.0;
                let v = (person + offset + 0.5 * normal(rng))
                    .round()
                    .clamp(1.0, 5.0);
                Some(SCORES[v as usize - 1])
            });
        }
    }
    let mut columns = vec![
        Column::new(COLUMNS[0].into(), ids),
        Column::new(COLUMNS[1].into(), times),
        Column::new(COLUMNS[2].into(), units),
        Column::new(COLUMNS[3].into(), types),
        Column::new(COLUMNS[4].into(), durations),
        Column::new(COLUMNS[5].into(), sites),
        Column::new(COLUMNS[6].into(), populations),
    ];
    columns.extend(
        ITEMS
            .iter()
            .zip(items)
            .map(|(name, v)| Column::new((*name).into(), v)),
    );
    DataFrame::new(len, columns).expect("the generated columns have one length")
}

/// Where a wave goes: a CSV file, a Parquet file, or both.
#[derive(Debug, Clone, Default)]
pub struct Targets<'a> {
    pub csv: Option<&'a Path>,
    pub parquet: Option<&'a Path>,
}

/// Writes one wave of `rows` responses (`final_wave`: the demo's true improvement added).
pub fn write_wave(targets: &Targets, rows: usize, seed: u64, final_wave: bool) -> PolarsResult<()> {
    let strata = allocation(rows);
    let mut rng = StdRng::seed_from_u64(seed);
    let shift = if final_wave { TRUE_SHIFT } else { 0.0 };
    let mut csv = targets
        .csv
        .map(|p| File::create(p).map(BufWriter::new))
        .transpose()?;
    let mut parquet = None;
    let mut first = 0;
    while first < rows {
        let len = CHUNK.min(rows - first);
        let mut df = chunk(&mut rng, &strata, first, len, shift);
        if let Some(out) = csv.as_mut() {
            CsvWriter::new(out)
                .include_header(first == 0)
                .finish(&mut df)?;
        }
        if let Some(path) = targets.parquet {
            if parquet.is_none() {
                parquet = Some(ParquetWriter::new(File::create(path)?).batched(df.schema())?);
            }
            if let Some(writer) = parquet.as_mut() {
                writer.write_batch(&df)?;
            }
        }
        first += len;
    }
    if let Some(writer) = parquet {
        writer.finish()?;
    }
    Ok(())
}
