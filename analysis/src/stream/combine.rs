//! From per-stratum sums to a domain's Hájek mean and its linearized SE, exactly as
//! [`crate::stats::hajek_mean`] computes them row by row (METHODS §3).
//!
//! With `z_i = w_i (y_i − ȳ)/W` in the domain D and 0 elsewhere, a stratum's terms are sums:
//! `Σ_h z = (Σ wy − ȳ Σ w)/W` and `Σ_h z² = (Σ w²y² − 2ȳ Σ w²y + ȳ² Σ w²)/W²` over h ∩ D, so
//! `Σ_{i∈h} (z_i − z̄_h)² = Σ_h z² − (Σ_h z)²/n_h` with `n_h` every sampled row of h, in the
//! domain or not. R: `svymean(~y, design, na.rm = TRUE)` and `svyby(~y, ~g, design, svymean,
//! na.rm = TRUE)` on `svydesign(ids = ~1, strata = ~h, weights = ~w, fpc = ~N_h)`.

use std::ops::AddAssign;

use crate::stats::{AnalysisError, Estimate};

/// One item's sums over a set of rows: answered rows `n`, and `Σw`, `Σwy`, `Σw²`, `Σw²y`,
/// `Σw²y²` over them, with y measured from a fixed centre (which keeps the squares small).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ItemSums {
    pub n: f64,
    pub w: f64,
    pub wy: f64,
    pub ww: f64,
    pub wwy: f64,
    pub wwyy: f64,
}

impl AddAssign for ItemSums {
    fn add_assign(&mut self, o: ItemSums) {
        self.n += o.n;
        self.w += o.w;
        self.wy += o.wy;
        self.ww += o.ww;
        self.wwy += o.wwy;
        self.wwyy += o.wwyy;
    }
}

impl ItemSums {
    /// The sums of one row with weight `w` and value `y` (already centred).
    pub fn row(w: f64, y: f64) -> Self {
        ItemSums {
            n: 1.0,
            w,
            wy: w * y,
            ww: w * w,
            wwy: w * w * y,
            wwyy: w * w * y * y,
        }
    }

    /// The sums with every weight multiplied by `m` (a stratum's `N_h/n_h`).
    pub fn scaled(&self, m: f64) -> Self {
        ItemSums {
            n: self.n,
            w: m * self.w,
            wy: m * self.wy,
            ww: m * m * self.ww,
            wwy: m * m * self.wwy,
            wwyy: m * m * self.wwyy,
        }
    }
}

/// A stratum as the variance needs it: all its sampled rows, its population if known, and the
/// domain's sums within it (weights already final).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratumSums {
    pub rows: f64,
    pub population: Option<f64>,
    pub domain: ItemSums,
}

/// The domain's Hájek mean (`centre` added back), its linearized SE and 95% interval, the
/// answered rows and the Kish n_eff. `EmptyDomain` when no row of the domain is answered.
pub fn domain_mean(strata: &[StratumSums], centre: f64) -> Result<Estimate, AnalysisError> {
    let mut total = ItemSums::default();
    for s in strata {
        total += s.domain;
    }
    if total.n == 0.0 || total.w <= 0.0 {
        return Err(AnalysisError::EmptyDomain);
    }
    let big_w = total.w;
    let mean = total.wy / big_w;
    let variance: f64 = strata
        .iter()
        .filter(|s| s.rows > 0.0)
        .map(|s| {
            let d = &s.domain;
            let sum_z = (d.wy - mean * d.w) / big_w;
            let sum_zz = (d.wwyy - 2.0 * mean * d.wwy + mean * mean * d.ww) / (big_w * big_w);
            let fpc = s.population.map_or(1.0, |p| 1.0 - s.rows / p);
            // A lonely stratum is centred on 0, R's survey.lonely.psu = "adjust" (METHODS §2).
            let (squares, scale) = if s.rows > 1.0 {
                (sum_zz - sum_z * sum_z / s.rows, s.rows / (s.rows - 1.0))
            } else {
                (sum_zz, 1.0)
            };
            fpc * scale * squares.max(0.0)
        })
        .sum();
    Ok(Estimate::normal(
        mean + centre,
        variance.sqrt(),
        total.n as usize,
        big_w * big_w / total.ww,
    ))
}
