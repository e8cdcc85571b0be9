//! Hájek means and their linearized SEs (METHODS §2–3): worked by hand, then against R's
//! `svymean`/`svyby` on the `api` data (`fixtures/api_reference.R`).

mod common;

use common::{api_design, assert_close, assert_relative, expected, Table, POINT, SE_RELATIVE};
use minyi_analysis::stats::{
    hajek_mean, kish_n_eff, linearize_mean, AnalysisError, Design, Estimate, Z95,
};

/// Two strata, five rows:
///
/// | row | stratum | w | y |
/// |-----|---------|---|---|
/// | 0   | A       | 1 | 2 |
/// | 1   | A       | 1 | 4 |
/// | 2   | A       | 2 | 5 |
/// | 3   | B       | 3 | 1 |
/// | 4   | B       | 3 | 3 |
fn small(populations: [Option<f64>; 2]) -> Design {
    Design::new(
        vec![0, 0, 0, 1, 1],
        vec![1.0, 1.0, 2.0, 3.0, 3.0],
        populations.into(),
    )
    .unwrap()
}

const Y: [Option<f64>; 5] = [Some(2.0), Some(4.0), Some(5.0), Some(1.0), Some(3.0)];

#[track_caller]
fn check(got: Estimate, mean: f64, variance: f64) {
    assert_close("mean", got.estimate, mean, POINT);
    assert_relative("SE", got.se, variance.sqrt(), SE_RELATIVE);
    assert_close("lower", got.lower, mean - Z95 * variance.sqrt(), POINT);
    assert_close("upper", got.upper, mean + Z95 * variance.sqrt(), POINT);
}

#[test]
fn whole_sample_by_hand() {
    // Σw = 10, Σwy = 28, ȳ = 2.8. z = w(y − 2.8)/10 = −.08, .12, .44 | −.54, .06.
    // A: z̄ = .16, Σ(z − z̄)² = .0576 + .0016 + .0784 = .1376, × 3/2 = .2064.
    // B: z̄ = −.24, Σ(z − z̄)² = .09 + .09 = .18, × 2/1 = .36.       V = .5664.
    let got = hajek_mean(&small([None, None]), &Y, None).unwrap();
    check(got, 2.8, 0.5664);
    assert_eq!(got.n, 5);
    // Kish: (Σw)²/Σw² = 100/24.
    assert_close("n_eff", got.n_eff, 100.0 / 24.0, POINT);
}

#[test]
fn finite_population_correction_multiplies_each_stratum() {
    // N_A = 6, N_B = 4: (1 − 3/6)·.2064 + (1 − 2/4)·.36 = .2832.
    let got = hajek_mean(&small([Some(6.0), Some(4.0)]), &Y, None).unwrap();
    check(got, 2.8, 0.2832);
}

#[test]
fn rows_outside_the_domain_stay_in_the_design() {
    // Domain: rows 0, 2, 3. Σw = 6, Σwy = 15, ȳ = 2.5.
    // z = −1/12, 0, 5/6 | −3/4, 0 (rows 1 and 4 are outside: z = 0, but still counted in n_h).
    // A: z̄ = 1/4, Σ(z − z̄)² = 1/9 + 1/16 + 49/144 = 74/144, × 3/2 = 74/96.
    // B: z̄ = −3/8, Σ(z − z̄)² = 2 · 9/64, × 2 = 54/96.                V = 128/96 = 4/3.
    let group = [true, true, true, true, false];
    let y = [Some(2.0), None, Some(5.0), Some(1.0), Some(3.0)];
    let design = small([None, None]);
    let got = hajek_mean(&design, &y, Some(&group)).unwrap();
    check(got, 2.5, 4.0 / 3.0);
    assert_eq!(got.n, 3);

    // The wrong way: drop rows 1 and 4 from the design. Then A has n_h = 2 and B a lonely row:
    // A: z = −1/12, 5/6, Σ(z − z̄)² = 2 · (11/24)², × 2; B: (−3/4)².       V = 1.4027…
    let dropped = Design::new(vec![0, 0, 1], vec![1.0, 2.0, 3.0], vec![None, None]).unwrap();
    let wrong = hajek_mean(&dropped, &[Some(2.0), Some(5.0), Some(1.0)], None).unwrap();
    assert_close("same mean", wrong.estimate, 2.5, POINT);
    let wrong_variance = 4.0 * (11.0_f64 / 24.0).powi(2) + 0.5625;
    assert_relative(
        "dropped-rows SE",
        wrong.se,
        wrong_variance.sqrt(),
        SE_RELATIVE,
    );
    assert!((wrong.se - got.se).abs() > 0.01);
}

#[test]
fn a_lonely_stratum_contributes_its_squared_z() {
    // A as above, C a single row (w 4, y 3). Σw = 8, Σwy = 28, ȳ = 3.5.
    // z·48 = −9, 3, 18 | −12.  A: Σ(z − z̄)²·48² = 13² + 1² + 14² = 366, × 3/2 = 549.
    // C (lonely, "adjust"): z² · 48² = 144.                   V = 693/2304.
    let design = Design::new(vec![0, 0, 0, 1], vec![1.0, 1.0, 2.0, 4.0], vec![None, None]).unwrap();
    assert_eq!(design.lonely_strata(), [1]);
    let y = [Some(2.0), Some(4.0), Some(5.0), Some(3.0)];
    check(hajek_mean(&design, &y, None).unwrap(), 3.5, 693.0 / 2304.0);
    // With N_C = 5 the lonely row's term is multiplied by 1 − 1/5, as R's fpc does.
    let fpc = Design::new(
        vec![0, 0, 0, 1],
        vec![1.0, 1.0, 2.0, 4.0],
        vec![None, Some(5.0)],
    );
    check(
        hajek_mean(&fpc.unwrap(), &y, None).unwrap(),
        3.5,
        (549.0 + 0.8 * 144.0) / 2304.0,
    );
}

