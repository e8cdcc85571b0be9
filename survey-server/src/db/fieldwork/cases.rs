//! Sampled cases and what happens to them: attempts (append-only), holds (who is working a
//! case now), the sealed contact, SMS sends.

use diesel::prelude::*;

use crate::db::schema::{case_attempts, case_contacts, case_holds, sample_cases, sms_sends};
use crate::db::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = sample_cases)]
pub struct CaseRecord {
    pub id: i32,
    pub draw_id: i32,
    pub case_ref: String,
    pub stratum: String,
    pub unit_id: i32,
    /// Its place in its stratum's release order (0-based): released while `seq < released`.
    pub seq: i32,
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = case_attempts)]
pub struct AttemptRecord {
    pub id: i32,
    pub case_id: i32,
    pub attempted_at: i64,
    pub mode: String,
    pub interviewer: String,
    /// An AAPOR code (`minyi_fieldwork::disposition::Code`).
    pub code: String,
    pub appointment_at: Option<i64>,
    pub note_sealed: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_attempts)]
pub struct NewAttempt {
    pub case_id: i32,
    pub attempted_at: i64,
    pub mode: String,
    pub interviewer: String,
    pub code: String,
    pub appointment_at: Option<i64>,
    pub note_sealed: Option<Vec<u8>>,
}

/// Every case of a draw (released or not), by stratum and release order.
pub fn of_draw(conn: &mut DbConn, draw_id: i32) -> Result<Vec<CaseRecord>, DbError> {
    Ok(sample_cases::table
        .filter(sample_cases::draw_id.eq(draw_id))
        .order((sample_cases::stratum, sample_cases::seq))
        .select(CaseRecord::as_select())
        .load(conn)?)
}

pub fn by_ref(
    conn: &mut DbConn,
    draw_id: i32,
    case_ref: &str,
) -> Result<Option<CaseRecord>, DbError> {
    Ok(sample_cases::table
        .filter(sample_cases::draw_id.eq(draw_id))
        .filter(sample_cases::case_ref.eq(case_ref))
        .select(CaseRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Every attempt at a draw's cases, in the order they were recorded.
pub fn attempts(conn: &mut DbConn, draw_id: i32) -> Result<Vec<AttemptRecord>, DbError> {
    Ok(case_attempts::table
        .inner_join(sample_cases::table)
        .filter(sample_cases::draw_id.eq(draw_id))
        .order(case_attempts::id)
        .select(AttemptRecord::as_select())
        .load(conn)?)
}

pub fn attempts_of(conn: &mut DbConn, case_id: i32) -> Result<Vec<AttemptRecord>, DbError> {
    Ok(case_attempts::table
        .filter(case_attempts::case_id.eq(case_id))
        .order(case_attempts::id)
        .select(AttemptRecord::as_select())
        .load(conn)?)
}

/// Records an attempt (and lets go of the case's hold) in one transaction.
pub fn record_attempt(c: &mut DbConn, attempt: &NewAttempt) -> Result<i32, DbError> {
    let id = diesel::insert_into(case_attempts::table)
        .values(attempt)
        .returning(case_attempts::id)
        .get_result(c)?;
    diesel::delete(
        case_holds::table
            .filter(case_holds::case_id.eq(attempt.case_id))
            .filter(case_holds::interviewer.eq(&attempt.interviewer)),
    )
    .execute(c)?;
    Ok(id)
}

/// The sealed phone number and name of a case (gone after `purge`).
pub fn contact(conn: &mut DbConn, case_id: i32) -> Result<Option<Vec<u8>>, DbError> {
    Ok(case_contacts::table
        .find(case_id)
        .select(case_contacts::sealed)
        .first(conn)
        .optional()?)
}

/// Deletes the sealed contacts of a draw's cases: `purge`.
pub fn purge_contacts(c: &mut DbConn, draw_id: i32) -> Result<usize, DbError> {
    let ids = sample_cases::table
        .filter(sample_cases::draw_id.eq(draw_id))
        .select(sample_cases::id);
    Ok(
        diesel::delete(case_contacts::table.filter(case_contacts::case_id.eq_any(ids)))
            .execute(c)?,
    )
}

/// Cases held by an interviewer until a time: (case id, interviewer, until).
pub fn holds(conn: &mut DbConn, draw_id: i32) -> Result<Vec<(i32, String, i64)>, DbError> {
    Ok(case_holds::table
        .inner_join(sample_cases::table)
        .filter(sample_cases::draw_id.eq(draw_id))
        .select((
            case_holds::case_id,
            case_holds::interviewer,
            case_holds::until_ms,
        ))
        .load(conn)?)
}

/// Takes a case for `interviewer` until `until`, unless another interviewer holds it
/// unexpired: true when taken. In a write transaction, so two interviewers never both win.
pub fn take(
    conn: &mut DbConn,
    case_id: i32,
    interviewer: &str,
    now: i64,
    until: i64,
) -> Result<bool, DbError> {
    crate::db::write_transaction(conn, |c| {
        let held: Option<(String, i64)> = case_holds::table
            .find(case_id)
            .select((case_holds::interviewer, case_holds::until_ms))
            .first(c)
            .optional()?;
        match held {
            Some((other, expires)) if other != interviewer && expires > now => Ok(false),
            Some(_) => {
                diesel::update(case_holds::table.find(case_id))
                    .set((
                        case_holds::interviewer.eq(interviewer),
                        case_holds::until_ms.eq(until),
                    ))
                    .execute(c)?;
                Ok(true)
            }
            None => {
                diesel::insert_into(case_holds::table)
                    .values((
                        case_holds::case_id.eq(case_id),
                        case_holds::interviewer.eq(interviewer),
                        case_holds::until_ms.eq(until),
                    ))
                    .execute(c)?;
                Ok(true)
            }
        }
    })
}

/// SMS sent per case: (case id, number, sent at, status).
pub fn sms_sent(conn: &mut DbConn, draw_id: i32) -> Result<Vec<(i32, i32, i64, String)>, DbError> {
    Ok(sms_sends::table
        .inner_join(sample_cases::table)
        .filter(sample_cases::draw_id.eq(draw_id))
        .select((
            sms_sends::case_id,
            sms_sends::number,
            sms_sends::sent_at,
            sms_sends::status,
        ))
        .load(conn)?)
}

/// Records messages handed to a channel: (case id, number, status).
pub fn record_sms(
    conn: &mut DbConn,
    channel: &str,
    at: i64,
    sent: &[(i32, i32, String)],
    actor: &str,
) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        for (case_id, number, status) in sent {
            diesel::insert_into(sms_sends::table)
                .values((
                    sms_sends::case_id.eq(case_id),
                    sms_sends::number.eq(number),
                    sms_sends::channel.eq(channel),
                    sms_sends::sent_at.eq(at),
                    sms_sends::status.eq(status),
                ))
                .execute(c)?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.sms",
            &format!("{} messages via {channel}", sent.len()),
        )?;
        Ok(())
    })
}
