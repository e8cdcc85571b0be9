//! `analysis check` lists every problem of a batch file, each naming its key.

use minyi_analysis::check::check;

use super::helpers::{final_wave, load, setup, BASELINE};

#[test]
fn a_good_batch_has_no_problems() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    assert_eq!(check(&load(&path)), vec![]);
}

#[test]
fn several_problems_are_listed_with_their_keys() {
    let extra = r#"
[weighting]
calibration = "rake"
trim = 0.5

[indicators]
method = "ahp"
negative = ["nothing"]
[indicators.ahp.index]
children = ["service", "problems", "overall"]
matrix = [[1, 9, 0.2], [0.1111111111111111, 1, 9], [5, 0.1111111111111111, 1]]
"#;
    let (_dir, path) = setup(BASELINE, &final_wave(), extra);
    // The [weighting] table above would clash with the populations table; rename it.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[weighting.populations]\nA = 100\nB = 50\n", "");
    let text = text
        .replace("min_improvement = 1.0\n", "")
        .replace("path = \"final.csv\"", "path = \"missing.csv\"");
    std::fs::write(&path, text).unwrap();
    let problems = check(&load(&path));
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    for expected in [
        "waves[1].input.path",
        "weighting.margins",
        "weighting.trim",
        "indicators.negative[0]",
        "indicators.ahp.index.matrix",
        "goal",
    ] {
        assert!(
            keys.contains(&expected),
            "{expected} missing from {problems:#?}"
        );
    }
}
