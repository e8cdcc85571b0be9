//! Checking rows against the log and a signed head, naming the first record that does not fit.
//! Used on the live database (`survey-server verify`) and on an export bundle ([`crate::bundle`]).

use std::collections::{HashMap, HashSet};

use crate::event::{EventRecord, LeafKind};
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
    #[error("a head held since collection (size {size}, signed at {timestamp_ms} ms) verifies with none of the public keys given: give the key that signed it (after a rotation, the retired one too)")]
    HeldHeadUnverified { size: u64, timestamp_ms: i64 },
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
    #[error("the table holds {rows} responses but the log {leaves}: {}", if rows > leaves { "rows were added without a leaf" } else { "rows of the log are missing" })]
    CountMismatch { rows: u64, leaves: u64 },
    #[error("leaf {leaf_index} repeats response {response_id}: a response has exactly one leaf")]
    DuplicateLeaf { leaf_index: u64, response_id: i64 },
    #[error("leaf {leaf_index} flags response {response_id}, which the log does not hold")]
    EventWithoutResponse { leaf_index: u64, response_id: i64 },
    #[error("flag {flag:?} on response {response_id} was added (the log has no event for it)")]
    FlagInserted { response_id: i64, flag: String },
    #[error("flag {flag:?} on response {response_id} was deleted (leaf {leaf_index} of the log has no flag)")]
    FlagDeleted {
        response_id: i64,
        flag: String,
        leaf_index: u64,
    },
    #[error("flag {flag:?} on response {response_id} was altered (it does not hash to its leaf)")]
    FlagAltered { response_id: i64, flag: String },
}

/// A flag as stored beside its response (a row of `response_flags`, or of a bundle's
/// `flags.csv`), without the salt its leaf holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub response_id: i64,
    pub flag: String,
    pub detail: String,
    pub at_ms: i64,
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
