//! The indicator system (METHODS §5): composites with their SE, AHP (Saaty's published house
//! example), entropy and equal weights.

mod common;

use common::{api_design, assert_close, assert_relative, expected, Table, POINT, SE_RELATIVE};
use minyi_analysis::stats::{
    ahp, ahp_analysis, composite, composite_index, entropy_weights, equal_weights, hajek_mean,
    AnalysisError, Design, IndexScale,
};

// ── composites ──

#[test]
fn composite_matches_svycontrast() {
    // R: svycontrast(svymean(~api00 + api99, dstrat), c(api00 = 0.6, api99 = 0.4)).
    let r = expected();
    let data = Table::read("apistrat.csv");
    let design = api_design(&data, true);
    let (a, b) = (data.numbers("api00"), data.numbers("api99"));
    let got = composite(&design, &[&a, &b], &[0.6, 0.4], None).unwrap();
    assert_close("composite", got.estimate, r["composite"], POINT);
    assert_relative("SE", got.se, r["composite_se"], SE_RELATIVE);
}

/// One stratum, four rows of weight 1; item a answered by rows 0–2, item b by rows 1–3.
fn two_items() -> (Design, [Option<f64>; 4], [Option<f64>; 4]) {
    let design = Design::new(vec![0; 4], vec![1.0; 4], vec![None]).unwrap();
    let a = [Some(1.0), Some(2.0), Some(3.0), None];
    let b = [None, Some(5.0), Some(3.0), Some(4.0)];
    (design, a, b)
}

#[test]
fn composite_of_items_answered_by_different_rows_by_hand() {
    // ȳ_a = 2, ȳ_b = 4; ½ȳ_a + ½ȳ_b = 3.
    // z_a = (1 − 2)/3, 0, 1/3, 0 → (−1/3, 0, 1/3, 0); z_b = (0, 1/3, −1/3, 0).
    // z = ½z_a + ½z_b = (−1/6, 1/6, 0, 0); z̄ = 0; V = 4/3 · (1/36 + 1/36) = 2/27.
    let (design, a, b) = two_items();
    let got = composite(&design, &[&a, &b], &[0.5, 0.5], None).unwrap();
    assert_close("composite", got.estimate, 3.0, POINT);
    assert_relative("SE", got.se, (2.0_f64 / 27.0).sqrt(), SE_RELATIVE);
    assert_eq!(got.n, 4);
    // With one coefficient 0 it is the other item's mean and SE.
    let alone = composite(&design, &[&a, &b], &[1.0, 0.0], None).unwrap();
    let mean = hajek_mean(&design, &a, None).unwrap();
    assert_close("alone", alone.estimate, mean.estimate, POINT);
    assert_relative("alone SE", alone.se, mean.se, SE_RELATIVE);
}

#[test]
fn composite_index_maps_each_item_on_its_own_scale() {
    // a on a 5-point scale: index (2 − 1) × 25 = 25; b on 0–10: 4 × 10 = 40.
    // 0.5 · 25 + 0.5 · 40 = 32.5. z = 0.5 · 25 · z_a + 0.5 · 10 · z_b
    //   = (−12.5/3, 5/3, 12.5/3 − 5/3, 0) = (−25/6, 10/6, 15/6, 0); mean 0;
    // V = 4/3 · (625 + 100 + 225)/36 = 950/27.
    let (design, a, b) = two_items();
    let scales = [IndexScale::points(5).unwrap(), IndexScale::ZeroToTen];
    let got = composite_index(&design, &[&a, &b], &scales, &[0.5, 0.5], None).unwrap();
    assert_close("index", got.estimate, 32.5, POINT);
    assert_relative("SE", got.se, (950.0_f64 / 27.0).sqrt(), SE_RELATIVE);
    assert_close("CI centre", (got.lower + got.upper) / 2.0, 32.5, POINT);
}

// ── AHP ──

/// Saaty (1990), "How to make a decision: the AHP", EJOR 48: the eight criteria of buying a
/// house (size, transportation, neighbourhood, age, yard, modern facilities, condition,
/// financing). Published: λ_max = 9.669, CI = 0.238, CR = 0.169 — too inconsistent.
fn house() -> Vec<Vec<f64>> {
    let t = |x: f64| 1.0 / x;
    vec![
        vec![1.0, 5.0, 3.0, 7.0, 6.0, 6.0, t(3.0), t(4.0)],
        vec![t(5.0), 1.0, t(3.0), 5.0, 3.0, 3.0, t(5.0), t(7.0)],
        vec![t(3.0), 3.0, 1.0, 6.0, 3.0, 4.0, 6.0, t(5.0)],
        vec![t(7.0), t(5.0), t(6.0), 1.0, t(3.0), t(4.0), t(7.0), t(8.0)],
        vec![t(6.0), t(3.0), t(3.0), 3.0, 1.0, t(2.0), t(5.0), t(6.0)],
        vec![t(6.0), t(3.0), t(4.0), 4.0, 2.0, 1.0, t(5.0), t(6.0)],
        vec![3.0, 5.0, t(6.0), 7.0, 5.0, 5.0, 1.0, t(2.0)],
        vec![4.0, 7.0, 5.0, 8.0, 6.0, 6.0, 2.0, 1.0],
    ]
}

