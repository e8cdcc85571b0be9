//! Mutations of a log and its rows: each is detected and names the first bad record.

use minyi_integrity::leaf::LeafRecord;

mod common;
use common::record;
use minyi_integrity::merkle::Frontier;
use minyi_integrity::verify::{check, FlagRow, LogEntry, Problem};
use minyi_integrity::{EventRecord, LeafKind, PublicKey, SignedHead, SigningKey, TreeHead};

struct Fixture {
    key: SigningKey,
    rows: Vec<LeafRecord>,
    flags: Vec<FlagRow>,
    log: Vec<LogEntry>,
    heads: Vec<SignedHead>,
}

fn flag_row(response_id: i64, flag: &str) -> FlagRow {
    FlagRow {
        response_id,
        flag: flag.into(),
        detail: String::new(),
        at_ms: 1_750_000_000_000 + response_id,
    }
}

fn event_of(flag: &FlagRow, salt: [u8; 16]) -> EventRecord {
    EventRecord {
        salt,
        campaign: "2025-final".into(),
        response_id: flag.response_id,
        name: flag.flag.clone(),
        detail: flag.detail.clone(),
        at_ms: flag.at_ms,
    }
}

/// Ten responses (ids 101, 103, …) with a flag event after the third (`speeder` on 105) and
/// after the ninth (`burst` on 103); a head signed after 4 responses and one after all 12 leaves.
fn fixture() -> Fixture {
    let key = SigningKey::from_bytes(&[7; 32]).unwrap();
    let rows: Vec<LeafRecord> = (0..10).map(|i| record(101 + 2 * i)).collect();
    let flags = vec![flag_row(105, "speeder"), flag_row(103, "burst")];
    let mut frontier = Frontier::new();
    let mut log = Vec::new();
    let mut heads = Vec::new();
    let push = |log: &mut Vec<LogEntry>, frontier: &mut Frontier, entry: LogEntry| {
        frontier.push(entry.leaf_hash);
        log.push(entry);
    };
    for (i, row) in rows.iter().enumerate() {
        let mut salted = row.clone();
        salted.salt = [i as u8 + 1; 16];
        let entry = LogEntry {
            leaf_index: log.len() as u64,
            kind: LeafKind::Response,
            response_id: row.response_id,
            event: String::new(),
            salt: salted.salt,
            leaf_hash: salted.hash(),
        };
        push(&mut log, &mut frontier, entry);
        let event = match i {
            2 => Some(&flags[0]),
            8 => Some(&flags[1]),
            _ => None,
        };
        if let Some(flag) = event {
            let salt = [100 + i as u8; 16];
            let entry = LogEntry {
                leaf_index: log.len() as u64,
                kind: LeafKind::Flag,
                response_id: flag.response_id,
                event: flag.flag.clone(),
                salt,
                leaf_hash: event_of(flag, salt).hash(),
            };
            push(&mut log, &mut frontier, entry);
        }
        if i == 3 || i == 9 {
            heads.push(key.sign(TreeHead {
                campaign: "2025-final".into(),
                tree_size: frontier.size(),
                timestamp_ms: frontier.size() as i64,
                root: frontier.root(),
            }));
        }
    }
    Fixture {
        key,
        rows,
        flags,
        log,
        heads,
    }
}

fn problems(f: &Fixture, rows: Vec<LeafRecord>) -> Vec<Problem> {
    let key = f.key.public();
    let report = check(
        &f.heads[1],
        &[key],
        &f.heads[..1],
        &f.log,
        rows.into_iter().map(Ok),
        f.flags.clone().into_iter().map(Ok),
    );
    report.problems
}

#[test]
fn an_untouched_log_verifies() {
    let f = fixture();
    let key = f.key.public();
    let report = check(
        &f.heads[1],
        &[key],
        &f.heads[..1],
        &f.log,
        f.rows.clone().into_iter().map(Ok),
        f.flags.clone().into_iter().map(Ok),
    );
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(
        (
            report.rows,
            report.response_leaves,
            report.flags,
            report.flag_leaves
        ),
        (10, 10, 2, 2)
    );
}

#[test]
fn an_altered_answer_names_its_response() {
    let f = fixture();
    let mut rows = f.rows.clone();
    rows[6].answers[0].1 = "5".into();
    assert_eq!(
        problems(&f, rows),
        vec![Problem::Altered {
            row: 7,
            response_id: 113
        }]
    );
}

#[test]
fn a_deleted_response_is_named() {
    let f = fixture();
    let mut rows = f.rows.clone();
    rows.remove(3);
    assert_eq!(
        problems(&f, rows),
        vec![
            Problem::Deleted {
                row: 4,
                response_id: 107,
                leaf_index: 4
            },
            Problem::CountMismatch {
                rows: 9,
                leaves: 10
            }
        ]
    );
}

