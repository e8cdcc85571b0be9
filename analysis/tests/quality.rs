//! Data-quality screens (METHODS §8), worked by hand.

use minyi_analysis::stats::{
    duplicates, speeders, straight_liners, AnalysisError, DEFAULT_SPEEDER_FACTOR,
};

#[test]
fn speeders_are_judged_against_their_own_versions_median() {
    // Version "v1": times 100, 200, 300, 50 → median 150, threshold 0.4 × 150 = 60: 50 flagged.
    // Version "v2": 10, 10, 3 → median 10, threshold 4: 3 flagged. No time: not flagged.
    let times = [
        Some(100.0),
        Some(200.0),
        Some(300.0),
        Some(50.0),
        None,
        Some(10.0),
        Some(10.0),
        Some(3.0),
    ];
    let versions = ["v1", "v1", "v1", "v1", "v1", "v2", "v2", "v2"];
    let got = speeders(&times, &versions, DEFAULT_SPEEDER_FACTOR).unwrap();
    assert_eq!(got, [false, false, false, true, false, false, false, true]);
    // Exactly at the threshold is not below it: 60 with median 150.
    let at = speeders(&[Some(60.0), Some(150.0), Some(240.0)], &[1, 1, 1], 0.4).unwrap();
    assert_eq!(at, [false, false, false]);
    assert!(speeders(&times, &versions, 0.0).is_err());
    assert!(speeders(&[Some(-1.0)], &[1], 0.4).is_err());
}

#[test]
fn straight_lining_is_all_answered_items_of_a_grid_identical() {
    // Six items (one vec each) × five rows. Row 0 answers 4 throughout; row 1 varies; row 2
    // answers 5 wherever it answered (two 不了解); row 3 answered one item; row 4 none.
    let grid: Vec<Vec<Option<f64>>> = vec![
        vec![Some(4.0), Some(4.0), Some(5.0), None, None],
        vec![Some(4.0), Some(3.0), None, None, None],
        vec![Some(4.0), Some(4.0), Some(5.0), Some(3.0), None],
        vec![Some(4.0), Some(4.0), Some(5.0), None, None],
        vec![Some(4.0), Some(4.0), None, None, None],
        vec![Some(4.0), Some(4.0), Some(5.0), None, None],
    ];
    let items: Vec<&[Option<f64>]> = grid.iter().map(Vec::as_slice).collect();
    assert_eq!(
        straight_liners(&items).unwrap(),
        [true, false, true, false, false]
    );
    assert!(matches!(
        straight_liners(&items[..5]),
        Err(AnalysisError::TooFew {
            needed: 6,
            got: 5,
            ..
        })
    ));
}

#[test]
fn duplicates_are_identical_answers_from_one_source_within_the_window() {
    // Window 60 s. Rows 0, 1, 2: same source and answers at 0, 30, 80 s: 1 is within 60 of 0,
    // 2 within 60 of 1 — both flagged, row 0 kept. Row 3: same answers, other source. Row 4:
    // same source, other answers. Row 5: same as row 0 but 1000 s later.
    let sources = ["hall", "hall", "hall", "web", "hall", "hall"];
    let answers = ["5;4;4", "5;4;4", "5;4;4", "5;4;4", "3;3;3", "5;4;4"];
    let times = [0, 30_000, 80_000, 10_000, 20_000, 1_080_000];
    let got = duplicates(&sources, &times, &answers, 60_000).unwrap();
    assert_eq!(got, [false, true, true, false, false, false]);
    // Given out of time order, the earliest copy is the one kept.
    let got = duplicates(&["a", "a"], &[50, 10], &[1, 1], 60).unwrap();
    assert_eq!(got, [true, false]);
}
