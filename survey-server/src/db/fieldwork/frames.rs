//! A campaign's sampling frame: one row per frame row, sealed, keyed by a random key.

use diesel::prelude::*;

use super::ROWS_PER_INSERT;
use crate::db::schema::{draws, frame_rows, frames};
use crate::db::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = frames)]
pub struct FrameRecord {
    pub id: i32,
    pub campaign_id: i32,
    pub file_name: String,
    pub file_sha256: String,
    /// JSON array of the frame variables' names.
    pub variables: String,
    pub n_rows: i32,
    pub imported_at: i64,
    pub imported_by: String,
}

impl FrameRecord {
    pub fn variable_names(&self) -> Vec<String> {
        serde_json::from_str(&self.variables).unwrap_or_default()
    }
}

#[derive(Insertable)]
#[diesel(table_name = frame_rows)]
struct RowInsert<'a> {
    frame_id: i32,
    row_key: &'a [u8],
    sealed: &'a [u8],
}

/// A new frame for a campaign, all rows or none. Refused once the campaign has a draw: its
/// inclusion probabilities are counted on the frame it was drawn from.
pub fn insert(
    conn: &mut DbConn,
    campaign_id: i32,
    file_name: &str,
    file_sha256: &str,
    variables: &[String],
    rows: &[([u8; 16], Vec<u8>)],
    actor: &str,
) -> Result<i32, DbError> {
    crate::db::write_transaction(conn, |c| {
        let drawn: i64 = draws::table
            .filter(draws::campaign_id.eq(campaign_id))
            .count()
            .get_result(c)?;
        if drawn > 0 {
            return Err(DbError::Invalid(
                "this campaign's sample is already drawn: its frame cannot be replaced".into(),
            ));
        }
        let id: i32 = diesel::insert_into(frames::table)
            .values((
                frames::campaign_id.eq(campaign_id),
                frames::file_name.eq(file_name),
                frames::file_sha256.eq(file_sha256),
                frames::variables.eq(serde_json::to_string(variables).expect("names serialise")),
                frames::n_rows.eq(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
                frames::imported_at.eq(now_ms()),
                frames::imported_by.eq(actor),
            ))
            .returning(frames::id)
            .get_result(c)?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let values: Vec<RowInsert> = chunk
                .iter()
                .map(|(key, sealed)| RowInsert {
                    frame_id: id,
                    row_key: key,
                    sealed,
                })
                .collect();
            crate::db::native(c, diesel::insert_into(frame_rows::table).values(values))?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.frame.import",
            &format!(
                "campaign {campaign_id}: {} rows from {file_name} (sha256 {file_sha256})",
                rows.len()
            ),
        )?;
        Ok(id)
    })
}

/// The campaign's latest frame.
pub fn latest(conn: &mut DbConn, campaign_id: i32) -> Result<Option<FrameRecord>, DbError> {
    Ok(frames::table
        .filter(frames::campaign_id.eq(campaign_id))
        .order(frames::id.desc())
        .select(FrameRecord::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_id(conn: &mut DbConn, id: i32) -> Result<Option<FrameRecord>, DbError> {
    Ok(frames::table
        .find(id)
        .select(FrameRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Frame rows as (random key, sealed content).
pub type SealedRows = Vec<(Vec<u8>, Vec<u8>)>;

/// Every row of a frame.
pub fn rows(conn: &mut DbConn, frame_id: i32) -> Result<SealedRows, DbError> {
    Ok(frame_rows::table
        .filter(frame_rows::frame_id.eq(frame_id))
        .select((frame_rows::row_key, frame_rows::sealed))
        .load(conn)?)
}

/// Deletes a campaign's frame rows (their phone numbers and names): `purge`.
pub fn purge_rows(c: &mut DbConn, campaign_id: i32) -> Result<usize, DbError> {
    let ids: Vec<i32> = frames::table
        .filter(frames::campaign_id.eq(campaign_id))
        .select(frames::id)
        .load(c)?;
    Ok(diesel::delete(frame_rows::table.filter(frame_rows::frame_id.eq_any(ids))).execute(c)?)
}
