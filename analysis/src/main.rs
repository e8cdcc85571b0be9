//! `analysis`: run a batch, check a batch file, make demo data.

use minyi_analysis::input::VerificationStatus;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use minyi_analysis::config::Batch;
use minyi_analysis::{check, demo, output, run};

#[derive(Parser)]
#[command(
    name = "analysis",
    about = "minyi's analysis: the indicators of the 2025 goal assessment"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a batch and write every table into DIR, then the report (DIR/report.html,
    /// DIR/report.pdf, DIR/charts/).
    Run {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Item estimates on polars' streaming engine (a wave larger than memory), and the
    /// benchmark's data and timings (bench/analysis_vs_r.sh).
    #[command(subcommand)]
    Stream(minyi_analysis::stream::cli::StreamCommand),
    /// Render the report again from the tables already in DIR (no statistic is recomputed).
    Report {
        dir: PathBuf,
        /// The report's language: zh or en (default: the batch's [report] language, else zh).
        #[arg(long)]
        lang: Option<String>,
        /// Write the HTML and the charts only.
        #[arg(long)]
        no_pdf: bool,
    },
    /// Check a batch file without running it, naming every problem.
    Check { config: PathBuf },
    /// Write two synthetic waves (CSV) into DIR.
    DemoData {
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate the demo waves and batch into DIR/batch and run it, writing the tables to DIR.
    Demo {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Write the tables only, no report.
    #[arg(long)]
    no_report: bool,
    /// The report's language: zh or en (default: the batch's [report] language, else zh).
    #[arg(long)]
    lang: Option<String>,
}

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Run {
            config,
            out,
            report,
        } => run_batch(&config, &out, &report),
        Command::Demo { out, report } => {
            let config =
                demo::write_demo_batch(&out.join("batch")).context("writing the demo batch")?;
            println!("synthetic demo batch: {}", config.display());
            run_batch(&config, &out, &report)
        }
        Command::Stream(command) => minyi_analysis::stream::cli::run(command),
        Command::Report { dir, lang, no_pdf } => {
            render_report(&dir, lang.as_deref(), no_pdf)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { config } => {
            let batch = Batch::load(&config)?;
            let problems = check::check(&batch);
            if problems.is_empty() {
                println!("{}: no problems", config.display());
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("{}: {} problem(s)", config.display(), problems.len());
            for p in problems {
                eprintln!("  - {p}");
            }
            Ok(ExitCode::FAILURE)
        }
        Command::DemoData { out } => {
            let (base, fin) = demo::write_demo_data(&out).context("writing the demo waves")?;
            println!("{}\n{}", base.display(), fin.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_batch(
    config: &std::path::Path,
    out: &std::path::Path,
    report: &ReportArgs,
) -> anyhow::Result<ExitCode> {
    if let Some(lang) = &report.lang {
        minyi_reports::Lang::parse(lang).map_err(|e| anyhow::anyhow!("--lang: {e}"))?;
    }
    let batch = Batch::load(config)?;
    let tables = run::run(&batch, true)?;
    output::write(out, &batch, &tables)?;
    if let Some(v) = &tables.verdict {
        println!("{}", v.sentence_zh);
        println!("{}", v.sentence_en);
    }
    for input in &tables.inputs {
        let status = match input.verification.status {
            VerificationStatus::Verified => "bundle verified against the integrity log",
            VerificationStatus::Failed => "BUNDLE FAILED VERIFICATION — used only by override",
            VerificationStatus::Unverifiable => "BUNDLE NOT VERIFIABLE — used only by override",
            VerificationStatus::NotApplicable => "plain table (nothing to verify against)",
        };
        println!("input {} ({} rows): {status}", input.path, input.rows);
        if let Some(head) = &input.verification.head {
            println!(
                "  signed head of {}: size {}, root {}, signed at {}",
                head.campaign,
                head.tree_size,
                head.root,
                head.signed_at.as_deref().unwrap_or("(no calendar time)")
            );
        }
    }
    println!("tables written to {}", out.display());
    if !report.no_report {
        render_report(out, report.lang.as_deref(), false)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders the report of the tables in `dir` and says where it is.
fn render_report(dir: &std::path::Path, lang: Option<&str>, no_pdf: bool) -> anyhow::Result<()> {
    let lang = lang
        .map(minyi_reports::Lang::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--lang: {e}"))?;
    let options = minyi_reports::Options {
        lang,
        skip_pdf: no_pdf,
    };
    let rendered = minyi_reports::render(dir, &options)
        .with_context(|| format!("rendering the report of {}", dir.display()))?;
    println!("charts: {}", dir.join("charts").display());
    if let Some(pdf) = &rendered.pdf {
        println!("report (PDF): {}", pdf.display());
    }
    println!("report: {}", rendered.html.display());
    Ok(())
}
