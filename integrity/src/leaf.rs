//! The canonical byte encoding of a response: what a leaf of the log commits to.
//!
//! `minyi-leaf/1` is a sequence of fields, each written as its length (4 bytes, big-endian)
//! followed by its bytes, in this order:
//!
//! | # | field | bytes |
//! |---|---|---|
//! | 1 | format tag | `minyi-leaf/1` |
//! | 2 | salt | 16 random bytes drawn for this response |
//! | 3 | campaign | the campaign's code (slug), UTF-8 |
//! | 4 | response id | decimal ASCII |
//! | 5 | unit | the unit's code |
//! | 6 | site | the site's code, empty when none |
//! | 7 | respondent type | its option code, empty when not answered |
//! | 8 | language | `zh` or `en` |
//! | 9 | questionnaire | the questionnaire version's content hash (hex) |
//! | 10 | submitted at | milliseconds since the Unix epoch, decimal ASCII |
//! | 11 | duration | milliseconds from form issue to submission, decimal ASCII |
//! | 12 | link check | `signed`, `unsigned` or `invalid` |
//! | 13 | over quota | `0` or `1` |
//! | 14 | answer count | decimal ASCII |
//! | 15… | answers | item id, then value as stored, per answer, sorted by item id |
//!
//! Length prefixes make the encoding unambiguous whatever the text contains; the salt keeps a
//! leaf hash from revealing answers (a 5-point item has only five possible values to try).

use crate::merkle::{leaf_hash, Hash};

pub const FORMAT: &str = "minyi-leaf/1";
pub const SALT_LEN: usize = 16;

/// One response as the log sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRecord {
    pub salt: [u8; SALT_LEN],
    pub campaign: String,
    pub response_id: i64,
    pub unit: String,
    pub site: String,
    pub respondent_type: String,
    pub lang: String,
    pub questionnaire: String,
    pub submitted_at_ms: i64,
    pub duration_ms: i64,
    pub link_check: String,
    pub over_quota: bool,
    /// (item id, value as stored); the order does not matter, encoding sorts.
    pub answers: Vec<(String, String)>,
}

/// Appends one length-prefixed field (4 bytes of length, big-endian, then the bytes).
pub(crate) fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("a field under 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

impl LeafRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + 16 * self.answers.len());
        field(&mut out, FORMAT.as_bytes());
        field(&mut out, &self.salt);
        field(&mut out, self.campaign.as_bytes());
        field(&mut out, self.response_id.to_string().as_bytes());
        field(&mut out, self.unit.as_bytes());
        field(&mut out, self.site.as_bytes());
        field(&mut out, self.respondent_type.as_bytes());
        field(&mut out, self.lang.as_bytes());
        field(&mut out, self.questionnaire.as_bytes());
        field(&mut out, self.submitted_at_ms.to_string().as_bytes());
        field(&mut out, self.duration_ms.to_string().as_bytes());
        field(&mut out, self.link_check.as_bytes());
        field(&mut out, if self.over_quota { b"1" } else { b"0" });
        let mut answers: Vec<&(String, String)> = self.answers.iter().collect();
        answers.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        field(&mut out, answers.len().to_string().as_bytes());
        for (item, value) in answers {
            field(&mut out, item.as_bytes());
            field(&mut out, value.as_bytes());
        }
        out
    }

    /// The leaf hash: `SHA-256(0x00 ‖ encode())`.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}
