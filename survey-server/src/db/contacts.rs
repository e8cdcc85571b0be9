//! Contact details left with consent, and the retention purge (PIPL). A contact row names a
//! campaign and a unit, never a response.

use diesel::prelude::*;

use super::schema::{contacts, device_seen};
use super::{DbConn, DbError};

pub fn store(
    conn: &mut DbConn,
    campaign_id: i32,
    unit_id: i32,
    contact: &str,
    at_ms: i64,
) -> Result<(), DbError> {
    crate::write_transaction!(conn, |c| diesel::insert_into(contacts::table)
        .values((
            contacts::campaign_id.eq(campaign_id),
            contacts::unit_id.eq(unit_id),
            contacts::contact.eq(contact),
            contacts::consented_at.eq(at_ms),
        ))
        .execute(c))?;
    Ok(())
}

/// How many contacts a campaign holds (for the console; the details are not shown there).
pub fn count(conn: &mut DbConn, campaign_id: i32) -> Result<i64, DbError> {
    Ok(crate::with_conn!(conn, |c| contacts::table
        .filter(contacts::campaign_id.eq(campaign_id))
        .count()
        .get_result(c))?)
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub contacts: usize,
    pub device_tags: usize,
}

/// Deletes contact details and device tags older than `before_ms`.
pub fn purge(conn: &mut DbConn, before_ms: i64) -> Result<Purged, DbError> {
    crate::write_transaction!(conn, |c| {
        let contacts = diesel::delete(contacts::table.filter(contacts::consented_at.lt(before_ms)))
            .execute(c)?;
        let device_tags =
            diesel::delete(device_seen::table.filter(device_seen::first_seen_at.lt(before_ms)))
                .execute(c)?;
        Ok::<_, DbError>(Purged {
            contacts,
            device_tags,
        })
    })
}
