//! The tamper-evident response log (see ARCHITECTURE.md, "the integrity log").
//!
//! Every accepted response becomes, in the transaction that stores it, a leaf of a per-campaign
//! Merkle tree built as in RFC 6962 §2.1 (RFC 9162 §2.1.1): the leaf hash is
//! `SHA-256(0x00 ‖ canonical bytes)`, an interior node `SHA-256(0x01 ‖ left ‖ right)`. The
//! canonical bytes ([`leaf::LeafRecord::encode`]) start with a per-response random salt, so a
//! published hash does not let anyone guess the answers behind it. The server signs tree heads
//! (size, root, time) with Ed25519 ([`head`]); the evaluator keeps them during collection, and
//! [`verify`] checks rows against a head, naming the first record that does not fit. A
//! consistency proof ([`proof`]) shows a newer head only appended to an older one.
//!
//! This crate knows nothing of HTTP or databases: the server and the analysis both use it.

pub mod bundle;
pub mod event;
pub mod head;
pub mod leaf;
pub mod merkle;
pub mod proof;
pub mod verify;

pub use event::{EventRecord, LeafKind};
pub use head::{PublicKey, SignedHead, SigningKey, TreeHead};
pub use leaf::{Collection, LeafRecord};
pub use merkle::{Frontier, Hash};
pub use verify::{FlagRow, LogEntry, Problem, Report};
