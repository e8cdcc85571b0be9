//! Heads the evaluator held during collection against a log that later shrank: a held head
//! larger than the log fails verification, unless it was signed after the head being checked
//! (an export checked against heads fetched since it was made).

use minyi_integrity::leaf::LeafRecord;

mod common;
use common::record;
use minyi_integrity::merkle::Frontier;
use minyi_integrity::verify::{check, LogEntry, Problem};
use minyi_integrity::{LeafKind, SignedHead, SigningKey, TreeHead};

/// Ten rows, their log, and a head over the first `size` leaves signed at `at`.
struct Log {
    key: SigningKey,
    rows: Vec<LeafRecord>,
    log: Vec<LogEntry>,
}

impl Log {
    fn new() -> Log {
        let rows: Vec<LeafRecord> = (1..=10).map(record).collect();
        let log = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut salted = row.clone();
                salted.salt = [i as u8 + 1; 16];
                LogEntry {
                    leaf_index: i as u64,
                    kind: LeafKind::Response,
                    response_id: row.response_id,
                    event: String::new(),
                    salt: salted.salt,
                    leaf_hash: salted.hash(),
                }
            })
            .collect();
        Log {
            key: SigningKey::from_bytes(&[7; 32]).unwrap(),
            rows,
            log,
        }
    }

    fn head(&self, size: usize, at: i64) -> SignedHead {
        let mut frontier = Frontier::new();
        for entry in &self.log[..size] {
            frontier.push(entry.leaf_hash);
        }
        self.key.sign(TreeHead {
            campaign: "2025-final".into(),
            tree_size: size as u64,
            timestamp_ms: at,
            root: frontier.root(),
        })
    }

    /// Checks the first `size` rows and leaves against a head of them signed at `at`.
    fn problems(&self, size: usize, at: i64, held: &[SignedHead]) -> Vec<Problem> {
        let report = check(
            &self.head(size, at),
            &[self.key.public()],
            held,
            &self.log[..size],
            self.rows[..size].iter().cloned().map(Ok),
            std::iter::empty(),
        );
        report.problems
    }
}

#[test]
fn a_log_cut_below_a_head_held_before_it_fails_naming_the_held_head() {
    let log = Log::new();
    let held = [log.head(4, 40), log.head(10, 100)];
    // The last two responses and their leaves deleted, the frontier recomputed: the log as it
    // now stands is checked at 200 ms.
    assert_eq!(
        log.problems(8, 200, &held),
        vec![Problem::ShorterThanHeld {
            present: 8,
            held_size: 10,
            timestamp_ms: 100
        }]
    );
    let message = log.problems(8, 200, &held)[0].to_string();
    assert!(message.contains("covers 10"), "{message}");
    assert!(message.contains("removed after it was signed"), "{message}");
}

#[test]
fn a_head_held_since_an_export_may_be_larger_than_it() {
    let log = Log::new();
    // The export was cut at 8 responses at 100 ms; the evaluator fetched a head of 10 later.
    let held = [log.head(4, 40), log.head(10, 300)];
    assert_eq!(log.problems(8, 100, &held), vec![]);
}

#[test]
fn held_heads_within_the_log_still_verify() {
    let log = Log::new();
    let held = [log.head(4, 40), log.head(8, 80)];
    assert_eq!(log.problems(10, 100, &held), vec![]);
}
