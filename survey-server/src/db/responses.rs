//! Storing a response: one transaction, idempotent on the form's key, acknowledged only after
//! commit.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::schema::{answers, contacts, device_seen, responses};
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
    /// Refuse (rather than flag) a second response from the device to this unit.
    pub device_reject: bool,
    /// (flag, detail) the submission earned on its own (honeypot, speeder, straight-lining).
    pub flags: Vec<(String, String)>,
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

/// Stores the response and its answers in one transaction; a key already stored returns the
/// existing response instead. When this returns `Ok`, the response is committed.
pub fn store(conn: &mut DbConn, new: &NewResponse) -> Result<Stored, DbError> {
    match insert(conn, new) {
        // Another transaction committed the same key between our check and our insert
        // (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers).
        Err(DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
            find_by_key(conn, &new.idempotency_key)?
                .map(Stored::Duplicate)
                .ok_or_else(|| DbError::Invalid("unique violation without a stored key".into()))
        }
        other => other,
    }
}

/// The statements that store one response, run with the connection `$c` of a transaction
/// already open (alone, or as one savepoint of a group commit).
macro_rules! insert_one {
    ($c:expr, $new:expr, $frontier:expr) => {{
        let frontier: &mut minyi_integrity::Frontier = $frontier;
        let c = $c;
        let new: &NewResponse = $new;
        (|| {
            let existing = responses::table
                .filter(responses::idempotency_key.eq(&new.idempotency_key))
                .select(responses::id)
                .first::<i32>(c)
                .optional()?;
            if let Some(id) = existing {
                return Ok::<_, DbError>(Stored::Duplicate(id));
            }
            let cell = new.respondent_type.as_deref().unwrap_or_default();
            let over_quota = crate::check_quota!(c, new.campaign_id, new.unit_id, cell)?;
            if let Some(code) = &new.case_code {
                crate::redeem_case_code!(&mut *c, new.campaign_id, new.unit_id, code)?;
            }
            let mut flags = new.flags.clone();
            if let Some(tag) = &new.device_tag {
                let first = diesel::insert_into(device_seen::table)
                    .values((
                        device_seen::campaign_id.eq(new.campaign_id),
                        device_seen::unit_id.eq(new.unit_id),
                        device_seen::device_tag.eq(tag),
                    ))
                    .on_conflict_do_nothing()
                    .execute(&mut *c)?
                    == 1;
                if !first && new.device_reject {
                    return Err(DbError::DeviceRepeat);
                }
                if !first {
                    flags.push(("device_repeat".to_string(), String::new()));
                }
            }
            let id: i32 = diesel::insert_into(responses::table)
                .values((
                    responses::campaign_id.eq(new.campaign_id),
                    responses::unit_id.eq(new.unit_id),
                    responses::site_id.eq(new.site_id),
                    responses::questionnaire_version_id.eq(new.questionnaire_version_id),
                    responses::idempotency_key.eq(&new.idempotency_key),
                    responses::respondent_type.eq(&new.respondent_type),
                    responses::lang.eq(&new.lang),
                    responses::form_issued_at.eq(new.form_issued_at),
                    responses::submitted_at.eq(new.submitted_at),
                    responses::duration_ms.eq(new.submitted_at - new.form_issued_at),
                    responses::link_check.eq(&new.link_check),
                    responses::over_quota.eq(over_quota),
                ))
                .returning(responses::id)
                .get_result(c)?;
            let rows: Vec<_> = new
                .answers
                .iter()
                .map(|(item, value)| {
                    (
                        answers::response_id.eq(id),
                        answers::item_id.eq(item.as_str()),
                        answers::value.eq(value.as_str()),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(answers::table)
                    .values(&rows)
                    .execute(&mut *c)?;
            }
            crate::log_append!(
                &mut *c,
                new.campaign_id,
                &mut *frontier,
                new.leaf_record(id, over_quota)
            )?;
            for (flag, detail) in &flags {
                crate::flag_append!(
                    &mut *c,
                    &mut *frontier,
                    &new.leaf.campaign,
                    new.campaign_id,
                    id,
                    flag,
                    detail,
                    new.submitted_at
                )?;
            }
            if let Some(sealed) = &new.contact {
                diesel::insert_into(contacts::table)
                    .values((
                        contacts::id.eq(crate::anonymity::random_key()),
                        contacts::campaign_id.eq(new.campaign_id),
                        contacts::unit_id.eq(new.unit_id),
                        contacts::sealed.eq(sealed),
                    ))
                    .execute(&mut *c)?;
            }
            Ok(Stored::New(id))
        })()
    }};
}

/// Takes the log of every campaign in the batch, before any response is inserted (so ids rise
/// in leaf order); the frontiers are kept in memory and saved once at the end.
macro_rules! lock_logs {
    ($c:expr, $batch:expr) => {{
        let c = $c;
        let mut frontiers = std::collections::BTreeMap::new();
        for new in $batch {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                frontiers.entry(new.campaign_id)
            {
                slot.insert(crate::log_lock!(&mut *c, new.campaign_id)?);
            }
        }
        frontiers
    }};
}

/// The batch with a savepoint per response: a refused one is rolled back alone.
fn store_with_savepoints(
    conn: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<Vec<Result<Stored, DbError>>, DbError> {
    crate::write_transaction!(conn, |c| {
        let mut frontiers = lock_logs!(&mut *c, batch);
        let mut results = Vec::with_capacity(batch.len());
        for new in batch {
            let frontier = frontiers
                .get_mut(&new.campaign_id)
                .expect("every campaign of the batch was locked");
            let before = frontier.clone();
            let result =
                diesel::Connection::transaction(&mut *c, |c| insert_one!(c, *new, &mut *frontier));
            if result.is_err() {
                // The savepoint rolled back its leaf: so does the frontier.
                *frontier = before;
            }
            results.push(result);
        }
        for (campaign_id, frontier) in &frontiers {
            crate::log_save!(&mut *c, *campaign_id, frontier)?;
        }
        Ok::<_, DbError>(results)
    })
}

fn insert(conn: &mut DbConn, new: &NewResponse) -> Result<Stored, DbError> {
    crate::write_transaction!(conn, |c| {
        let mut frontier = crate::log_lock!(&mut *c, new.campaign_id)?;
        let stored = insert_one!(&mut *c, new, &mut frontier)?;
        crate::log_save!(&mut *c, new.campaign_id, &frontier)?;
        Ok::<_, DbError>(stored)
    })
}

/// Stores several responses in one transaction and one flush — a group commit. The batch is
/// first tried as one plain transaction; if any response in it is refused (a used case code, a
/// full quota, a device already seen under `reject`) or races another server, the transaction is
/// rolled back and the batch stored again with each response a savepoint of its own, so that
/// one refused response does not undo the others. (Savepoints cost two round trips a response
/// on PostgreSQL; refusals are rare.) The outer `Err` means the commit itself failed and
/// nothing was stored.
pub fn store_batch(
    conn: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<Vec<Result<Stored, DbError>>, DbError> {
    let plain = crate::write_transaction!(conn, |c| {
        let mut frontiers = lock_logs!(&mut *c, batch);
        let mut results = Vec::with_capacity(batch.len());
        for new in batch {
            let frontier = frontiers
                .get_mut(&new.campaign_id)
                .expect("every campaign of the batch was locked");
            results.push(Ok(insert_one!(&mut *c, *new, &mut *frontier)?));
        }
        for (campaign_id, frontier) in &frontiers {
            crate::log_save!(&mut *c, *campaign_id, frontier)?;
        }
        Ok::<_, DbError>(results)
    });
    let results = match plain {
        Ok(results) => results,
        Err(_) => store_with_savepoints(conn, batch)?,
    };
    // A key committed by another process between our check and our insert (PostgreSQL with
    // several servers) is that response's duplicate.
    results
        .into_iter()
        .zip(batch)
        .map(|(result, new)| match result {
            Err(DbError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) => Ok(find_by_key(conn, &new.idempotency_key)?
                .map(Stored::Duplicate)
                .ok_or_else(|| DbError::Invalid("unique violation without a stored key".into()))),
            other => Ok(other),
        })
        .collect()
}

pub fn find_by_key(conn: &mut DbConn, key: &str) -> Result<Option<i32>, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::idempotency_key.eq(key))
        .select(responses::id)
        .first::<i32>(c)
        .optional()?))
}

mod reads;
pub use reads::*;
