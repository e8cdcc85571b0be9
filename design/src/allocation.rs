//! Allocating a sample across strata: proportional, equal or Neyman, with a minimum per
//! reported unit (METHODS.md §9).

use crate::error::DesignError;

/// The minimum sample per reported unit (stratum) METHODS.md §9 asks for by default; the same
/// threshold below which §7 flags an estimate as a small sample.
pub const DEFAULT_MIN_PER_UNIT: u64 = 30;

/// One stratum of the population: its size N_h and, for Neyman allocation, the anticipated
/// standard deviation S_h of the main estimate within it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    /// N_h, the number of people (cases, contacts) in the stratum; must be ≥ 1.
    pub population: u64,
    /// S_h, the anticipated standard deviation; needed only for [`Allocation::Neyman`].
    pub sd: Option<f64>,
}

impl Stratum {
    /// A stratum of `population` with no standard deviation.
    pub fn new(population: u64) -> Self {
        Self {
            population,
            sd: None,
        }
    }

    /// A stratum of `population` with standard deviation `sd`.
    pub fn with_sd(population: u64, sd: f64) -> Self {
        Self {
            population,
            sd: Some(sd),
        }
    }
}

/// How a total sample is shared across strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// `n_h = n N_h / N`: every stratum sampled at the same rate (self-weighting).
    Proportional,
    /// `n_h = n / H`: the same sample in every stratum, for comparing units.
    Equal,
    /// `n_h = n N_h S_h / Σ N_k S_k`: the smallest variance of the overall mean for a given n.
    Neyman,
}

/// Shares `total_n` across `strata` by `method`, then raises every stratum to at least
/// `min(min_per_stratum, N_h)`.
///
/// Exactly, in this order:
/// 1. **Quotas** by `method` (real numbers summing to `total_n`).
/// 2. **Capping**: a stratum whose quota exceeds N_h is taken whole (n_h = N_h), and what is
///    left of `total_n` is shared again by the same method among the remaining strata,
///    repeating until no quota exceeds its N_h (Cochran's treatment of over-allocation).
/// 3. **Rounding** by largest remainder: each quota rounded down, then one more to the strata
///    with the largest fractional parts (ties to the stratum listed first) until the sum is
///    exactly `total_n`. No stratum exceeds N_h.
/// 4. **Minimum**: each n_h raised to `min(min_per_stratum, N_h)` (use
///    [`DEFAULT_MIN_PER_UNIT`] unless the plan says otherwise). This is the only step that
///    changes the total: the result sums to `total_n` plus the raises, never less.
///
/// Neyman with S_h = 0 gives that stratum a quota of 0 (before the minimum). If every stratum
/// still being shared has S_h = 0, those strata are shared proportionally instead — the limit
/// of Neyman allocation as their standard deviations become equal.
///
/// Errors: no strata; a stratum with N_h = 0; for Neyman a stratum without `sd` or with a
/// negative or non-finite one (each naming the stratum's index); `total_n` above Σ N_h;
/// populations summing past `u64::MAX`.
pub fn allocate(
    total_n: u64,
    strata: &[Stratum],
    method: Allocation,
    min_per_stratum: u64,
) -> Result<Vec<u64>, DesignError> {
    let population = total_population(strata)?;
    if method == Allocation::Neyman {
        check_sds(strata)?;
    }
    if total_n > population {
        return Err(DesignError::SampleExceedsPopulation {
            n: total_n,
            population,
        });
    }
    let mut sizes = capped_allocation(total_n, strata, method);
    for (n_h, stratum) in sizes.iter_mut().zip(strata) {
        *n_h = (*n_h).max(min_per_stratum.min(stratum.population));
    }
    Ok(sizes)
}

/// Σ N_h, after checking there is at least one stratum and none is empty.
pub(crate) fn total_population(strata: &[Stratum]) -> Result<u64, DesignError> {
    if strata.is_empty() {
        return Err(DesignError::NoStrata);
    }
    strata.iter().enumerate().try_fold(0u64, |sum, (index, s)| {
        if s.population == 0 {
            return Err(DesignError::EmptyStratum { index });
        }
        sum.checked_add(s.population)
            .ok_or(DesignError::PopulationOverflow)
    })
}

