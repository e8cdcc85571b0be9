//! The draw of a stratified sample from a frame (FIELDWORK.md §3): per stratum, a random order
//! of selected frame rows of which a prefix is released, the rest held back for top-ups, so
//! that every released set is a probability sample with inclusion probability `released / N`.
//!
//! "Same seed, same sample" on every machine and with every crate version: each stratum has
//! its own ChaCha20 stream seeded from the seed and the stratum's name ([`generator`]), and
//! uniform integers come from [`uniform_below`], written here, never from `rand`'s
//! `gen_range` or `shuffle`, whose algorithms may change between versions.

use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How a stratum's cases are selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Simple random sampling without replacement.
    Srswor,
    /// Systematic sampling with a fractional interval over the rows in the caller's order
    /// (an implicit stratification by the caller's sort key).
    Systematic,
}

/// One stratum of the frame and what it should yield.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    /// The stratum's name; it seeds the stratum's generator, so names must be distinct.
    pub name: String,
    /// The stratum's distinct frame rows, in frame order (for [`Method::Systematic`], sorted
    /// by the caller's sort key).
    pub rows: Vec<usize>,
    /// The number of completes wanted, at least 1.
    pub target: usize,
}

/// The settings shared by every stratum of a draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawSpec {
    /// The expected response rate r, in (0, 1].
    pub expected_rate: f64,
    /// The reserve factor: how many cases to select beyond those released, as a multiple of
    /// the released count (1.0 = as many again). At least 0.
    pub reserve: f64,
    /// The seed.
    pub seed: u64,
    /// The selection method.
    pub method: Method,
}

/// One stratum's draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumDraw {
    /// The stratum's name.
    pub stratum: String,
    /// N, the stratum's frame rows.
    pub n_frame: usize,
    /// The selected frame rows in release order: `order[..released]` is released, the rest is
    /// the reserve for top-ups.
    pub order: Vec<usize>,
    /// How many of `order` are released.
    pub released: usize,
}

impl StratumDraw {
    /// The released frame rows.
    pub fn released_rows(&self) -> &[usize] {
        &self.order[..self.released]
    }

    /// The selected rows not yet released.
    pub fn reserve_rows(&self) -> &[usize] {
        &self.order[self.released..]
    }

    /// The inclusion probability of every released case, `released / N`.
    pub fn inclusion_probability(&self) -> f64 {
        inclusion_probability(self.released, self.n_frame)
    }
}

/// Why a draw or a top-up was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DrawError {
    /// The expected response rate is outside (0, 1].
    #[error("the expected response rate must lie in (0, 1], not {0}")]
    ExpectedRate(f64),
    /// The reserve factor is negative or not a number.
    #[error("the reserve factor must be a finite number of at least 0, not {0}")]
    Reserve(f64),
    /// A stratum asks for no completes.
    #[error("stratum {0:?}: the target number of completes must be at least 1")]
    ZeroTarget(String),
    /// Two strata share a name, and so would share a random stream.
    #[error("stratum {0:?} appears twice")]
    DuplicateStratum(String),
    /// A top-up of a stratum whose selected cases are all released.
    #[error("stratum {stratum:?}: all {selected} selected cases are already released")]
    Exhausted {
        /// The stratum's name.
        stratum: String,
        /// How many cases were selected.
        selected: usize,
    },
}

/// `ceil(x)`, forgiving the binary rounding that makes `21 / 0.7` come out as
/// 30.000000000000004: values within a relative 1e-12 above an integer round down to it.
pub(crate) fn ceil_tolerant(x: f64) -> usize {
    (x * (1.0 - 1e-12)).ceil().max(0.0) as usize
}

/// `(released, selected)` for a stratum of `n_frame` rows: `n = min(N, ceil(target / r))`
/// released, `n_max = min(N, ceil(n · (1 + reserve)))` selected.
pub fn sizes(
    n_frame: usize,
    target: usize,
    expected_rate: f64,
    reserve: f64,
) -> Result<(usize, usize), DrawError> {
    check_spec(expected_rate, reserve)?;
    let released = n_frame.min(ceil_tolerant(target as f64 / expected_rate));
    let selected = n_frame.min(ceil_tolerant(released as f64 * (1.0 + reserve)));
    Ok((released, selected))
}

fn check_spec(expected_rate: f64, reserve: f64) -> Result<(), DrawError> {
    if !(expected_rate > 0.0 && expected_rate <= 1.0) {
        return Err(DrawError::ExpectedRate(expected_rate));
    }
    if !(reserve.is_finite() && reserve >= 0.0) {
        return Err(DrawError::Reserve(reserve));
    }
    Ok(())
}

/// Draws every stratum (see [`draw_stratum`]); strata must have distinct names.
pub fn draw(strata: &[Stratum], spec: &DrawSpec) -> Result<Vec<StratumDraw>, DrawError> {
    let mut names = std::collections::BTreeSet::new();
    strata
        .iter()
        .map(|stratum| {
            if !names.insert(stratum.name.as_str()) {
                return Err(DrawError::DuplicateStratum(stratum.name.clone()));
            }
            draw_stratum(stratum, spec)
        })
        .collect()
}

