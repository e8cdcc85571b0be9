//! Checking rows against the log and a signed head, naming the first record that does not fit.
//! Used on the live database (`survey-server verify`) and on an export bundle ([`crate::bundle`]).

use std::collections::{HashMap, HashSet};

mod flags;
mod problem;

pub use flags::{check_flags, FlagRow};
pub use problem::Problem;

use crate::event::LeafKind;
use crate::head::{PublicKey, SignedHead};
use crate::leaf::{LeafRecord, SALT_LEN};
use crate::merkle::{Frontier, Hash};

/// One leaf as the log stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub leaf_index: u64,
    pub kind: LeafKind,
    /// The response the leaf is, or the response its event is about.
    pub response_id: i64,
    /// The flag's name for an event leaf; empty for a response.
    pub event: String,
    pub salt: [u8; SALT_LEN],
    pub leaf_hash: Hash,
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub struct Report {
    pub head: SignedHead,
    /// Responses read from the table (or the bundle).
    pub rows: u64,
    /// Response leaves within the head.
    pub response_leaves: u64,
    /// Flags read from the table (or the bundle).
    pub flags: u64,
    /// Flag events within the head.
    pub flag_leaves: u64,
    /// In the order of the rows: the first is the first bad record.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the log against the head (and heads held earlier), then the rows and the flags
/// against the log's leaves within the head: every stored response has exactly one leaf and
/// every response leaf one row; every flag one event leaf and every event leaf one flag.
/// `rows` yields the responses in id order, each without its salt (the log supplies it);
/// `flags` yields the flags in any order.
pub fn check(
    head: &SignedHead,
    keys: &[PublicKey],
    held: &[SignedHead],
    log: &[LogEntry],
    rows: impl Iterator<Item = Result<LeafRecord, String>>,
    flags: impl Iterator<Item = Result<FlagRow, String>>,
) -> Report {
    let mut problems = check_log(head, keys, held, log);
    let signed = (head.head.tree_size as usize).min(log.len());
    let (responses, events): (Vec<&LogEntry>, Vec<&LogEntry>) = log[..signed]
        .iter()
        .partition(|e| e.kind == LeafKind::Response);
    let responses: Vec<LogEntry> = responses.into_iter().cloned().collect();
    problems.extend(duplicate_leaves(&responses));
    let (row_problems, count) = check_rows(&responses, rows);
    problems.extend(row_problems);
    if count != responses.len() as u64 {
        problems.push(Problem::CountMismatch {
            rows: count,
            leaves: responses.len() as u64,
        });
    }
    let (flag_problems, flag_count) = check_flags(&head.head.campaign, &responses, &events, flags);
    problems.extend(flag_problems);
    Report {
        head: head.clone(),
        rows: count,
        response_leaves: responses.len() as u64,
        flags: flag_count,
        flag_leaves: events.len() as u64,
        problems,
    }
}

fn duplicate_leaves(responses: &[LogEntry]) -> Vec<Problem> {
    let mut seen = HashSet::new();
    responses
        .iter()
        .filter(|e| !seen.insert(e.response_id))
        .map(|e| Problem::DuplicateLeaf {
            leaf_index: e.leaf_index,
            response_id: e.response_id,
        })
        .collect()
}

/// The log alone: a signature that verifies, leaves in sequence, and the roots of the signed
/// and the held heads. `keys` are the evaluator's public keys — the current one, and after a
/// rotation the retired ones: a head counts when any of them verifies it, and a held head none
/// of them verifies is a problem of its own, never silently left out.
pub fn check_log(
    head: &SignedHead,
    keys: &[PublicKey],
    held: &[SignedHead],
    log: &[LogEntry],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let trusted = |h: &SignedHead| keys.iter().any(|k| h.verify(k));
    if !trusted(head) {
        problems.push(Problem::BadSignature);
    }
    problems.extend(
        held.iter()
            .filter(|h| !trusted(h))
            .map(|h| Problem::HeldHeadUnverified {
                size: h.head.tree_size,
                timestamp_ms: h.head.timestamp_ms,
            }),
    );
    for (i, entry) in log.iter().enumerate() {
        if entry.leaf_index != i as u64 {
            problems.push(Problem::LogGap {
                expected: i as u64,
                found: entry.leaf_index,
            });
            return problems;
        }
    }
    let mut checkpoints: Vec<&SignedHead> = held
        .iter()
        .filter(|h| trusted(h))
        .chain(std::iter::once(head))
        .collect();
    checkpoints.sort_by_key(|h| h.head.tree_size);
    let mut frontier = Frontier::new();
    let mut leaves = log.iter();
    for checkpoint in checkpoints {
        let size = checkpoint.head.tree_size;
        while frontier.size() < size {
            match leaves.next() {
                Some(entry) => frontier.push(entry.leaf_hash),
                None => break,
            }
        }
        let is_head = std::ptr::eq(checkpoint, head);
        if frontier.size() < size {
            if is_head {
                problems.push(Problem::LogTruncated {
                    present: frontier.size(),
                    signed: size,
                });
            } else if checkpoint.head.timestamp_ms <= head.head.timestamp_ms {
                // Signed before the head being checked, yet larger: the log lost leaves since.
                // (A head signed later, e.g. fetched after an export, may rightly be larger.)
                problems.push(Problem::ShorterThanHeld {
                    present: frontier.size(),
                    held_size: size,
                    timestamp_ms: checkpoint.head.timestamp_ms,
                });
            }
            continue;
        }
        if frontier.root() != checkpoint.head.root {
            problems.push(if is_head {
                Problem::RootMismatch { size }
            } else {
                Problem::HeldHeadMismatch {
                    size,
                    timestamp_ms: checkpoint.head.timestamp_ms,
                }
            });
        }
    }
    problems
}

/// The rows against the leaves: each row's recomputed hash, then the order. Returns the
/// problems and the number of rows read.
pub fn check_rows(
    log: &[LogEntry],
    rows: impl Iterator<Item = Result<LeafRecord, String>>,
) -> (Vec<Problem>, u64) {
    let by_id: HashMap<i64, usize> = log
        .iter()
        .enumerate()
        .map(|(i, e)| (e.response_id, i))
        .collect();
    let mut problems = Vec::new();
    // (response id, whether its hash matches its leaf) per row, in order.
    let mut seen: Vec<(i64, bool)> = Vec::new();
    for (n, row) in rows.enumerate() {
        match row {
            Err(message) => problems.push(Problem::Unreadable {
                row: n as u64 + 1,
                message,
            }),
            Ok(mut record) => {
                let matches = by_id.get(&record.response_id).is_some_and(|&i| {
                    record.salt = log[i].salt;
                    record.hash() == log[i].leaf_hash
                });
                seen.push((record.response_id, matches));
            }
        }
    }
    let count = (seen.len() + problems.len()) as u64;
    if !problems.is_empty() {
        return (problems, count);
    }
    let row_ids: HashSet<i64> = seen.iter().map(|(id, _)| *id).collect();
    for i in 0..seen.len().max(log.len()) {
        let row = i as u64 + 1;
        match (seen.get(i), log.get(i)) {
            (Some(&(id, matches)), Some(entry)) if id == entry.response_id => {
                if !matches {
                    problems.push(Problem::Altered {
                        row,
                        response_id: id,
                    });
                }
            }
            (Some(&(id, _)), _) if !by_id.contains_key(&id) => problems.push(Problem::Inserted {
                row,
                response_id: id,
            }),
            (None, Some(entry)) => {
                let missing = (log.len() - i) as u64;
                problems.push(Problem::TruncatedTail {
                    rows: i as u64,
                    missing,
                    first_missing: entry.response_id,
                });
                break;
            }
            (_, Some(entry)) if !row_ids.contains(&entry.response_id) => {
                problems.push(Problem::Deleted {
                    row,
                    response_id: entry.response_id,
                    leaf_index: entry.leaf_index,
                })
            }
            (Some(&(id, _)), Some(entry)) => problems.push(Problem::Reordered {
                row,
                found: id,
                expected: entry.response_id,
            }),
            // A row past the log whose response the log has: a copy of an earlier row.
            (Some(&(id, _)), None) => problems.push(Problem::Inserted {
                row,
                response_id: id,
            }),
            (None, None) => {}
        }
        if !problems.is_empty() {
            // The first bad record is named; what follows it is shifted and would only repeat it.
            break;
        }
    }
    (problems, count)
}
