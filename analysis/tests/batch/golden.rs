//! Golden files: the small batch's tables as written, compared field by field (numbers to
//! 1e-12 relative). `MINYI_UPDATE_GOLDEN=1 cargo test -p minyi-analysis --test batch golden`
//! rewrites them after a deliberate change; review the diff before committing it.

use std::path::PathBuf;

use minyi_analysis::{output, run};

use super::helpers::{final_wave, load, setup, BASELINE};

const TABLES: [&str; 6] = [
    "estimates",
    "comparisons",
    "reliability",
    "ranking",
    "sample",
    "quality",
];

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/batch/golden/{name}.csv"))
}

fn same(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        _ => a == b,
    }
}

#[test]
fn the_small_batch_tables_match_their_golden_files() {
    let (dir, path) = setup(BASELINE, &final_wave(), "");
    let batch = load(&path);
    let out = dir.path().join("out");
    output::write(&out, &batch, &run::run(&batch, false).unwrap()).unwrap();
    for name in TABLES {
        let written = std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
        if std::env::var_os("MINYI_UPDATE_GOLDEN").is_some() {
            std::fs::write(golden(name), &written).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(golden(name)).unwrap();
        let (w, e): (Vec<&str>, Vec<&str>) =
            (written.lines().collect(), expected.lines().collect());
        assert_eq!(w.len(), e.len(), "{name}.csv: row count");
        for (i, (wl, el)) in w.iter().zip(&e).enumerate() {
            let fields_match = wl.split(',').count() == el.split(',').count()
                && wl.split(',').zip(el.split(',')).all(|(a, b)| same(a, b));
            assert!(
                fields_match,
                "{name}.csv line {}:\n  got      {wl}\n  expected {el}",
                i + 1
            );
        }
    }
}
