//! Proportions (METHODS §3): the logit interval against R's `svyciprop(method = "logit")`,
//! Clopper–Pearson with the Kish n when p is 0 or 1, scores and flags (§1, §7).

mod common;

use common::{api_design, assert_close, assert_relative, expected, Table, POINT, SE_RELATIVE};
use minyi_analysis::stats::{
    clopper_pearson, hajek_mean, indicator, logit_interval, proportion, top_two_box, Design,
    Estimate, IndexScale, ProportionInterval, Z95,
};

/// The interval ends depend on the SE through t·SE; R's own SE comes from `svyglm`'s IRLS, so
/// the ends are compared at 1e-8.
const CI: f64 = 1e-8;

#[track_caller]
fn check_against_r(prefix: &str, design: &Design, y: &[Option<bool>], group: Option<&[bool]>) {
    let r = expected();
    let got = proportion(design, y, group).unwrap();
    assert_eq!(got.interval, ProportionInterval::Logit);
    assert_close(prefix, got.estimate.estimate, r[prefix], POINT);
    assert_relative(
        "SE",
        got.estimate.se,
        r[&format!("{prefix}_se")],
        SE_RELATIVE,
    );
    assert_close(
        "lower",
        got.estimate.lower,
        r[&format!("{prefix}_lower")],
        CI,
    );
    assert_close(
        "upper",
        got.estimate.upper,
        r[&format!("{prefix}_upper")],
        CI,
    );
    if let Some(df) = r.get(&format!("{prefix}_df")) {
        assert_eq!(got.df, *df as usize);
    }
}

#[test]
fn logit_interval_matches_svyciprop() {
    let data = Table::read("apistrat.csv");
    let design = api_design(&data, true);
    let yes: Vec<Option<bool>> = data.is("sch.wide", "Yes").into_iter().map(Some).collect();
    check_against_r("prop_schwide", &design, &yes, None);
    // A domain: df = 84 rows − 3 strata = 81.
    let group = data.is("comp.imp", "No");
    check_against_r("prop_schwide_compimp_no", &design, &yes, Some(&group));
}

#[test]
fn unanswered_rows_leave_the_domain_but_count_in_the_groups_df() {
    // `ans` is NA for every fifth school: the proportion is over the answered rows, the
    // degrees of freedom are R's degf(subset(design, comp.imp == "Yes")) = 116 − 3.
    let data = Table::read("apistrat.csv");
    let design = api_design(&data, true);
    let group = data.is("comp.imp", "Yes");
    check_against_r(
        "prop_ans_compimp_yes",
        &design,
        &data.logicals("ans"),
        Some(&group),
    );
}

#[test]
fn logit_interval_by_hand() {
    // p = .8, SE = .05, df = 10: t = 2.228138851986274 (R: qt(.975, 10)).
    // logit(.8) = ln 4; half-width = t · .05/(.8 · .2) = .696293391245711.
    let (lower, upper) = logit_interval(0.8, 0.05, 10);
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    let half = 2.228_138_851_986_274 * 0.05 / 0.16;
    assert_close("lower", lower, expit(4f64.ln() - half), 1e-12);
    assert_close("upper", upper, expit(4f64.ln() + half), 1e-12);
    assert_eq!(logit_interval(0.8, 0.05, 0), (0.0, 1.0));
}

