//! Allocation across strata, worked by hand (METHODS §9).

use minyi_design::{allocate, Allocation, DesignError, Stratum, DEFAULT_MIN_PER_UNIT};
use Allocation::{Equal, Neyman, Proportional};

fn strata(populations: &[u64]) -> Vec<Stratum> {
    populations.iter().map(|&n| Stratum::new(n)).collect()
}

fn with_sds(populations: &[u64], sds: &[f64]) -> Vec<Stratum> {
    populations
        .iter()
        .zip(sds)
        .map(|(&n, &sd)| Stratum::with_sd(n, sd))
        .collect()
}

fn check(n: u64, strata: &[Stratum], method: Allocation, min: u64, expected: &[u64]) {
    let got = allocate(n, strata, method, min).unwrap();
    assert_eq!(
        got, expected,
        "{method:?} of {n} across {strata:?}, min {min}"
    );
}

#[test]
fn proportional() {
    // 500 · [1000, 3000, 6000] / 10000
    check(
        500,
        &strata(&[1000, 3000, 6000]),
        Proportional,
        0,
        &[50, 150, 300],
    );
}

#[test]
fn equal() {
    // 500 / 3 = 166.67 each: the two spare units go to the first two strata.
    check(
        500,
        &strata(&[1000, 3000, 6000]),
        Equal,
        0,
        &[167, 167, 166],
    );
}

#[test]
fn neyman() {
    // N·S = [10000, 60000, 30000] of 100000.
    let s = with_sds(&[1000, 3000, 6000], &[10.0, 20.0, 5.0]);
    check(500, &s, Neyman, 0, &[50, 300, 150]);
}

#[test]
fn largest_remainder_rounding() {
    // [33.3, 33.3, 33.4]: the one spare unit goes to the largest fraction.
    check(
        100,
        &strata(&[333, 333, 334]),
        Proportional,
        0,
        &[33, 33, 34],
    );
    // [1.5, 1.5, 1.5, 1.5]: ties go to the strata listed first.
    check(
        6,
        &strata(&[100, 100, 100, 100]),
        Proportional,
        0,
        &[2, 2, 1, 1],
    );
    check(5, &strata(&[100, 100, 100]), Equal, 0, &[2, 2, 1]);
    // [0.2, 0.8] · 1 → the larger fraction wins even when listed second.
    check(1, &strata(&[200, 800]), Proportional, 0, &[0, 1]);
}

#[test]
fn allocations_sum_to_the_total() {
    let cases = [
        vec![7u64, 13, 29, 51],
        vec![1, 1, 1, 997],
        vec![1234, 5678, 91011],
        vec![3, 3, 3, 3, 3, 3, 3],
    ];
    for populations in cases {
        let population: u64 = populations.iter().sum();
        let sds: Vec<f64> = (1..=populations.len()).map(|k| k as f64 * 1.7).collect();
        for n in [0, 1, 2, 5, 17, population / 3, population - 1, population] {
            for (method, s) in [
                (Proportional, strata(&populations)),
                (Equal, strata(&populations)),
                (Neyman, with_sds(&populations, &sds)),
            ] {
                let got = allocate(n, &s, method, 0).unwrap();
                assert_eq!(got.iter().sum::<u64>(), n, "{method:?} {n} {populations:?}");
                for (n_h, big_n_h) in got.iter().zip(&populations) {
                    assert!(n_h <= big_n_h, "{method:?} {n} {populations:?}: {got:?}");
                }
            }
        }
    }
}

#[test]
fn the_minimum_raises_small_strata() {
    assert_eq!(DEFAULT_MIN_PER_UNIT, 30);
    // [50, 150, 300] → the first raised to 60; the total becomes 510.
    check(
        500,
        &strata(&[1000, 3000, 6000]),
        Proportional,
        60,
        &[60, 150, 300],
    );
    // [1, 99] with the default 30; the first stratum has only 10 people, so all of them.
    check(
        100,
        &strata(&[10, 990]),
        Proportional,
        DEFAULT_MIN_PER_UNIT,
        &[10, 99],
    );
    // Nothing to allocate: every stratum gets its minimum.
    check(
        0,
        &strata(&[10, 990]),
        Equal,
        DEFAULT_MIN_PER_UNIT,
        &[10, 30],
    );
}