#[test]
fn linearized_variable_is_zero_outside_the_domain_and_sums_to_zero() {
    let group = [false, true, true, true, true];
    let lin = linearize_mean(&small([None, None]), &Y, Some(&group)).unwrap();
    let z = lin.dense(5);
    assert_eq!(z[0], 0.0);
    assert_close("Σz", z.iter().sum(), 0.0, 1e-15);
}

#[test]
fn degrees_of_freedom() {
    let design = small([None, None]);
    assert_eq!(design.degf(), 3);
    assert_eq!(
        design
            .group_degf(Some(&[true, false, false, true, true]))
            .unwrap(),
        1
    );
    assert_eq!(design.group_degf(Some(&[false; 5])).unwrap(), 0);
}

#[test]
fn inputs_are_checked() {
    let design = small([None, None]);
    assert_eq!(
        hajek_mean(&design, &[None; 5], None),
        Err(AnalysisError::EmptyDomain)
    );
    assert!(matches!(
        hajek_mean(&design, &Y[..4], None),
        Err(AnalysisError::LengthMismatch { what: "y", .. })
    ));
    assert!(matches!(
        Design::new(vec![0, 2], vec![1.0, 1.0], vec![None, None]),
        Err(AnalysisError::UnknownStratum {
            row: 1,
            stratum: 2,
            ..
        })
    ));
    assert!(matches!(
        Design::new(vec![0, 0], vec![1.0, 0.0], vec![None]),
        Err(AnalysisError::InvalidWeight { row: 1, .. })
    ));
    assert!(matches!(
        Design::new(vec![0, 0, 0], vec![1.0; 3], vec![Some(2.0)]),
        Err(AnalysisError::InvalidPopulation { stratum: 0, .. })
    ));
}

#[test]
fn weights_from_populations() {
    let design = Design::from_populations(vec![0, 0, 1], vec![10.0, 7.0]).unwrap();
    assert_eq!(design.weights(), [5.0, 5.0, 7.0]);
    assert_eq!(design.populations(), [Some(10.0), Some(7.0)]);
    assert_eq!(kish_n_eff(&[5.0, 5.0, 7.0]), 17.0 * 17.0 / 99.0);
}

// ── against R ──

#[test]
fn api_mean_matches_svymean() {
    let r = expected();
    let data = Table::read("apistrat.csv");
    let y = data.numbers("api00");
    let design = api_design(&data, true);
    assert_eq!(design.degf(), r["degf"] as usize);
    let got = hajek_mean(&design, &y, None).unwrap();
    assert_close("mean", got.estimate, r["mean_api00"], POINT);
    assert_relative("SE", got.se, r["se_api00"], SE_RELATIVE);
    assert_close("lower", got.lower, r["lower_api00"], POINT);
    assert_close("upper", got.upper, r["upper_api00"], POINT);

    let got = hajek_mean(&api_design(&data, false), &y, None).unwrap();
    assert_close("mean, no fpc", got.estimate, r["mean_api00_nofpc"], POINT);
    assert_relative("SE, no fpc", got.se, r["se_api00_nofpc"], SE_RELATIVE);
}

#[test]
fn api_domain_means_match_svyby() {
    let r = expected();
    let data = Table::read("apistrat.csv");
    let design = api_design(&data, true);
    let y = data.numbers("api00");
    for level in ["no", "yes"] {
        let group = data.is("comp.imp", if level == "no" { "No" } else { "Yes" });
        let got = hajek_mean(&design, &y, Some(&group)).unwrap();
        let key = format!("domain_mean_api00_compimp_{level}");
        assert_close(&key, got.estimate, r[&key], POINT);
        let key = format!("domain_se_api00_compimp_{level}");
        assert_relative(&key, got.se, r[&key], SE_RELATIVE);
    }
}

#[test]
fn api_lonely_stratum_matches_svymean_with_adjust() {
    // 8 E schools, 1 H school, 5 M schools; options(survey.lonely.psu = "adjust").
    let r = expected();
    let data = Table::read("lonely.csv");
    let design = api_design(&data, false);
    assert_eq!(design.lonely_strata(), [1]);
    let y = data.numbers("api00");
    let got = hajek_mean(&design, &y, None).unwrap();
    assert_close("mean", got.estimate, r["lonely_mean_api00"], POINT);
    assert_relative("SE", got.se, r["lonely_se_api00"], SE_RELATIVE);

    let group = data.is("comp.imp", "Yes");
    let got = hajek_mean(&design, &y, Some(&group)).unwrap();
    let key = "lonely_domain_mean_api00_compimp_yes";
    assert_close(key, got.estimate, r[key], POINT);
    let key = "lonely_domain_se_api00_compimp_yes";
    assert_relative(key, got.se, r[key], SE_RELATIVE);

    let got = hajek_mean(&api_design(&data, true), &y, None).unwrap();
    assert_relative("SE with fpc", got.se, r["lonely_fpc_se_api00"], SE_RELATIVE);
}
