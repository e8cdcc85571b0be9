//! The one streaming query: a scan of the wave grouped by stratum × group cell, with per item
//! the answered rows and the five weighted sums of [`ItemSums`]. Polars' streaming engine runs
//! it on morsels, so memory holds a few row groups and one small row per cell, whatever the
//! file's size.

use std::path::Path;

use polars::prelude::*;

use super::combine::ItemSums;
use super::{Population, StreamError, StreamSpec};

/// The answers that mean "no number": 不了解/不适用 (METHODS §1), or an empty cell.
const NOT_A_SCORE: [&str; 4] = ["na", "不了解", "不适用", ""];

/// One stratum × group cell of the wave.
#[derive(Debug, Clone)]
pub struct Cell {
    pub stratum: String,
    /// The cell's value of each grouping variable (`None`: missing).
    pub keys: Vec<Option<String>>,
    /// Every row of the cell, answered or not.
    pub rows: f64,
    /// The smallest and largest `N_h` of a population column in the cell.
    pub population: Option<(f64, f64)>,
    /// Rows whose weight is missing or not positive.
    pub bad_weights: f64,
    /// Per item, in the order of the spec: the sums over its answered rows (base weights).
    pub items: Vec<ItemSums>,
    /// Per item: answers that are neither a score on the scale nor "na"/不了解/不适用/empty.
    pub bad: Vec<f64>,
}

/// A lazy scan of a Parquet or CSV file (CSV: every column as text, as the batch reads it).
pub fn scan(path: &Path) -> Result<LazyFrame, StreamError> {
    let source = PlRefPath::try_from_path(path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    Ok(match ext.to_ascii_lowercase().as_str() {
        "parquet" => LazyFrame::scan_parquet(source, ScanArgsParquet::default())?,
        "csv" => LazyCsvReader::new(source)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()?,
        _ => return Err(StreamError::Format(path.display().to_string())),
    })
}

fn stratum_key() -> &'static str {
    "__stratum"
}

fn group_key(g: usize) -> String {
    format!("__group{g}")
}

fn item_col(k: usize, sum: &str) -> String {
    format!("__item{k}_{sum}")
}

/// An item's score (null when unanswered) and whether the raw value is bad.
fn score(raw: Expr, text: bool, low: f64, high: f64) -> (Expr, Expr) {
    let parsed = raw.clone().cast(DataType::Float64);
    let whole = parsed
        .clone()
        .cast(DataType::Int64)
        .cast(DataType::Float64)
        .eq(parsed.clone());
    let ok = parsed
        .clone()
        .gt_eq(lit(low))
        .and(parsed.clone().lt_eq(lit(high)))
        .and(whole)
        .fill_null(lit(false));
    let missing = if text {
        NOT_A_SCORE.iter().fold(raw.clone().is_null(), |acc, t| {
            acc.or(raw.clone().eq(lit(*t)))
        })
    } else {
        raw.is_null()
    };
    let y = when(ok.clone())
        .then(parsed)
        .otherwise(lit(NULL).cast(DataType::Float64));
    let bad = (ok.not().and(missing.not())).cast(DataType::Float64);
    (y, bad)
}

