//! The draw, its strata and releases (replicates), and the cases it selected.

use std::collections::HashMap;

use diesel::prelude::*;

use super::ROWS_PER_INSERT;
use crate::db::schema::{case_codes, case_contacts, draw_strata, draws, releases, sample_cases};
use crate::db::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = draws)]
pub struct DrawRecord {
    pub id: i32,
    pub campaign_id: i32,
    pub frame_id: i32,
    /// `srswor` or `systematic`.
    pub method: String,
    /// JSON array of the frame variables stratifying within each unit.
    pub strata_by: String,
    pub expected_rate: f64,
    pub reserve: f64,
    pub seed_sealed: Vec<u8>,
    pub drawn_at: i64,
    pub drawn_by: String,
}

impl DrawRecord {
    pub fn strata_variables(&self) -> Vec<String> {
        serde_json::from_str(&self.strata_by).unwrap_or_default()
    }
}

/// A stratum of the draw with how many of its cases are released.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawStratum {
    pub stratum: String,
    pub unit_id: i32,
    pub n_frame: i32,
    pub target: i32,
    pub n_selected: i32,
    pub released: i32,
    pub replicates: i32,
}

impl DrawStratum {
    /// A released case's inclusion probability: released / frame count.
    pub fn inclusion_probability(&self) -> f64 {
        if self.n_frame == 0 {
            0.0
        } else {
            f64::from(self.released) / f64::from(self.n_frame)
        }
    }
}

/// What the draw stores: the record, its strata, its cases.
pub struct NewDraw<'a> {
    pub campaign_id: i32,
    pub frame_id: i32,
    pub method: &'a str,
    pub strata_by: &'a [String],
    pub expected_rate: f64,
    pub reserve: f64,
    pub seed_sealed: Vec<u8>,
    pub strata: Vec<DrawStratum>,
    pub cases: Vec<NewCase>,
}

pub struct NewCase {
    pub case_ref: String,
    pub stratum: String,
    pub unit_id: i32,
    pub seq: i32,
    pub sealed_frame: Vec<u8>,
    pub sealed_contact: Vec<u8>,
    /// The hash of the case's SMS code (`case_codes`).
    pub code_hash: String,
}

#[derive(Insertable)]
#[diesel(table_name = sample_cases)]
struct CaseInsert<'a> {
    draw_id: i32,
    case_ref: &'a str,
    stratum: &'a str,
    unit_id: i32,
    seq: i32,
    sealed: &'a [u8],
}

#[derive(Insertable)]
#[diesel(table_name = case_contacts)]
struct ContactInsert<'a> {
    case_id: i32,
    sealed: &'a [u8],
}

#[derive(Insertable)]
#[diesel(table_name = case_codes)]
struct CodeInsert<'a> {
    campaign_id: i32,
    unit_id: i32,
    code_hash: &'a str,
    created_at: i64,
    stratum: &'a str,
}

/// Stores a draw whole: the record, its strata, their first release, the cases with their
/// sealed contacts and SMS code hashes. Refused if the campaign already has one.
pub fn insert(conn: &mut DbConn, new: &NewDraw, actor: &str) -> Result<i32, DbError> {
    crate::db::write_transaction(conn, |c| {
        let existing: i64 = draws::table
            .filter(draws::campaign_id.eq(new.campaign_id))
            .count()
            .get_result(c)?;
        if existing > 0 {
            return Err(DbError::Invalid(
                "this campaign's sample is already drawn; top up a stratum instead".into(),
            ));
        }
        let now = now_ms();
        let id: i32 = diesel::insert_into(draws::table)
            .values((
                draws::campaign_id.eq(new.campaign_id),
                draws::frame_id.eq(new.frame_id),
                draws::method.eq(new.method),
                draws::strata_by.eq(serde_json::to_string(new.strata_by).expect("names")),
                draws::expected_rate.eq(new.expected_rate),
                draws::reserve.eq(new.reserve),
                draws::seed_sealed.eq(&new.seed_sealed),
                draws::drawn_at.eq(now),
                draws::drawn_by.eq(actor),
            ))
            .returning(draws::id)
            .get_result(c)?;
        for s in &new.strata {
            diesel::insert_into(draw_strata::table)
                .values((
                    draw_strata::draw_id.eq(id),
                    draw_strata::stratum.eq(&s.stratum),
                    draw_strata::unit_id.eq(s.unit_id),
                    draw_strata::n_frame.eq(s.n_frame),
                    draw_strata::target.eq(s.target),
                    draw_strata::n_selected.eq(s.n_selected),
                ))
                .execute(c)?;
            if s.released > 0 {
                insert_release(c, id, &s.stratum, 1, s.released, now, actor)?;
            }
        }
        let mut ids: HashMap<String, i32> = HashMap::with_capacity(new.cases.len());
        for chunk in new.cases.chunks(ROWS_PER_INSERT) {
            let values: Vec<CaseInsert> = chunk
                .iter()
                .map(|k| CaseInsert {
                    draw_id: id,
                    case_ref: &k.case_ref,
                    stratum: &k.stratum,
                    unit_id: k.unit_id,
                    seq: k.seq,
                    sealed: &k.sealed_frame,
                })
                .collect();
            let returned: Vec<(i32, String)> = crate::db::native_load(
                c,
                diesel::insert_into(sample_cases::table)
                    .values(values)
                    .returning((sample_cases::id, sample_cases::case_ref)),
            )?;
            ids.extend(returned.into_iter().map(|(id, r)| (r, id)));
        }
        for chunk in new.cases.chunks(ROWS_PER_INSERT) {
            let contacts: Vec<ContactInsert> = chunk
                .iter()
                .map(|k| ContactInsert {
                    case_id: ids[&k.case_ref],
                    sealed: &k.sealed_contact,
                })
                .collect();
            crate::db::native(
                c,
                diesel::insert_into(case_contacts::table).values(contacts),
            )?;
            let codes: Vec<CodeInsert> = chunk
                .iter()
                .map(|k| CodeInsert {
                    campaign_id: new.campaign_id,
                    unit_id: k.unit_id,
                    code_hash: &k.code_hash,
                    created_at: now,
                    stratum: &k.stratum,
                })
                .collect();
            crate::db::native(c, diesel::insert_into(case_codes::table).values(codes))?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.draw",
            &format!(
                "campaign {}: {} strata, {} cases selected, {} released ({})",
                new.campaign_id,
                new.strata.len(),
                new.cases.len(),
                new.strata.iter().map(|s| s.released).sum::<i32>(),
                new.method
            ),
        )?;
        Ok(id)
    })
}

