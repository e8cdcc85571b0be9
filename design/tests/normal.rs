//! The normal quantile against published values (R's `qnorm`, 16–17 significant digits).

use minyi_design::{normal_quantile, z_for_confidence, DesignError};

/// AS 241 is accurate to about 1e-16; we ask for 1e-15 relative.
const RELATIVE: f64 = 1e-15;

fn check(p: f64, expected: f64) {
    let got = normal_quantile(p);
    let tolerance = RELATIVE * expected.abs();
    assert!(
        (got - expected).abs() <= tolerance,
        "normal_quantile({p}) = {got:e}, expected {expected:e}"
    );
}

#[test]
fn central_region_matches_qnorm() {
    check(0.6, 0.2533471031357997);
    check(0.8, 0.8416212335729143);
    check(0.9, 1.2815515655446004);
    check(0.95, 1.6448536269514722);
}

#[test]
fn near_tails_match_qnorm() {
    check(0.975, 1.959963984540054);
    check(0.99, 2.3263478740408408);
    check(0.995, 2.5758293035489004);
    check(0.025, -1.959963984540054);
    check(1e-10, -6.361340902404056);
}

#[test]
fn far_tail_matches_qnorm() {
    // sqrt(-ln 1e-20) ≈ 6.8 > 5: AS 241's third rational function.
    check(1e-20, -9.262340089798408);
}

#[test]
fn half_is_exactly_zero() {
    assert_eq!(normal_quantile(0.5), 0.0);
}

#[test]
fn antisymmetric_about_a_half() {
    // Where 1 − p is exact (dyadic p), exactly; one p in each branch.
    for p in [2f64.powi(-40), 2f64.powi(-10), 0.125, 0.375] {
        assert_eq!(normal_quantile(1.0 - p), -normal_quantile(p), "p = {p}");
    }
    for p in [0.001, 0.01, 0.07, 0.1, 0.25, 0.4, 0.49] {
        let (low, high) = (normal_quantile(p), normal_quantile(1.0 - p));
        assert!(
            (low + high).abs() <= RELATIVE * high.abs(),
            "q({p}) = {low}, q(1 − {p}) = {high}"
        );
        assert!(low < 0.0, "q({p}) = {low} should be negative");
    }
}

#[test]
fn increasing_across_the_branch_points() {
    // The split points: |p − 0.5| = 0.425 and sqrt(−ln p) = 5 (p = e^−25), on both sides.
    let e25 = (-25.0f64).exp();
    let ps = [
        e25 * 0.999,
        e25,
        e25 * 1.001,
        0.074_999_999,
        0.075,
        0.075_000_001,
        0.924_999_999,
        0.925,
        0.925_000_001,
    ];
    for pair in ps.windows(2) {
        let (a, b) = (normal_quantile(pair[0]), normal_quantile(pair[1]));
        assert!(
            a < b,
            "q({}) = {a} is not below q({}) = {b}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn edges_follow_qnorm() {
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    for p in [-0.1, 1.1, f64::NAN] {
        assert!(normal_quantile(p).is_nan(), "q({p}) should be NaN");
    }
}

fn check_z(confidence: f64, expected: f64) {
    let got = z_for_confidence(confidence).unwrap();
    assert!(
        (got - expected).abs() <= RELATIVE * expected,
        "z_for_confidence({confidence}) = {got}, expected {expected}"
    );
}

#[test]
fn z_is_the_two_sided_critical_value() {
    check_z(0.95, 1.959963984540054);
    check_z(0.90, 1.6448536269514722);
    check_z(0.99, 2.5758293035489004);
}

#[test]
fn z_rejects_a_confidence_outside_0_1() {
    for confidence in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
        match z_for_confidence(confidence) {
            Err(DesignError::OutOfRange { name, .. }) => assert_eq!(name, "confidence"),
            other => panic!("z_for_confidence({confidence}) gave {other:?}"),
        }
    }
}
