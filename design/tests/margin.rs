//! Achieved margins of error, and their round trip with the sample-size formulas.

use minyi_design::{
    cochran_mean, cochran_proportion, finite_population, margin_of_error, margin_of_error_mean,
    DesignError, SampleSizeSpec,
};

const Z95: f64 = 1.959963984540054;
/// Closed forms: 1e-12 relative.
const RELATIVE: f64 = 1e-12;

fn check(got: Result<f64, DesignError>, expected: f64) {
    let got = got.unwrap();
    assert!(
        (got - expected).abs() <= RELATIVE * expected.abs(),
        "margin = {got}, expected {expected}"
    );
}

#[test]
fn without_a_population() {
    // 1.96 · √(0.25 / 100) = 1.96 · 0.05
    check(margin_of_error(1.96, 0.5, 100, None), 0.098);
    // 1.959963984540054 · √(0.25 / 385)
    check(margin_of_error(Z95, 0.5, 385, None), 0.04994450700198681);
    // 2 · 10 / √25
    check(margin_of_error_mean(2.0, 10.0, 25, None), 4.0);
}

#[test]
fn with_a_population() {
    // 0.098 · √(900 / 999)
    check(
        margin_of_error(1.96, 0.5, 100, Some(1000)),
        0.09301748358374491,
    );
    // 2 · 10 · √((100 − 25) / (25 · 99))
    check(
        margin_of_error_mean(2.0, 10.0, 25, Some(100)),
        20.0 * (75.0f64 / 2475.0).sqrt(),
    );
}

#[test]
fn a_census_has_no_margin() {
    assert_eq!(margin_of_error(Z95, 0.5, 1000, Some(1000)), Ok(0.0));
    assert_eq!(margin_of_error(Z95, 0.5, 1, Some(1)), Ok(0.0));
    assert_eq!(margin_of_error_mean(Z95, 20.0, 7, Some(7)), Ok(0.0));
}

#[test]
fn round_trip_gives_back_the_margin() {
    // n0 = 2² · 0.25 / 0.1² = 100; with N = 99: 100 / (1 + 99/99) = 50, an integer.
    let n = finite_population(cochran_proportion(2.0, 0.5, 0.1), 99);
    assert!((n - 50.0).abs() <= RELATIVE * 50.0, "n = {n}");
    check(margin_of_error(2.0, 0.5, 50, Some(99)), 0.1);
    // n0 = (2 · 10 / 2)² = 100, the same n = 50.
    let n = finite_population(cochran_mean(2.0, 10.0, 2.0), 99);
    assert!((n - 50.0).abs() <= RELATIVE * 50.0, "n = {n}");
    check(margin_of_error_mean(2.0, 10.0, 50, Some(99)), 2.0);
}

#[test]
fn the_planned_size_is_the_smallest_that_meets_the_margin() {
    let spec = SampleSizeSpec::proportion(0.95, 0.05, None).unwrap();
    for population in [Some(50), Some(1000), Some(10_000), None] {
        let n = spec.sample_size(population).unwrap();
        let met = spec.achieved_margin(n, population).unwrap();
        let one_less = spec.achieved_margin(n - 1, population).unwrap();
        assert!(
            met <= 0.05 && one_less > 0.05,
            "N = {population:?}: n = {n} gives {met}, n − 1 gives {one_less}"
        );
    }
}

#[test]
fn impossible_samples_are_errors() {
    assert_eq!(
        margin_of_error(Z95, 0.5, 0, None),
        Err(DesignError::EmptySample)
    );
    assert_eq!(
        margin_of_error_mean(Z95, 1.0, 11, Some(10)),
        Err(DesignError::SampleExceedsPopulation {
            n: 11,
            population: 10
        })
    );
    assert_eq!(
        margin_of_error(Z95, 0.5, 1, Some(0)),
        Err(DesignError::SampleExceedsPopulation {
            n: 1,
            population: 0
        })
    );
}

#[test]
fn bad_parameters_are_named() {
    let name = |result: Result<f64, DesignError>| match result {
        Err(DesignError::OutOfRange { name, .. }) => name,
        other => panic!("expected an out-of-range error, got {other:?}"),
    };
    assert_eq!(name(margin_of_error(Z95, 1.5, 10, None)), "p");
    assert_eq!(name(margin_of_error(f64::NAN, 0.5, 10, None)), "z");
    assert_eq!(name(margin_of_error_mean(Z95, -1.0, 10, None)), "sigma");
}
