//! Flagged responses: excluded when the batch says so, with the headline both ways; and
//! post-stratification as the stats core computes it.

use minyi_analysis::run;
use minyi_analysis::stats::{hajek_mean, post_stratify, Design, Margin};

use super::helpers::{close, final_wave, load, setup, BASELINE};

/// Row 8 answers in 10 s: under 0.4 × the median of 202.5 s.
fn with_speeder() -> String {
    BASELINE.replace("8,B,B,resident,200,", "8,B,B,resident,10,")
}

#[test]
fn flagged_responses_are_excluded_and_the_headline_shown_both_ways() {
    let (_dir, path) = setup(&with_speeder(), &final_wave(), "");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "duplicate_window_seconds = 0",
        "duplicate_window_seconds = 0\nexclude_flagged = true",
    );
    std::fs::write(&path, text).unwrap();
    let tables = run::run(&load(&path), false).unwrap();
    let all = tables
        .quality
        .iter()
        .find(|q| q.wave == "base" && q.unit == "all")
        .unwrap();
    assert_eq!((all.speeders, all.flagged, all.excluded), (1, 1, true));
    // Without row 8, unit B's three rows weigh 50/3: q1 = (300 + 9 · 50/3) / 125.
    let q1 = tables
        .estimates
        .iter()
        .find(|r| {
            r.wave == "base" && r.group == "all" && r.indicator == "q1" && r.measure == "mean"
        })
        .unwrap();
    close(q1.estimate, 450.0 / 125.0, "q1 without the speeder");
    assert_eq!(q1.n, 6);
    let samples: Vec<&str> = tables
        .screening
        .iter()
        .filter(|r| r.wave == "base" && r.indicator == "index" && r.measure == "index")
        .map(|r| r.group.as_str())
        .collect();
    assert_eq!(samples, ["all", "unflagged"]);
}

const POST_STRATIFY: &str = r#"
[weighting]
calibration = "post_stratify"
[[weighting.margins]]
variable = "respondent_type"
totals = { resident = 110, business = 40 }
"#;

/// The small batch with `extra`; a `[weighting]` table in it takes the populations in.
fn batch_with(base: &str, extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = setup(base, &final_wave(), extra);
    let mut text = std::fs::read_to_string(&path).unwrap();
    if extra.contains("[weighting]") {
        text = text
            .replace("[weighting.populations]\nA = 100\nB = 50\n", "")
            .replace(
                "[weighting]\n",
                "[weighting]\npopulations = { A = 100, B = 50 }\n",
            );
    }
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The headline without the flagged rows is the same whether the estimates keep them (a design
/// over the unflagged row numbers) or leave them out (the rows removed); and likewise the
/// headline with every row. Plain and post-stratified.
#[test]
fn the_headline_both_ways_is_the_same_whichever_rows_the_estimates_use() {
    for extra in ["", POST_STRATIFY] {
        let headlines = |exclude: bool| {
            // Row 2 answers in 10 s: a speeder with rows after it, so that the unflagged rows'
            // numbers are not their positions.
            let base = BASELINE.replace("2,A,A,resident,210,", "2,A,A,resident,10,");
            let (_dir, path) = batch_with(&base, extra);
            let text = std::fs::read_to_string(&path).unwrap().replace(
                "duplicate_window_seconds = 0",
                &format!("duplicate_window_seconds = 0\nexclude_flagged = {exclude}"),
            );
            std::fs::write(&path, text).unwrap();
            run::run(&load(&path), false).unwrap().screening
        };
        let (kept, excluded) = (headlines(false), headlines(true));
        assert_eq!(kept.len(), excluded.len());
        assert!(!kept.is_empty());
        for (a, b) in kept.iter().zip(&excluded) {
            assert_eq!(
                (&a.wave, &a.group, &a.indicator, &a.measure),
                (&b.wave, &b.group, &b.indicator, &b.measure)
            );
            close(a.estimate, b.estimate, "estimate");
            close(a.se, b.se, "SE");
            assert_eq!(a.n, b.n);
        }
        // The speeder moves the baseline's headline: the two samples differ.
        let index = |group: &str| {
            kept.iter()
                .find(|r| r.wave == "base" && r.group == group && r.indicator == "index")
                .map(|r| (r.estimate, r.n))
                .unwrap()
        };
        assert_ne!(index("all"), index("unflagged"));
    }
}

#[test]
fn post_stratification_matches_the_stats_core() {
    let (_dir, path) = batch_with(BASELINE, POST_STRATIFY);
    let tables = run::run(&load(&path), false).unwrap();
    let design = Design::from_populations(vec![0, 0, 0, 0, 1, 1, 1, 1], vec![100.0, 50.0]).unwrap();
    // Levels in the order of the totals' names: business = 0, resident = 1.
    let margin = Margin::new(
        "respondent_type",
        vec![1, 1, 0, 1, 1, 0, 1, 1],
        vec![40.0, 110.0],
    )
    .unwrap();
    let calibrated = post_stratify(&design, &margin).unwrap();
    let q1 = [
        Some(5.0),
        Some(4.0),
        Some(3.0),
        None,
        Some(2.0),
        Some(3.0),
        Some(4.0),
        Some(5.0),
    ];
    let expected = hajek_mean(&calibrated, &q1, None).unwrap();
    let got = tables
        .estimates
        .iter()
        .find(|r| {
            r.wave == "base" && r.group == "all" && r.indicator == "q1" && r.measure == "mean"
        })
        .unwrap();
    close(got.estimate, expected.estimate, "post-stratified q1");
    close(got.se, expected.se, "post-stratified SE");
    let verdict = tables.verdict.unwrap();
    assert!(
        verdict.uncalibrated_change.is_some(),
        "raw change beside the calibrated one"
    );
}

#[test]
fn server_flags_are_carried_into_the_quality_table() {
    let base: String = BASELINE
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line},flags"),
            2 => format!("{line},burst;device_repeat"),
            _ => format!("{line},"),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (_dir, path) = setup(&base, &final_wave(), "");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "id = \"id\"",
        "id = \"id\"\nflags = \"flags\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let tables = run::run(&load(&path), false).unwrap();
    let a = tables
        .quality
        .iter()
        .find(|q| q.wave == "base" && q.unit == "A")
        .unwrap();
    assert_eq!((a.server_flags, a.flagged), (1, 1));
}
