//! Storing a response: one transaction, idempotent on the form's key, acknowledged only after
//! commit.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::schema::{answers, device_seen, response_flags, responses};
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
    /// The hash of a one-time case code to redeem in the same transaction (never stored with
    /// the response).
    pub case_code_hash: Option<String>,
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
            if let Some(code_hash) = &new.case_code_hash {
                let redeemed = crate::redeem_case_code!(
                    c,
                    new.campaign_id,
                    new.unit_id,
                    code_hash,
                    new.submitted_at
                )?;
                if redeemed != 1 {
                    return Err(DbError::CaseCodeUsed);
                }
            }
            let mut flags = new.flags.clone();
            if let Some(tag) = &new.device_tag {
                let first = diesel::insert_into(device_seen::table)
                    .values((
                        device_seen::campaign_id.eq(new.campaign_id),
                        device_seen::unit_id.eq(new.unit_id),
                        device_seen::device_tag.eq(tag),
                        device_seen::first_seen_at.eq(new.submitted_at),
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
            if !flags.is_empty() {
                let rows: Vec<_> = flags
                    .iter()
                    .map(|(flag, detail)| {
                        (
                            response_flags::response_id.eq(id),
                            response_flags::flag.eq(flag.as_str()),
                            response_flags::detail.eq(detail.as_str()),
                            response_flags::flagged_at.eq(new.submitted_at),
                        )
                    })
                    .collect();
                diesel::insert_into(response_flags::table)
                    .values(&rows)
                    .execute(&mut *c)?;
            }
            Ok(Stored::New(id))
        })()
    }};
}

fn insert(conn: &mut DbConn, new: &NewResponse) -> Result<Stored, DbError> {
    crate::write_transaction!(conn, |c| {
        let mut frontier = crate::log_lock!(&mut *c, new.campaign_id)?;
        let stored = insert_one!(&mut *c, new, &mut frontier)?;
        crate::log_save!(&mut *c, new.campaign_id, &frontier)?;
        Ok::<_, DbError>(stored)
    })
}

/// Stores several responses in one transaction and one flush — a group commit. Each response
/// is a savepoint of its own: one refused (a used case code, a full quota) does not undo the
/// others. The outer `Err` means the commit itself failed and nothing was stored.
pub fn store_batch(
    conn: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<Vec<Result<Stored, DbError>>, DbError> {
    let results = crate::write_transaction!(conn, |c| {
        // Each campaign's log is taken once for the batch (before any response is inserted,
        // so ids rise in leaf order), kept in memory, and saved once at the end.
        let mut frontiers = std::collections::BTreeMap::new();
        for new in batch {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                frontiers.entry(new.campaign_id)
            {
                slot.insert(crate::log_lock!(&mut *c, new.campaign_id)?);
            }
        }
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
    })?;
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

/// A stored response as read back, for tests, exports and verification.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = responses)]
pub struct StoredResponse {
    pub id: i32,
    pub campaign_id: i32,
    pub unit_id: i32,
    pub site_id: Option<i32>,
    pub idempotency_key: String,
    pub respondent_type: Option<String>,
    pub lang: String,
    pub submitted_at: i64,
    pub duration_ms: i64,
    pub link_check: String,
    pub over_quota: bool,
}

/// A stored response and its (item id, value) answers.
pub type ResponseWithAnswers = (StoredResponse, Vec<(String, String)>);

/// Every response of a campaign with its answers, in id order (tests and small campaigns;
/// exports walk [`page`]s instead).
pub fn list_for_campaign(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Vec<ResponseWithAnswers>, DbError> {
    page(conn, campaign_id, 0, i64::MAX)
}

/// Pairs each response with its answers (`all` in response order).
fn attach(rows: Vec<StoredResponse>, all: Vec<(i32, String, String)>) -> Vec<ResponseWithAnswers> {
    let mut by_response: std::collections::HashMap<i32, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for (id, item, value) in all {
        by_response.entry(id).or_default().push((item, value));
    }
    rows.into_iter()
        .map(|r| {
            let mine = by_response.remove(&r.id).unwrap_or_default();
            (r, mine)
        })
        .collect()
}

pub fn count_for_campaign(conn: &mut DbConn, campaign_id: i32) -> Result<i64, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .count()
        .get_result(c)?))
}

