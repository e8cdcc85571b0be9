//! The linearized variance of a group's estimator from the group's rows alone.
//!
//! A design's rows fall into *cells*: rows of one stratum and, for a calibrated design, one
//! level of every calibration margin. Two rows of a cell are treated alike by everything in
//! the variance except their own `z` and weight: outside a domain `z = 0`, and calibration
//! takes `w_i · c` off every row of a cell (residuals.rs). So a row outside the domain has
//! residual `e_i = −w_i a_c` for its cell's `a_c`, and its part in `Σ_h (e_i − ē_h)²` is fixed
//! by its cell's count, `Σ w` and `Σ w²`:
//!
//! `Σ_{i∈c, outside} (w_i a_c + ē_h)² = a_c² Σw² + 2 a_c ē_h Σw + n ē_h²`.
//!
//! The rows inside the domain are summed one by one. With no calibration the cells are the
//! strata, `a = 0`, and this is `Σ_h [Σ_{inside} (z_i − z̄_h)² + n_out z̄_h²]`: the
//! textbook formula of design.rs, in two passes over the group's own rows.

use std::collections::HashMap;

use crate::stats::design::Design;
use crate::stats::rows::RowSet;

/// Each row's cell, and per cell its stratum, its level in each calibration margin, and its
/// totals over every row of the design.
#[derive(Debug, Clone)]
pub(crate) struct Cells {
    of_row: Vec<u32>,
    stratum: Vec<usize>,
    /// Per calibration, per margin: each cell's level.
    levels: Vec<Vec<Vec<usize>>>,
    n: Vec<f64>,
    w: Vec<f64>,
    w2: Vec<f64>,
}

impl Cells {
    /// The cells of a design: strata split by each calibration margin in turn.
    pub(crate) fn new(design: &Design) -> Cells {
        let mut of_row: Vec<u32> = design.strata().iter().map(|&h| h as u32).collect();
        // Per cell: its stratum, then its level in each margin so far.
        let mut keys: Vec<Vec<usize>> = (0..design.stratum_count()).map(|h| vec![h]).collect();
        for calibration in design.calibrations() {
            for (levels, count) in calibration.margins() {
                let mut next: Vec<Vec<usize>> = Vec::new();
                let mut split = |cell: u32, level: usize| {
                    let mut key = keys[cell as usize].clone();
                    key.push(level);
                    next.push(key);
                    (next.len() - 1) as u32
                };
                if keys.len().saturating_mul(count) <= 1 << 22 {
                    let mut table = vec![u32::MAX; keys.len() * count];
                    for (cell, &level) in of_row.iter_mut().zip(levels) {
                        let slot = &mut table[*cell as usize * count + level];
                        if *slot == u32::MAX {
                            *slot = split(*cell, level);
                        }
                        *cell = *slot;
                    }
                } else {
                    let mut table: HashMap<(u32, usize), u32> = HashMap::new();
                    for (cell, &level) in of_row.iter_mut().zip(levels) {
                        *cell = *table
                            .entry((*cell, level))
                            .or_insert_with(|| split(*cell, level));
                    }
                }
                keys = next;
            }
        }
        let count = keys.len();
        let (mut n, mut w, mut w2) = (vec![0.0; count], vec![0.0; count], vec![0.0; count]);
        for (&c, &wi) in of_row.iter().zip(design.weights()) {
            let c = c as usize;
            n[c] += 1.0;
            w[c] += wi;
            w2[c] += wi * wi;
        }
        let mut levels = Vec::new();
        let mut position = 1;
        for calibration in design.calibrations() {
            let margins = calibration.margins().len();
            levels.push(
                (position..position + margins)
                    .map(|p| keys.iter().map(|k| k[p]).collect())
                    .collect(),
            );
            position += margins;
        }
        Cells {
            of_row,
            stratum: keys.iter().map(|k| k[0]).collect(),
            levels,
            n,
            w,
            w2,
        }
    }

