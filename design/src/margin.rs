//! The margin of error a sample achieves (METHODS.md §9: "show the margin of error each unit's
//! achieved sample gives").

use crate::error::{check_range, DesignError};

/// The margin of error (half-width of the normal interval) of a proportion `p` estimated from
/// a simple random sample of `n`: `z √(p(1−p)/n)`, and with a population N
/// `z √(p(1−p)(N − n) / (n(N − 1)))`.
///
/// The population form is the exact inverse of [`finite_population`](crate::finite_population)
/// applied to [`cochran_proportion`](crate::cochran_proportion): the n they give for a margin e
/// achieves e. A census (`n = N`) has margin 0. Errors: `z` not finite and ≥ 0 or `p` outside
/// [0, 1] ([`DesignError::OutOfRange`]); `n = 0` ([`DesignError::EmptySample`]); `n` above the
/// population ([`DesignError::SampleExceedsPopulation`]).
pub fn margin_of_error(
    z: f64,
    p: f64,
    n: u64,
    population: Option<u64>,
) -> Result<f64, DesignError> {
    let p = check_range("p", "in [0, 1]", p, |p| (0.0..=1.0).contains(&p))?;
    margin(z, (p * (1.0 - p)).sqrt(), n, population)
}

/// The margin of error of a mean with standard deviation `sigma` from a simple random sample
/// of `n`: `z σ / √n`, and with a population N `z σ √((N − n) / (n(N − 1)))`.
///
/// The exact inverse of [`cochran_mean`](crate::cochran_mean) with the finite-population
/// correction; a census has margin 0. Errors as [`margin_of_error`], with `sigma` required
/// finite and ≥ 0.
pub fn margin_of_error_mean(
    z: f64,
    sigma: f64,
    n: u64,
    population: Option<u64>,
) -> Result<f64, DesignError> {
    let sigma = check_range("sigma", "finite and ≥ 0", sigma, |s| {
        s.is_finite() && s >= 0.0
    })?;
    margin(z, sigma, n, population)
}

/// `z · sd · √(fpc / n)` with `fpc = (N − n)/(N − 1)`, or 1 without a population.
fn margin(z: f64, sd: f64, n: u64, population: Option<u64>) -> Result<f64, DesignError> {
    let z = check_range("z", "finite and ≥ 0", z, |z| z.is_finite() && z >= 0.0)?;
    if n == 0 {
        return Err(DesignError::EmptySample);
    }
    let fpc = match population {
        None => 1.0,
        Some(big_n) if n > big_n => {
            return Err(DesignError::SampleExceedsPopulation {
                n,
                population: big_n,
            })
        }
        // A census; also keeps N = 1 away from 0/0.
        Some(big_n) if n == big_n => 0.0,
        Some(big_n) => (big_n - n) as f64 / (big_n - 1) as f64,
    };
    Ok(z * sd * (fpc / n as f64).sqrt())
}
