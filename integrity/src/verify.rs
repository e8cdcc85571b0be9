//! Checking rows against the log and a signed head, naming the first record that does not fit.
//! Used on the live database (`survey-server verify`) and on an export bundle ([`crate::bundle`]).

use std::collections::{HashMap, HashSet};

use crate::head::{PublicKey, SignedHead};
use crate::leaf::{LeafRecord, SALT_LEN};
use crate::merkle::{Frontier, Hash};

/// One leaf as the log stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub leaf_index: u64,
    pub response_id: i64,
    pub salt: [u8; SALT_LEN],
    pub leaf_hash: Hash,
}

/// What is wrong, with the record it concerns. Rows count from 1 in the order given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the tree head's signature does not verify with the evaluator's public key")]
    BadSignature,
    #[error("the log skips from leaf {expected} to leaf {found}")]
    LogGap { expected: u64, found: u64 },
    #[error("the log holds {present} leaves but the signed head covers {signed}: the log was cut off after leaf {present}")]
    LogTruncated { present: u64, signed: u64 },
    #[error("the log's leaves do not hash to the signed root of {size} leaves: the log itself was changed")]
    RootMismatch { size: u64 },
    #[error("the log does not match a head held since collection (size {size}, signed at {timestamp_ms} ms): its history was rewritten")]
    HeldHeadMismatch { size: u64, timestamp_ms: i64 },
    #[error("the log holds {present} leaves but a head held since collection covers {held_size} (signed at {timestamp_ms} ms): responses were removed after it was signed")]
    ShorterThanHeld {
        present: u64,
        held_size: u64,
        timestamp_ms: i64,
    },
    #[error("a stored head (size {size}, signed at {timestamp_ms} ms) was signed by none of the server's keys: it was forged")]
    ForgedHead { size: u64, timestamp_ms: i64 },
    #[error(
        "row {row}: response {response_id} was altered (its contents do not hash to its leaf)"
    )]
    Altered { row: u64, response_id: i64 },
    #[error(
        "row {row}: response {response_id} was deleted (leaf {leaf_index} of the log has no row)"
    )]
    Deleted {
        row: u64,
        response_id: i64,
        leaf_index: u64,
    },
    #[error("row {row}: response {response_id} was inserted (the log has no leaf for it)")]
    Inserted { row: u64, response_id: i64 },
    #[error(
        "row {row}: rows were reordered (response {found} where the log has response {expected})"
    )]
    Reordered { row: u64, found: i64, expected: i64 },
    #[error("the rows stop after row {rows}: the tail was cut off ({missing} responses of the log missing, from response {first_missing})")]
    TruncatedTail {
        rows: u64,
        missing: u64,
        first_missing: i64,
    },
    #[error("row {row}: {message}")]
    Unreadable { row: u64, message: String },
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub struct Report {
    pub head: SignedHead,
    pub rows: u64,
    /// In the order of the rows: the first is the first bad record.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the log against the head (and heads held earlier), then the rows against the log.
/// `rows` yields the records in order, each without its salt (the log supplies it); the rows
/// must be exactly the `head.tree_size` responses the head covers.
pub fn check(
    head: &SignedHead,
    key: &PublicKey,
    held: &[SignedHead],
    log: &[LogEntry],
    rows: impl Iterator<Item = Result<LeafRecord, String>>,
) -> Report {
    let mut problems = check_log(head, key, held, log);
    let signed = (head.head.tree_size as usize).min(log.len());
    let (row_problems, count) = check_rows(&log[..signed], rows);
    problems.extend(row_problems);
    Report {
        head: head.clone(),
        rows: count,
        problems,
    }
}

/// The log alone: a signature that verifies, leaves in sequence, and the roots of the signed
/// and the held heads.
pub fn check_log(
    head: &SignedHead,
    key: &PublicKey,
    held: &[SignedHead],
    log: &[LogEntry],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !head.verify(key) {
        problems.push(Problem::BadSignature);
    }
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
        .filter(|h| h.verify(key))
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
