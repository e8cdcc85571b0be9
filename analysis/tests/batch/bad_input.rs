//! Bad input stops the batch with a message naming the file and the row or column.

use minyi_analysis::check::questionnaire;
use minyi_analysis::input::read_wave;
use minyi_analysis::run::{self, RunError};

use super::helpers::{final_wave, load, setup, BASELINE};

/// The error of reading the baseline wave as given.
fn read_error(base: &str, extra: &str) -> String {
    let (_dir, path) = setup(base, &final_wave(), extra);
    let batch = load(&path);
    let q = questionnaire(&batch).unwrap();
    let err = read_wave(&batch, &batch.waves[0], &q).unwrap_err();
    err.to_string()
}

#[test]
fn a_value_outside_the_scale_names_file_row_and_column() {
    let base = BASELINE.replace(
        "3,A,A,business,190,2024-05-01 12:00:00,3,",
        "3,A,A,business,190,2024-05-01 12:00:00,7,",
    );
    let message = read_error(&base, "");
    assert!(message.contains("base.csv"), "{message}");
    assert!(message.contains("row 3"), "{message}");
    assert!(message.contains("\"Q1\""), "{message}");
    assert!(message.contains("outside the scale"), "{message}");
}

#[test]
fn an_unknown_choice_code_is_named() {
    let base = BASELINE.replace("6,B,B,business", "6,B,B,tourist");
    let message = read_error(&base, "");
    assert!(
        message.contains("row 6") && message.contains("respondent_type"),
        "{message}"
    );
}

#[test]
fn an_empty_stratum_is_named() {
    let base = BASELINE.replace("5,B,B,resident", "5,B,,resident");
    let message = read_error(&base, "");
    assert!(
        message.contains("base.csv") && message.contains("row 5"),
        "{message}"
    );
    assert!(
        message.contains("\"stratum\"") && message.contains("stratum is empty"),
        "{message}"
    );
}

#[test]
fn a_missing_mapped_column_is_named() {
    let base = BASELINE.replace("seconds,", "time,");
    let message = read_error(&base, "");
    assert!(
        message.contains("base.csv")
            && message.contains("columns.duration")
            && message.contains("\"seconds\""),
        "{message}"
    );
}

#[test]
fn an_unknown_item_is_named() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "q1 = \"Q1\"",
        "q1 = \"Q1\"\nq9 = \"q2\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let batch = load(&path);
    let q = questionnaire(&batch).unwrap();
    let message = read_wave(&batch, &batch.waves[0], &q)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("base.csv") && message.contains("\"q9\""),
        "{message}"
    );
    // `run` checks the batch first and names the key.
    match run::run(&batch, false) {
        Err(RunError::Check(problems)) => {
            assert!(
                problems.iter().any(|p| p.key == "waves[0].input.items.q9"),
                "{problems:?}"
            )
        }
        other => panic!("expected check problems, got {other:?}"),
    }
}

#[test]
fn a_stratum_without_population_stops_the_run() {
    let base = BASELINE.replace("8,B,B,", "8,B,C,");
    let (_dir, path) = setup(&base, &final_wave(), "");
    let err = run::run(&load(&path), false).unwrap_err().to_string();
    assert!(err.contains("wave base") && err.contains("\"C\""), "{err}");
}
