//! A group's SE from its own rows (`Design::variance_on`, `cells.rs`) against the SE of the
//! same linearized variable spelled out over every row of the design, with the calibration
//! residuals computed row by row as METHODS §4 writes them. On the `api` data, for a group
//! that cuts across the strata and the post-strata.

mod common;

use common::{api_design, assert_relative, Table};
use minyi_analysis::stats::{
    linearize_mean, post_stratify, rake, AnalysisError, Design, Margin, RowSet,
};

/// Agreement of two exact computations of one sum, in different orders.
const SAME: f64 = 1e-12;

fn margin(data: &Table, name: &str, totals: [f64; 2]) -> Margin {
    Margin::new(name, data.levels(name, &["No", "Yes"]), totals.to_vec()).unwrap()
}

/// METHODS §3 over every row: Σ_h (1 − f_h) n_h/(n_h − 1) Σ_{i∈h} (e_i − ē_h)².
fn textbook_variance(strata: &[usize], populations: &[Option<f64>], e: &[f64]) -> f64 {
    let count = populations.len();
    let (mut n, mut sum) = (vec![0.0; count], vec![0.0; count]);
    for (&h, &ei) in strata.iter().zip(e) {
        n[h] += 1.0;
        sum[h] += ei;
    }
    let mut squares = vec![0.0; count];
    for (&h, &ei) in strata.iter().zip(e) {
        squares[h] += (ei - sum[h] / n[h]).powi(2);
    }
    (0..count)
        .map(|h| {
            let fpc = populations[h].map_or(1.0, |p| 1.0 - n[h] / p);
            fpc * n[h] / (n[h] - 1.0) * squares[h]
        })
        .sum()
}

/// The schools with fewer than half their pupils on free meals: a group that every stratum
/// and every level of the margins meet, and that no margin lines up with.
fn group_and_y(data: &Table) -> (Vec<bool>, Vec<Option<f64>>) {
    let group = data
        .numbers("meals")
        .iter()
        .map(|m| m.is_some_and(|m| m < 50.0))
        .collect();
    (group, data.numbers("api00"))
}

#[test]
fn an_uncalibrated_group_se_from_its_rows_is_the_textbook_one() {
    let data = Table::read("apistrat.csv");
    let design = api_design(&data, true);
    let (group, y) = group_and_y(&data);
    let lin = linearize_mean(&design, &y, Some(&group)).unwrap();
    assert!(!lin.rows.is_all());
    assert_eq!(lin.z.len(), group.iter().filter(|&&g| g).count());
    let got = design.variance_on(&lin.rows, &lin.z).unwrap();
    let z = lin.dense(design.rows());
    let expected = textbook_variance(design.strata(), design.populations(), &z);
    assert_relative("V", got, expected, SAME);
}

#[test]
fn a_post_stratified_group_se_from_its_rows_uses_every_rows_residual() {
    let data = Table::read("apistrat.csv");
    let levels = data.levels("comp.imp", &["No", "Yes"]);
    let design = post_stratify(
        &api_design(&data, true),
        &margin(&data, "comp.imp", [1712.0, 4482.0]),
    )
    .unwrap();
    let (group, y) = group_and_y(&data);
    let lin = linearize_mean(&design, &y, Some(&group)).unwrap();
    let got = design.variance_on(&lin.rows, &lin.z).unwrap();
    // e_i = z_i − w_i Σ_g z / Σ_g w, for every row: outside the group too.
    let z = lin.dense(design.rows());
    let w = design.weights();
    let (mut zg, mut wg) = ([0.0; 2], [0.0; 2]);
    for i in 0..z.len() {
        zg[levels[i]] += z[i];
        wg[levels[i]] += w[i];
    }
    let e: Vec<f64> = (0..z.len())
        .map(|i| z[i] - w[i] * zg[levels[i]] / wg[levels[i]])
        .collect();
    assert!(e.iter().zip(&group).any(|(ei, g)| !g && *ei != 0.0));
    let expected = textbook_variance(design.strata(), design.populations(), &e);
    assert_relative("V", got, expected, SAME);
    assert_relative("dense", design.variance(&z).unwrap(), expected, SAME);
}

#[test]
fn a_raked_group_se_from_its_rows_is_its_se_over_every_row() {
    let data = Table::read("apistrat.csv");
    let raked = rake(
        &api_design(&data, true),
        &[
            margin(&data, "sch.wide", [1072.0, 5122.0]),
            margin(&data, "comp.imp", [1712.0, 4482.0]),
        ],
    )
    .unwrap();
    let (group, y) = group_and_y(&data);
    let lin = linearize_mean(&raked, &y, Some(&group)).unwrap();
    let got = raked.variance_on(&lin.rows, &lin.z).unwrap();
    let dense = raked.variance(&lin.dense(raked.rows())).unwrap();
    assert_relative("V", got, dense, SAME);
    // Calibration changes it: the rows outside the group carry residuals.
    let plain = api_design(&data, true);
    let plain_lin = linearize_mean(&plain, &y, Some(&group)).unwrap();
    let uncalibrated = plain.variance_on(&plain_lin.rows, &plain_lin.z).unwrap();
    assert!((got - uncalibrated).abs() > 1e-6 * uncalibrated);
}

#[test]
fn row_lists_must_increase_and_fit_the_design() {
    assert!(matches!(
        RowSet::from_rows(vec![3, 1]),
        Err(AnalysisError::OutOfRange { .. })
    ));
    let design = Design::new(vec![0, 0, 0], vec![1.0; 3], vec![None]).unwrap();
    let rows = RowSet::from_rows(vec![1, 5]).unwrap();
    assert!(design.variance_on(&rows, &[0.1, -0.1]).is_err());
    assert!(design.variance_on(&RowSet::all(), &[0.1]).is_err());
}
