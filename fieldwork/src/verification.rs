//! 回访复核, the verification of interviews (FIELDWORK.md §6): a random subsample of each
//! interviewer's completes is called back and key items are asked again; the share of answers
//! that differ, per interviewer, flags interviews that may not have taken place as recorded.

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use crate::draw::{ceil_tolerant, generator, shuffle_prefix, Purpose};

/// The default share of each interviewer's completes to verify.
pub const DEFAULT_SHARE: f64 = 0.10;
/// The default least number of completes to verify per interviewer.
pub const DEFAULT_MIN: usize = 2;

/// Why a verification subsample was refused.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum VerificationError {
    /// The share is outside [0, 1].
    #[error("the share of completes to verify must lie between 0 and 1, not {0}")]
    Share(f64),
}

/// How many of `n` completes to verify: `ceil(share · n)`, at least `min`, at most `n`.
pub fn sample_size(n: usize, share: f64, min: usize) -> Result<usize, VerificationError> {
    if !(0.0..=1.0).contains(&share) {
        return Err(VerificationError::Share(share));
    }
    Ok(n.min(min.max(ceil_tolerant(share * n as f64))))
}

/// For each interviewer, [`sample_size`] of their completes (response or case ids) chosen
/// uniformly at random without replacement, returned in ascending order. Each list is taken as
/// a set (sorted, duplicates dropped) before the draw, so its order does not matter; each
/// interviewer's draw has its own stream, seeded from `seed` and the interviewer's name
/// ([`crate::draw::generator`] with [`Purpose::Verification`]).
pub fn pick(
    completes_by_interviewer: &BTreeMap<String, Vec<u64>>,
    share: f64,
    min: usize,
    seed: u64,
) -> Result<BTreeMap<String, Vec<u64>>, VerificationError> {
    completes_by_interviewer
        .iter()
        .map(|(interviewer, ids)| {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            let k = sample_size(ids.len(), share, min)?;
            let mut rng = generator(seed, Purpose::Verification, interviewer);
            shuffle_prefix(&mut rng, &mut ids, k);
            ids.truncate(k);
            ids.sort_unstable();
            Ok((interviewer.clone(), ids))
        })
        .collect()
}

/// Differences found by verification callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Mismatch {
    /// Callbacks made.
    pub callbacks: u64,
    /// Callbacks in which at least one re-asked item differed.
    pub callbacks_with_difference: u64,
    /// Items re-asked (usually three per callback).
    pub items: u64,
    /// Re-asked items whose answer differed from the interview's.
    pub differing: u64,
    /// `differing / items`; `None` when no item was re-asked.
    pub rate: Option<f64>,
    /// `callbacks_with_difference / callbacks`; `None` without callbacks.
    pub callback_rate: Option<f64>,
}

impl Mismatch {
    fn add(&mut self, matched: &[bool]) {
        let differing = matched.iter().filter(|&&m| !m).count() as u64;
        self.callbacks += 1;
        self.callbacks_with_difference += u64::from(differing > 0);
        self.items += matched.len() as u64;
        self.differing += differing;
        let share = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        self.rate = share(self.differing, self.items);
        self.callback_rate = share(self.callbacks_with_difference, self.callbacks);
    }
}

/// The differences over callbacks, each given as whether each re-asked item matched.
pub fn mismatch<C: AsRef<[bool]>>(callbacks: impl IntoIterator<Item = C>) -> Mismatch {
    let mut total = Mismatch::default();
    for callback in callbacks {
        total.add(callback.as_ref());
    }
    total
}

/// [`mismatch`] per interviewer, from `(interviewer, matched items of one callback)` pairs.
pub fn mismatch_by_interviewer<K: Ord, C: AsRef<[bool]>>(
    callbacks: impl IntoIterator<Item = (K, C)>,
) -> BTreeMap<K, Mismatch> {
    let mut by: BTreeMap<K, Mismatch> = BTreeMap::new();
    for (interviewer, callback) in callbacks {
        by.entry(interviewer).or_default().add(callback.as_ref());
    }
    by
}
