//! The server's sampling plan in one call: the overall sample size for the whole population,
//! allocated across strata.

use crate::allocation::{allocate, total_population, Allocation, Stratum};
use crate::error::DesignError;
use crate::sample_size::SampleSizeSpec;

/// A sampling plan: how many responses to collect overall and in each stratum, and the
/// margins of error those numbers achieve.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    spec: SampleSizeSpec,
    populations: Vec<u64>,
    overall: u64,
    per_stratum: Vec<u64>,
}

impl Plan {
    /// The sample size the spec requires for the whole population (Σ N_h, with the
    /// finite-population correction), before the per-stratum minimum.
    pub fn overall(&self) -> u64 {
        self.overall
    }

    /// The responses to collect in all: the sum of [`Plan::per_stratum`]. At least
    /// [`Plan::overall`]; more when the minimum per stratum raised some strata.
    pub fn total(&self) -> u64 {
        self.per_stratum.iter().sum()
    }

    /// The responses to collect in each stratum, in the order the strata were given.
    pub fn per_stratum(&self) -> &[u64] {
        &self.per_stratum
    }

    /// The margin of error each stratum's sample achieves on its own, for the spec's estimate
    /// and confidence level, with that stratum's N_h as the population
    /// ([`SampleSizeSpec::achieved_margin`]); `None` for a stratum allocated no sample.
    pub fn stratum_margins(&self) -> Vec<Option<f64>> {
        self.per_stratum
            .iter()
            .zip(&self.populations)
            .map(|(&n_h, &big_n_h)| self.spec.achieved_margin(n_h, Some(big_n_h)).ok())
            .collect()
    }
}

/// The sampling plan for `strata`: n from `spec` for the total population Σ N_h (with the
/// finite-population correction, rounded up; [`SampleSizeSpec::sample_size`]), then shared by
/// [`allocate`] with `method` and `min_per_stratum`.
///
/// Errors: those of [`allocate`] (no strata, an empty stratum, a missing or invalid Neyman
/// standard deviation, populations overflowing).
pub fn plan(
    spec: &SampleSizeSpec,
    strata: &[Stratum],
    method: Allocation,
    min_per_stratum: u64,
) -> Result<Plan, DesignError> {
    let population = total_population(strata)?;
    let overall = spec.sample_size(Some(population))?;
    let per_stratum = allocate(overall, strata, method, min_per_stratum)?;
    Ok(Plan {
        spec: *spec,
        populations: strata.iter().map(|s| s.population).collect(),
        overall,
        per_stratum,
    })
}
