//! Indicator weights from the batch: expert weights enter the composite as stated; entropy
//! weights come from the data and sum to 1 at every node.

use minyi_analysis::run::{self, estimates::EstimateRow};

use super::helpers::{close, final_wave, load, setup, BASELINE};

fn get(rows: &[EstimateRow], indicator: &str, measure: &str) -> f64 {
    rows.iter()
        .find(|r| {
            r.wave == "base" && r.group == "all" && r.indicator == indicator && r.measure == measure
        })
        .unwrap()
        .estimate
}

#[test]
fn expert_weights_enter_the_composite_as_stated() {
    let extra = r#"
[indicators]
method = "expert"
[indicators.expert.index]
service = 0.5
problems = 0.2
overall = 0.3
[indicators.expert.service]
q1 = 0.75
q2 = 0.25
"#;
    let (_dir, path) = setup(BASELINE, &final_wave(), extra);
    let tables = run::run(&load(&path), false).unwrap();
    let e = &tables.estimates;
    let service = 0.75 * get(e, "q1", "index") + 0.25 * get(e, "q2", "index");
    close(get(e, "service", "index"), service, "service");
    let index = 0.5 * service + 0.2 * get(e, "problems", "index") + 0.3 * get(e, "sat", "index");
    close(get(e, "index", "index"), index, "overall index");
    // The equal-weight composite is always beside it.
    let equal = (0.5 * get(e, "q1", "index")
        + 0.5 * get(e, "q2", "index")
        + get(e, "problems", "index")
        + get(e, "sat", "index"))
        / 3.0;
    close(get(e, "index", "index_equal"), equal, "equal-weight index");
}

#[test]
fn entropy_weights_come_from_the_data() {
    let (_dir, path) = setup(
        BASELINE,
        &final_wave(),
        "[indicators]\nmethod = \"entropy\"\n",
    );
    let tables = run::run(&load(&path), false).unwrap();
    for (node, weights) in &tables.node_weights {
        close(weights.iter().sum(), 1.0, node);
    }
    let root = &tables.node_weights["index"];
    assert_eq!(root.len(), 3);
    assert!(
        root.iter().any(|w| (w - 1.0 / 3.0).abs() > 1e-6),
        "data-driven, not equal: {root:?}"
    );
}
