//! Reliability, drivers and ranking (METHODS §7): Cronbach's α and item–total correlations by
//! hand, the weighted correlation against R's `cov.wt`, IPA quadrants, rank ranges.

mod common;

use common::{assert_close, expected, Table};
use minyi_analysis::stats::{
    cronbach_alpha, ipa, rank_ranges, weighted_correlation, AnalysisError, Estimate, Quadrant,
    RankRange,
};

#[test]
fn cronbach_alpha_by_hand() {
    // Rows 0–4 answer all three items; row 5 skipped item 1 and is left out.
    //   item 1: 4 5 3 2 4   mean 3.6, Σ dev² 5.2, s² 1.3
    //   item 2: 3 5 4 2 5   mean 3.8, Σ dev² 6.8, s² 1.7
    //   item 3: 4 4 3 1 5   mean 3.4, Σ dev² 9.2, s² 2.3
    //   total: 11 14 10 5 14 mean 10.8, Σ dev² 54.8, s² 13.7
    // α = 3/2 · (1 − 5.3/13.7) = 12.6/13.7.
    let i1 = [Some(4.0), Some(5.0), Some(3.0), Some(2.0), Some(4.0), None];
    let i2 = [
        Some(3.0),
        Some(5.0),
        Some(4.0),
        Some(2.0),
        Some(5.0),
        Some(3.0),
    ];
    let i3 = [
        Some(4.0),
        Some(4.0),
        Some(3.0),
        Some(1.0),
        Some(5.0),
        Some(2.0),
    ];
    let got = cronbach_alpha(&[&i1, &i2, &i3]).unwrap();
    assert_eq!(got.complete_rows, 5);
    assert_close("alpha", got.alpha, 12.6 / 13.7, 1e-12);
    // Corrected item–total: item 1 with items 2 + 3 = 7 9 7 3 10 (mean 7.2):
    //   Σ dev·dev = 10.4, Σ dev² = 5.2 and 28.8.
    // Item 2 with 8 9 6 3 9 (mean 7): 11.0; 6.8 and 26. Item 3 with 7 10 7 4 9: 12.2; 9.2, 21.2.
    let expected_r = [
        10.4 / (5.2_f64 * 28.8).sqrt(),
        11.0 / (6.8_f64 * 26.0).sqrt(),
        12.2 / (9.2_f64 * 21.2).sqrt(),
    ];
    for (got, want) in got.item_total.iter().zip(expected_r) {
        assert_close("item-total", *got, want, 1e-12);
    }
}

#[test]
fn cronbach_alpha_needs_items_rows_and_variation() {
    let a = [Some(3.0), Some(3.0)];
    assert!(matches!(
        cronbach_alpha(&[&a]),
        Err(AnalysisError::TooFew {
            needed: 2,
            got: 1,
            ..
        })
    ));
    let b = [Some(3.0), None];
    assert!(matches!(
        cronbach_alpha(&[&a, &b]),
        Err(AnalysisError::TooFew { got: 1, .. })
    ));
    assert!(matches!(
        cronbach_alpha(&[&a, &a]),
        Err(AnalysisError::NoVariation { .. })
    ));
}

#[test]
fn weighted_correlation_matches_cov_wt() {
    let r = expected();
    let data = Table::read("apistrat.csv");
    let got = weighted_correlation(
        &data.numbers("api00"),
        &data.numbers("meals"),
        &data.floats("pw"),
    )
    .unwrap();
    assert_close("cor", got, r["wcor_api00_meals"], 1e-12);
}

#[test]
fn weighted_correlation_by_hand() {
    // Weights 1, 1, 2 on (1, 1), (2, 3), (3, 2); the row with a missing y is left out.
    // Weighted means: x̄ = 9/4, ȳ = 2. Σw dx dy = (−5/4)(−1) + (−1/4)(1) + 2(3/4)(0) = 1;
    // Σw dx² = 25/16 + 1/16 + 18/16 = 44/16; Σw dy² = 1 + 1 + 0 = 2.  r = 1/√(5.5).
    let x = [Some(1.0), Some(2.0), Some(3.0), Some(9.0)];
    let y = [Some(1.0), Some(3.0), Some(2.0), None];
    let got = weighted_correlation(&x, &y, &[1.0, 1.0, 2.0, 5.0]).unwrap();
    assert_close("r", got, 1.0 / 5.5_f64.sqrt(), 1e-12);
    assert!(weighted_correlation(&x, &[Some(1.0); 4], &[1.0; 4]).is_err());
}

#[test]
fn ipa_quadrants_split_at_the_means_across_items() {
    // Performance mean 450/6 = 75, importance mean 2.4/6 = 0.4.
    let performance = [70.0, 80.0, 60.0, 90.0, 78.0, 72.0];
    let importance = [0.5, 0.3, 0.6, 0.2, 0.55, 0.25];
    let got = ipa(&performance, &importance).unwrap();
    assert_close("x line", got.performance_line, 75.0, 1e-12);
    assert_close("y line", got.importance_line, 0.4, 1e-12);
    use Quadrant::*;
    assert_eq!(
        got.quadrants,
        [
            ConcentrateHere,
            PossibleOverkill,
            ConcentrateHere,
            PossibleOverkill,
            KeepUpTheGoodWork,
            LowPriority
        ]
    );
}

#[test]
fn rank_ranges_do_not_separate_units_that_are_not_significantly_different() {
    // A 80, B 78, C 70 (SE 1 each), D 69 (SE 1.5). A pair with SEs 1 and 1 differs
    // significantly beyond 1.96·√2 = 2.77; C and D beyond 1.96·√3.25 = 3.53.
    // A–B (2) and C–D (1) are not apart; everything else is.
    let units = [
        Estimate::normal(80.0, 1.0, 100, 100.0),
        Estimate::normal(78.0, 1.0, 100, 100.0),
        Estimate::normal(70.0, 1.0, 100, 100.0),
        Estimate::normal(69.0, 1.5, 100, 100.0),
    ];
    let range = |best, worst| RankRange { best, worst };
    assert_eq!(
        rank_ranges(&units),
        [range(1, 2), range(1, 2), range(3, 4), range(3, 4)]
    );
    // Three units within noise of each other share the whole range.
    let close = [units[0], units[1], Estimate::normal(79.0, 1.0, 100, 100.0)];
    assert_eq!(rank_ranges(&close), [range(1, 3); 3]);
}