    /// Per stratum, `Σ_{i∈h} (e_i − ē_h)²` of the calibration residuals `e` of a linearized
    /// variable given on `rows` (0 elsewhere); `ē_h` is 0 for a stratum with a single row
    /// (R's `"adjust"`).
    pub(crate) fn stratum_squares(&self, design: &Design, rows: &RowSet, z: &[f64]) -> Vec<f64> {
        // One loop for every row, one for a list: no lookup per row to tell them apart.
        match rows.listed() {
            None => self.squares(design, z, |k| k),
            Some(list) => self.squares(design, z, |k| list[k] as usize),
        }
    }

    fn squares<R: Fn(usize) -> usize>(&self, design: &Design, z: &[f64], row: R) -> Vec<f64> {
        let cells = self.n.len();
        let w = design.weights();
        let calibrated = !design.calibrations().is_empty();
        // The group's rows per cell: Σz and count (and Σw, Σw² when calibrated).
        let (mut zc, mut nd) = (vec![0.0; cells], vec![0.0; cells]);
        let (mut wd, mut w2d) = (vec![0.0; cells], vec![0.0; cells]);
        if calibrated {
            for (k, &zi) in z.iter().enumerate() {
                let i = row(k);
                let c = self.of_row[i] as usize;
                zc[c] += zi;
                nd[c] += 1.0;
                wd[c] += w[i];
                w2d[c] += w[i] * w[i];
            }
        } else {
            for (k, &zi) in z.iter().enumerate() {
                let c = self.of_row[row(k)] as usize;
                zc[c] += zi;
                nd[c] += 1.0;
            }
        }
        // Calibration, step by step: every row's residual is z_i − w_i a_c.
        let mut a = vec![0.0; cells];
        for (calibration, margins) in design.calibrations().iter().zip(&self.levels) {
            let counts: Vec<usize> = calibration.margins().iter().map(|m| m.1).collect();
            let mut sums: Vec<Vec<f64>> = counts.iter().map(|&k| vec![0.0; k]).collect();
            let mut weight_sums = sums.clone();
            for (m, levels) in margins.iter().enumerate() {
                for c in 0..cells {
                    sums[m][levels[c]] += zc[c] - a[c] * self.w[c];
                    weight_sums[m][levels[c]] += self.w[c];
                }
            }
            let adjust = calibration.adjustments(w, &sums, &weight_sums);
            for (c, ac) in a.iter_mut().enumerate() {
                *ac += margins
                    .iter()
                    .zip(&adjust)
                    .map(|(levels, amounts)| amounts[levels[c]])
                    .sum::<f64>();
            }
        }
        let sizes = design.stratum_sizes();
        let mut centre = vec![0.0; sizes.len()];
        for c in 0..cells {
            centre[self.stratum[c]] += zc[c] - a[c] * self.w[c];
        }
        for (m, &n) in centre.iter_mut().zip(sizes) {
            *m = if n > 1 { *m / n as f64 } else { 0.0 };
        }
        let mut squares = vec![0.0; sizes.len()];
        if calibrated {
            for (k, &zi) in z.iter().enumerate() {
                let i = row(k);
                let c = self.of_row[i] as usize;
                let h = self.stratum[c];
                let d = zi - w[i] * a[c] - centre[h];
                squares[h] += d * d;
            }
        } else {
            // Uncalibrated, the cells are the strata.
            for (k, &zi) in z.iter().enumerate() {
                let h = self.of_row[row(k)] as usize;
                let d = zi - centre[h];
                squares[h] += d * d;
            }
        }
        for c in 0..cells {
            let outside = self.n[c] - nd[c];
            if outside > 0.0 {
                let h = self.stratum[c];
                let (ac, m) = (a[c], centre[h]);
                let (w_out, w2_out) = (self.w[c] - wd[c], self.w2[c] - w2d[c]);
                squares[h] += ac * ac * w2_out + 2.0 * ac * m * w_out + outside * m * m;
            }
        }
        squares
    }
}