#[test]
fn saaty_house_criteria_are_refused_with_their_published_cr() {
    let r = expected();
    let got = ahp_analysis("house", &house()).unwrap();
    assert_close("λ_max (Saaty: 9.669)", got.lambda_max, 9.669, 5e-4);
    assert_close("CI (Saaty: .238)", got.consistency_index, 0.238, 5e-4);
    assert_close("CR (Saaty: .169)", got.consistency_ratio, 0.169, 5e-4);
    assert_eq!(got.random_index, 1.41);
    // The eigenvector and λ_max against R's eigen().
    assert_close(
        "λ_max vs eigen()",
        got.lambda_max,
        r["ahp_house_lambda"],
        1e-12,
    );
    for (i, w) in got.weights.iter().enumerate() {
        let key = format!("ahp_house_w{}", i + 1);
        assert_close(&key, *w, r[&key], 1e-12);
    }
    match ahp("overall", &house()) {
        Err(AnalysisError::Inconsistent { node, cr }) => {
            assert_eq!(node, "overall");
            assert_close("CR", cr, 0.169, 5e-4);
        }
        other => panic!("expected Inconsistent, got {other:?}"),
    }
}

#[test]
fn saaty_yard_and_financing_are_consistent() {
    // Same paper, houses A, B, C compared on yard space: λ_max = 3.086, CI = .043, CR = .074;
    // on financing: λ_max = 3.065, CI = .032, CR = .056.
    let r = expected();
    let yard = vec![
        vec![1.0, 5.0, 4.0],
        vec![0.2, 1.0, 1.0 / 3.0],
        vec![0.25, 3.0, 1.0],
    ];
    let financing = vec![
        vec![1.0, 1.0 / 7.0, 0.2],
        vec![7.0, 1.0, 3.0],
        vec![5.0, 1.0 / 3.0, 1.0],
    ];
    for (name, matrix, lambda, ci, cr) in [
        ("yard", yard, 3.086, 0.043, 0.074),
        ("financing", financing, 3.065, 0.032, 0.056),
    ] {
        let got = ahp(name, &matrix).unwrap();
        assert_close("λ_max", got.lambda_max, lambda, 5e-4);
        assert_close("CI", got.consistency_index, ci, 5e-4);
        assert_close("CR", got.consistency_ratio, cr, 5e-4);
        assert_close(
            "λ_max vs eigen()",
            got.lambda_max,
            r[&format!("ahp_{name}_lambda")],
            1e-12,
        );
        for (i, w) in got.weights.iter().enumerate() {
            let key = format!("ahp_{name}_w{}", i + 1);
            assert_close(&key, *w, r[&key], 1e-12);
        }
    }
}

#[test]
fn a_consistent_matrix_has_exact_weights_and_cr_zero() {
    // a_ij = v_i / v_j for v = (4, 2, 1, 1): weights v/Σv, λ_max = n.
    let v = [4.0, 2.0, 1.0, 1.0];
    let matrix: Vec<Vec<f64>> = v
        .iter()
        .map(|a| v.iter().map(|b| a / b).collect())
        .collect();
    let got = ahp("service", &matrix).unwrap();
    for (w, vi) in got.weights.iter().zip(v) {
        assert_close("weight", *w, vi / 8.0, 1e-12);
    }
    assert_close("λ_max", got.lambda_max, 4.0, 1e-12);
    assert!(got.consistency_ratio.abs() < 1e-12);
    // Two children: any reciprocal pair is consistent.
    let pair = ahp("pair", &[vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]]).unwrap();
    assert_close("3:1", pair.weights[0], 0.75, 1e-12);
    assert_eq!(pair.consistency_ratio, 0.0);
}

#[test]
fn malformed_comparison_matrices_name_the_node() {
    let bad = [
        vec![vec![1.0, 3.0], vec![0.33, 1.0]],
        vec![vec![1.0, 3.0], vec![1.0 / 3.0]],
        vec![vec![2.0, 1.0], vec![1.0, 1.0]],
        vec![vec![1.0, -1.0], vec![-1.0, 1.0]],
    ];
    for matrix in bad {
        match ahp("convenience", &matrix) {
            Err(AnalysisError::InvalidComparisons { node, .. }) => assert_eq!(node, "convenience"),
            other => panic!("expected InvalidComparisons, got {other:?}"),
        }
    }
}

// ── entropy and equal weights ──

#[test]
fn entropy_weights_by_hand() {
    // Four units. x1 = (1, 1, 1, 1) does not vary: e = 1, d = 0.
    // x2 = (1, 1, 1, 5): p = (1, 1, 1, 5)/8, e = (3/8 ln 8 + 5/8 ln 8/5)/ln 4.
    // x3 = (2, 0, 1, 1): p = (½, 0, ¼, ¼), e = (½ ln 2 + ½ ln 4)/ln 4 = 3/4, d = 1/4.
    let e2 = (3.0 / 8.0 * 8f64.ln() + 5.0 / 8.0 * (8.0_f64 / 5.0).ln()) / 4f64.ln();
    let (d2, d3) = (1.0 - e2, 0.25);
    let got = entropy_weights(&[&[1.0; 4], &[1.0, 1.0, 1.0, 5.0], &[2.0, 0.0, 1.0, 1.0]]).unwrap();
    assert_close("w1", got[0], 0.0, 1e-15);
    assert_close("w2", got[1], d2 / (d2 + d3), 1e-12);
    assert_close("w3", got[2], d3 / (d2 + d3), 1e-12);
    assert_eq!(
        entropy_weights(&[&[3.0, 3.0], &[1.0, 1.0]]),
        Err(AnalysisError::NoVariation {
            what: "entropy weights"
        })
    );
    assert!(entropy_weights(&[&[1.0]]).is_err());
    assert!(entropy_weights(&[&[1.0, -1.0]]).is_err());
}

#[test]
fn equal_weights_sum_to_one() {
    assert_eq!(equal_weights(4), [0.25; 4]);
}