/// Responses per unit of a campaign: (unit id, count).
pub fn counts_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<(i32, i64)>, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by(responses::unit_id)
        .select((responses::unit_id, diesel::dsl::count_star()))
        .load(c)?))
}

/// One page of a campaign's responses with their answers, ids after `after_id`, in id order:
/// exports walk a campaign page by page and never hold it whole.
pub fn page(
    conn: &mut DbConn,
    campaign_id: i32,
    after_id: i32,
    limit: i64,
) -> Result<Vec<ResponseWithAnswers>, DbError> {
    crate::with_conn!(conn, |c| {
        let rows = responses::table
            .filter(responses::campaign_id.eq(campaign_id))
            .filter(responses::id.gt(after_id))
            .order(responses::id)
            .limit(limit)
            .select(StoredResponse::as_select())
            .load(c)?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(Vec::new());
        };
        let all: Vec<(i32, String, String)> = answers::table
            .filter(answers::response_id.between(first.id, last.id))
            .inner_join(responses::table)
            .filter(responses::campaign_id.eq(campaign_id))
            .order((answers::response_id, answers::item_id))
            .select((answers::response_id, answers::item_id, answers::value))
            .load(c)?;
        Ok(attach(rows, all))
    })
}

#[derive(diesel::QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    /// Days since 1970-01-01 in China Standard Time.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub day: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Responses per day (China Standard Time) of a campaign. Integer arithmetic on the stored
/// milliseconds, so the same SQL runs on both backends.
pub fn counts_by_day(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<DayCount>, DbError> {
    let sql = format!(
        "SELECT (submitted_at + 28800000) / 86400000 AS day, COUNT(*) AS n FROM responses \
         WHERE campaign_id = {campaign_id} GROUP BY day ORDER BY day"
    );
    crate::with_conn!(conn, |c| Ok(diesel::sql_query(&sql).load::<DayCount>(c)?))
}

/// Responses per link check (`signed`, `unsigned`, `invalid`) of a campaign.
pub fn counts_by_link_check(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Vec<(String, i64)>, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by(responses::link_check)
        .select((responses::link_check, diesel::dsl::count_star()))
        .load(c)?))
}

#[derive(diesel::QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFlags {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub over_quota: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub invalid_link: i64,
}

/// Flagged responses per unit: past the quota, and through a link edited by hand.
pub fn flags_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<UnitFlags>, DbError> {
    let sql = format!(
        "SELECT unit_id, \
           COALESCE(SUM(CASE WHEN over_quota THEN 1 ELSE 0 END), 0) AS over_quota, \
           COALESCE(SUM(CASE WHEN link_check = 'invalid' THEN 1 ELSE 0 END), 0) AS invalid_link \
         FROM responses WHERE campaign_id = {campaign_id} GROUP BY unit_id"
    );
    crate::with_conn!(conn, |c| Ok(diesel::sql_query(&sql).load::<UnitFlags>(c)?))
}

/// Responses of one unit (by id) and respondent type ('' when none).
pub type CellCount = ((i32, String), i64);

/// Responses per unit × respondent type of a campaign.
pub fn counts_by_unit_type(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<CellCount>, DbError> {
    let rows: Vec<(i32, Option<String>, i64)> = crate::with_conn!(conn, |c| responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by((responses::unit_id, responses::respondent_type))
        .select((
            responses::unit_id,
            responses::respondent_type,
            diesel::dsl::count_star()
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(u, t, n)| ((u, t.unwrap_or_default()), n))
        .collect())
}
