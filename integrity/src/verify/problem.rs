//! What verification finds wrong, each with the record it concerns.

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
