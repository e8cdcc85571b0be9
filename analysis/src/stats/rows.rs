//! A group's rows within a design: every row, or a sorted list of row indices.
//!
//! An estimator over a group reads only the group's rows; the rows outside it still count in
//! the variance (METHODS §3), but only through per-stratum totals ([`Design::variance_on`]).
//! So a unit's estimates cost its own rows, not the whole wave's.
//!
//! [`Design::variance_on`]: crate::stats::Design::variance_on

use std::sync::Arc;

use crate::stats::error::{check_len, AnalysisError};

/// The rows of a group: all of a design's rows, or some of them, in increasing order.
/// Cloning is cheap (the list is shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSet(Option<Arc<[u32]>>);

impl RowSet {
    /// Every row of the design.
    pub fn all() -> Self {
        RowSet(None)
    }

    /// The rows where `mask` is true.
    pub fn from_mask(mask: &[bool]) -> Self {
        RowSet(Some(
            mask.iter()
                .enumerate()
                .filter(|(_, &m)| m)
                .map(|(i, _)| i as u32)
                .collect(),
        ))
    }

    /// `None` (the whole sample) or a group mask of `rows` entries.
    pub(crate) fn of(group: Option<&[bool]>, rows: usize) -> Result<Self, AnalysisError> {
        match group {
            None => Ok(RowSet::all()),
            Some(mask) => {
                check_len("group", rows, mask.len())?;
                Ok(RowSet::from_mask(mask))
            }
        }
    }

    /// Listed rows; they must be in increasing order, each once.
    pub fn from_rows(rows: Vec<u32>) -> Result<Self, AnalysisError> {
        if let Some(k) = rows.windows(2).position(|p| p[0] >= p[1]) {
            return Err(AnalysisError::OutOfRange {
                what: "a group's row list",
                allowed: "increasing row numbers",
                value: rows[k + 1] as f64,
            });
        }
        Ok(RowSet(Some(rows.into())))
    }

    /// Whether this is every row.
    pub fn is_all(&self) -> bool {
        self.0.is_none()
    }

    /// The number of rows in the set, for a design of `design_rows` rows.
    pub fn len(&self, design_rows: usize) -> usize {
        self.0.as_ref().map_or(design_rows, |r| r.len())
    }

    /// The listed rows (`None`: every row).
    pub(crate) fn listed(&self) -> Option<&[u32]> {
        self.0.as_deref()
    }

    /// The design row of the set's `k`-th row.
    #[inline]
    pub fn row(&self, k: usize) -> usize {
        self.0.as_ref().map_or(k, |r| r[k] as usize)
    }

    /// The design rows in the set, in order.
    pub fn iter(&self, design_rows: usize) -> Rows<'_> {
        Rows {
            list: self.0.as_deref().map(|r| r.iter()),
            all: 0..design_rows,
        }
    }

    /// Checks that every listed row is below `design_rows`.
    pub(crate) fn check(&self, design_rows: usize) -> Result<(), AnalysisError> {
        match self.0.as_deref().and_then(|r| r.last()) {
            Some(&last) if last as usize >= design_rows => Err(AnalysisError::OutOfRange {
                what: "a group's row",
                allowed: "a row of the design",
                value: last as f64,
            }),
            _ => Ok(()),
        }
    }

    /// Values given per row of the set, spread over all `design_rows` rows (0 elsewhere).
    pub fn spread(&self, values: &[f64], design_rows: usize) -> Vec<f64> {
        let mut dense = vec![0.0; design_rows];
        for (k, &v) in values.iter().enumerate() {
            dense[self.row(k)] = v;
        }
        dense
    }
}

/// The design rows of a [`RowSet`], in order.
pub struct Rows<'a> {
    list: Option<std::slice::Iter<'a, u32>>,
    all: std::ops::Range<usize>,
}

impl Iterator for Rows<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match &mut self.list {
            Some(list) => list.next().map(|&i| i as usize),
            None => self.all.next(),
        }
    }
}
