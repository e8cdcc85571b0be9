//! A group commit's transaction: a batch of responses stored with one statement per table.
//!
//! 1. Take the log of every campaign in the batch (so no other writer of those campaigns, in
//!    this process or another, runs until the commit).
//! 2. Read what decides each response with one query per batch: keys already stored, quotas
//!    and their counts, devices seen.
//! 3. Decide each response in memory, in order: a duplicate, refused (its wave closed, quota full, device
//!    repeat under `reject`, a case code unknown or used) or admitted — refusals write
//!    nothing, so nothing has to be rolled back.
//! 4. Insert the admitted responses in one statement; append their leaves and their flags'
//!    events in id order; insert flags, devices, contacts and counts, one statement each; save
//!    each log's frontier once.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::upsert::excluded;

use super::checks::{stored_keys, Devices, Quota, Quotas};
use super::{NewResponse, Stored};
use crate::db::campaigns::Openness;
use crate::db::counts::{add_flags, FlagCounts};
use crate::db::log::Appender;
use crate::db::schema::{contacts, response_counts, response_flags, responses};
use crate::db::{DbConn, DbError};

/// Rows per multi-row insert: well under SQLite's 32 766 bound parameters.
const ROWS_PER_INSERT: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = responses, treat_none_as_null = true)]
struct ResponseRow<'a> {
    campaign_id: i32,
    unit_id: i32,
    site_id: Option<i32>,
    questionnaire_version_id: i32,
    idempotency_key: &'a str,
    respondent_type: Option<&'a str>,
    lang: &'a str,
    form_issued_at: i64,
    submitted_at: i64,
    duration_ms: i64,
    link_check: &'a str,
    over_quota: bool,
    answers: Vec<u8>,
    mode: &'a str,
    stratum: &'a str,
    interviewer: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = response_flags)]
struct FlagRow<'a> {
    response_id: i32,
    flag: &'a str,
    detail: &'a str,
    flagged_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = contacts)]
struct ContactRow<'a> {
    id: Vec<u8>,
    campaign_id: i32,
    unit_id: i32,
    sealed: &'a [u8],
}

#[derive(Insertable)]
#[diesel(table_name = response_counts)]
struct CountRow {
    campaign_id: i32,
    unit_id: i32,
    respondent_type: String,
    day: i64,
    link_check: String,
    over_quota: bool,
    n: i64,
}

use crate::db::counts::cst_day;

/// A response admitted in step 3, waiting for its id.
struct Admitted<'b> {
    index: usize,
    new: &'b NewResponse,
    over_quota: bool,
    device_repeat: bool,
}

