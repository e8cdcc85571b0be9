//! Shared checks.

/// Asserts `actual` is `Some(expected)` within 1e-12.
#[track_caller]
pub fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
    assert!(
        (actual - expected).abs() < 1e-12,
        "expected {expected}, got {actual}"
    );
}

/// Asserts an observed frequency `hits / reps` lies within 4.5 binomial standard deviations of
/// `p`. With about a hundred such checks per test the chance of a false alarm is below 1e-3
/// (P(|Z| > 4.5) ≈ 6.8e-6 each); a biased algorithm misses by far more.
#[track_caller]
pub fn within_binomial(hits: u64, reps: u64, p: f64, what: &str) {
    let observed = hits as f64 / reps as f64;
    let tolerance = 4.5 * (p * (1.0 - p) / reps as f64).sqrt();
    assert!(
        (observed - p).abs() <= tolerance,
        "{what}: observed {observed}, expected {p} ± {tolerance}"
    );
}