/// Draws one stratum from its own stream, so it does not depend on the other strata.
/// [`Method::Srswor`]: a partial Fisher–Yates shuffle of the rows, whose first `n_max` are a
/// uniformly random ordered sample — every prefix of `order` is an SRSWOR of its size.
/// [`Method::Systematic`]: a start `a` uniform in `0..N`, rows at positions
/// `floor((a + j·N) / n_max)` for `j` in `0..n_max` (the fractional interval `k = N / n_max`
/// with the random start `u = a / n_max` in `[0, k)`), then shuffled — every row's inclusion
/// probability in a prefix of size m is exactly m / N.
/// An empty stratum yields an empty draw, not an error, so that it does not stop the others.
pub fn draw_stratum(stratum: &Stratum, spec: &DrawSpec) -> Result<StratumDraw, DrawError> {
    if stratum.target == 0 {
        return Err(DrawError::ZeroTarget(stratum.name.clone()));
    }
    let n_frame = stratum.rows.len();
    let (released, selected) = sizes(n_frame, stratum.target, spec.expected_rate, spec.reserve)?;
    let mut rng = generator(spec.seed, Purpose::Draw, &stratum.name);
    let order = match spec.method {
        Method::Srswor => {
            let mut rows = stratum.rows.clone();
            shuffle_prefix(&mut rng, &mut rows, selected);
            rows.truncate(selected);
            rows
        }
        Method::Systematic if selected == 0 => Vec::new(),
        Method::Systematic => {
            let (n, n_max) = (n_frame as u128, selected as u128);
            let start = u128::from(uniform_below(&mut rng, n_frame as u64));
            let mut rows: Vec<usize> = (0..n_max)
                .map(|j| stratum.rows[((start + j * n) / n_max) as usize])
                .collect();
            shuffle_prefix(&mut rng, &mut rows, selected);
            rows
        }
    };
    Ok(StratumDraw {
        stratum: stratum.name.clone(),
        n_frame,
        order,
        released,
    })
}

/// `released / n_frame`, the inclusion probability of a released case; 0 for an empty stratum.
pub fn inclusion_probability(released: usize, n_frame: usize) -> f64 {
    if n_frame == 0 {
        0.0
    } else {
        released as f64 / n_frame as f64
    }
}

/// The released count after releasing `extra` more cases of the reserve, capped at the
/// selected count; an error when nothing is left to release.
pub fn top_up(draw: &StratumDraw, extra: usize) -> Result<usize, DrawError> {
    let selected = draw.order.len();
    if draw.released >= selected {
        return Err(DrawError::Exhausted {
            stratum: draw.stratum.clone(),
            selected,
        });
    }
    Ok(draw.released.saturating_add(extra).min(selected))
}

/// What a random stream is for; part of its seed, so streams of different uses never coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The draw of a stratum (tag `"draw"`).
    Draw,
    /// The verification subsample of an interviewer (tag `"verification"`).
    Verification,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::Draw => b"draw",
            Purpose::Verification => b"verification",
        }
    }
}

/// FNV-1a, 64 bits: offset basis 0xcbf29ce484222325, prime 0x100000001b3, over the bytes.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The 32-byte ChaCha20 seed of a stream: the seed (8 bytes, little-endian), FNV-1a 64 of the
/// name's UTF-8 bytes (8 bytes, little-endian), the purpose's ASCII tag padded with zeros to 16.
pub fn stream_seed(seed: u64, purpose: Purpose, name: &str) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&fnv1a64(name.as_bytes()).to_le_bytes());
    let tag = purpose.tag();
    bytes[16..16 + tag.len()].copy_from_slice(tag);
    bytes
}

/// The ChaCha20 generator of one stream, `ChaCha20Rng::from_seed(stream_seed(...))`.
pub fn generator(seed: u64, purpose: Purpose, name: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(stream_seed(seed, purpose, name))
}

/// A uniform integer in `0..n` (n ≥ 1) by Lemire's multiply-and-reject method: `x · n` as a
/// 128-bit product of a `next_u64` x; its low word below `2^64 mod n` is rejected and x drawn
/// again; the high word is the result.
///
/// # Panics
/// When `n` is 0.
pub fn uniform_below(rng: &mut impl RngCore, n: u64) -> u64 {
    assert!(n > 0, "uniform_below needs a non-empty range");
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if product as u64 >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// Partial Fisher–Yates: for `i` in `0..k`, swaps `items[i]` with `items[i + uniform_below(len
/// − i)]`, so `items[..k]` is a uniformly random ordered sample without replacement.
pub fn shuffle_prefix<T>(rng: &mut impl RngCore, items: &mut [T], k: usize) {
    let len = items.len();
    for i in 0..k.min(len) {
        let j = i + uniform_below(rng, (len - i) as u64) as usize;
        items.swap(i, j);
    }
}