/// Stores several responses in one transaction and one flush — a group commit. Each response
/// gets its own result: stored, a duplicate of a stored key, or refused (a used case code, a
/// full quota, a device already seen under `reject`); a refused response writes nothing. The
/// outer `Err` means the transaction failed and nothing of the batch was stored.
pub fn store_batch(
    conn: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<Vec<Result<Stored, DbError>>, DbError> {
    let attempt = |conn: &mut DbConn| crate::db::write_transaction(conn, |c| store_in(c, batch));
    match attempt(conn) {
        // A key committed by another server between its check and ours cannot happen while
        // both take the campaign's log first; should one slip through, the batch is stored
        // again, and that response is then a duplicate.
        Err(DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
            attempt(conn)
        }
        other => other,
    }
}

fn store_in(
    c: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<Vec<Result<Stored, DbError>>, DbError> {
    // Taken in campaign order, so that two servers never wait on each other's logs.
    let campaigns: BTreeMap<i32, &str> = batch
        .iter()
        .map(|n| (n.campaign_id, n.leaf.campaign.as_str()))
        .collect();
    let mut logs: BTreeMap<i32, Appender> = BTreeMap::new();
    for (campaign_id, slug) in campaigns {
        logs.insert(campaign_id, Appender::open(c, campaign_id, slug)?);
    }
    let stored = stored_keys(c, batch)?;
    // The handler checked the wave's dates and status from a short-lived cache; the batch
    // reads them again here, under the log lock, with the device policy: a wave closed (or a
    // policy changed) by another process applies to every batch stored after it.
    let ids: Vec<i32> = logs.keys().copied().collect();
    let rules = crate::db::campaigns::rules_of(c, &ids)?;
    let mut quotas = Quotas::load(c, batch)?;
    let mut devices = Devices::load(c, batch)?;

    let mut results: Vec<Option<Result<Stored, DbError>>> = batch.iter().map(|_| None).collect();
    let mut admitted: Vec<Admitted> = Vec::with_capacity(batch.len());
    // Keys first seen in this batch: key → index in `admitted`, for a double tap in one batch.
    let mut first_of_key: HashMap<&str, usize> = HashMap::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for (index, new) in batch.iter().enumerate() {
        if let Some(id) = stored.get(&new.idempotency_key) {
            results[index] = Some(Ok(Stored::Duplicate(*id)));
            continue;
        }
        if let Some(first) = first_of_key.get(new.idempotency_key.as_str()) {
            repeats.push((index, *first));
            continue;
        }
        let Some(wave) = rules.get(&new.campaign_id) else {
            results[index] = Some(Err(DbError::CampaignClosed));
            continue;
        };
        match wave.openness {
            Openness::Open => {}
            Openness::NotYetOpen => {
                results[index] = Some(Err(DbError::NotYetOpen));
                continue;
            }
            Openness::Closed => {
                results[index] = Some(Err(DbError::CampaignClosed));
                continue;
            }
        }
        match admit(c, new, wave.device_reject, &quotas, &devices) {
            Ok((over_quota, device_repeat)) => {
                quotas.admit(new);
                devices.admit(new);
                first_of_key.insert(&new.idempotency_key, admitted.len());
                admitted.push(Admitted {
                    index,
                    new,
                    over_quota,
                    device_repeat,
                });
            }
            Err(refused) => results[index] = Some(Err(refused)),
        }
    }

    let ids = insert_responses(c, &admitted)?;
    let mut order: Vec<usize> = (0..admitted.len()).collect();
    order.sort_by_key(|&a| ids[a]);
    let mut flags: Vec<FlagRow> = Vec::new();
    let mut flag_counts = FlagCounts::new();
    for &a in &order {
        let Admitted {
            new,
            over_quota,
            device_repeat,
            ..
        } = &admitted[a];
        let id = ids[a];
        let log = logs
            .get_mut(&new.campaign_id)
            .expect("every campaign of the batch was taken");
        log.response(new.leaf_record(id, *over_quota));
        let device = device_repeat.then_some(("device_repeat", ""));
        for (flag, detail) in new
            .flags
            .iter()
            .map(|(f, d)| (f.as_str(), d.as_str()))
            .chain(device)
        {
            log.flag(id, flag, detail, new.submitted_at);
            let cell = (
                new.campaign_id,
                new.unit_id,
                cst_day(new.submitted_at),
                flag.to_string(),
            );
            *flag_counts.entry(cell).or_default() += 1;
            flags.push(FlagRow {
                response_id: id,
                flag,
                detail,
                flagged_at: new.submitted_at,
            });
        }
    }
    for rows in flags.chunks(ROWS_PER_INSERT) {
        crate::db::native(c, diesel::insert_into(response_flags::table).values(rows))?;
    }
    devices.save(c)?;
    insert_contacts(c, &admitted)?;
    add_counts(c, &admitted)?;
    add_flags(c, &flag_counts)?;
    for log in logs.into_values() {
        log.save(c)?;
    }

    for (a, admitted) in admitted.iter().enumerate() {
        results[admitted.index] = Some(Ok(Stored::New(ids[a])));
    }
    for (index, first) in repeats {
        results[index] = Some(Ok(Stored::Duplicate(ids[first])));
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every response of the batch has a result"))
        .collect())
}

/// Decides a response not stored yet: `Ok((over quota, device repeat))` to store it, or why it
/// is refused. A case code is redeemed here, last, once nothing else can refuse the response.
fn admit(
    c: &mut DbConn,
    new: &NewResponse,
    device_reject: bool,
    quotas: &Quotas,
    devices: &Devices,
) -> Result<(bool, bool), DbError> {
    let over_quota = match quotas.check(new) {
        Quota::Within => false,
        Quota::Over => true,
        Quota::Full => return Err(DbError::QuotaFull),
    };
    let device_repeat = devices.repeats(new);
    if device_repeat && device_reject {
        return Err(DbError::DeviceRepeat);
    }
    if let Some(code) = &new.case_code {
        crate::db::case_codes::redeem(c, new.campaign_id, new.unit_id, code)?;
    }
    Ok((over_quota, device_repeat))
}

/// Inserts the admitted responses; returns their ids, in the order of `admitted`.
fn insert_responses(c: &mut DbConn, admitted: &[Admitted]) -> Result<Vec<i32>, DbError> {
    let rows: Vec<ResponseRow> = admitted
        .iter()
        .map(|a| {
            let new = a.new;
            ResponseRow {
                campaign_id: new.campaign_id,
                unit_id: new.unit_id,
                site_id: new.site_id,
                questionnaire_version_id: new.questionnaire_version_id,
                idempotency_key: &new.idempotency_key,
                respondent_type: new.respondent_type.as_deref(),
                lang: &new.lang,
                form_issued_at: new.form_issued_at,
                submitted_at: new.submitted_at,
                duration_ms: new.submitted_at - new.form_issued_at,
                link_check: &new.link_check,
                over_quota: a.over_quota,
                answers: minyi_integrity::leaf::encode_answers(&new.answers),
                mode: &new.collection.mode,
                stratum: &new.collection.stratum,
                interviewer: &new.collection.interviewer,
            }
        })
        .collect();
    let mut by_key: HashMap<String, i32> = HashMap::with_capacity(rows.len());
    for rows in rows.chunks(ROWS_PER_INSERT) {
        let returned: Vec<(i32, String)> = crate::db::native_load(
            c,
            diesel::insert_into(responses::table)
                .values(rows)
                .returning((responses::id, responses::idempotency_key)),
        )?;
        by_key.extend(returned.into_iter().map(|(id, key)| (key, id)));
    }
    admitted
        .iter()
        .map(|a| {
            by_key
                .get(&a.new.idempotency_key)
                .copied()
                .ok_or_else(|| DbError::Invalid("an inserted response returned no id".into()))
        })
        .collect()
}

/// Stores the contacts left with admitted responses: sealed, under a random key, with no
/// response id, time or ordered key.
fn insert_contacts(c: &mut DbConn, admitted: &[Admitted]) -> Result<(), DbError> {
    let rows: Vec<ContactRow> = admitted
        .iter()
        .filter_map(|a| {
            a.new.contact.as_deref().map(|sealed| ContactRow {
                id: crate::anonymity::random_key(),
                campaign_id: a.new.campaign_id,
                unit_id: a.new.unit_id,
                sealed,
            })
        })
        .collect();
    for rows in rows.chunks(ROWS_PER_INSERT) {
        crate::db::native(c, diesel::insert_into(contacts::table).values(rows))?;
    }
    Ok(())
}

/// Adds the admitted responses to the counts the progress page and the quotas read.
fn add_counts(c: &mut DbConn, admitted: &[Admitted]) -> Result<(), DbError> {
    type Key = (i32, i32, String, i64, String, bool);
    let mut counts: BTreeMap<Key, i64> = BTreeMap::new();
    for a in admitted {
        let new = a.new;
        let key = (
            new.campaign_id,
            new.unit_id,
            new.respondent_type.clone().unwrap_or_default(),
            cst_day(new.submitted_at),
            new.link_check.clone(),
            a.over_quota,
        );
        *counts.entry(key).or_default() += 1;
    }
    let rows: Vec<CountRow> = counts
        .into_iter()
        .map(
            |((campaign_id, unit_id, respondent_type, day, link_check, over_quota), n)| CountRow {
                campaign_id,
                unit_id,
                respondent_type,
                day,
                link_check,
                over_quota,
                n,
            },
        )
        .collect();
    // One statement a row: SQLite has no multi-row upsert in diesel. A batch adds to a few
    // counts only (its units × respondent types × days).
    for row in &rows {
        crate::db::native(
            c,
            diesel::insert_into(response_counts::table)
                .values(row)
                .on_conflict((
                    response_counts::campaign_id,
                    response_counts::unit_id,
                    response_counts::respondent_type,
                    response_counts::day,
                    response_counts::link_check,
                    response_counts::over_quota,
                ))
                .do_update()
                .set(response_counts::n.eq(response_counts::n + excluded(response_counts::n))),
        )?;
    }
    Ok(())
}
