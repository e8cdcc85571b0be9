//! The canonical byte encoding of an event about a response: what a leaf of kind `flag` commits
//! to. A flag is an event appended to the log, never an update of the response, so adding or
//! deleting one after the fact is as visible as adding or deleting a response.
//!
//! `minyi-event/1` is a sequence of length-prefixed fields (as in [`crate::leaf`]):
//!
//! | # | field | bytes |
//! |---|---|---|
//! | 1 | format tag | `minyi-event/1` |
//! | 2 | salt | 16 random bytes drawn for this event |
//! | 3 | campaign | the campaign's code (slug), UTF-8 |
//! | 4 | response id | decimal ASCII |
//! | 5 | event | `flag` |
//! | 6 | name | the flag (`speeder`, `burst`, …) |
//! | 7 | detail | free text, empty when none |
//! | 8 | at | milliseconds since the Unix epoch when the event was recorded, decimal ASCII |

use crate::leaf::{field, SALT_LEN};
use crate::merkle::{leaf_hash, Hash};

pub const FORMAT: &str = "minyi-event/1";

/// What a leaf of the log stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeafKind {
    /// A stored response ([`crate::LeafRecord`]).
    Response,
    /// A flag set on a response ([`EventRecord`]).
    Flag,
}

impl LeafKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeafKind::Response => "response",
            LeafKind::Flag => "flag",
        }
    }

    pub fn parse(text: &str) -> Option<LeafKind> {
        match text {
            "response" => Some(LeafKind::Response),
            "flag" => Some(LeafKind::Flag),
            _ => None,
        }
    }
}

/// A flag on a response as the log sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub salt: [u8; SALT_LEN],
    pub campaign: String,
    pub response_id: i64,
    pub name: String,
    pub detail: String,
    pub at_ms: i64,
}

impl EventRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96 + self.detail.len());
        field(&mut out, FORMAT.as_bytes());
        field(&mut out, &self.salt);
        field(&mut out, self.campaign.as_bytes());
        field(&mut out, self.response_id.to_string().as_bytes());
        field(&mut out, LeafKind::Flag.as_str().as_bytes());
        field(&mut out, self.name.as_bytes());
        field(&mut out, self.detail.as_bytes());
        field(&mut out, self.at_ms.to_string().as_bytes());
        out
    }

    /// The leaf hash: `SHA-256(0x00 ‖ encode())`.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> EventRecord {
        EventRecord {
            salt: [7; SALT_LEN],
            campaign: "2025-final".into(),
            response_id: 12,
            name: "speeder".into(),
            detail: "41 s".into(),
            at_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = event().hash();
        let mut changed = Vec::new();
        let mut e = event();
        e.salt[0] ^= 1;
        changed.push(e);
        let mut e = event();
        e.response_id = 13;
        changed.push(e);
        let mut e = event();
        e.name = "burst".into();
        changed.push(e);
        let mut e = event();
        e.detail = String::new();
        changed.push(e);
        let mut e = event();
        e.at_ms += 1;
        changed.push(e);
        let mut e = event();
        e.campaign = "2024-baseline".into();
        changed.push(e);
        for e in changed {
            assert_ne!(e.hash(), base, "{e:?}");
        }
    }

    #[test]
    fn an_event_never_hashes_like_a_response_with_the_same_text() {
        // The format tag is the first field, so the two kinds cannot collide.
        assert!(event().encode().starts_with(&[0, 0, 0, 13]));
        assert_eq!(&event().encode()[4..17], FORMAT.as_bytes());
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in [LeafKind::Response, LeafKind::Flag] {
            assert_eq!(LeafKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(LeafKind::parse("quarantine"), None);
    }
}