/// Runs the aggregate on `engine` (streaming, or in memory to compare) and returns its cells.
pub fn cells(
    frame: LazyFrame,
    spec: &StreamSpec,
    engine: Engine,
) -> Result<Vec<Cell>, StreamError> {
    let mut frame = frame;
    let schema = frame.collect_schema()?;
    let column = |name: &str| -> Result<Expr, StreamError> {
        match schema.get(name) {
            Some(_) => Ok(col(name)),
            None => Err(StreamError::MissingColumn(name.to_string())),
        }
    };
    // First each row's key, weight, centred scores and bad flags, each computed once; then
    // the sums per cell.
    let mut prepared = vec![column(&spec.stratum)?
        .cast(DataType::String)
        .alias(stratum_key())];
    let mut keys = vec![col(stratum_key())];
    for (g, name) in spec.groups.iter().enumerate() {
        prepared.push(column(name)?.cast(DataType::String).alias(group_key(g)));
        keys.push(col(group_key(g)));
    }
    let b = match &spec.weight {
        Some(w) => {
            prepared.push(column(w)?.cast(DataType::Float64).alias("__b"));
            col("__b")
        }
        None => lit(1.0),
    };
    let mut aggs = vec![len().cast(DataType::Float64).alias("__rows")];
    if let Some(Population::Column(p)) = &spec.population {
        prepared.push(column(p)?.cast(DataType::Float64).alias("__pop"));
        aggs.push(col("__pop").min().alias("__pop_min"));
        aggs.push(col("__pop").max().alias("__pop_max"));
    }
    let bad_weight = b.clone().gt(lit(0.0)).fill_null(lit(false)).not();
    aggs.push(bad_weight.cast(DataType::Float64).sum().alias("__bad_w"));
    let (low, high) = spec.range();
    for (k, item) in spec.items.iter().enumerate() {
        let text = matches!(schema.get(item.as_str()), Some(DataType::String));
        let (y, bad) = score(column(item)?, text, low, high);
        prepared.push((y - lit(spec.centre())).alias(item_col(k, "y")));
        prepared.push(bad.alias(item_col(k, "bad_row")));
        let y = col(item_col(k, "y"));
        let answered = y.clone().is_not_null().cast(DataType::Float64);
        let yc = y.fill_null(lit(0.0));
        let bb = b.clone() * b.clone();
        aggs.extend([
            answered.clone().sum().alias(item_col(k, "n")),
            (b.clone() * answered.clone()).sum().alias(item_col(k, "w")),
            (b.clone() * yc.clone()).sum().alias(item_col(k, "wy")),
            (bb.clone() * answered).sum().alias(item_col(k, "ww")),
            (bb.clone() * yc.clone()).sum().alias(item_col(k, "wwy")),
            (bb * yc.clone() * yc).sum().alias(item_col(k, "wwyy")),
            col(item_col(k, "bad_row")).sum().alias(item_col(k, "bad")),
        ]);
    }
    let df = frame
        .select(prepared)
        .group_by(keys)
        .agg(aggs)
        .collect_with_engine(engine)?
        .unwrap_single();
    read_cells(&df, spec)
}

fn read_cells(df: &DataFrame, spec: &StreamSpec) -> Result<Vec<Cell>, StreamError> {
    let text = |name: &str| -> Result<Vec<Option<String>>, StreamError> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.map(String::from))
            .collect())
    };
    let number = |name: &str| -> Result<Vec<f64>, StreamError> {
        Ok(df
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    let strata = text(stratum_key())?;
    let groups = (0..spec.groups.len())
        .map(|g| text(&group_key(g)))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = number("__rows")?;
    let bad_w = number("__bad_w")?;
    let population = match &spec.population {
        Some(Population::Column(_)) => Some((number("__pop_min")?, number("__pop_max")?)),
        _ => None,
    };
    let sums = ["n", "w", "wy", "ww", "wwy", "wwyy", "bad"];
    let items = (0..spec.items.len())
        .map(|k| {
            sums.iter()
                .map(|s| number(&item_col(k, s)))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    (0..df.height())
        .map(|i| {
            let stratum = strata[i]
                .clone()
                .ok_or_else(|| StreamError::MissingStratum(spec.stratum.clone()))?;
            Ok(Cell {
                stratum,
                keys: groups.iter().map(|g| g[i].clone()).collect(),
                rows: rows[i],
                population: population.as_ref().map(|(lo, hi)| (lo[i], hi[i])),
                bad_weights: bad_w[i],
                items: items
                    .iter()
                    .map(|s| ItemSums {
                        n: s[0][i],
                        w: s[1][i],
                        wy: s[2][i],
                        ww: s[3][i],
                        wwy: s[4][i],
                        wwyy: s[5][i],
                    })
                    .collect(),
                bad: items.iter().map(|s| s[6][i]).collect(),
            })
        })
        .collect()
}
