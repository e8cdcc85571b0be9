//! The streaming estimator (`stream`): a tiny wave worked by hand (and checked in R), then
//! generated waves against the in-memory stats core and the batch, to 1e-9.

use std::collections::BTreeMap;
use std::path::Path;

use minyi_analysis::config::Batch;
use minyi_analysis::run::estimates::EstimateRow;
use minyi_analysis::stats::{hajek_mean, Design, IndexScale};
use minyi_analysis::stream::bench::write_bench_dir;
use minyi_analysis::stream::generate::{allocation, write_wave, Targets, ITEMS, QUESTIONNAIRE};
use minyi_analysis::stream::{estimate_file, estimate_frame, Population, StreamError, StreamSpec};
use polars::prelude::*;

const TOLERANCE: f64 = 1e-9;

fn spec(stratum: &str, groups: &[&str], items: &[&str], population: Option<&str>) -> StreamSpec {
    StreamSpec {
        wave: "w".into(),
        stratum: stratum.into(),
        population: population.map(|p| Population::Column(p.into())),
        weight: None,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        items: items.iter().map(|i| i.to_string()).collect(),
        scale: IndexScale::Points(5),
    }
}

fn find<'a>(
    rows: &'a [EstimateRow],
    group: (&str, &str),
    item: &str,
    measure: &str,
) -> &'a EstimateRow {
    rows.iter()
        .find(|r| {
            (r.group_var.as_str(), r.group.as_str()) == group
                && r.indicator == item
                && r.measure == measure
        })
        .unwrap_or_else(|| panic!("no {measure} of {item} for {group:?}"))
}

fn close(what: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= TOLERANCE,
        "{what}: got {got}, expected {expected}"
    );
}

/// | h | unit | y  | N_h |      Weights N_h/n_h: A 10/3, B 2. Overall: ȳ = 36/(32/3) = 3.375,
/// |---|------|----|-----|      V = 0.7·1.5·0.2044677734375 + 0.5·2·0.0703125.
/// | A | u1   | 4  | 10  |      u1: ȳ = 26/(26/3) = 3, z = ±5/13 in A and 0 in B, V = 1.05·50/169.
/// | A | u1   | 2  | 10  |      u2: one answered row, ȳ = 5, SE 0. R (survey 4.1, lonely.psu
/// | A | u2   | na | 10  |      "adjust"): 3.375 / 0.285003662109375, 3 / 0.310650887573964, 5 / 0.
/// | B | u2   | 5  | 4   |
/// | B | u1   | 3  | 4   |
#[test]
fn a_tiny_wave_worked_by_hand() {
    let df = df!(
        "h" => ["A", "A", "A", "B", "B"],
        "unit" => ["u1", "u1", "u2", "u2", "u1"],
        "y" => ["4", "2", "na", "5", "3"],
        "N" => [10i64, 10, 10, 4, 4],
    )
    .unwrap();
    let out = estimate_frame(df.lazy(), &spec("h", &["unit"], &["y"], Some("N"))).unwrap();
    assert_eq!((out.rows, out.strata, out.estimates.len()), (5, 2, 6));
    let overall = find(&out.estimates, ("overall", "all"), "y", "mean");
    close("overall mean", overall.estimate, 3.375);
    close("overall variance", overall.se.powi(2), 0.285003662109375);
    assert_eq!(overall.n, 4);
    close("overall n_eff", overall.n_eff, 1024.0 / 272.0);
    let index = find(&out.estimates, ("overall", "all"), "y", "index");
    close("overall index", index.estimate, 2.375 * 25.0);
    close("index SE", index.se, overall.se * 25.0);
    let u1 = find(&out.estimates, ("unit", "u1"), "y", "mean");
    close("u1 mean", u1.estimate, 3.0);
    close("u1 variance", u1.se.powi(2), 52.5 / 169.0);
    let u2 = find(&out.estimates, ("unit", "u2"), "y", "mean");
    assert_eq!((u2.estimate, u2.se, u2.n), (5.0, 0.0, 1));
    assert!(u2.flag_small);
}

type Reference = Vec<(String, String, String, f64, f64)>;

