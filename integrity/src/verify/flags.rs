//! Flags against their event leaves: every flag has exactly one event in the log and every
//! event one flag, each hashing to its leaf.

use std::collections::{HashMap, HashSet};

use super::{LogEntry, Problem};
use crate::event::EventRecord;

/// A flag as stored beside its response (a row of `response_flags`, or of a bundle's
/// `flags.csv`), without the salt its leaf holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub response_id: i64,
    pub flag: String,
    pub detail: String,
    pub at_ms: i64,
}

/// The flags against the event leaves: each flag's recomputed hash, then what is on one side
/// only. Returns the problems (in leaf order for deleted flags) and the number of flags read.
pub fn check_flags(
    campaign: &str,
    responses: &[LogEntry],
    events: &[&LogEntry],
    flags: impl Iterator<Item = Result<FlagRow, String>>,
) -> (Vec<Problem>, u64) {
    let logged: HashSet<i64> = responses.iter().map(|e| e.response_id).collect();
    let mut problems: Vec<Problem> = events
        .iter()
        .filter(|e| !logged.contains(&e.response_id))
        .map(|e| Problem::EventWithoutResponse {
            leaf_index: e.leaf_index,
            response_id: e.response_id,
        })
        .collect();
    let by_key: HashMap<(i64, &str), &LogEntry> = events
        .iter()
        .map(|e| ((e.response_id, e.event.as_str()), *e))
        .collect();
    let mut matched: HashSet<u64> = HashSet::new();
    let mut count = 0u64;
    for (n, flag) in flags.enumerate() {
        count += 1;
        let flag = match flag {
            Ok(flag) => flag,
            Err(message) => {
                problems.push(Problem::Unreadable {
                    row: n as u64 + 1,
                    message: format!("flags: {message}"),
                });
                continue;
            }
        };
        let Some(entry) = by_key.get(&(flag.response_id, flag.flag.as_str())) else {
            problems.push(Problem::FlagInserted {
                response_id: flag.response_id,
                flag: flag.flag,
            });
            continue;
        };
        let record = EventRecord {
            salt: entry.salt,
            campaign: campaign.to_string(),
            response_id: flag.response_id,
            name: flag.flag.clone(),
            detail: flag.detail,
            at_ms: flag.at_ms,
        };
        if !matched.insert(entry.leaf_index) {
            problems.push(Problem::FlagInserted {
                response_id: flag.response_id,
                flag: flag.flag,
            });
        } else if record.hash() != entry.leaf_hash {
            problems.push(Problem::FlagAltered {
                response_id: flag.response_id,
                flag: flag.flag,
            });
        }
    }
    problems.extend(
        events
            .iter()
            .filter(|e| !matched.contains(&e.leaf_index))
            .map(|e| Problem::FlagDeleted {
                response_id: e.response_id,
                flag: e.event.clone(),
                leaf_index: e.leaf_index,
            }),
    );
    (problems, count)
}
