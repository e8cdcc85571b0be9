//! The hand-written distribution functions against the values R printed
//! (`fixtures/api_reference.R`, 17 significant digits).

mod common;

use common::{assert_relative, expected};
use minyi_analysis::stats::{beta_cdf, beta_quantile, normal_cdf, t_cdf, t_quantile};

/// The quantiles and CDFs are iterative; 1e-12 relative is far inside what any CI needs.
const RELATIVE: f64 = 1e-12;

#[test]
fn t_quantiles_match_r_qt() {
    let r = expected();
    for df in [1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 197.0, 10000.0] {
        let name = format!("qt975_df{df}");
        assert_relative(&name, t_quantile(0.975, df), r[&name], RELATIVE);
    }
    assert_relative(
        "qt(0.995, 4)",
        t_quantile(0.995, 4.0),
        r["qt995_df4"],
        RELATIVE,
    );
    assert_relative(
        "qt(0.001, 7)",
        t_quantile(0.001, 7.0),
        r["qt0001_df7"],
        RELATIVE,
    );
    assert_relative(
        "qt(0.975, 2.5)",
        t_quantile(0.975, 2.5),
        r["qt975_df2.5"],
        RELATIVE,
    );
}

#[test]
fn t_quantile_closed_forms_and_edges() {
    // df = 1 is Cauchy: qt(p) = tan(π(p − ½)); df = 2: qt(p) = (2p − 1)/√(2p(1 − p)).
    for p in [0.6, 0.9, 0.975, 0.999] {
        let cauchy = (std::f64::consts::PI * (p - 0.5)).tan();
        assert_relative("Cauchy", t_quantile(p, 1.0), cauchy, RELATIVE);
        let two = (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
        assert_relative("df 2", t_quantile(p, 2.0), two, RELATIVE);
        assert_eq!(t_quantile(1.0 - p, 5.0), -t_quantile(p, 5.0));
    }
    assert_eq!(t_quantile(0.5, 3.0), 0.0);
    assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
    assert!(t_quantile(0.5, 0.0).is_nan());
    assert!(t_quantile(1.5, 3.0).is_nan());
}

#[test]
fn t_cdf_matches_r_pt_and_inverts_the_quantile() {
    let r = expected();
    assert_relative("pt(1.5, 3)", t_cdf(1.5, 3.0), r["pt_1.5_df3"], RELATIVE);
    assert_relative(
        "pt(-2.5, 12)",
        t_cdf(-2.5, 12.0),
        r["pt_-2.5_df12"],
        RELATIVE,
    );
    for (p, df) in [(0.975, 197.0), (0.8, 3.5), (0.01, 40.0)] {
        assert_relative("round trip", t_cdf(t_quantile(p, df), df), p, RELATIVE);
    }
}

#[test]
fn incomplete_beta_matches_r_pbeta() {
    let r = expected();
    let cases = [
        ("pbeta_0.3_2_5", 0.3, 2.0, 5.0),
        ("pbeta_0.9_0.5_0.5", 0.9, 0.5, 0.5),
        ("pbeta_0.01_30_2", 0.01, 30.0, 2.0),
        ("pbeta_0.999_200_3.5", 0.999, 200.0, 3.5),
    ];
    for (name, x, a, b) in cases {
        assert_relative(name, beta_cdf(x, a, b), r[name], RELATIVE);
    }
    // By hand: I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.3(2, 5) = Σ_{j=2}^{6} C(6,j) 0.3^j 0.7^(6−j).
    assert_relative("uniform", beta_cdf(0.37, 1.0, 1.0), 0.37, RELATIVE);
    assert_relative("x^a", beta_cdf(0.8, 7.5, 1.0), 0.8_f64.powf(7.5), RELATIVE);
    assert_relative("binomial sum", beta_cdf(0.3, 2.0, 5.0), 0.579825, RELATIVE);
}

#[test]
fn beta_quantile_matches_r_qbeta() {
    let r = expected();
    let cases = [
        ("qbeta_0.025_3_7", 0.025, 3.0, 7.0),
        ("qbeta_0.975_10.5_2", 0.975, 10.5, 2.0),
        ("qbeta_0.025_12.3_1", 0.025, 12.3, 1.0),
        ("qbeta_0.5_0.5_0.5", 0.5, 0.5, 0.5),
        ("qbeta_1e-6_2_40", 1e-6, 2.0, 40.0),
    ];
    for (name, p, a, b) in cases {
        assert_relative(name, beta_quantile(p, a, b), r[name], RELATIVE);
    }
    // qbeta(p, a, 1) = p^(1/a): the Clopper–Pearson lower bound when every answer is "yes".
    assert_relative(
        "p^(1/a)",
        beta_quantile(0.025, 12.3, 1.0),
        0.025_f64.powf(1.0 / 12.3),
        RELATIVE,
    );
}

#[test]
fn normal_cdf_matches_r_pnorm() {
    let r = expected();
    for (name, x) in [
        ("pnorm_-1.2", -1.2),
        ("pnorm_3.1", 3.1),
        ("pnorm_-8", -8.0),
        ("pnorm_0.3", 0.3),
        ("pnorm_-0.0001", -0.0001),
        ("pnorm_1e-10", 1e-10),
    ] {
        assert_relative(name, normal_cdf(x), r[name], RELATIVE);
    }
    assert_eq!(normal_cdf(0.0), 0.5);
    // Φ(−1.959964) = 0.025, the interval's own critical value.
    assert_relative(
        "Φ(−z95)",
        normal_cdf(-1.959_963_984_540_054),
        0.025,
        RELATIVE,
    );
}