fn insert_release(
    c: &mut DbConn,
    draw_id: i32,
    stratum: &str,
    replicate: i32,
    released_to: i32,
    at: i64,
    actor: &str,
) -> QueryResult<usize> {
    diesel::insert_into(releases::table)
        .values((
            releases::draw_id.eq(draw_id),
            releases::stratum.eq(stratum),
            releases::replicate.eq(replicate),
            releases::released_to.eq(released_to),
            releases::released_at.eq(at),
            releases::released_by.eq(actor),
        ))
        .execute(c)
}

pub fn of_campaign(conn: &mut DbConn, campaign_id: i32) -> Result<Option<DrawRecord>, DbError> {
    Ok(draws::table
        .filter(draws::campaign_id.eq(campaign_id))
        .select(DrawRecord::as_select())
        .first(conn)
        .optional()?)
}

/// The draw's strata, by name, with their released counts (the latest release of each).
pub fn strata(conn: &mut DbConn, draw_id: i32) -> Result<Vec<DrawStratum>, DbError> {
    let rows: Vec<(String, i32, i32, i32, i32)> = draw_strata::table
        .filter(draw_strata::draw_id.eq(draw_id))
        .order(draw_strata::stratum)
        .select((
            draw_strata::stratum,
            draw_strata::unit_id,
            draw_strata::n_frame,
            draw_strata::target,
            draw_strata::n_selected,
        ))
        .load(conn)?;
    let released: Vec<(String, i32, i32)> = releases::table
        .filter(releases::draw_id.eq(draw_id))
        .select((
            releases::stratum,
            releases::replicate,
            releases::released_to,
        ))
        .load(conn)?;
    let mut latest: HashMap<String, (i32, i32)> = HashMap::new();
    for (stratum, replicate, to) in released {
        let entry = latest.entry(stratum).or_insert((0, 0));
        if replicate > entry.0 {
            *entry = (replicate, to);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(stratum, unit_id, n_frame, target, n_selected)| {
            let (replicates, released) = latest.get(&stratum).copied().unwrap_or((0, 0));
            DrawStratum {
                stratum,
                unit_id,
                n_frame,
                target,
                n_selected,
                released,
                replicates,
            }
        })
        .collect())
}

/// Releases a stratum's cases up to `released_to` (a new replicate). Refused beyond what the
/// draw selected or below what is already released.
pub fn release(
    conn: &mut DbConn,
    draw_id: i32,
    stratum: &str,
    released_to: i32,
    actor: &str,
) -> Result<i32, DbError> {
    crate::db::write_transaction(conn, |c| {
        let current = strata(c, draw_id)?
            .into_iter()
            .find(|s| s.stratum == stratum)
            .ok_or_else(|| DbError::Invalid(format!("the draw has no stratum {stratum:?}")))?;
        if released_to <= current.released {
            return Err(DbError::Invalid(format!(
                "stratum {stratum:?} has {} cases released already",
                current.released
            )));
        }
        if released_to > current.n_selected {
            return Err(DbError::Invalid(format!(
                "stratum {stratum:?} has only {} cases selected; {} cannot be released",
                current.n_selected, released_to
            )));
        }
        let replicate = current.replicates + 1;
        insert_release(c, draw_id, stratum, replicate, released_to, now_ms(), actor)?;
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.release",
            &format!(
                "draw {draw_id}, stratum {stratum}: replicate {replicate}, released {} → {released_to}",
                current.released
            ),
        )?;
        Ok(replicate)
    })
}
