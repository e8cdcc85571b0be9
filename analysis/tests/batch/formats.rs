//! The same wave as XLSX (numbers as numbers, as a spreadsheet holds them) and as Parquet
//! (typed columns) gives the same estimates as the CSV.

use polars::prelude::*;

use minyi_analysis::run;

use super::helpers::{final_wave, load, setup, BASELINE};

fn cells() -> Vec<Vec<String>> {
    BASELINE
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn write_xlsx(path: &std::path::Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in cells().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(x) if r > 0 => sheet.write_number(r as u32, c as u16, x).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => sheet.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

fn write_parquet(path: &std::path::Path) {
    let rows = cells();
    let columns: Vec<Column> = rows[0]
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values: Vec<&str> = rows[1..].iter().map(|r| r[c].as_str()).collect();
            // The id and durations as integers, the rest as text with nulls for empty cells.
            if name == "id" || name == "seconds" {
                let ints: Vec<i64> = values.iter().map(|v| v.parse().unwrap()).collect();
                Column::new(name.as_str().into(), ints)
            } else {
                let text: Vec<Option<&str>> = values
                    .iter()
                    .map(|v| (!v.is_empty()).then_some(*v))
                    .collect();
                Column::new(name.as_str().into(), text)
            }
        })
        .collect();
    let mut frame = DataFrame::new(rows.len() - 1, columns).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut frame)
        .unwrap();
}

#[test]
fn xlsx_and_parquet_read_like_csv() {
    let (dir, csv_batch) = setup(BASELINE, &final_wave(), "");
    let from_csv = run::run(&load(&csv_batch), false).unwrap();
    write_xlsx(&dir.path().join("base.xlsx"));
    write_parquet(&dir.path().join("base.parquet"));
    for ext in ["xlsx", "parquet"] {
        let text = std::fs::read_to_string(&csv_batch).unwrap().replacen(
            "base.csv",
            &format!("base.{ext}"),
            1,
        );
        let path = dir.path().join(format!("{ext}.toml"));
        std::fs::write(&path, text).unwrap();
        let tables = run::run(&load(&path), false).unwrap();
        assert_eq!(tables.estimates.len(), from_csv.estimates.len(), "{ext}");
        for (a, b) in tables.estimates.iter().zip(&from_csv.estimates) {
            assert_eq!(
                (&a.indicator, &a.measure, &a.group),
                (&b.indicator, &b.measure, &b.group)
            );
            assert!(
                (a.estimate - b.estimate).abs() < 1e-12 && (a.se - b.se).abs() < 1e-12,
                "{ext}: {a:?} vs {b:?}"
            );
        }
    }
}

#[test]
fn check_reads_the_header_of_xlsx_and_parquet() {
    let (dir, csv_batch) = setup(BASELINE, &final_wave(), "");
    write_xlsx(&dir.path().join("base.xlsx"));
    write_parquet(&dir.path().join("base.parquet"));
    for ext in ["xlsx", "parquet"] {
        let text = std::fs::read_to_string(&csv_batch)
            .unwrap()
            .replacen("base.csv", &format!("base.{ext}"), 1)
            .replacen("duration = \"seconds\"", "duration = \"secs\"", 1);
        let path = dir.path().join(format!("{ext}.toml"));
        std::fs::write(&path, text).unwrap();
        let problems = minyi_analysis::check::check(&load(&path));
        assert!(
            problems
                .iter()
                .any(|p| p.key == "waves[0].input.columns.duration" && p.message.contains("secs")),
            "{ext}: {problems:?}"
        );
    }
}
