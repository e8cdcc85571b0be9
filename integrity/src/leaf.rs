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
//! `minyi-leaf/2` (fieldwork, issue #13) is the same with tag `minyi-leaf/2` and three fields
//! between 13 and the answer count: the **mode** (`web`, `sms`, `phone`, `face`), the
//! **stratum** of a sampled case and the **interviewer** who keyed it. A response collected the
//! way every response was before — mode `web`, no stratum, no interviewer — is encoded as
//! `minyi-leaf/1`, byte for byte as before, so older logs verify unchanged; any other is
//! `minyi-leaf/2`. Changing any of the three after the fact changes the leaf either way.
//!
//! Length prefixes make the encoding unambiguous whatever the text contains; the salt keeps a
//! leaf hash from revealing answers (a 5-point item has only five possible values to try).
//!
//! Fields 14 onwards — the answer count and the sorted answers — are also how the server stores
//! a response's answers, in one column of its row ([`encode_answers`], [`decode_answers`]): the
//! bytes the log commits to are the bytes on disk.

use crate::merkle::{leaf_hash, Hash};

pub const FORMAT: &str = "minyi-leaf/1";
pub const FORMAT_2: &str = "minyi-leaf/2";

/// How a response was collected, as its leaf commits to it (fields of `minyi-leaf/2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Collection {
    /// `web`, `sms`, `phone` or `face`.
    pub mode: String,
    /// The stratum of a sampled case; empty for a self-selected response.
    pub stratum: String,
    /// The interviewer's user name for `phone` and `face`; else empty.
    pub interviewer: String,
}

impl Default for Collection {
    /// A self-selected response over the web: what every response was before fieldwork.
    fn default() -> Collection {
        Collection {
            mode: "web".into(),
            stratum: String::new(),
            interviewer: String::new(),
        }
    }
}

impl Collection {
    /// Whether the leaf is `minyi-leaf/1` (a self-selected web response).
    pub fn is_default(&self) -> bool {
        self.mode == "web" && self.stratum.is_empty() && self.interviewer.is_empty()
    }
}
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
    /// Mode, stratum and interviewer (`minyi-leaf/2` unless the default).
    pub collection: Collection,
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
        let v2 = !self.collection.is_default();
        field(&mut out, if v2 { FORMAT_2 } else { FORMAT }.as_bytes());
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
        if v2 {
            field(&mut out, self.collection.mode.as_bytes());
            field(&mut out, self.collection.stratum.as_bytes());
            field(&mut out, self.collection.interviewer.as_bytes());
        }
        write_answers(&mut out, &self.answers);
        out
    }

    /// The leaf hash: `SHA-256(0x00 ‖ encode())`.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

/// The canonical encoding of a response's answers (fields 14… of the leaf): their count, then
/// item id and value of each, sorted by item id (bytewise).
pub fn encode_answers(answers: &[(String, String)]) -> Vec<u8> {
    let size: usize = answers.iter().map(|(i, v)| 8 + i.len() + v.len()).sum();
    let mut out = Vec::with_capacity(8 + size);
    write_answers(&mut out, answers);
    out
}

fn write_answers(out: &mut Vec<u8>, answers: &[(String, String)]) {
    let mut sorted: Vec<&(String, String)> = answers.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    field(out, sorted.len().to_string().as_bytes());
    for (item, value) in sorted {
        field(out, item.as_bytes());
        field(out, value.as_bytes());
    }
}

/// Why stored answer bytes are not a canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    #[error("the answers end inside a field")]
    Truncated,
    #[error("the answer count is not a number")]
    BadCount,
    #[error("an item id or value is not UTF-8")]
    NotUtf8,
    #[error("{0} bytes follow the last answer")]
    Trailing(usize),
    #[error("the answers are not sorted by item id, or an item id repeats")]
    NotSorted,
}