#[test]
fn an_inserted_response_is_named() {
    let f = fixture();
    let mut rows = f.rows.clone();
    rows.insert(5, record(110));
    assert_eq!(
        problems(&f, rows),
        vec![
            Problem::Inserted {
                row: 6,
                response_id: 110
            },
            Problem::CountMismatch {
                rows: 11,
                leaves: 10
            }
        ]
    );
}

#[test]
fn swapped_rows_are_named() {
    let f = fixture();
    let mut rows = f.rows.clone();
    rows.swap(2, 8);
    assert_eq!(
        problems(&f, rows),
        vec![Problem::Reordered {
            row: 3,
            found: 117,
            expected: 105
        }]
    );
}

#[test]
fn a_cut_off_tail_is_named() {
    let f = fixture();
    let mut rows = f.rows.clone();
    rows.truncate(7);
    assert_eq!(
        problems(&f, rows),
        vec![
            Problem::TruncatedTail {
                rows: 7,
                missing: 3,
                first_missing: 115
            },
            Problem::CountMismatch {
                rows: 7,
                leaves: 10
            }
        ]
    );
}

#[test]
fn a_log_cut_off_with_its_rows_is_caught_by_the_signed_size() {
    let f = fixture();
    let key = f.key.public();
    let report = check(
        &f.heads[1],
        &[key],
        &[],
        &f.log[..8],
        f.rows[..7].iter().cloned().map(Ok),
        f.flags[..1].iter().cloned().map(Ok),
    );
    assert_eq!(
        report.problems,
        vec![Problem::LogTruncated {
            present: 8,
            signed: 12
        }]
    );
}

#[test]
fn a_log_rewritten_with_its_rows_fails_the_root_and_the_held_head() {
    let f = fixture();
    let mut log = f.log.clone();
    let mut rows = f.rows.clone();
    // The agency changes response 103's answer and recomputes its leaf: the log is consistent
    // with the rows, but not with what was signed.
    rows[1].answers[0].1 = "5".into();
    let mut salted = rows[1].clone();
    salted.salt = log[1].salt;
    log[1].leaf_hash = salted.hash();
    let key = f.key.public();
    let report = check(
        &f.heads[1],
        &[key],
        &f.heads[..1],
        &log,
        rows.into_iter().map(Ok),
        f.flags.clone().into_iter().map(Ok),
    );
    assert_eq!(
        report.problems,
        vec![
            Problem::HeldHeadMismatch {
                size: 5,
                timestamp_ms: 5
            },
            Problem::RootMismatch { size: 12 }
        ]
    );
}

#[test]
fn a_head_signed_with_another_key_is_refused() {
    let f = fixture();
    let other = SigningKey::from_bytes(&[9; 32]).unwrap();
    let forged = other.sign(f.heads[1].head.clone());
    let key = f.key.public();
    let report = check(
        &forged,
        &[key],
        &[],
        &f.log,
        f.rows.clone().into_iter().map(Ok),
        f.flags.clone().into_iter().map(Ok),
    );
    assert_eq!(report.problems, vec![Problem::BadSignature]);
}

fn flag_problems(f: &Fixture, flags: Vec<FlagRow>) -> Vec<Problem> {
    let key = f.key.public();
    check(
        &f.heads[1],
        &[key],
        &f.heads[..1],
        &f.log,
        f.rows.clone().into_iter().map(Ok),
        flags.into_iter().map(Ok),
    )
    .problems
}

#[test]
fn a_deleted_flag_is_named_with_its_leaf() {
    let f = fixture();
    assert_eq!(
        flag_problems(&f, f.flags[1..].to_vec()),
        vec![Problem::FlagDeleted {
            response_id: 105,
            flag: "speeder".into(),
            leaf_index: 3
        }]
    );
}

#[test]
fn an_added_flag_is_named() {
    let f = fixture();
    let mut flags = f.flags.clone();
    flags.push(flag_row(119, "honeypot"));
    assert_eq!(
        flag_problems(&f, flags),
        vec![Problem::FlagInserted {
            response_id: 119,
            flag: "honeypot".into()
        }]
    );
}

#[test]
fn a_flag_added_twice_is_named() {
    let f = fixture();
    let mut flags = f.flags.clone();
    flags.push(f.flags[0].clone());
    assert_eq!(
        flag_problems(&f, flags),
        vec![Problem::FlagInserted {
            response_id: 105,
            flag: "speeder".into()
        }]
    );
}

#[test]
fn a_flag_moved_to_another_response_or_rewritten_is_named() {
    let f = fixture();
    let mut moved = f.flags.clone();
    moved[0].response_id = 107;
    assert_eq!(
        flag_problems(&f, moved),
        vec![
            Problem::FlagInserted {
                response_id: 107,
                flag: "speeder".into()
            },
            Problem::FlagDeleted {
                response_id: 105,
                flag: "speeder".into(),
                leaf_index: 3
            }
        ]
    );
    let mut rewritten = f.flags.clone();
    rewritten[1].detail = "not a burst after all".into();
    assert_eq!(
        flag_problems(&f, rewritten),
        vec![Problem::FlagAltered {
            response_id: 103,
            flag: "burst".into()
        }]
    );
}

