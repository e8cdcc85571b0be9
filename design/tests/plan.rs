//! The one-call sampling plan: n for the whole population, allocated, with achieved margins.

use minyi_design::{
    margin_of_error, plan, Allocation, DesignError, SampleSizeSpec, Stratum, DEFAULT_MIN_PER_UNIT,
};

const Z95: f64 = 1.959963984540054;

fn spec() -> SampleSizeSpec {
    SampleSizeSpec::proportion(0.95, 0.05, None).unwrap()
}

fn strata(populations: &[u64]) -> Vec<Stratum> {
    populations.iter().map(|&n| Stratum::new(n)).collect()
}

fn check(populations: &[u64], method: Allocation, overall: u64, per_stratum: &[u64]) {
    let plan = plan(&spec(), &strata(populations), method, DEFAULT_MIN_PER_UNIT).unwrap();
    assert_eq!(plan.overall(), overall, "overall for {populations:?}");
    assert_eq!(
        plan.per_stratum(),
        per_stratum,
        "{method:?} for {populations:?}"
    );
    assert_eq!(plan.total(), per_stratum.iter().sum::<u64>());
}

#[test]
fn overall_size_uses_the_total_population() {
    // N = 10000: 384.146 / (1 + 383.146/10000) = 369.97 → 370.
    check(
        &[1000, 3000, 6000],
        Allocation::Proportional,
        370,
        &[37, 111, 222],
    );
    // 370 / 3 = 123.33: the spare unit to the first stratum.
    check(
        &[1000, 3000, 6000],
        Allocation::Equal,
        370,
        &[124, 123, 123],
    );
    // N = 1000 in one stratum: 277.73 → 278.
    check(&[1000], Allocation::Equal, 278, &[278]);
}

#[test]
fn the_minimum_can_raise_the_total_above_overall() {
    // N = 10020: n = 369.998 → 370; quotas [0.74, 184.63, 184.63] → [1, 185, 184];
    // the first stratum is raised to all of its 20 people.
    check(
        &[20, 5000, 5000],
        Allocation::Proportional,
        370,
        &[20, 185, 184],
    );
    let plan = plan(
        &spec(),
        &strata(&[20, 5000, 5000]),
        Allocation::Proportional,
        30,
    )
    .unwrap();
    assert_eq!(plan.total(), 389);
}

#[test]
fn each_stratum_gets_its_own_margin() {
    let plan = plan(
        &spec(),
        &strata(&[1000, 3000, 6000]),
        Allocation::Proportional,
        30,
    )
    .unwrap();
    let margins = plan.stratum_margins();
    // 1.959963984540054 · √(0.25 · (1000 − 37) / (37 · 999)) = 0.15817856553891962
    let first = margins[0].unwrap();
    assert!(
        (first - 0.15817856553891962).abs() <= 1e-12 * first,
        "{first}"
    );
    // 1.959963984540054 · √(0.25 · (6000 − 222) / (222 · 5999)) = 0.06454921215391146
    let last = margins[2].unwrap();
    assert!((last - 0.06454921215391146).abs() <= 1e-12 * last, "{last}");
    // The spec's own z, so the comparison can be exact.
    let middle = margin_of_error(spec().z(), 0.5, 111, Some(3000)).unwrap();
    assert_eq!(margins[1], Some(middle));
}

#[test]
fn margins_of_a_mean_plan_are_in_index_points() {
    // (1.959963984540054 · 20 / 2)² = 384.146 with N = 500 → 218, one stratum.
    let spec = SampleSizeSpec::mean(0.95, 2.0, 20.0).unwrap();
    let plan = plan(&spec, &strata(&[500]), Allocation::Equal, 30).unwrap();
    assert_eq!(plan.per_stratum(), [218]);
    // 1.959963984540054 · 20 · √((500 − 218) / (218 · 499)) ≤ 2, and close to it.
    let margin = plan.stratum_margins()[0].unwrap();
    let expected = Z95 * 20.0 * (282.0f64 / (218.0 * 499.0)).sqrt();
    assert!((margin - expected).abs() <= 1e-12 * expected, "{margin}");
    assert!(margin <= 2.0 && margin > 1.99, "{margin}");
}

#[test]
fn a_stratum_without_sample_has_no_margin() {
    // 278 of N = 1000 proportionally: the 1-person stratum's quota 0.278 rounds to 0.
    let plan = plan(&spec(), &strata(&[1, 999]), Allocation::Proportional, 0).unwrap();
    assert_eq!(plan.per_stratum(), [0, 278]);
    assert_eq!(plan.stratum_margins()[0], None);
}

#[test]
fn errors_come_from_the_strata() {
    let result = plan(&spec(), &[], Allocation::Equal, 30);
    assert_eq!(result, Err(DesignError::NoStrata));
    let result = plan(&spec(), &strata(&[100, 200]), Allocation::Neyman, 30);
    assert_eq!(result, Err(DesignError::MissingSd { index: 0 }));
}
