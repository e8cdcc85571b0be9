//! `analysis stream …`: estimates on polars' streaming engine, and the benchmark's data and
//! in-memory timing (`bench/analysis_vs_r.sh` runs them).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;

use super::bench::{memory_estimates, write_bench_dir};
use polars::prelude::Engine;

use super::query::scan;
use super::{estimate_on, write_estimates, Population, StreamSpec};
use crate::stats::IndexScale;

#[derive(Debug, Subcommand)]
pub enum StreamCommand {
    /// Stream a Parquet (or CSV) wave: each item's mean and 0–100 index with its linearized SE,
    /// overall and per group value, into DIR/estimates.csv, in bounded memory.
    Estimate {
        /// The wave: a .parquet or .csv file.
        #[arg(long, alias = "parquet")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The rated items (comma-separated column names).
        #[arg(long, value_delimiter = ',', required = true)]
        items: Vec<String>,
        #[arg(long, default_value = "unit")]
        stratum: String,
        /// A grouping variable (repeatable); each value is a domain besides the whole sample.
        #[arg(long)]
        group: Vec<String>,
        /// A column holding each row's stratum size N_h (weights N_h/n_h, with the fpc).
        #[arg(long)]
        population_column: Option<String>,
        /// A column of design weights (instead of N_h/n_h).
        #[arg(long)]
        weight: Option<String>,
        /// The scale's points K (items scored 1…K).
        #[arg(long, default_value_t = 5)]
        points: u32,
        /// The output's `wave` column.
        #[arg(long, default_value = "wave")]
        wave: String,
        /// Run the same query on polars' in-memory engine instead (to measure what
        /// streaming saves).
        #[arg(long)]
        in_memory: bool,
    },
    /// Generate benchmark waves (CSV and Parquet), their questionnaire and a batch into DIR.
    BenchData {
        /// Responses per wave.
        #[arg(long)]
        rows: usize,
        #[arg(long)]
        out: PathBuf,
        /// Parquet only (no CSV).
        #[arg(long)]
        no_csv: bool,
        /// Only the final wave.
        #[arg(long)]
        one_wave: bool,
    },
    /// Time what R's benchmark computes (svymean and svyby by unit of each item, every wave)
    /// in memory with the batch's reader and the stats core; the load timed apart.
    Memory {
        #[arg(long)]
        config: PathBuf,
        /// Also write the estimates into DIR/estimates.csv.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs one `analysis stream` subcommand.
pub fn run(command: StreamCommand) -> anyhow::Result<ExitCode> {
    match command {
        StreamCommand::Estimate {
            input,
            out,
            items,
            stratum,
            group,
            population_column,
            weight,
            points,
            wave,
            in_memory,
        } => {
            let spec = StreamSpec {
                wave,
                stratum,
                population: population_column.map(Population::Column),
                weight,
                groups: group,
                items,
                scale: IndexScale::points(points)?,
            };
            let started = Instant::now();
            let engine = if in_memory {
                Engine::InMemory
            } else {
                Engine::Streaming
            };
            let streamed = estimate_on(scan(&input)?, &spec, engine)
                .with_context(|| format!("estimating {}", input.display()))?;
            let seconds = started.elapsed().as_secs_f64();
            let path = write_estimates(&out, &streamed.estimates)?;
            println!(
                "{engine} engine: {} rows in {} strata, {} estimates in {seconds:.2} s -> {}",
                streamed.rows,
                streamed.strata,
                streamed.estimates.len(),
                path.display()
            );
        }
        StreamCommand::BenchData {
            rows,
            out,
            no_csv,
            one_wave,
        } => {
            let started = Instant::now();
            write_bench_dir(&out, rows, !no_csv, one_wave)?;
            println!(
                "{rows} rows per wave in {} ({:.1} s)",
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        StreamCommand::Memory { config, out } => {
            let run = memory_estimates(&config)?;
            println!(
                "rows {} load_seconds {:.3} estimate_seconds {:.3} estimates {}",
                run.rows,
                run.load_seconds,
                run.estimate_seconds,
                run.estimates.len()
            );
            if let Some(out) = out {
                write_estimates(&out, &run.estimates)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