/// The in-memory reference: the stats core on the same frame.
fn in_memory(df: &DataFrame, spec: &StreamSpec, weight: Option<&str>) -> Reference {
    let text = |name: &str| -> Vec<Option<String>> {
        let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
        let c = c.str().unwrap();
        c.iter().map(|v| v.map(String::from)).collect()
    };
    let number = |name: &str| -> Vec<f64> {
        let parse = |v: &Option<String>| v.as_ref().unwrap().parse().unwrap();
        text(name).iter().map(parse).collect()
    };
    let labels: Vec<String> = text(&spec.stratum).into_iter().flatten().collect();
    let mut names = labels.clone();
    names.sort();
    names.dedup();
    let strata: Vec<usize> = labels
        .iter()
        .map(|s| names.binary_search(s).unwrap())
        .collect();
    let design = match (weight, &spec.population) {
        (None, Some(Population::Column(p))) => {
            let mut sizes = vec![0.0; names.len()];
            strata
                .iter()
                .zip(number(p))
                .for_each(|(&h, v)| sizes[h] = v);
            Design::from_populations(strata, sizes).unwrap()
        }
        (Some(w), None) => Design::new(strata, number(w), vec![None; names.len()]).unwrap(),
        _ => unreachable!("the tests use one or the other"),
    };
    let mut domains = vec![("overall".to_string(), "all".to_string(), None)];
    for g in &spec.groups {
        let values = text(g);
        let mut distinct: Vec<String> = values.iter().flatten().cloned().collect();
        distinct.sort();
        distinct.dedup();
        for v in distinct {
            let mask: Vec<bool> = values.iter().map(|x| x.as_ref() == Some(&v)).collect();
            domains.push((g.clone(), v, Some(mask)));
        }
    }
    let mut out = Vec::new();
    for item in &spec.items {
        let y: Vec<Option<f64>> = text(item)
            .iter()
            .map(|v| v.as_ref().and_then(|s| s.parse().ok()))
            .collect();
        for (var, value, mask) in &domains {
            if let Ok(e) = hajek_mean(&design, &y, mask.as_deref()) {
                out.push((var.clone(), value.clone(), item.clone(), e.estimate, e.se));
            }
        }
    }
    out
}

fn assert_same(streamed: &[EstimateRow], reference: &Reference) {
    let means = streamed.iter().filter(|r| r.measure == "mean").count();
    assert_eq!(
        means,
        reference.len(),
        "one streamed mean per in-memory estimate"
    );
    for (var, value, item, mean, se) in reference {
        let row = find(streamed, (var, value), item, "mean");
        close(
            &format!("{item} mean in {var} = {value}"),
            row.estimate,
            *mean,
        );
        close(&format!("{item} SE in {var} = {value}"), row.se, *se);
    }
}

fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn a_generated_wave_streams_as_the_stats_core_computes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, parquet) = (dir.path().join("w.csv"), dir.path().join("w.parquet"));
    let targets = Targets {
        csv: Some(&csv),
        parquet: Some(&parquet),
    };
    write_wave(&targets, 1500, 7, false).unwrap();
    // respondent_type cuts across the strata: its domains leave out rows within each stratum.
    let spec = spec(
        "unit",
        &["unit", "respondent_type"],
        &ITEMS[..5],
        Some("population"),
    );
    let streamed = estimate_file(&parquet, &spec).unwrap();
    assert_eq!(streamed.rows, 1500);
    assert_same(
        &streamed.estimates,
        &in_memory(&read_parquet(&parquet), &spec, None),
    );
    let from_csv = estimate_file(&csv, &spec).unwrap();
    assert_same(
        &from_csv.estimates,
        &in_memory(&read_parquet(&parquet), &spec, None),
    );
}

#[test]
fn a_weight_column_and_a_lonely_stratum_stream_as_the_stats_core_computes_them() {
    let rows = 400;
    let stratum: Vec<String> = (0..rows)
        .map(|i| {
            if i == 0 {
                "lonely".into()
            } else {
                format!("s{}", i % 3)
            }
        })
        .collect();
    let group: Vec<&str> = (0..rows)
        .map(|i| ["a", "b", "c", "d", "e"][(i * 7 + i / 5) % 5])
        .collect();
    let weight: Vec<f64> = (0..rows)
        .map(|i| 1.0 + ((i * 37) % 11) as f64 / 2.0)
        .collect();
    let y: Vec<Option<i64>> = (0..rows)
        .map(|i| (i % 9 != 4).then_some(1 + ((i * 13 + i / 7) % 5) as i64))
        .collect();
    let df = df!("stratum" => stratum, "g" => group, "w" => weight, "y" => y).unwrap();
    let mut spec = spec("stratum", &["g"], &["y"], None);
    spec.weight = Some("w".into());
    let streamed = estimate_frame(df.clone().lazy(), &spec).unwrap();
    assert_same(&streamed.estimates, &in_memory(&df, &spec, Some("w")));
}

