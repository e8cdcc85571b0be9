//! Burst detection: many responses from one source (a site, a network, a device) within a
//! short window with near-identical answers. Kept in memory for the window only; the
//! responses it catches are flagged `burst` in the database, all of them, not just the last.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

/// One recent response of a source.
struct Seen {
    at_ms: i64,
    response_id: i32,
    answers: Vec<u64>,
}

/// A source keeps at most this many recent responses: enough to see any burst the threshold
/// can describe, and a bound on the work per submission however busy a site is.
const MAX_PER_SOURCE: usize = 512;

/// Answers as hashes, compared by position.
fn hashed(answers: &[String]) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    answers
        .iter()
        .map(|a| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            a.hash(&mut h);
            h.finish()
        })
        .collect()
}

pub struct BurstDetector {
    /// This many near-identical responses from one source within the window make a burst.
    threshold: usize,
    window_ms: i64,
    sources: Mutex<Sources>,
    flagged: Mutex<HashSet<i32>>,
}

/// The recent responses of every source, and the size at which sources whose window has
/// passed are next dropped.
struct Sources {
    by_source: HashMap<String, VecDeque<Seen>>,
    prune_at: usize,
}

/// Sources are first pruned past this many; then each time their number doubles, so that the
/// pruning costs a constant amortised time per response, however many devices answer.
const PRUNE_FROM: usize = 10_000;

/// Two answer vectors are near-identical when they differ in at most a tenth of their items
/// (at least one).
pub fn near_identical<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let allowed = (a.len().max(b.len()) / 10).max(1);
    let mut differing = a.len().abs_diff(b.len());
    // Stops at the first difference past the allowance: two unrelated responses differ early,
    // and a source keeps hundreds of responses to compare with.
    for (x, y) in a.iter().zip(b) {
        if x != y {
            differing += 1;
            if differing > allowed {
                return false;
            }
        }
    }
    differing <= allowed
}

impl BurstDetector {
    pub fn new(threshold: usize, window_ms: i64) -> BurstDetector {
        BurstDetector {
            threshold,
            window_ms,
            sources: Mutex::new(Sources {
                by_source: HashMap::new(),
                prune_at: PRUNE_FROM,
            }),
            flagged: Mutex::default(),
        }
    }

    /// Records a stored response from `sources` (e.g. `site:…`, `net:…`, `device:…`) with its
    /// answers in questionnaire order; returns the ids to flag now (not flagged before).
    pub fn observe(
        &self,
        sources: &[String],
        response_id: i32,
        answers: Vec<String>,
        at_ms: i64,
    ) -> Vec<i32> {
        if self.threshold == 0 {
            return Vec::new();
        }
        let answers = hashed(&answers);
        let mut state = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if state.by_source.len() > state.prune_at {
            state.by_source.retain(|_, seen| {
                seen.back()
                    .is_some_and(|s| at_ms - s.at_ms < self.window_ms)
            });
            state.prune_at = (state.by_source.len() * 2).max(PRUNE_FROM);
        }
        let all = &mut state.by_source;
        let mut burst: HashSet<i32> = HashSet::new();
        for source in sources {
            let seen = all.entry(source.clone()).or_default();
            while seen.len() >= MAX_PER_SOURCE
                || seen
                    .front()
                    .is_some_and(|s| at_ms - s.at_ms >= self.window_ms)
            {
                seen.pop_front();
            }
            let alike: Vec<i32> = seen
                .iter()
                .filter(|s| near_identical(&s.answers, &answers))
                .map(|s| s.response_id)
                .collect();
            if alike.len() + 1 >= self.threshold {
                burst.extend(alike);
                burst.insert(response_id);
            }
            seen.push_back(Seen {
                at_ms,
                response_id,
                answers: answers.clone(),
            });
        }
        let mut flagged = self.flagged.lock().unwrap_or_else(|e| e.into_inner());
        if flagged.len() > 100_000 {
            flagged.clear();
        }
        let mut new: Vec<i32> = burst.into_iter().filter(|id| flagged.insert(*id)).collect();
        new.sort_unstable();
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty answers from 1 to 5, pseudo-random per seed.
    fn answers(seed: usize) -> Vec<String> {
        let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 5 + 1).to_string()
            })
            .collect()
    }

    #[test]
    fn near_identical_responses_from_one_source_are_a_burst_and_all_flagged() {
        let d = BurstDetector::new(5, 600_000);
        let src = vec!["site:hall".to_string()];
        let mut flagged = Vec::new();
        for id in 1..=4 {
            flagged.extend(d.observe(&src, id, answers(0), id as i64 * 1000));
        }
        assert!(flagged.is_empty(), "four alike are not yet a burst");
        flagged.extend(d.observe(&src, 5, answers(0), 5000));
        assert_eq!(flagged, vec![1, 2, 3, 4, 5]);
        assert_eq!(
            d.observe(&src, 6, answers(0), 6000),
            vec![6],
            "each flagged once"
        );
    }

    #[test]
    fn sources_whose_window_passed_are_dropped_and_pruning_is_amortised() {
        let d = BurstDetector::new(5, 1_000);
        let size = |d: &BurstDetector| {
            let state = d.sources.lock().unwrap();
            (state.by_source.len(), state.prune_at)
        };
        for id in 0..(PRUNE_FROM as i32 + 2) {
            d.observe(&[format!("device:{id}")], id, answers(1), 0);
        }
        // Pruned once past PRUNE_FROM, with every source still in its window: nothing dropped,
        // and the next pruning waits until their number doubles.
        assert_eq!(size(&d), (PRUNE_FROM + 2, 2 * (PRUNE_FROM + 1)));
        for id in 0..(PRUNE_FROM as i32 + 2) {
            d.observe(&[format!("late:{id}")], 100_000 + id, answers(1), 5_000);
        }
        // The first devices' window has passed: the pruning dropped them all.
        let state = d.sources.lock().unwrap();
        assert!(state.by_source.keys().all(|k| k.starts_with("late:")));
        assert_eq!(state.by_source.len(), PRUNE_FROM + 2);
    }

    #[test]
    fn near_identical_allows_a_tenth_of_the_items_to_differ() {
        let a: Vec<u8> = (0..20).collect();
        let mut b = a.clone();
        b[3] = 99;
        b[17] = 99;
        assert!(near_identical(&a, &b), "two of twenty differ");
        b[0] = 99;
        assert!(!near_identical(&a, &b), "three of twenty differ");
        assert!(near_identical(&a[..19], &a), "one missing");
        assert!(!near_identical(&a[..17], &a), "three missing");
        assert!(near_identical(&[1], &[2]), "at least one may differ");
        assert!(!near_identical(&[1, 2], &[2, 1]));
    }

    #[test]
    fn an_ordinary_spread_and_an_expired_window_are_not() {
        let d = BurstDetector::new(5, 600_000);
        let src = vec!["site:hall".to_string()];
        for id in 1..=50 {
            assert!(d
                .observe(&src, id, answers(id as usize), id as i64)
                .is_empty());
        }
        for id in 100..110 {
            let at = (id as i64 - 100) * 700_000;
            assert!(
                d.observe(&src, id, answers(0), at).is_empty(),
                "ten minutes apart"
            );
        }
    }
}
