//! Response flags and the quality report: per unit and day, how many responses came in and how
//! many carry each flag — what an evaluator looks at before trusting a unit's numbers.

use diesel::prelude::*;

use super::schema::response_flags;
use super::{DbConn, DbError};

/// Flags responses (after the fact: a burst is seen only once it has happened). A response
/// flagged already keeps its first flag of that kind.
pub fn flag(conn: &mut DbConn, ids: &[i32], flag: &str, at_ms: i64) -> Result<(), DbError> {
    let rows: Vec<_> = ids
        .iter()
        .map(|id| {
            (
                response_flags::response_id.eq(*id),
                response_flags::flag.eq(flag),
                response_flags::detail.eq(""),
                response_flags::flagged_at.eq(at_ms),
            )
        })
        .collect();
    crate::write_transaction!(conn, |c| diesel::insert_into(response_flags::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

#[derive(diesel::QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct QualityCount {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub unit_id: i32,
    /// Days since 1970-01-01 in China Standard Time.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub day: i64,
    /// A flag, or `` for all responses.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub flag: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Responses and flagged responses per unit, day and flag. Integer arithmetic on the stored
/// milliseconds, so one SQL serves both backends.
pub fn report(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<QualityCount>, DbError> {
    const DAY: &str = "(r.submitted_at + 28800000) / 86400000";
    let sql = format!(
        "SELECT r.unit_id AS unit_id, {DAY} AS day, '' AS flag, COUNT(*) AS n
           FROM responses r WHERE r.campaign_id = {campaign_id}
          GROUP BY r.unit_id, {DAY}
         UNION ALL
         SELECT r.unit_id AS unit_id, {DAY} AS day, f.flag AS flag, COUNT(*) AS n
           FROM responses r JOIN response_flags f ON f.response_id = r.id
          WHERE r.campaign_id = {campaign_id}
          GROUP BY r.unit_id, {DAY}, f.flag
         ORDER BY unit_id, day, flag"
    );
    Ok(crate::with_conn!(conn, |c| diesel::sql_query(&sql).load(c))?)
}
