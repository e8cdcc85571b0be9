//! The survey design shared by the server's sampling plans and the analysis (METHODS.md §9):
//! the normal quantile, Cochran's sample sizes with the finite-population correction,
//! allocation across strata, and the margins of error a sample achieves.
//!
//! Pure arithmetic, written by hand and tested against published values: no I/O.
//!
//! ```
//! use minyi_design::{plan, Allocation, SampleSizeSpec, Stratum, DEFAULT_MIN_PER_UNIT};
//!
//! // ±5 points at 95% for a proportion of unknown size, three units.
//! let spec = SampleSizeSpec::proportion(0.95, 0.05, None)?;
//! let strata = [Stratum::new(1000), Stratum::new(3000), Stratum::new(6000)];
//! let plan = plan(&spec, &strata, Allocation::Proportional, DEFAULT_MIN_PER_UNIT)?;
//! assert_eq!(plan.overall(), 370);
//! assert_eq!(plan.per_stratum(), [37, 111, 222]);
//! # Ok::<(), minyi_design::DesignError>(())
//! ```

mod allocation;
mod error;
mod margin;
mod normal;
mod plan;
mod sample_size;

pub use allocation::{allocate, Allocation, Stratum, DEFAULT_MIN_PER_UNIT};
pub use error::DesignError;
pub use margin::{margin_of_error, margin_of_error_mean};
pub use normal::{normal_quantile, z_for_confidence};
pub use plan::{plan, Plan};
pub use sample_size::{
    cochran_mean, cochran_proportion, finite_population, required_size, Estimate, SampleSizeSpec,
};
