//! The one error type of the crate: every variant names the parameter or stratum at fault.

/// Why a sample size, allocation or margin of error could not be computed.
///
/// Each variant names what was wrong — the parameter by its name in METHODS.md §9, or the
/// stratum by its index in the slice that was passed — so a caller can show the message as is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// A real-valued parameter lies outside the range it must lie in (NaN always does).
    #[error("{name} must be {allowed}, got {value}")]
    OutOfRange {
        /// The parameter's name: `confidence`, `margin`, `p`, `sigma`, `z` or `n0`.
        name: &'static str,
        /// The allowed range, in words, e.g. `in (0, 1)`.
        allowed: &'static str,
        /// The value that was passed.
        value: f64,
    },
    /// A population size N of 0 was given where N ≥ 1 is required.
    #[error("population N must be at least 1, got 0")]
    ZeroPopulation,
    /// An allocation was asked for with no strata.
    #[error("no strata to allocate across")]
    NoStrata,
    /// A stratum has population N_h = 0.
    #[error("stratum {index} has population 0; every stratum needs N_h ≥ 1")]
    EmptyStratum {
        /// The stratum's index in the slice passed.
        index: usize,
    },
    /// Neyman allocation was asked for but a stratum has no standard deviation S_h.
    #[error(
        "Neyman allocation needs a standard deviation for every stratum; stratum {index} has none"
    )]
    MissingSd {
        /// The stratum's index in the slice passed.
        index: usize,
    },
    /// A stratum's standard deviation is negative, infinite or NaN.
    #[error("stratum {index}: standard deviation must be finite and ≥ 0, got {value}")]
    InvalidSd {
        /// The stratum's index in the slice passed.
        index: usize,
        /// The value that was passed.
        value: f64,
    },
    /// A margin of error was asked for with a sample of n = 0.
    #[error("sample size n must be at least 1, got 0")]
    EmptySample,
    /// A sample size n larger than the population N it is drawn from.
    #[error("sample size n = {n} exceeds the population N = {population}")]
    SampleExceedsPopulation {
        /// The sample size asked for.
        n: u64,
        /// The population it would be drawn from.
        population: u64,
    },
    /// The strata's populations add up to more than `u64::MAX`.
    #[error("the strata's populations add up to more than {}", u64::MAX)]
    PopulationOverflow,
}

/// `Ok(value)` when `ok(value)` holds, else [`DesignError::OutOfRange`] naming the parameter.
pub(crate) fn check_range(
    name: &'static str,
    allowed: &'static str,
    value: f64,
    ok: impl Fn(f64) -> bool,
) -> Result<f64, DesignError> {
    if ok(value) {
        Ok(value)
    } else {
        Err(DesignError::OutOfRange {
            name,
            allowed,
            value,
        })
    }
}
