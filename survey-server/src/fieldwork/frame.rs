//! Importing a sampling frame: the file is read and checked whole (`minyi_fieldwork::frame_file`
//! names every bad row and column), then every row is sealed and stored in one transaction —
//! all rows or none.

use std::collections::HashSet;

use minyi_fieldwork::frame_file::{self, Mapping, Problem};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::seal::{random_bytes, FieldworkKeys, Purpose};
use crate::db::campaigns::CampaignContext;
use crate::db::fieldwork::frames;
use crate::db::{DbConn, DbError};

/// A frame row as sealed in `frame_rows.sealed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRow {
    pub id: String,
    pub unit: String,
    /// The frame variables' values, in the frame's variable order.
    pub vars: Vec<String>,
    pub phone: String,
    pub name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the frame has {} problem(s); nothing was imported", .0.len())]
    Problems(Vec<Problem>),
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub frame_id: i32,
    pub rows: usize,
    pub sha256: String,
    pub variables: Vec<String>,
}

/// Reads, checks, seals and stores a frame for the campaign.
pub fn import(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    ctx: &CampaignContext,
    file_name: &str,
    bytes: &[u8],
    mapping: &Mapping,
    actor: &str,
) -> Result<Imported, ImportError> {
    // A case register names a unit by its Chinese name or by its code: both are accepted, and
    // a name is stored as the unit's code.
    let units: Vec<&str> = ctx
        .units
        .iter()
        .flat_map(|u| [u.code.as_str(), u.name_zh.as_str()])
        .collect();
    let frame =
        frame_file::read_frame(file_name, bytes, mapping, &units).map_err(ImportError::Problems)?;
    let code_of = |unit: String| {
        ctx.units
            .iter()
            .find(|u| u.name_zh == unit)
            .map_or(unit, |u| u.code.clone())
    };
    let campaign_id = ctx.campaign.id;
    let mut keys_seen = HashSet::with_capacity(frame.rows.len());
    let rows: Vec<([u8; 16], Vec<u8>)> = frame
        .rows
        .into_iter()
        .map(|row| {
            let mut key = random_bytes();
            while !keys_seen.insert(key) {
                key = random_bytes();
            }
            let sealed = SealedRow {
                id: row.id,
                unit: code_of(row.unit),
                vars: row.strata,
                phone: row.phone,
                name: row.name,
            };
            let sealed = keys.seal(Purpose::FrameRow, campaign_id, &key, &sealed);
            (key, sealed)
        })
        .collect();
    let sha256 = hex::encode(Sha256::digest(bytes));
    let frame_id = frames::insert(
        conn,
        campaign_id,
        file_name,
        &sha256,
        &frame.strata_vars,
        &rows,
        actor,
    )?;
    Ok(Imported {
        frame_id,
        rows: rows.len(),
        sha256,
        variables: frame.strata_vars,
    })
}

/// Every row of a stored frame, opened.
pub fn open_rows(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    campaign_id: i32,
    frame_id: i32,
) -> Result<Vec<SealedRow>, DbError> {
    let mut rows = frames::rows(conn, frame_id)?
        .into_iter()
        .map(|(key, sealed)| {
            keys.open::<SealedRow>(Purpose::FrameRow, campaign_id, &key, &sealed)
                .map_err(|e| DbError::Invalid(format!("a frame row: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Stored in random order; the draw needs one order that does not depend on it.
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}
