//! Cochran's sample sizes, the finite-population correction and their rounding (METHODS §9).
//! Expected values are worked by hand from z = 1.959963984540054 (95%) and
//! z = 1.6448536269514722 (90%).

use minyi_design::{
    cochran_mean, cochran_proportion, finite_population, required_size, DesignError, Estimate,
    SampleSizeSpec,
};

const Z95: f64 = 1.959963984540054;
/// Closed forms: 1e-12 relative.
const RELATIVE: f64 = 1e-12;

fn close(got: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() <= RELATIVE * expected.abs(),
        "{what} = {got}, expected {expected}"
    );
}

#[test]
fn cochran_for_a_proportion() {
    // 1.959963984540054² · 0.25 / 0.0025 = 3.841458820694124 · 100
    close(
        cochran_proportion(Z95, 0.5, 0.05),
        384.1458820694124,
        "n0(95%, 0.5, 0.05)",
    );
    // 3.841458820694124 · 0.16 / 0.0025
    close(
        cochran_proportion(Z95, 0.2, 0.05),
        245.853364524424,
        "n0(95%, 0.2, 0.05)",
    );
}

#[test]
fn cochran_for_a_mean() {
    close(cochran_mean(2.0, 15.0, 3.0), 100.0, "(2 · 15 / 3)²");
    close(cochran_mean(1.96, 20.0, 2.0), 384.16, "(1.96 · 20 / 2)²");
}

#[test]
fn finite_population_correction() {
    let n0 = 384.1458820694124;
    // 384.1458820694124 / (1 + 383.1458820694124 / 1000) = 384.14588… / 1.38314588…
    close(finite_population(n0, 1000), 277.7334531731876, "N = 1000");
    // 384.1458820694124 / (1 + 383.1458820694124 / 50) = 384.14588… / 8.66291764…
    close(finite_population(n0, 50), 44.34370704785465, "N = 50");
    close(finite_population(n0, 1), 1.0, "N = 1");
}

fn check(spec: &SampleSizeSpec, population: Option<u64>, expected: u64) {
    assert_eq!(
        spec.sample_size(population).unwrap(),
        expected,
        "{spec:?} with N = {population:?}"
    );
}

#[test]
fn sample_size_for_a_proportion_rounds_up() {
    let spec = SampleSizeSpec::proportion(0.95, 0.05, None).unwrap();
    check(&spec, None, 385); // 384.146
    check(&spec, Some(1000), 278); // 277.73
    check(&spec, Some(50), 45); // 44.34
    check(&spec, Some(2), 2); // 1.995
    check(&spec, Some(1), 1);
    let spec = SampleSizeSpec::proportion(0.90, 0.1, None).unwrap();
    check(&spec, None, 68); // 67.64
    let spec = SampleSizeSpec::proportion(0.95, 0.05, Some(0.2)).unwrap();
    check(&spec, None, 246); // 245.85
}

#[test]
fn sample_size_for_a_mean() {
    // (1.959963984540054 · 20 / 2)² = 384.146; with N = 500: 384.146 / 1.766 = 217.49.
    let spec = SampleSizeSpec::mean(0.95, 2.0, 20.0).unwrap();
    check(&spec, None, 385);
    check(&spec, Some(500), 218);
}

#[test]
fn unknown_p_means_one_half() {
    let spec = SampleSizeSpec::proportion(0.95, 0.05, None).unwrap();
    assert_eq!(spec.estimate(), Estimate::Proportion { p: 0.5 });
    assert_eq!(spec.z(), minyi_design::z_for_confidence(0.95).unwrap());
    close(spec.initial_size(), 384.1458820694124, "n0");
}

#[test]
fn rounding_up_ignores_floating_point_noise() {
    // 2² · 0.1 · 0.9 / 0.06² is 100 exactly, but evaluates to 100.00000000000001.
    let n0 = cochran_proportion(2.0, 0.1, 0.06);
    assert!(n0 > 100.0, "the premise of this test: {n0}");
    assert_eq!(required_size(n0, None).unwrap(), 100);
    // A genuine excess is still rounded up.
    assert_eq!(required_size(100.000_001, None).unwrap(), 101);
    assert_eq!(required_size(100.5, None).unwrap(), 101);
    assert_eq!(required_size(0.2, None).unwrap(), 1);
}

fn check_out_of_range(result: Result<impl std::fmt::Debug, DesignError>, expected_name: &str) {
    match result {
        Err(error @ DesignError::OutOfRange { name, .. }) => {
            assert_eq!(name, expected_name);
            assert!(error.to_string().starts_with(expected_name), "{error}");
        }
        other => panic!("expected {expected_name} out of range, got {other:?}"),
    }
}

#[test]
fn bad_parameters_are_named() {
    check_out_of_range(SampleSizeSpec::proportion(1.0, 0.05, None), "confidence");
    for margin in [0.0, 1.0, -0.05, f64::NAN] {
        check_out_of_range(SampleSizeSpec::proportion(0.95, margin, None), "margin");
    }
    for p in [0.0, 1.0, 1.5, f64::NAN] {
        check_out_of_range(SampleSizeSpec::proportion(0.95, 0.05, Some(p)), "p");
    }
    check_out_of_range(SampleSizeSpec::mean(0.95, 0.0, 20.0), "margin");
    check_out_of_range(SampleSizeSpec::mean(0.95, 2.0, 0.0), "sigma");
    check_out_of_range(SampleSizeSpec::mean(0.95, 2.0, f64::INFINITY), "sigma");
    check_out_of_range(required_size(0.0, None), "n0");
    check_out_of_range(required_size(f64::INFINITY, Some(10)), "n0");
}

#[test]
fn a_population_of_zero_is_an_error() {
    let spec = SampleSizeSpec::proportion(0.95, 0.05, None).unwrap();
    assert_eq!(spec.sample_size(Some(0)), Err(DesignError::ZeroPopulation));
}
