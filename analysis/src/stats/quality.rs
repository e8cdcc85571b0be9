//! Data-quality screens (METHODS §8): speeders, straight-lining, duplicates. Each returns one
//! flag per row; the batch counts them per unit and decides (and reports) whether flagged rows
//! are excluded.

use std::collections::HashMap;
use std::hash::Hash;

use crate::stats::error::{check_len, AnalysisError};

/// A response faster than this fraction of its questionnaire version's median time is a
/// speeder (METHODS §8; published rules of thumb range from 1/3 to 1/2).
pub const DEFAULT_SPEEDER_FACTOR: f64 = 0.4;
/// Straight-lining is screened on grids of at least this many items.
pub const MIN_GRID_ITEMS: usize = 6;

/// Speeders: rows whose time taken is below `factor ×` the median time of rows of the same
/// questionnaire version. The median is over that version's rows with a time (the mean of the
/// middle two for an even count); a row without a time is not flagged. `factor` must lie in
/// (0, 1]; times must be finite and ≥ 0.
pub fn speeders<V: Eq + Hash>(
    times: &[Option<f64>],
    versions: &[V],
    factor: f64,
) -> Result<Vec<bool>, AnalysisError> {
    check_len("versions", times.len(), versions.len())?;
    if !(factor > 0.0 && factor <= 1.0) {
        return Err(AnalysisError::OutOfRange {
            what: "speeder factor",
            allowed: "in (0, 1]",
            value: factor,
        });
    }
    if let Some(&value) = times
        .iter()
        .flatten()
        .find(|t| !(t.is_finite() && **t >= 0.0))
    {
        return Err(AnalysisError::OutOfRange {
            what: "a time taken",
            allowed: "finite and ≥ 0",
            value,
        });
    }
    let mut by_version: HashMap<&V, Vec<f64>> = HashMap::new();
    for (time, version) in times.iter().zip(versions) {
        if let Some(t) = time {
            by_version.entry(version).or_default().push(*t);
        }
    }
    let medians: HashMap<&V, f64> = by_version
        .into_iter()
        .map(|(version, mut ts)| {
            ts.sort_by(f64::total_cmp);
            let mid = ts.len() / 2;
            let median = if ts.len() % 2 == 1 {
                ts[mid]
            } else {
                0.5 * (ts[mid - 1] + ts[mid])
            };
            (version, median)
        })
        .collect();
    Ok(times
        .iter()
        .zip(versions)
        .map(|(time, version)| time.is_some_and(|t| t < factor * medians[version]))
        .collect())
}

/// Straight-liners on one grid (one slice per item, one `Option` per row; `None` is
/// unanswered or 不了解/不适用): rows whose answered items of the grid are all identical, as
/// METHODS §8 words it. A row needs at least two answered items to be flagged (one answer
/// cannot be a line). The grid must have at least [`MIN_GRID_ITEMS`] items.
pub fn straight_liners(grid: &[&[Option<f64>]]) -> Result<Vec<bool>, AnalysisError> {
    if grid.len() < MIN_GRID_ITEMS {
        return Err(AnalysisError::TooFew {
            what: "a straight-lining grid: items",
            needed: MIN_GRID_ITEMS,
            got: grid.len(),
        });
    }
    let rows = grid[0].len();
    for item in grid {
        check_len("a grid item's answers", rows, item.len())?;
    }
    Ok((0..rows)
        .map(|i| {
            let mut answered = grid.iter().filter_map(|item| item[i]);
            let first = answered.next();
            let mut count = usize::from(first.is_some());
            let all_same = answered.all(|v| {
                count += 1;
                Some(v) == first
            });
            all_same && count >= 2
        })
        .collect())
}

/// Duplicates: a row whose answer vector is identical to that of an earlier row from the same
/// source (e.g. the same site link or device tag) submitted at most `window` before it (times
/// and window in one unit, e.g. epoch milliseconds). The first of each run is kept unflagged;
/// each later copy within `window` of the previous copy is flagged.
pub fn duplicates<S: Ord, A: Ord>(
    sources: &[S],
    times: &[i64],
    answers: &[A],
    window: i64,
) -> Result<Vec<bool>, AnalysisError> {
    check_len("times", sources.len(), times.len())?;
    check_len("answers", sources.len(), answers.len())?;
    if window < 0 {
        return Err(AnalysisError::OutOfRange {
            what: "duplicate window",
            allowed: "≥ 0",
            value: window as f64,
        });
    }
    // The rows in order of source, answers and time: a row is a copy when the one before it
    // has the same source and answers and came at most `window` earlier.
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        (&sources[a], &answers[a], times[a], a).cmp(&(&sources[b], &answers[b], times[b], b))
    });
    let mut flags = vec![false; sources.len()];
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if sources[a] == sources[b] && answers[a] == answers[b] && times[b] - times[a] <= window {
            flags[b] = true;
        }
    }
    Ok(flags)
}
