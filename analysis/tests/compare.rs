//! Comparing waves and the verdict on a pre-stated goal (METHODS §6); Holm's adjustment
//! against R's `p.adjust`.

mod common;

use common::{assert_close, expected};
use minyi_analysis::stats::{
    assess_goal, holm, wave_change, AnalysisError, Estimate, GoalRule, Verdict, Z95,
};
use Verdict::{Inconclusive, Met, NotMet};

/// Base wave 80 (SE 1.5), final wave 86 (SE 2): Δ = 6, SE(Δ) = √(2.25 + 4) = 2.5,
/// interval 6 ± 4.8999 = (1.1001, 10.8999); z = 2.4.
fn waves() -> (Estimate, Estimate) {
    (
        Estimate::normal(80.0, 1.5, 400, 350.0),
        Estimate::normal(86.0, 2.0, 380, 300.0),
    )
}

#[test]
fn change_between_independent_waves() {
    let r = expected();
    let (base, final_wave) = waves();
    let got = wave_change(&base, &final_wave);
    assert_close("Δ", got.delta, 6.0, 1e-12);
    assert_close("SE", got.se, 2.5, 1e-12);
    assert_close("lower", got.lower, 6.0 - Z95 * 2.5, 1e-12);
    assert_close("upper", got.upper, 6.0 + Z95 * 2.5, 1e-12);
    // R: 2 * pnorm(-2.4) and pnorm(-2.4).
    assert_close("two-sided p", got.p_two_sided, 2.0 * r["pnorm_-2.4"], 1e-15);
    assert_close("one-sided p", got.p_improvement, r["pnorm_-2.4"], 1e-15);
    // A decline: the one-sided p of an improvement is large.
    let back = wave_change(&final_wave, &base);
    assert_close("decline", back.p_improvement, 1.0 - r["pnorm_-2.4"], 1e-15);
    assert_eq!(back.p_two_sided, got.p_two_sided);
}

#[track_caller]
fn verdict(min_improvement: Option<f64>, min_final: Option<f64>, significance: bool) -> Verdict {
    let (base, final_wave) = waves();
    let rule = GoalRule {
        min_improvement,
        min_final,
        require_significance: significance,
    };
    assess_goal(&rule, &base, &final_wave).unwrap().verdict
}

#[test]
fn improvement_goals() {
    // "Improves by at least 5": Δ = 6 reaches it, but the interval (1.1, 10.9) straddles 5.
    assert_eq!(verdict(Some(5.0), None, true), Inconclusive);
    assert_eq!(verdict(Some(5.0), None, false), Met);
    // At least 1: the whole interval clears it.
    assert_eq!(verdict(Some(1.0), None, true), Met);
    // At least 7: Δ falls short, the interval straddles: inconclusive either way.
    assert_eq!(verdict(Some(7.0), None, false), Inconclusive);
    // At least 12: the whole interval lies below.
    assert_eq!(verdict(Some(12.0), None, true), NotMet);
    assert_eq!(verdict(Some(12.0), None, false), NotMet);
}

#[test]
fn final_level_goals_use_the_final_waves_interval() {
    // Final 86 ± 3.92 = (82.08, 89.92).
    assert_eq!(verdict(None, Some(85.0), true), Inconclusive);
    assert_eq!(verdict(None, Some(85.0), false), Met);
    assert_eq!(verdict(None, Some(82.0), true), Met);
    assert_eq!(verdict(None, Some(90.0), false), NotMet);
}

#[test]
fn both_criteria_must_hold() {
    assert_eq!(verdict(Some(5.0), Some(85.0), false), Met);
    assert_eq!(verdict(Some(5.0), Some(90.0), false), NotMet);
    assert_eq!(verdict(Some(5.0), Some(85.0), true), Inconclusive);
    let (base, final_wave) = waves();
    let rule = GoalRule {
        min_improvement: Some(5.0),
        min_final: Some(85.0),
        require_significance: true,
    };
    let got = assess_goal(&rule, &base, &final_wave).unwrap();
    let improvement = got.improvement.unwrap();
    assert_eq!((improvement.threshold, improvement.estimate), (5.0, 6.0));
    let level = got.final_level.unwrap();
    assert_close("level lower", level.lower, 86.0 - Z95 * 2.0, 1e-12);
    let empty = GoalRule {
        min_improvement: None,
        min_final: None,
        require_significance: true,
    };
    assert!(assess_goal(&empty, &base, &final_wave).is_err());
}

#[test]
fn holm_matches_p_adjust() {
    // By hand: sorted .005, .01, .03, .04, .2 times 5, 4, 3, 2, 1 = .025, .04, .09, .08, .2;
    // running maximum .025, .04, .09, .09, .2; back in the original order:
    let r = expected();
    let got = holm(&[0.01, 0.04, 0.03, 0.005, 0.2]).unwrap();
    for (i, p) in got.iter().enumerate() {
        assert_close(
            &format!("holm {i}"),
            *p,
            r[&format!("holm_{}", i + 1)],
            1e-15,
        );
    }
    assert_eq!(holm(&[0.6, 0.5]).unwrap(), [1.0, 1.0]);
    assert_eq!(holm(&[]).unwrap(), Vec::<f64>::new());
    assert!(matches!(
        holm(&[0.5, f64::NAN]),
        Err(AnalysisError::OutOfRange { .. })
    ));
}
