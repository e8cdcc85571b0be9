//! A batch small enough to check by hand: two units with populations 100 and 50, four
//! responses each (weights 25 and 12.5), one item mapped from another column name.

use minyi_analysis::run::estimates::EstimateRow;
use minyi_analysis::stats::{hajek_mean, wave_change, Design};
use minyi_analysis::{output, run};

use super::helpers::{close, final_wave, load, setup, BASELINE};

fn find<'a>(
    rows: &'a [EstimateRow],
    wave: &str,
    group: &str,
    indicator: &str,
    measure: &str,
) -> &'a EstimateRow {
    rows.iter()
        .find(|r| {
            r.wave == wave && r.group == group && r.indicator == indicator && r.measure == measure
        })
        .unwrap_or_else(|| panic!("no estimate {wave} {group} {indicator} {measure}"))
}

/// The design of the baseline by hand: strata A, A, A, A, B, B, B, B with N = 100, 50.
fn design() -> Design {
    Design::from_populations(vec![0, 0, 0, 0, 1, 1, 1, 1], vec![100.0, 50.0]).unwrap()
}

const Q1: [Option<f64>; 8] = [
    Some(5.0),
    Some(4.0),
    Some(3.0),
    None,
    Some(2.0),
    Some(3.0),
    Some(4.0),
    Some(5.0),
];

#[test]
fn headline_numbers_match_the_hand_computation() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    let tables = run::run(&load(&path), false).unwrap();
    let e = &tables.estimates;
    // q1: A answers 5, 4, 3 (weight 25), B answers 2, 3, 4, 5 (12.5): (300 + 175) / 125.
    let q1 = find(e, "base", "all", "q1", "mean");
    close(q1.estimate, 475.0 / 125.0, "q1 mean");
    close(
        find(e, "base", "all", "q1", "index").estimate,
        (3.8 - 1.0) * 25.0,
        "q1 index",
    );
    assert_eq!(q1.n, 7);
    let by_core = hajek_mean(&design(), &Q1, None).unwrap();
    close(q1.se, by_core.se, "q1 SE (with the fpc)");
    // Unit B's domain: rows of A stay in the design.
    let mask = [false, false, false, false, true, true, true, true];
    let b = find(e, "base", "B", "q1", "mean");
    close(b.estimate, 3.5, "unit B q1");
    close(
        b.se,
        hajek_mean(&design(), &Q1, Some(&mask)).unwrap().se,
        "unit B SE",
    );
    assert!(b.flag_small);
    // "na" never enters a mean: q2 is (4·25 + 3·25 + 5·25 + (2 + 4 + 5)·12.5) / 112.5.
    close(
        find(e, "base", "all", "q2", "mean").estimate,
        437.5 / 112.5,
        "q2 mean",
    );
    // Incidence of p1: yes weight 25 + 12.5 out of 137.5 answered.
    let p1 = find(e, "base", "all", "p1", "incidence");
    close(p1.estimate, 37.5 / 137.5, "p1 incidence");
    assert_eq!(p1.interval, "logit");
    // Top-2-box of q1: 5, 4 in A (50) and 4, 5 in B (25) of 125.
    close(
        find(e, "base", "all", "q1", "top2").estimate,
        75.0 / 125.0,
        "q1 top2",
    );
    // The overall index, equal weights: service (q1, q2), problems (100 × (1 − p)), overall (sat).
    let service = 0.5 * (3.8 - 1.0) * 25.0 + 0.5 * (437.5 / 112.5 - 1.0) * 25.0;
    let problems = 100.0 * (1.0 - 37.5 / 137.5);
    let overall = (575.0 / 150.0 - 1.0) * 25.0;
    close(
        find(e, "base", "all", "service", "index").estimate,
        service,
        "service index",
    );
    close(
        find(e, "base", "all", "problems", "index").estimate,
        problems,
        "problems index",
    );
    let index = find(e, "base", "all", "index", "index");
    close(
        index.estimate,
        (service + problems + overall) / 3.0,
        "overall index",
    );
    assert!(index.se > 0.0 && index.ci_low < index.estimate);
}

