//! The report render benchmark (issue 6): the full report — charts, HTML and PDF — of the
//! demo batch, timed over several runs, next to a baseline measured in the same run (reading
//! the batch's tables, the least any report must do), so that noisy machines compare by ratio.
//!
//! `cargo bench -p minyi-reports --bench render` (release). Target: the full render < 5 s.

use std::path::Path;
use std::time::{Duration, Instant};

use minyi_reports::{render, Batch, Options};

const RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let mut load = Vec::new();
    let mut full = Vec::new();
    let mut steps: Vec<Vec<(&'static str, Duration)>> = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let batch = Batch::load(dir.path()).unwrap();
        load.push(start.elapsed());
        assert!(!batch.estimates.is_empty());
        let start = Instant::now();
        let out = render(dir.path(), &Options::default()).unwrap();
        full.push(start.elapsed());
        steps.push(out.timings);
    }
    let load = median(load);
    let full = median(full);
    println!("report render, demo batch, median of {RUNS} runs");
    println!("  baseline (read the tables): {:>8.1} ms", ms(load));
    println!(
        "  full report (HTML + PDF):   {:>8.1} ms  = {:.1}× the baseline, {:.2}× the 5 s target",
        ms(full),
        full.as_secs_f64() / load.as_secs_f64(),
        full.as_secs_f64() / 5.0
    );
    for (i, (name, _)) in steps[0].iter().enumerate() {
        let step = median(steps.iter().map(|s| s[i].1).collect());
        println!("    {name:<8} {:>8.1} ms", ms(step));
    }
    let pdf = std::fs::metadata(dir.path().join("report.pdf"))
        .unwrap()
        .len();
    let html = std::fs::metadata(dir.path().join("report.html"))
        .unwrap()
        .len();
    println!(
        "  report.html {} KB, report.pdf {} KB",
        html / 1024,
        pdf / 1024
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