#[test]
fn bad_answers_and_populations_are_named() {
    let frame = |y: &str, n: i64| {
        df!("h" => ["A", "A", "B"], "y" => ["1", y, "5"], "N" => [5i64, n, 9])
            .unwrap()
            .lazy()
    };
    let item = spec("h", &[], &["y"], Some("N"));
    for bad in ["7", "0", "3.5", "abc", "nan"] {
        match estimate_frame(frame(bad, 5), &item) {
            Err(StreamError::BadAnswers { item, count }) => {
                assert_eq!((item.as_str(), count), ("y", 1.0))
            }
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
    assert!(estimate_frame(frame("不了解", 5), &item).is_ok());
    assert!(matches!(
        estimate_frame(frame("2", 6), &item),
        Err(StreamError::Population { .. })
    ));
    let mut sizes = item.clone();
    sizes.population = Some(Population::Sizes(BTreeMap::from([
        ("A".into(), 1.0),
        ("B".into(), 9.0),
    ])));
    let err = estimate_frame(frame("2", 5), &sizes).unwrap_err();
    assert!(
        err.to_string().contains("below its 2 sampled rows"),
        "{err}"
    );
}

#[test]
fn the_benchmark_batch_gives_the_streamed_means() {
    let dir = tempfile::tempdir().unwrap();
    write_bench_dir(dir.path(), 600, true, false).unwrap();
    let batch = Batch::load(&dir.path().join("batch.toml")).unwrap();
    let tables = minyi_analysis::run::run(&batch, false).unwrap();
    let spec = spec("unit", &["unit"], &ITEMS, Some("population"));
    for wave in ["baseline", "final"] {
        let streamed = estimate_file(&dir.path().join(format!("{wave}.parquet")), &spec).unwrap();
        assert_eq!(streamed.estimates.len(), 2 * 20 * 13);
        for row in &streamed.estimates {
            let batch_row = tables
                .estimates
                .iter()
                .find(|r| {
                    r.wave == wave
                        && r.level == "item"
                        && (&r.group_var, &r.group, &r.indicator, &r.measure)
                            == (&row.group_var, &row.group, &row.indicator, &row.measure)
                })
                .unwrap_or_else(|| panic!("the batch has no {row:?}"));
            close(
                "batch vs streamed estimate",
                row.estimate,
                batch_row.estimate,
            );
            close("batch vs streamed SE", row.se, batch_row.se);
            assert_eq!((row.n, row.flag_small), (batch_row.n, batch_row.flag_small));
        }
    }
}

#[test]
fn the_generator_is_deterministic_and_allocates_every_row() {
    for rows in [24, 1000, 1_000_003] {
        let strata = allocation(rows);
        assert_eq!(strata.iter().map(|s| s.sampled).sum::<usize>(), rows);
        assert!(strata
            .iter()
            .all(|s| s.sampled >= 2 && s.population >= s.sampled as u64));
        let largest_fraction = strata
            .iter()
            .map(|s| s.sampled as f64 / s.population as f64)
            .fold(0.0, f64::max);
        assert!(largest_fraction <= 0.5 + 1e-9, "{largest_fraction}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    write_wave(
        &Targets {
            csv: Some(&a),
            parquet: None,
        },
        300,
        1,
        true,
    )
    .unwrap();
    write_wave(
        &Targets {
            csv: Some(&b),
            parquet: None,
        },
        300,
        1,
        true,
    )
    .unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let q = minyi_questionnaire::Questionnaire::parse(QUESTIONNAIRE).unwrap();
    let rated: Vec<&str> = q
        .items()
        .filter(|(_, i)| i.indicator.is_some())
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(rated, ITEMS);
}
