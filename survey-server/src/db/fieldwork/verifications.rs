//! Verification callbacks (回访复核) and quarantined interviewers.

use diesel::prelude::*;

use crate::db::schema::{
    quarantines, responses, sample_cases, verification_answers, verifications,
};
use crate::db::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = verifications)]
pub struct VerificationRecord {
    pub case_id: i32,
    /// Whose interview is verified.
    pub interviewer: String,
    pub picked_at: i64,
    pub checked_by: Option<String>,
    pub checked_at: Option<i64>,
    pub items: Option<i32>,
    pub mismatches: Option<i32>,
    pub reached: Option<bool>,
}

/// The sealed key answers of an interview, kept for its verification (same transaction as the
/// interview's 1.1 attempt).
pub fn keep_answers(c: &mut DbConn, case_id: i32, sealed: &[u8]) -> Result<(), DbError> {
    diesel::insert_into(verification_answers::table)
        .values((
            verification_answers::case_id.eq(case_id),
            verification_answers::sealed.eq(sealed),
        ))
        .execute(c)?;
    Ok(())
}

pub fn answers(conn: &mut DbConn, case_id: i32) -> Result<Option<Vec<u8>>, DbError> {
    Ok(verification_answers::table
        .find(case_id)
        .select(verification_answers::sealed)
        .first(conn)
        .optional()?)
}

pub fn of_draw(conn: &mut DbConn, draw_id: i32) -> Result<Vec<VerificationRecord>, DbError> {
    Ok(verifications::table
        .inner_join(sample_cases::table)
        .filter(sample_cases::draw_id.eq(draw_id))
        .order(verifications::picked_at)
        .select(VerificationRecord::as_select())
        .load(conn)?)
}

/// Queues cases for verification: (case id, whose interview).
pub fn pick(conn: &mut DbConn, picked: &[(i32, String)], actor: &str) -> Result<(), DbError> {
    let now = now_ms();
    crate::db::write_transaction(conn, |c| {
        for (case_id, interviewer) in picked {
            diesel::insert_into(verifications::table)
                .values((
                    verifications::case_id.eq(case_id),
                    verifications::interviewer.eq(interviewer),
                    verifications::picked_at.eq(now),
                ))
                .execute(c)?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.verification.pick",
            &format!(
                "{} completes queued for a verification callback",
                picked.len()
            ),
        )?;
        Ok(())
    })
}

/// Records a verification callback's result; refused if it was checked already.
pub fn record(
    conn: &mut DbConn,
    case_id: i32,
    checked_by: &str,
    reached: bool,
    items: i32,
    mismatches: i32,
) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        let updated = diesel::update(
            verifications::table
                .find(case_id)
                .filter(verifications::checked_at.is_null()),
        )
        .set((
            verifications::checked_by.eq(checked_by),
            verifications::checked_at.eq(now_ms()),
            verifications::reached.eq(reached),
            verifications::items.eq(items),
            verifications::mismatches.eq(mismatches),
        ))
        .execute(c)?;
        if updated == 0 {
            return Err(DbError::Invalid(
                "this verification is already recorded, or was never queued".into(),
            ));
        }
        Ok(())
    })
}

pub fn quarantined(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<(String, String)>, DbError> {
    Ok(quarantines::table
        .filter(quarantines::campaign_id.eq(campaign_id))
        .select((quarantines::interviewer, quarantines::reason))
        .load(conn)?)
}

/// Quarantines an interviewer's interviews: recorded, and each of their responses in the
/// campaign flagged `quarantined` (an event of the log); nothing is deleted.
pub fn quarantine(
    conn: &mut DbConn,
    campaign_id: i32,
    interviewer: &str,
    reason: &str,
    actor: &str,
) -> Result<usize, DbError> {
    let ids: Vec<i32> = responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .filter(responses::interviewer.eq(interviewer))
        .select(responses::id)
        .load(conn)?;
    crate::db::write_transaction(conn, |c| {
        let exists: i64 = quarantines::table
            .filter(quarantines::campaign_id.eq(campaign_id))
            .filter(quarantines::interviewer.eq(interviewer))
            .count()
            .get_result(c)?;
        if exists == 0 {
            diesel::insert_into(quarantines::table)
                .values((
                    quarantines::campaign_id.eq(campaign_id),
                    quarantines::interviewer.eq(interviewer),
                    quarantines::reason.eq(reason),
                    quarantines::at.eq(now_ms()),
                    quarantines::by_user.eq(actor),
                ))
                .execute(c)?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.quarantine",
            &format!(
                "campaign {campaign_id}: interviewer {interviewer}, {} responses ({reason})",
                ids.len()
            ),
        )?;
        Ok::<_, DbError>(())
    })?;
    crate::db::quality::flag(conn, &ids, "quarantined", now_ms())?;
    Ok(ids.len())
}