#[test]
fn a_stratum_is_never_given_more_than_its_population() {
    // Equal: 100 each, but the first has 20 → census, 280 shared by the other two.
    check(300, &strata(&[20, 1000, 1000]), Equal, 0, &[20, 140, 140]);
    // Cascading: 30 each → 10 is a census; 40 each → 20 is a census; 60 to the last.
    check(90, &strata(&[10, 20, 1000]), Equal, 0, &[10, 20, 60]);
    // Neyman: 200 · 5000/5900 = 169.5 > 100 → census, the other 100 to the second stratum.
    check(
        200,
        &with_sds(&[100, 900], &[50.0, 1.0]),
        Neyman,
        0,
        &[100, 100],
    );
    // Everyone.
    check(30, &strata(&[5, 10, 15]), Equal, 0, &[5, 10, 15]);
}

#[test]
fn neyman_with_zero_standard_deviations() {
    // S = 0 gets nothing (before the minimum) …
    check(
        100,
        &with_sds(&[1000, 1000], &[0.0, 10.0]),
        Neyman,
        0,
        &[0, 100],
    );
    // … unless every stratum has S = 0: then proportional, the limit of equal S.
    check(
        100,
        &with_sds(&[1000, 3000], &[0.0, 0.0]),
        Neyman,
        0,
        &[25, 75],
    );
    // After the first stratum is taken whole only S = 0 is left: shared proportionally.
    let s = with_sds(&[5, 100, 300], &[10.0, 0.0, 0.0]);
    check(45, &s, Neyman, 0, &[5, 10, 30]);
}

#[test]
fn neyman_ignores_the_scale_of_the_standard_deviations() {
    let huge = with_sds(&[1000, 3000, 6000], &[1e307, 2e307, 5e306]);
    check(500, &huge, Neyman, 0, &[50, 300, 150]);
}

fn check_error(n: u64, strata: &[Stratum], method: Allocation, expected: DesignError) {
    assert_eq!(allocate(n, strata, method, 0), Err(expected));
}

#[test]
fn errors_name_the_stratum() {
    check_error(10, &[], Proportional, DesignError::NoStrata);
    let empty = strata(&[100, 0, 50]);
    check_error(10, &empty, Equal, DesignError::EmptyStratum { index: 1 });
    let mut missing = with_sds(&[100, 200, 300], &[1.0, 2.0, 3.0]);
    missing[2].sd = None;
    check_error(10, &missing, Neyman, DesignError::MissingSd { index: 2 });
    // Proportional and equal allocation do not need the standard deviations.
    assert!(allocate(10, &missing, Proportional, 0).is_ok());
    let negative = with_sds(&[100, 200], &[-1.0, 2.0]);
    check_error(
        10,
        &negative,
        Neyman,
        DesignError::InvalidSd {
            index: 0,
            value: -1.0,
        },
    );
    let nan = with_sds(&[100, 200], &[1.0, f64::NAN]);
    assert!(matches!(
        allocate(10, &nan, Neyman, 0),
        Err(DesignError::InvalidSd { index: 1, .. })
    ));
    let too_many = DesignError::SampleExceedsPopulation {
        n: 31,
        population: 30,
    };
    check_error(31, &strata(&[10, 20]), Proportional, too_many);
    let overflow = strata(&[u64::MAX, 1]);
    check_error(1, &overflow, Proportional, DesignError::PopulationOverflow);
}

#[test]
fn error_messages_name_what_is_wrong() {
    let message = DesignError::MissingSd { index: 2 }.to_string();
    assert!(
        message.contains("Neyman") && message.contains("stratum 2"),
        "{message}"
    );
    let message = DesignError::EmptyStratum { index: 4 }.to_string();
    assert!(message.contains("stratum 4"), "{message}");
}
