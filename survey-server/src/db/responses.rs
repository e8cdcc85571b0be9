//! Storing responses: one row per response (its answers in one column, encoded as its log
//! leaf encodes them), stored a batch at a time in one transaction ([`store_batch`]),
//! idempotent on the form's key, acknowledged only after commit.

use diesel::prelude::*;

use super::schema::responses;
use super::{DbConn, DbError};

/// A response ready to store: every value already parsed against its questionnaire.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub campaign_id: i32,
    pub unit_id: i32,
    pub site_id: Option<i32>,
    pub questionnaire_version_id: i32,
    pub idempotency_key: String,
    pub respondent_type: Option<String>,
    pub lang: String,
    pub form_issued_at: i64,
    pub submitted_at: i64,
    /// `signed`, `unsigned` or `invalid`: see [`crate::token::LinkCheck`].
    pub link_check: String,
    /// (item id, encoded value)
    pub answers: Vec<(String, String)>,
    /// A one-time case code to redeem in the same transaction (never stored with the
    /// response; only its nullifier is, in a table of its own).
    pub case_code: Option<CaseCodeUse>,
    /// Contact details left with consent, sealed ([`crate::anonymity`]): stored in the same
    /// transaction, with no response id, time or ordered key.
    pub contact: Option<Vec<u8>>,
    /// The codes the response's leaf in the integrity log names.
    pub leaf: super::log::LeafContext,
    /// The keyed hash of a genuine device cookie, if the request had one.
    pub device_tag: Option<String>,
    /// (flag, detail) the submission earned on its own (honeypot, speeder, straight-lining).
    pub flags: Vec<(String, String)>,
    /// Mode, stratum and interviewer (the default for a citizen's own web response).
    pub collection: minyi_integrity::Collection,
}

impl NewResponse {
    /// The response as the integrity log encodes it (the salt is drawn when it is appended).
    pub fn leaf_record(&self, id: i32, over_quota: bool) -> minyi_integrity::LeafRecord {
        minyi_integrity::LeafRecord {
            salt: [0; minyi_integrity::leaf::SALT_LEN],
            campaign: self.leaf.campaign.clone(),
            response_id: id.into(),
            unit: self.leaf.unit.clone(),
            site: self.leaf.site.clone(),
            respondent_type: self.respondent_type.clone().unwrap_or_default(),
            lang: self.lang.clone(),
            questionnaire: self.leaf.questionnaire.clone(),
            submitted_at_ms: self.submitted_at,
            duration_ms: self.submitted_at - self.form_issued_at,
            link_check: self.link_check.clone(),
            over_quota,
            collection: self.collection.clone(),
            answers: self.answers.clone(),
        }
    }
}

/// A case code presented with a response.
#[derive(Debug, Clone)]
pub struct CaseCodeUse {
    /// The code's stored hash (`db::case_codes::hash`), to find it.
    pub hash: String,
    /// Its nullifier (`anonymity::AnonymityKeys::nullifier`), the only trace of its use.
    pub nullifier: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Newly committed with this id.
    New(i32),
    /// The key was already stored (a double tap or a retry): nothing new was written.
    Duplicate(i32),
}

impl Stored {
    pub fn id(self) -> i32 {
        match self {
            Stored::New(id) | Stored::Duplicate(id) => id,
        }
    }
}

/// Stores one response (a batch of one): see [`store_batch`].
pub fn store(conn: &mut DbConn, new: &NewResponse) -> Result<Stored, DbError> {
    store_batch(conn, &[new])?
        .pop()
        .expect("one result for one response")
}

pub fn find_by_key(conn: &mut DbConn, key: &str) -> Result<Option<i32>, DbError> {
    Ok(responses::table
        .filter(responses::idempotency_key.eq(key))
        .select(responses::id)
        .first::<i32>(conn)
        .optional()?)
}

mod batch;
mod checks;
mod reads;
pub use batch::store_batch;
pub use reads::*;