#[test]
fn everyone_satisfied_gets_clopper_pearson_with_the_kish_n() {
    // A unit where all 4 answers are "yes", weights 1, 1, 2, 2: n_eff = 36/10 = 3.6.
    // Lower bound (α/2)^(1/n_eff) = 0.025^(1/3.6); upper 1.
    let design = Design::new(
        vec![0, 0, 0, 0, 1],
        vec![1.0, 1.0, 2.0, 2.0, 1.0],
        vec![None; 2],
    );
    let design = design.unwrap();
    let y = [Some(true), Some(true), Some(true), Some(true), Some(false)];
    let group = [true, true, true, true, false];
    let got = proportion(&design, &y, Some(&group)).unwrap();
    assert_eq!(got.interval, ProportionInterval::ClopperPearson);
    assert_eq!(got.estimate.estimate, 1.0);
    assert_close("n_eff", got.estimate.n_eff, 3.6, POINT);
    assert_close(
        "lower",
        got.estimate.lower,
        0.025_f64.powf(1.0 / 3.6),
        1e-12,
    );
    assert_eq!(got.estimate.upper, 1.0);
    // Nobody: the mirror image.
    let none: Vec<Option<bool>> = y.iter().map(|v| v.map(|b| !b)).collect();
    let got = proportion(&design, &none, Some(&group)).unwrap();
    assert_eq!((got.estimate.estimate, got.estimate.lower), (0.0, 0.0));
    assert_close(
        "upper",
        got.estimate.upper,
        1.0 - 0.025_f64.powf(1.0 / 3.6),
        1e-12,
    );
}

#[test]
fn clopper_pearson_inside_the_range() {
    // 3 of 10: R's binom.test(3, 10)$conf.int.
    let r = expected();
    let (lower, upper) = clopper_pearson(0.3, 10.0);
    assert_close("lower", lower, r["binom_3_10_lower"], 1e-12);
    assert_close("upper", upper, r["binom_3_10_upper"], 1e-12);
}

#[test]
fn index_on_0_to_100() {
    let mean = Estimate::normal(4.2, 0.1, 50, 40.0);
    let five = IndexScale::points(5).unwrap().rescale(&mean);
    // (4.2 − 1) × 25 = 80, SE × 25.
    assert_close("5-point", five.estimate, 80.0, 1e-12);
    assert_close("5-point SE", five.se, 2.5, 1e-12);
    assert_close("5-point lower", five.lower, 80.0 - Z95 * 2.5, 1e-12);
    let seven = IndexScale::points(7).unwrap();
    assert_close("7-point", seven.index(4.0), 50.0, 1e-12);
    let ten = IndexScale::ZeroToTen.rescale(&Estimate::normal(7.3, 0.2, 50, 40.0));
    assert_close("0–10", ten.estimate, 73.0, 1e-12);
    assert_close("0–10 SE", ten.se, 2.0, 1e-12);
    assert!(IndexScale::points(1).is_err());
}

#[test]
fn top_two_box_and_incidence_are_means_of_0_1() {
    let answers = [Some(5.0), Some(4.0), Some(3.0), None, Some(1.0)];
    let five = IndexScale::points(5).unwrap();
    let boxed = top_two_box(&answers, five).unwrap();
    assert_eq!(
        boxed,
        [Some(true), Some(true), Some(false), None, Some(false)]
    );
    // Unweighted, one stratum: 2 of the 4 who answered.
    let design = Design::new(vec![0; 5], vec![1.0; 5], vec![None]).unwrap();
    let share = proportion(&design, &boxed, None).unwrap().estimate.estimate;
    assert_close("top-2-box", share, 0.5, POINT);
    let incidence = hajek_mean(&design, &indicator(&boxed), None).unwrap();
    assert_close("as a mean", incidence.estimate, 0.5, POINT);
    assert!(top_two_box(&[Some(6.0)], five).is_err());
    assert!(top_two_box(&[Some(4.5)], five).is_err());
    assert_eq!(
        top_two_box(&[Some(9.0), Some(8.0)], IndexScale::ZeroToTen).unwrap(),
        [Some(true), Some(false)]
    );
}

#[test]
fn small_or_imprecise_estimates_are_flagged() {
    let fine = Estimate::normal(80.0, 2.0, 30, 25.0);
    assert!(!fine.flags().any());
    assert!(Estimate::normal(80.0, 2.0, 29, 25.0).flags().small_sample);
    let vague = Estimate::normal(10.0, 3.5, 100, 90.0);
    assert!(vague.flags().imprecise && !vague.flags().small_sample);
    assert!(!Estimate::normal(10.0, 3.0, 100, 90.0).flags().imprecise);
}
