//! The demo batch runs on freshly generated waves and finds the known improvement.

use minyi_analysis::config::Batch;
use minyi_analysis::demo::{write_demo_data, TRUE_SHIFT};
use minyi_analysis::run;

#[test]
fn the_demo_batch_finds_the_known_improvement() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    write_demo_data(&data).unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../batches/demo.toml");
    let mut batch: Batch = toml::from_str(&std::fs::read_to_string(shipped).unwrap()).unwrap();
    batch.resolve(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../batches"
    )));
    for wave in &mut batch.waves {
        wave.input.path = data.join(wave.input.path.file_name().unwrap());
    }
    let tables = run::run(&batch, false).unwrap();
    let verdict = tables.verdict.unwrap();
    // The Likert items move by TRUE_SHIFT on 1–5 (25 index points per scale point); problem
    // incidence falls too, so the composite's change is near, not exactly, 25 × shift.
    let delta = verdict.change.estimate;
    assert!((delta - 25.0 * TRUE_SHIFT).abs() < 4.0, "Δ = {delta}");
    // The rule asks for at least 3 points, significantly: the demo's interval straddles 3.
    assert!(
        verdict.change.ci_low < 3.0 && verdict.change.ci_high > 3.0,
        "{:?}",
        verdict.change
    );
    assert_eq!(verdict.verdict, "inconclusive");
    let burst = tables
        .quality
        .iter()
        .find(|q| q.wave == "2025" && q.unit == "brigade")
        .unwrap();
    assert!(burst.duplicates >= 14, "the stuffed burst: {burst:?}");
    assert!(tables.quality.iter().any(|q| q.speeders > 0));
}
