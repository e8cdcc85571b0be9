//! Post-stratification and raking (METHODS §4): worked by hand, then against R's
//! `postStratify`, `rake` and `calibrate(calfun = "raking")` on the `api` data.

mod common;

use common::{api_design, assert_close, assert_relative, expected, Table, POINT, SE_RELATIVE};
use minyi_analysis::stats::{hajek_mean, post_stratify, rake, AnalysisError, Design, Margin};

/// Rake's SE differs from METHODS' calibration residuals by R's approximation (METHODS §4).
const RAKE_SE_RELATIVE: f64 = 0.005;

fn apipop_margin(name: &str, data: &Table, totals: [f64; 2]) -> Margin {
    Margin::new(name, data.levels(name, &["No", "Yes"]), totals.to_vec()).unwrap()
}

// apipop's counts: awards No 2027 / Yes 4167, sch.wide 1072 / 5122, comp.imp 1712 / 4482.
const AWARDS: [f64; 2] = [2027.0, 4167.0];
const SCH_WIDE: [f64; 2] = [1072.0, 5122.0];
const COMP_IMP: [f64; 2] = [1712.0, 4482.0];

#[test]
fn post_stratification_by_hand() {
    // One stratum, weights 1, y = 1, 2, 3, 6, post-strata {0, 1} {2, 3} with totals 30 and 10:
    // w* = 15, 15, 5, 5; ȳ = (15 + 30 + 15 + 30)/40 = 2.25.
    // z = w*(y − 2.25)/40 = −.46875, −.09375, .09375, .46875.
    // e = z − w* Σ_g z / Σ_g w*: group 0 adds 15 · .5625/30 = .28125, group 1 subtracts
    // 5 · .5625/10 = .28125: e = −.1875, .1875, −.1875, .1875.  V = 4/3 · 4 · .1875² = .1875.
    let design = Design::new(vec![0; 4], vec![1.0; 4], vec![None]).unwrap();
    let margin = Margin::new("age", vec![0, 0, 1, 1], vec![30.0, 10.0]).unwrap();
    let calibrated = post_stratify(&design, &margin).unwrap();
    assert_eq!(calibrated.weights(), [15.0, 15.0, 5.0, 5.0]);
    assert!(calibrated.is_calibrated());
    let y = [Some(1.0), Some(2.0), Some(3.0), Some(6.0)];
    let got = hajek_mean(&calibrated, &y, None).unwrap();
    assert_close("mean", got.estimate, 2.25, POINT);
    assert_relative("SE", got.se, 0.1875_f64.sqrt(), SE_RELATIVE);
}

#[test]
fn post_stratification_matches_r() {
    let r = expected();
    let data = Table::read("apistrat.csv");
    let design = post_stratify(
        &api_design(&data, true),
        &apipop_margin("awards", &data, AWARDS),
    )
    .unwrap();
    assert_relative("w first", design.weights()[0], r["ps_weight_first"], 1e-12);
    assert_relative("w last", design.weights()[199], r["ps_weight_last"], 1e-12);
    let y = data.numbers("api00");
    let got = hajek_mean(&design, &y, None).unwrap();
    assert_close("mean", got.estimate, r["ps_mean_api00"], POINT);
    assert_relative("SE", got.se, r["ps_se_api00"], SE_RELATIVE);
    for level in ["no", "yes"] {
        let group = data.is("comp.imp", if level == "no" { "No" } else { "Yes" });
        let got = hajek_mean(&design, &y, Some(&group)).unwrap();
        let key = format!("ps_domain_mean_api00_compimp_{level}");
        assert_close(&key, got.estimate, r[&key], POINT);
        let key = format!("ps_domain_se_api00_compimp_{level}");
        assert_relative(&key, got.se, r[&key], SE_RELATIVE);
    }
}

#[test]
fn raking_matches_r() {
    let r = expected();
    let data = Table::read("apistrat.csv");
    let margins = [
        apipop_margin("sch.wide", &data, SCH_WIDE),
        apipop_margin("comp.imp", &data, COMP_IMP),
    ];
    let design = rake(&api_design(&data, true), &margins).unwrap();

    let r_weights = Table::read("rake_weights.csv").floats("weight");
    for (i, (got, want)) in design.weights().iter().zip(&r_weights).enumerate() {
        assert_relative(&format!("weight {i}"), *got, *want, 1e-12);
    }
    let y = data.numbers("api00");
    let got = hajek_mean(&design, &y, None).unwrap();
    assert_close("mean", got.estimate, r["rake_mean_api00"], POINT);
    assert_relative("SE vs rake", got.se, r["rake_se_api00"], RAKE_SE_RELATIVE);
    // METHODS' SE recomputed in R (lm on the margins' indicators, weights w): the same formula.
    assert_relative(
        "SE, METHODS in R",
        got.se,
        r["rake_methods_se_api00"],
        SE_RELATIVE,
    );
    // calibrate(calfun = "raking") reaches the same weights by Newton steps (mean ~1e-9) but
    // its residuals carry an extra √g factor, so its SE differs slightly (7.7e-6 here).
    assert_close(
        "mean vs calibrate",
        got.estimate,
        r["calrake_mean_api00"],
        1e-8,
    );
    assert_relative(
        "SE vs calibrate",
        got.se,
        r["calrake_se_api00"],
        RAKE_SE_RELATIVE,
    );

    // A domain: the high schools.
    let group = data.is("stype", "H");
    let got = hajek_mean(&design, &y, Some(&group)).unwrap();
    assert_close(
        "H mean",
        got.estimate,
        r["rake_domain_mean_api00_stype_h"],
        POINT,
    );
    let key = "rake_methods_domain_se_api00_stype_h";
    assert_relative("H SE, METHODS in R", got.se, r[key], SE_RELATIVE);
    let key = "calrake_domain_se_api00_stype_h";
    assert_relative("H SE vs calibrate", got.se, r[key], RAKE_SE_RELATIVE);
    // R's rake itself gives 16.43 against our 16.12: 1.9%, beyond the 0.5% METHODS expects.
    // Its back-fitting projects u = z/w in an unweighted metric, not by weighted least
    // squares; for a domain whose weights differ from the rest (a stratum) that matters.
    let key = "rake_domain_se_api00_stype_h";
    assert_relative("H SE vs rake (known gap)", got.se, r[key], 0.02);
}

