//! Weight trimming (METHODS §4): cap at a multiple of the median, redistribute, re-rake.

mod common;

use common::{api_design, assert_close, assert_relative, Table};
use minyi_analysis::stats::{trim_weights, AnalysisError, Design, Margin};

#[test]
fn without_margins_the_excess_is_spread_and_the_total_kept() {
    // Nine weights of 1 and one of 11: median 1, cap 3 × 1 = 3. The 11 is capped; its excess 8
    // goes to the nine others in proportion (equally): each becomes 1 + 8/9 = 17/9 < 3.
    let mut weights = vec![1.0; 9];
    weights.push(11.0);
    let design = Design::new(vec![0; 10], weights, vec![None]).unwrap();
    let got = trim_weights(&design, &[], 3.0).unwrap();
    assert_eq!((got.cap, got.trimmed), (3.0, 1));
    for &w in &got.design.weights()[..9] {
        assert_close("spread", w, 17.0 / 9.0, 1e-12);
    }
    assert_eq!(got.design.weights()[9], 3.0);
    assert_close("total", got.design.weights().iter().sum(), 20.0, 1e-12);
}

#[test]
fn nothing_above_the_cap_changes_nothing() {
    let design = Design::new(vec![0; 4], vec![1.0, 2.0, 3.0, 4.0], vec![None]).unwrap();
    let got = trim_weights(&design, &[], 2.0).unwrap();
    assert_eq!(got.trimmed, 0);
    assert_eq!(got.cap, 5.0); // 2 × median 2.5
    assert_eq!(got.design, design);
}

#[test]
fn with_margins_the_trimmed_weights_are_re_raked() {
    // The api strata's weights are 44.2 (E), 15.1 (H), 20.4 (M). Raked to sch.wide and
    // comp.imp, the largest is 2.5 × the median; capped at 2 × the median and re-raked (about
    // a dozen rounds) the weights stay under the cap and the margins still hold.
    let data = Table::read("apistrat.csv");
    let levels = |name| data.levels(name, &["No", "Yes"]);
    let margins = [
        Margin::new("sch.wide", levels("sch.wide"), vec![1072.0, 5122.0]).unwrap(),
        Margin::new("comp.imp", levels("comp.imp"), vec![1712.0, 4482.0]).unwrap(),
    ];
    let got = trim_weights(&api_design(&data, true), &margins, 2.0).unwrap();
    assert!(got.trimmed > 0);
    let weights = got.design.weights();
    assert!(weights.iter().all(|&w| w <= got.cap * (1.0 + 1e-9)));
    for (name, totals) in [
        ("sch.wide", [1072.0, 5122.0]),
        ("comp.imp", [1712.0, 4482.0]),
    ] {
        let rows = levels(name);
        for (level, total) in totals.into_iter().enumerate() {
            let sum: f64 = rows
                .iter()
                .zip(weights)
                .filter(|(&l, _)| l == level)
                .map(|(_, w)| w)
                .sum();
            assert_relative(name, sum, total, 1e-8);
        }
    }
}

#[test]
fn a_cap_the_margins_cannot_live_with_fails() {
    // At 1.2 × the median, re-raking keeps pushing the capped weights back up to 1.21 × it.
    let data = Table::read("apistrat.csv");
    let levels = |name| data.levels(name, &["No", "Yes"]);
    let margins = [
        Margin::new("sch.wide", levels("sch.wide"), vec![1072.0, 5122.0]).unwrap(),
        Margin::new("comp.imp", levels("comp.imp"), vec![1712.0, 4482.0]).unwrap(),
    ];
    assert_eq!(
        trim_weights(&api_design(&data, true), &margins, 1.2),
        Err(AnalysisError::TrimNotConverged {
            multiple: 1.2,
            rounds: 100
        })
    );
}

#[test]
fn a_cap_that_cannot_hold_the_total_fails() {
    // Four weights 1 and one 10 capped at 2 × 1: the total 14 cannot fit under 5 × 2.
    let design = Design::new(vec![0; 5], vec![1.0, 1.0, 1.0, 1.0, 10.0], vec![None]).unwrap();
    assert!(matches!(
        trim_weights(&design, &[], 2.0),
        Err(AnalysisError::TrimNotConverged { .. })
    ));
    assert!(matches!(
        trim_weights(&design, &[], 0.5),
        Err(AnalysisError::OutOfRange { .. })
    ));
}
