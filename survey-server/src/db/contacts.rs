//! Contact details left with consent, and the retention purge (PIPL). A contact is stored in
//! the transaction of its response (`db::responses`), sealed with a key outside the database
//! ([`crate::anonymity`]), under a random key, with no time and no response id: nothing in the
//! database joins it back to the answers. Only the server's key opens it (`contacts export`).

use diesel::prelude::*;

use super::schema::{campaigns, contacts, contacts_unsealed, device_seen};
use super::{DbConn, DbError};
use crate::anonymity::{random_key, AnonymityKeys};

/// How many contacts a campaign holds (for the console; the details are not shown there).
pub fn count(conn: &mut DbConn, campaign_id: i32) -> Result<i64, DbError> {
    Ok(({
        let c: &mut crate::db::DbConn = conn;
        contacts::table
            .filter(contacts::campaign_id.eq(campaign_id))
            .count()
            .get_result(c)
    })?)
}

/// A contact opened for the evaluator: the unit it was left for and what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedContact {
    pub unit_id: i32,
    pub contact: String,
}

/// Every contact of a campaign, opened with the server's key, in the (random) order stored.
pub fn open_all(
    conn: &mut DbConn,
    keys: &AnonymityKeys,
    campaign_id: i32,
) -> Result<Vec<OpenedContact>, DbError> {
    let rows: Vec<(i32, Vec<u8>)> = ({
        let c: &mut crate::db::DbConn = conn;
        contacts::table
            .filter(contacts::campaign_id.eq(campaign_id))
            .order(contacts::id)
            .select((contacts::unit_id, contacts::sealed))
            .load(c)
    })?;
    rows.into_iter()
        .map(|(unit_id, sealed)| {
            let contact = keys.open(campaign_id, unit_id, &sealed).map_err(|e| {
                DbError::Invalid(format!("a contact of campaign {campaign_id}: {e}"))
            })?;
            Ok(OpenedContact { unit_id, contact })
        })
        .collect()
}

/// Seals the contacts left before contacts were sealed (kept, without their time, in
/// `contacts_unsealed` by the migration) and removes the plain copies. Returns how many.
pub fn seal_unsealed(conn: &mut DbConn, keys: &AnonymityKeys) -> Result<usize, DbError> {
    crate::db::write_transaction(conn, |c| {
        let plain: Vec<(i32, i32, String)> = contacts_unsealed::table
            .select((
                contacts_unsealed::campaign_id,
                contacts_unsealed::unit_id,
                contacts_unsealed::contact,
            ))
            .load(c)?;
        for (campaign_id, unit_id, contact) in &plain {
            diesel::insert_into(contacts::table)
                .values((
                    contacts::id.eq(random_key()),
                    contacts::campaign_id.eq(campaign_id),
                    contacts::unit_id.eq(unit_id),
                    contacts::sealed.eq(keys.seal(*campaign_id, *unit_id, contact)),
                ))
                .execute(c)?;
        }
        diesel::delete(contacts_unsealed::table).execute(c)?;
        Ok::<_, DbError>(plain.len())
    })
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub contacts: usize,
    pub device_tags: usize,
    /// Fieldwork frame rows and sampled cases' phone numbers and names.
    pub frame_rows: usize,
    pub case_contacts: usize,
}

/// Deletes the contact details, device tags and fieldwork phone numbers (frame rows, sampled
/// cases' contacts) of every campaign whose collection ended
/// (its `ends_on`) before `cutoff`. Neither keeps a time of its own, so retention counts from
/// the end of the campaign.
pub fn purge(conn: &mut DbConn, cutoff: chrono::NaiveDate) -> Result<Purged, DbError> {
    let ended: Vec<(i32, String)> = ({
        let c: &mut crate::db::DbConn = conn;
        campaigns::table
            .select((campaigns::id, campaigns::ends_on))
            .load(c)
    })?;
    let due: Vec<i32> = ended
        .into_iter()
        .filter(|(_, ends_on)| {
            chrono::NaiveDate::parse_from_str(ends_on, "%Y-%m-%d").is_ok_and(|d| d < cutoff)
        })
        .map(|(id, _)| id)
        .collect();
    crate::db::write_transaction(conn, |c| {
        let contacts = diesel::delete(contacts::table.filter(contacts::campaign_id.eq_any(&due)))
            .execute(c)?;
        let device_tags =
            diesel::delete(device_seen::table.filter(device_seen::campaign_id.eq_any(&due)))
                .execute(c)?;
        let mut frame_rows = 0;
        let mut case_contacts = 0;
        for &campaign_id in &due {
            frame_rows += crate::db::fieldwork::frames::purge_rows(c, campaign_id)?;
            if let Some(draw) = crate::db::fieldwork::draws::of_campaign(c, campaign_id)? {
                case_contacts += crate::db::fieldwork::cases::purge_contacts(c, draw.id)?;
            }
        }
        Ok::<_, DbError>(Purged {
            contacts,
            device_tags,
            frame_rows,
            case_contacts,
        })
    })
}