#[test]
fn raked_margins_hit_their_targets() {
    let data = Table::read("apistrat.csv");
    let design = rake(
        &api_design(&data, true),
        &[
            apipop_margin("sch.wide", &data, SCH_WIDE),
            apipop_margin("comp.imp", &data, COMP_IMP),
            apipop_margin("awards", &data, AWARDS),
        ],
    );
    // sch.wide, comp.imp and awards together have structural zeros (no "No" school has an
    // award); IPF creeps towards the boundary and 100 sweeps do not settle, as in R.
    assert!(matches!(design, Err(AnalysisError::NotConverged { .. })));

    let margins = [
        apipop_margin("sch.wide", &data, SCH_WIDE),
        apipop_margin("awards", &data, AWARDS),
    ];
    let design = rake(&api_design(&data, true), &margins).unwrap();
    for (name, totals) in [("sch.wide", SCH_WIDE), ("awards", AWARDS)] {
        for (level, label) in ["No", "Yes"].into_iter().enumerate() {
            let sum: f64 = design
                .weights()
                .iter()
                .zip(data.is(name, label))
                .filter(|(_, inside)| *inside)
                .map(|(w, _)| w)
                .sum();
            assert_relative(name, sum, totals[level], 1e-9);
        }
    }
}

#[test]
fn a_calibrated_margin_has_no_sampling_variance() {
    // The share of sch.wide = "Yes" is fixed by the calibration (5122/6194): its linearized
    // variable lies in the span of the margins' indicators, so every residual is 0.
    let data = Table::read("apistrat.csv");
    let margins = [
        apipop_margin("sch.wide", &data, SCH_WIDE),
        apipop_margin("comp.imp", &data, COMP_IMP),
    ];
    let base = api_design(&data, true);
    let yes: Vec<Option<f64>> = data
        .is("sch.wide", "Yes")
        .into_iter()
        .map(|b| Some(if b { 1.0 } else { 0.0 }))
        .collect();
    for design in [
        rake(&base, &margins).unwrap(),
        post_stratify(&base, &margins[0]).unwrap(),
    ] {
        let got = hajek_mean(&design, &yes, None).unwrap();
        assert_close("share", got.estimate, 5122.0 / 6194.0, POINT);
        assert!(got.se < 1e-12, "SE {}", got.se);
    }
    // Uncalibrated, the same share has a sampling error.
    assert!(hajek_mean(&base, &yes, None).unwrap().se > 0.01);
}

#[test]
fn raking_on_one_margin_is_post_stratification() {
    let data = Table::read("apistrat.csv");
    let base = api_design(&data, true);
    let margin = apipop_margin("awards", &data, AWARDS);
    let raked = rake(&base, std::slice::from_ref(&margin)).unwrap();
    let post = post_stratify(&base, &margin).unwrap();
    let y = data.numbers("api00");
    let (a, b) = (
        hajek_mean(&raked, &y, None).unwrap(),
        hajek_mean(&post, &y, None).unwrap(),
    );
    assert_close("mean", a.estimate, b.estimate, POINT);
    assert_relative("SE", a.se, b.se, 1e-9);
}

#[test]
fn a_margin_that_cannot_be_met_is_named() {
    // Row 0 is the only row of a = 0, so its weight must be 10; but b = 0 (rows 0 and 1) may
    // only total 5. The IPF never settles and the error names the margin left off target.
    let design = Design::new(vec![0; 3], vec![1.0; 3], vec![None]).unwrap();
    let a = Margin::new("a", vec![0, 1, 1], vec![10.0, 10.0]).unwrap();
    let b = Margin::new("b", vec![0, 0, 1], vec![5.0, 15.0]).unwrap();
    match rake(&design, &[a, b]) {
        Err(AnalysisError::NotConverged { margin, sweeps, .. }) => {
            assert_eq!((margin.as_str(), sweeps), ("a", 100));
        }
        other => panic!("expected NotConverged, got {other:?}"),
    }
}

#[test]
fn empty_cells_and_bad_levels_are_named() {
    let design = Design::new(vec![0; 3], vec![1.0; 3], vec![None]).unwrap();
    let gap = Margin::new("region", vec![0, 0, 2], vec![5.0, 5.0, 5.0]).unwrap();
    assert_eq!(
        rake(&design, std::slice::from_ref(&gap)),
        Err(AnalysisError::EmptyCell {
            margin: "region".into(),
            level: 1
        })
    );
    assert_eq!(
        post_stratify(&design, &gap).unwrap_err(),
        AnalysisError::EmptyCell {
            margin: "region".into(),
            level: 1
        }
    );
    assert!(matches!(
        Margin::new("sex", vec![0, 2], vec![1.0, 1.0]),
        Err(AnalysisError::UnknownLevel {
            row: 1,
            level: 2,
            ..
        })
    ));
    let zero = Margin::new("sex", vec![0, 0, 1], vec![4.0, 0.0]).unwrap();
    assert!(matches!(
        post_stratify(&design, &zero),
        Err(AnalysisError::InvalidTotal { level: 1, .. })
    ));
}