#[test]
fn a_response_with_two_leaves_or_an_event_without_its_response_is_named() {
    let f = fixture();
    let key = f.key.public();
    let mut log = f.log.clone();
    // Leaf 4 (response 107) relabelled as a second leaf of response 101, and the flag leaf 3
    // pointed at a response the log does not hold: the hashes are untouched, the labels lie.
    log[4].response_id = 101;
    log[3].response_id = 999;
    let report = check(
        &f.heads[1],
        &[key],
        &f.heads[..1],
        &log,
        f.rows.clone().into_iter().map(Ok),
        f.flags.clone().into_iter().map(Ok),
    );
    assert!(report.problems.contains(&Problem::DuplicateLeaf {
        leaf_index: 4,
        response_id: 101
    }));
    assert!(report.problems.contains(&Problem::EventWithoutResponse {
        leaf_index: 3,
        response_id: 999
    }));
}

#[test]
fn public_keys_read_back_from_hex_and_bad_ones_are_named() {
    let key = SigningKey::from_bytes(&[7; 32]).unwrap().public();
    assert_eq!(PublicKey::from_hex(&key.to_hex()).unwrap(), key);
    let err = PublicKey::from_hex("abc").unwrap_err().to_string();
    assert!(err.contains("64 hexadecimal digits"), "{err}");
}

#[test]
fn the_salt_changes_the_leaf_and_the_encoding_is_length_prefixed() {
    let a = record(1);
    let mut b = a.clone();
    b.salt = [1; 16];
    assert_ne!(a.hash(), b.hash());
    // Moving a character between two fields changes the bytes (no ambiguous concatenation).
    let mut c = a.clone();
    c.unit = "u0".into();
    c.site = "1hall".into();
    assert_ne!(a.encode(), c.encode());
    // Answer order does not matter.
    let mut d = a.clone();
    d.answers.reverse();
    assert_eq!(a.encode(), d.encode());
    let bytes = a.encode();
    assert_eq!(&bytes[..4], &12u32.to_be_bytes());
    assert_eq!(&bytes[4..16], b"minyi-leaf/1");
}

#[test]
fn heads_round_trip_through_json() {
    let f = fixture();
    let json = serde_json::to_string(&f.heads[1]).unwrap();
    assert!(json.contains("\"tree_size\":12"), "{json}");
    let back: SignedHead = serde_json::from_str(&json).unwrap();
    assert!(back.verify(&f.key.public()));
}

#[test]
fn durations_read_back_to_the_millisecond() {
    use minyi_integrity::bundle::milliseconds;
    assert_eq!(milliseconds("12.345"), Some(12_345));
    assert_eq!(milliseconds("0.007"), Some(7));
    assert_eq!(milliseconds("-0.500"), Some(-500));
    assert_eq!(milliseconds("3"), Some(3_000));
    assert_eq!(milliseconds("1.5"), Some(1_500));
    assert_eq!(milliseconds("1.2345"), None);
    assert_eq!(milliseconds("x.1"), None);
    assert_eq!(milliseconds(""), None);
}

#[test]
fn after_a_rotation_held_heads_of_the_retired_key_count_only_with_that_key_given() {
    let f = fixture();
    let old = f.key.public();
    let new = SigningKey::from_bytes(&[8; 32]).unwrap();
    // The current head signed by the new key; the head held since collection by the old one.
    let current = new.sign(f.heads[1].head.clone());
    let rows = || f.rows.clone().into_iter().map(Ok);
    let flags = || f.flags.clone().into_iter().map(Ok);
    let both = check(
        &current,
        &[new.public(), old],
        &f.heads[..1],
        &f.log,
        rows(),
        flags(),
    );
    assert!(both.ok(), "{:?}", both.problems);
    // Given the new key alone, the old head is not silently skipped.
    let new_only = check(
        &current,
        &[new.public()],
        &f.heads[..1],
        &f.log,
        rows(),
        flags(),
    );
    assert_eq!(
        new_only.problems,
        vec![Problem::HeldHeadUnverified {
            size: 5,
            timestamp_ms: 5
        }]
    );
    // And with both keys, the old head still catches a rewrite of what it covers.
    let mut log = f.log.clone();
    log[1].leaf_hash[0] ^= 1;
    let rewritten = check(
        &current,
        &[new.public(), old],
        &f.heads[..1],
        &log,
        rows(),
        flags(),
    );
    assert!(rewritten.problems.contains(&Problem::HeldHeadMismatch {
        size: 5,
        timestamp_ms: 5
    }));
}
