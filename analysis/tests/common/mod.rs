//! Shared by the test binaries: reading the fixtures R wrote (`fixtures/api_reference.R`) and
//! comparing numbers at METHODS' tolerances.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::path::PathBuf;

use minyi_analysis::stats::Design;

/// METHODS: point estimates to 1e-9.
pub const POINT: f64 = 1e-9;
/// METHODS: standard errors to 1e-6, relative.
pub const SE_RELATIVE: f64 = 1e-6;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A CSV as R's `write.csv(quote = FALSE)` writes it: a header, no quoted fields.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(name: &str) -> Table {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let mut lines = text.lines().filter(|l| !l.is_empty());
        let split = |l: &str| l.split(',').map(str::to_owned).collect::<Vec<_>>();
        let header = split(lines.next().unwrap());
        let rows = lines.map(split).collect();
        Table { header, rows }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn column(&self, name: &str) -> Vec<&str> {
        let j = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(|r| r[j].as_str()).collect()
    }

    /// A numeric column, `NA` as `None`.
    pub fn numbers(&self, name: &str) -> Vec<Option<f64>> {
        self.column(name)
            .into_iter()
            .map(|v| (v != "NA").then(|| v.parse().unwrap()))
            .collect()
    }

    /// A numeric column without missing values.
    pub fn floats(&self, name: &str) -> Vec<f64> {
        self.numbers(name).into_iter().map(Option::unwrap).collect()
    }

    /// A TRUE/FALSE column, `NA` as `None`.
    pub fn logicals(&self, name: &str) -> Vec<Option<bool>> {
        self.column(name)
            .into_iter()
            .map(|v| match v {
                "TRUE" => Some(true),
                "FALSE" => Some(false),
                _ => None,
            })
            .collect()
    }

    /// Rows whose `name` column equals `value`.
    pub fn is(&self, name: &str, value: &str) -> Vec<bool> {
        self.column(name).into_iter().map(|v| v == value).collect()
    }

    /// A categorical column as level indices, in the order of `levels`.
    pub fn levels(&self, name: &str, levels: &[&str]) -> Vec<usize> {
        self.column(name)
            .into_iter()
            .map(|v| levels.iter().position(|l| *l == v).unwrap())
            .collect()
    }
}

/// `api_expected.csv`: the numbers R computed, by name.
pub fn expected() -> HashMap<String, f64> {
    let table = Table::read("api_expected.csv");
    table
        .column("name")
        .into_iter()
        .zip(table.floats("value"))
        .map(|(n, v)| (n.to_owned(), v))
        .collect()
}

/// R's `svydesign(id = ~1, strata = ~stype, weights = ~pw, data, fpc = ~fpc)`, or without
/// `fpc` when `with_fpc` is false. Strata E, H, M are 0, 1, 2.
pub fn api_design(data: &Table, with_fpc: bool) -> Design {
    let strata = data.levels("stype", &["E", "H", "M"]);
    let fpc = data.floats("fpc");
    let populations = (0..3)
        .map(|h| {
            let row = strata.iter().position(|&s| s == h);
            row.filter(|_| with_fpc).map(|i| fpc[i])
        })
        .collect();
    Design::new(strata, data.floats("pw"), populations).unwrap()
}

/// |got − expected| ≤ tolerance.
#[track_caller]
pub fn assert_close(what: &str, got: f64, expected: f64, tolerance: f64) {
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: got {got}, expected {expected} (tolerance {tolerance:e})"
    );
}

/// |got − expected| ≤ relative · |expected|.
#[track_caller]
pub fn assert_relative(what: &str, got: f64, expected: f64, relative: f64) {
    assert!(
        (got - expected).abs() <= relative * expected.abs(),
        "{what}: got {got}, expected {expected} (relative {:e}, allowed {relative:e})",
        ((got - expected) / expected).abs()
    );
}
