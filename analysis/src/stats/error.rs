//! The one error type of the statistics: every variant names what was at fault — the input,
//! the row, the stratum, the margin or the indicator node — so a caller can show it as is.

/// Why an estimate, a calibration or a weighting could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// An input does not have one entry per row of the design (or per item, per unit).
    #[error("{what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// The input, e.g. `weights`, `y`, `group`.
        what: &'static str,
        /// The number of entries required.
        expected: usize,
        /// The number passed.
        got: usize,
    },
    /// A row names a stratum index beyond the list of strata.
    #[error("row {row}: stratum {stratum} is not among the {strata} strata")]
    UnknownStratum {
        /// The row's index.
        row: usize,
        /// The stratum index it names.
        stratum: usize,
        /// How many strata the design has.
        strata: usize,
    },
    /// A weight that is not finite and positive.
    #[error("row {row}: weight must be finite and > 0, got {value}")]
    InvalidWeight {
        /// The row's index.
        row: usize,
        /// The weight passed.
        value: f64,
    },
    /// A stratum population N_h smaller than its sample, or not finite.
    #[error(
        "stratum {stratum}: population N_h = {population} is below its {sampled} sampled rows"
    )]
    InvalidPopulation {
        /// The stratum's index.
        stratum: usize,
        /// The N_h passed.
        population: f64,
        /// The rows sampled in it.
        sampled: usize,
    },
    /// A real-valued parameter or value outside its allowed range (NaN always is).
    #[error("{what} must be {allowed}, got {value}")]
    OutOfRange {
        /// The parameter, e.g. `scale points`, `trim multiple`, `p-value`.
        what: &'static str,
        /// The allowed range, in words.
        allowed: &'static str,
        /// The value passed.
        value: f64,
    },
    /// An estimate was asked for over a domain with no answered rows.
    #[error("the domain has no answered rows")]
    EmptyDomain,
    /// A calibration margin has a level with a population total but no sampled weight.
    #[error("margin {margin}: level {level} has a population total but no sampled rows")]
    EmptyCell {
        /// The margin's name.
        margin: String,
        /// The level's index.
        level: usize,
    },
    /// A calibration margin names, for some row, a level it has no population total for.
    #[error("margin {margin}: row {row} is in level {level}, but the margin has {levels} levels")]
    UnknownLevel {
        /// The margin's name.
        margin: String,
        /// The row's index.
        row: usize,
        /// The level it names.
        level: usize,
        /// How many levels (population totals) the margin has.
        levels: usize,
    },
    /// A calibration margin has sampled rows in a level whose population total is 0 (or is
    /// not a finite number ≥ 0).
    #[error("margin {margin}: level {level} has sampled rows but population total {total}")]
    InvalidTotal {
        /// The margin's name.
        margin: String,
        /// The level's index.
        level: usize,
        /// The total passed.
        total: f64,
    },
    /// Trimming and re-raking did not settle below the cap.
    #[error("trimming at {multiple} × the median weight did not settle in {rounds} rounds")]
    TrimNotConverged {
        /// The multiple of the median weight.
        multiple: f64,
        /// The rounds of capping and re-raking done.
        rounds: usize,
    },
    /// Raking did not bring every margin to its target within the sweeps allowed.
    #[error(
        "raking did not converge in {sweeps} sweeps: margin {margin} is still {gap:e} \
         (relative) off its target"
    )]
    NotConverged {
        /// The margin furthest from its target.
        margin: String,
        /// The sweeps done.
        sweeps: usize,
        /// Its largest relative gap between weighted total and target.
        gap: f64,
    },
    /// An AHP comparison matrix whose consistency ratio is 0.1 or more.
    #[error(
        "indicator {node}: the pairwise comparisons are inconsistent (CR = {cr:.3} ≥ 0.1); \
         revise them"
    )]
    Inconsistent {
        /// The indicator node whose matrix it is.
        node: String,
        /// Its consistency ratio.
        cr: f64,
    },
    /// An AHP comparison matrix that is not square, positive and reciprocal.
    #[error("indicator {node}: {problem}")]
    InvalidComparisons {
        /// The indicator node whose matrix it is.
        node: String,
        /// What is wrong, in words.
        problem: String,
    },
    /// A statistic that needs variation got none (entropy weights where no indicator varies,
    /// Cronbach's α with a constant total score, a correlation with a constant variable).
    #[error("{what} is undefined: no variation across the rows given")]
    NoVariation {
        /// The statistic, e.g. `entropy weights`.
        what: &'static str,
    },
    /// Fewer items, units or rows than the statistic needs.
    #[error("{what} needs at least {needed}, got {got}")]
    TooFew {
        /// What is counted, e.g. `Cronbach's alpha: items`.
        what: &'static str,
        /// The minimum.
        needed: usize,
        /// The number given.
        got: usize,
    },
}

/// `Ok(())` when `got == expected`, else [`AnalysisError::LengthMismatch`].
pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    got: usize,
) -> Result<(), AnalysisError> {
    if got == expected {
        Ok(())
    } else {
        Err(AnalysisError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}