/// Reads answers written by [`encode_answers`], borrowing from `bytes`; refuses anything that
/// is not exactly a canonical encoding (so that re-encoding gives the same bytes).
pub fn decode_answers(bytes: &[u8]) -> Result<Vec<(&str, &str)>, AnswersError> {
    let mut rest = bytes;
    let count = std::str::from_utf8(take(&mut rest)?)
        .ok()
        .filter(|c| !c.is_empty() && (*c == "0" || !c.starts_with('0')))
        .and_then(|c| c.parse::<usize>().ok())
        .ok_or(AnswersError::BadCount)?;
    let mut answers: Vec<(&str, &str)> = Vec::with_capacity(count.min(bytes.len() / 8));
    for _ in 0..count {
        let item = text(take(&mut rest)?)?;
        let value = text(take(&mut rest)?)?;
        if answers
            .last()
            .is_some_and(|(last, _)| last.as_bytes() >= item.as_bytes())
        {
            return Err(AnswersError::NotSorted);
        }
        answers.push((item, value));
    }
    if !rest.is_empty() {
        return Err(AnswersError::Trailing(rest.len()));
    }
    Ok(answers)
}

/// Takes one length-prefixed field off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], AnswersError> {
    let (len, tail) = rest
        .split_first_chunk::<4>()
        .ok_or(AnswersError::Truncated)?;
    let len = u32::from_be_bytes(*len) as usize;
    if tail.len() < len {
        return Err(AnswersError::Truncated);
    }
    let (value, tail) = tail.split_at(len);
    *rest = tail;
    Ok(value)
}

fn text(bytes: &[u8]) -> Result<&str, AnswersError> {
    std::str::from_utf8(bytes).map_err(|_| AnswersError::NotUtf8)
}

#[cfg(test)]
mod answers_tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(i, v)| (i.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn answers_round_trip_sorted_and_are_the_leaf_tail() {
        let answers = owned(&[("q2", "5"), ("q10", "是"), ("a", "")]);
        let bytes = encode_answers(&answers);
        assert_eq!(
            decode_answers(&bytes).unwrap(),
            vec![("a", ""), ("q10", "是"), ("q2", "5")]
        );
        let record = LeafRecord {
            salt: [7; SALT_LEN],
            campaign: "c".into(),
            response_id: 1,
            unit: "u".into(),
            site: String::new(),
            respondent_type: String::new(),
            lang: "zh".into(),
            questionnaire: "h".into(),
            submitted_at_ms: 1,
            duration_ms: 2,
            link_check: "signed".into(),
            over_quota: false,
            collection: Collection::default(),
            answers,
        };
        assert!(record.encode().ends_with(&bytes));
        assert_eq!(encode_answers(&[]), b"\0\0\0\x010".to_vec());
        assert_eq!(decode_answers(b"\0\0\0\x010").unwrap(), vec![]);
    }

    #[test]
    fn anything_but_a_canonical_encoding_is_refused() {
        let good = encode_answers(&owned(&[("a", "1"), ("b", "2")]));
        assert_eq!(
            decode_answers(&good[..good.len() - 1]),
            Err(AnswersError::Truncated)
        );
        let mut long = good.clone();
        long.push(0);
        assert_eq!(decode_answers(&long), Err(AnswersError::Trailing(1)));
        let mut unsorted = Vec::new();
        field(&mut unsorted, b"2");
        for part in [&b"b"[..], b"2", b"a", b"1"] {
            field(&mut unsorted, part);
        }
        assert_eq!(decode_answers(&unsorted), Err(AnswersError::NotSorted));
        let mut padded = Vec::new();
        field(&mut padded, b"02");
        assert_eq!(decode_answers(&padded), Err(AnswersError::BadCount));
        assert_eq!(decode_answers(b""), Err(AnswersError::Truncated));
        let mut bad_utf8 = Vec::new();
        field(&mut bad_utf8, b"1");
        field(&mut bad_utf8, &[0xff]);
        field(&mut bad_utf8, b"1");
        assert_eq!(decode_answers(&bad_utf8), Err(AnswersError::NotUtf8));
    }
}