fn check_sds(strata: &[Stratum]) -> Result<(), DesignError> {
    for (index, stratum) in strata.iter().enumerate() {
        match stratum.sd {
            None => return Err(DesignError::MissingSd { index }),
            Some(sd) if !(sd.is_finite() && sd >= 0.0) => {
                return Err(DesignError::InvalidSd { index, value: sd })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A real-valued quota split into its integer part and its fractional part in [0, 1).
#[derive(Debug, Clone, Copy)]
struct Quota {
    whole: u64,
    fraction: f64,
}

impl Quota {
    fn exceeds(&self, limit: u64) -> bool {
        self.whole > limit || (self.whole == limit && self.fraction > 0.0)
    }
}

/// Steps 1–3 of [`allocate`]; `total_n ≤ Σ N_h` has been checked.
fn capped_allocation(total_n: u64, strata: &[Stratum], method: Allocation) -> Vec<u64> {
    let mut census = vec![false; strata.len()];
    loop {
        let taken: u64 = strata
            .iter()
            .zip(&census)
            .filter(|(_, &whole)| whole)
            .map(|(s, _)| s.population)
            .sum();
        let rest = total_n.saturating_sub(taken);
        let open: Vec<usize> = (0..strata.len()).filter(|&h| !census[h]).collect();
        let quotas = quotas(rest, &open, strata, method);
        let over: Vec<usize> = open
            .iter()
            .zip(&quotas)
            .filter(|(&h, q)| q.exceeds(strata[h].population))
            .map(|(&h, _)| h)
            .collect();
        if over.is_empty() {
            let mut sizes: Vec<u64> = strata.iter().map(|s| s.population).collect();
            for (&h, n_h) in open.iter().zip(largest_remainder(rest, &quotas)) {
                // Only floating-point noise in a Neyman quota could make this bind.
                sizes[h] = n_h.min(strata[h].population);
            }
            return sizes;
        }
        for h in over {
            census[h] = true;
        }
    }
}

/// The quotas sharing `n` among the strata `open` by `method`.
fn quotas(n: u64, open: &[usize], strata: &[Stratum], method: Allocation) -> Vec<Quota> {
    let sizes = || open.iter().map(|&h| strata[h].population);
    match method {
        Allocation::Proportional => exact_quotas(n, sizes()),
        Allocation::Equal => exact_quotas(n, open.iter().map(|_| 1)),
        Allocation::Neyman => {
            let sd = |h: usize| strata[h].sd.unwrap_or(0.0);
            // Neyman shares do not change when every S_h is scaled; scaling by the largest
            // keeps N_h · S_h from overflowing.
            let largest = open.iter().map(|&h| sd(h)).fold(0.0, f64::max);
            if largest == 0.0 {
                return exact_quotas(n, sizes());
            }
            let weights: Vec<f64> = open
                .iter()
                .map(|&h| strata[h].population as f64 * (sd(h) / largest))
                .collect();
            real_quotas(n, &weights)
        }
    }
}

/// `n w_h / Σ w` in exact integer arithmetic.
fn exact_quotas(n: u64, weights: impl Iterator<Item = u64> + Clone) -> Vec<Quota> {
    let sum: u128 = weights.clone().map(u128::from).sum();
    weights
        .map(|w| {
            let share = u128::from(n) * u128::from(w);
            Quota {
                // share / sum ≤ n because w ≤ sum, so it fits in u64.
                whole: (share / sum) as u64,
                fraction: (share % sum) as f64 / sum as f64,
            }
        })
        .collect()
}

/// `n w_h / Σ w` in floating point, for Neyman's real-valued weights.
fn real_quotas(n: u64, weights: &[f64]) -> Vec<Quota> {
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| {
            let quota = n as f64 * w / sum;
            let whole = quota.floor();
            Quota {
                whole: whole as u64,
                fraction: quota - whole,
            }
        })
        .collect()
}

/// Integers summing to `n`: every quota rounded down, then one more to each of the largest
/// fractional parts (ties to the earlier stratum) until the sum is `n`.
fn largest_remainder(n: u64, quotas: &[Quota]) -> Vec<u64> {
    let mut sizes: Vec<u64> = quotas.iter().map(|q| q.whole).collect();
    let short = n.saturating_sub(sizes.iter().sum());
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    // A stable sort keeps the earlier stratum first among equal fractions.
    order.sort_by(|&a, &b| quotas[b].fraction.total_cmp(&quotas[a].fraction));
    for &h in order.iter().cycle().take(short as usize) {
        sizes[h] += 1;
    }
    sizes
}