#[test]
fn changes_and_the_verdict_use_both_waves() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    let tables = run::run(&load(&path), false).unwrap();
    let change = tables
        .comparisons
        .iter()
        .find(|c| c.group == "all" && c.indicator == "q1" && c.measure == "index")
        .unwrap();
    // Final q1: A answers 5, 5, 5: (375 + 175) / 125 = 4.4 → index 85; base 70.
    close(change.diff, 15.0, "Δ q1 index");
    let base = find(&tables.estimates, "base", "all", "q1", "index").to_estimate();
    let fin = find(&tables.estimates, "final", "all", "q1", "index").to_estimate();
    close(change.se, wave_change(&base, &fin).se, "SE of Δ");
    let units: Vec<_> = tables
        .comparisons
        .iter()
        .filter(|c| c.group_var == "unit" && c.indicator == "q1" && c.measure == "index")
        .collect();
    assert_eq!(units.len(), 2);
    assert!(units.iter().all(|c| c.p_holm >= c.p_two_sided));
    // Δ > 1 and significance is not required, but eight responses are a flagged estimate,
    // which never decides a headline (METHODS §7).
    let verdict = tables.verdict.as_ref().unwrap();
    assert_eq!(verdict.improvement.as_ref().unwrap().verdict, "met");
    assert_eq!(verdict.verdict, "inconclusive");
    assert!(verdict.note.is_some());
    assert!(verdict.sentence_zh.contains("还不能判定"));
}

#[test]
fn the_output_folder_holds_the_contract() {
    let (dir, path) = setup(BASELINE, &final_wave(), "");
    let batch = load(&path);
    let tables = run::run(&batch, false).unwrap();
    let out = dir.path().join("out");
    output::write(&out, &batch, &tables).unwrap();
    for name in [
        "estimates",
        "comparisons",
        "reliability",
        "importance",
        "ranking",
        "sample",
        "quality",
        "screening",
        "keywords",
        "weights",
    ] {
        assert!(out.join(format!("{name}.csv")).exists(), "{name}.csv");
        assert!(
            out.join(format!("{name}.parquet")).exists(),
            "{name}.parquet"
        );
    }
    for name in ["verdict.json", "inputs.json", "manifest.json"] {
        assert!(out.join(name).exists(), "{name}");
    }
    let header = std::fs::read_to_string(out.join("estimates.csv")).unwrap();
    assert!(header.starts_with("wave,group_var,group,level,indicator,measure,estimate,se,ci_low,ci_high,n,n_eff,interval,flag_small,flag_imprecise"));
    let keywords = std::fs::read_to_string(out.join("keywords.csv")).unwrap();
    assert!(keywords.contains("停车"), "{keywords}");
    let inputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("inputs.json")).unwrap()).unwrap();
    assert_eq!(inputs[0]["verification"]["status"], "not_applicable");
    assert!(
        inputs[0]["verification"]["head"].is_null(),
        "a plain table has no signed head"
    );
    assert_eq!(inputs[0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn answer_distribution_and_daily_counts_for_the_report_charts() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    let tables = run::run(&load(&path), false).unwrap();
    // q1 in the baseline: A answers 5, 4, 3 (weight 25, one "na" left out), B answers
    // 2, 3, 4, 5 (12.5): of 125, category 2 holds 12.5, 3, 4 and 5 hold 37.5 each.
    let share = |group: &str, category: &str| {
        let row = tables
            .distribution
            .iter()
            .find(|r| {
                r.wave == "base"
                    && r.group == group
                    && r.level == "item"
                    && r.indicator == "q1"
                    && r.category == category
            })
            .unwrap_or_else(|| panic!("no q1 {group} {category}"));
        assert_eq!(row.n, if group == "all" { 7 } else { 4 });
        row.share
    };
    for (category, expected) in [("1", 0.0), ("2", 0.1), ("3", 0.3), ("4", 0.3), ("5", 0.3)] {
        close(share("all", category), expected, "q1 share");
    }
    // Unit B alone: 2, 3, 4, 5 once each.
    close(share("B", "2"), 0.25, "q1 share in B");
    close(share("B", "1"), 0.0, "q1 share in B");
    // Every item's and dimension's shares sum to one.
    let mut sums = std::collections::BTreeMap::new();
    for r in &tables.distribution {
        *sums
            .entry((&r.wave, &r.group, &r.level, &r.indicator))
            .or_insert(0.0) += r.share;
    }
    assert!(sums.len() > 4);
    for (key, sum) in sums {
        close(sum, 1.0, &format!("{key:?}"));
    }
    // Daily counts: every row of a wave counted once under its day, and again under "all".
    for wave in ["base", "final"] {
        let day = |unit_all: bool| -> usize {
            tables
                .daily
                .iter()
                .filter(|d| d.wave == wave && (d.unit == "all") == unit_all)
                .map(|d| d.responses)
                .sum()
        };
        assert!(day(true) > 0, "{wave}: no daily counts");
        assert_eq!(day(true), day(false), "{wave}: all = sum of units");
    }
}
