//! Response flags and the quality report: per unit and day, how many responses came in and how
//! many carry each flag — what an evaluator looks at before trusting a unit's numbers.

use diesel::prelude::*;

use std::collections::{BTreeMap, HashSet};

use minyi_integrity::FlagRow;

use super::counts::{add_flags, cst_day, FlagCounts};
use super::log::Appender;
use super::schema::{campaigns, response_flags, responses};
use super::{DbConn, DbError};

/// Flags responses after the fact (a burst is seen only once it has happened), each flag an
/// event appended to its campaign's log in the same transaction. A response flagged already
/// keeps its first flag of that kind.
pub fn flag(conn: &mut DbConn, ids: &[i32], flag: &str, at_ms: i64) -> Result<(), DbError> {
    type Owner = (i32, i32, String, i32, i64);
    let owners: Vec<Owner> = responses::table
        .inner_join(campaigns::table)
        .filter(responses::id.eq_any(ids))
        .order(responses::id)
        .select((
            responses::id,
            responses::campaign_id,
            campaigns::slug,
            responses::unit_id,
            responses::submitted_at,
        ))
        .load(conn)?;
    let campaigns: BTreeMap<i32, &str> = owners
        .iter()
        .map(|(_, campaign, slug, ..)| (*campaign, slug.as_str()))
        .collect();
    crate::db::write_transaction(conn, |c| {
        let mut logs = BTreeMap::new();
        for (campaign_id, slug) in &campaigns {
            logs.insert(*campaign_id, Appender::open(c, *campaign_id, slug)?);
        }
        // Read under the logs' locks: no other writer adds this flag meanwhile.
        let flagged: HashSet<i32> = response_flags::table
            .filter(response_flags::response_id.eq_any(ids))
            .filter(response_flags::flag.eq(flag))
            .select(response_flags::response_id)
            .load::<i32>(c)?
            .into_iter()
            .collect();
        let mut rows = Vec::new();
        let mut counts = FlagCounts::new();
        for (id, campaign_id, _, unit_id, submitted_at) in
            owners.iter().filter(|(id, ..)| !flagged.contains(id))
        {
            let log = logs.get_mut(campaign_id).expect("every campaign was taken");
            log.flag(*id, flag, "", at_ms);
            let cell = (
                *campaign_id,
                *unit_id,
                cst_day(*submitted_at),
                flag.to_string(),
            );
            *counts.entry(cell).or_default() += 1;
            rows.push((
                response_flags::response_id.eq(*id),
                response_flags::flag.eq(flag),
                response_flags::detail.eq(""),
                response_flags::flagged_at.eq(at_ms),
            ));
        }
        for rows in rows.chunks(500) {
            crate::db::native(c, diesel::insert_into(response_flags::table).values(rows))?;
        }
        add_flags(c, &counts)?;
        for log in logs.into_values() {
            log.save(c)?;
        }
        Ok::<_, DbError>(())
    })
}

/// Every flag on a campaign's responses: (response id, flag, detail, flagged at).
pub fn flags_of(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<FlagRow>, DbError> {
    let rows: Vec<(i32, String, String, i64)> = ({
        let c: &mut crate::db::DbConn = conn;
        response_flags::table
            .inner_join(responses::table)
            .filter(responses::campaign_id.eq(campaign_id))
            .order((response_flags::response_id, response_flags::flag))
            .select((
                response_flags::response_id,
                response_flags::flag,
                response_flags::detail,
                response_flags::flagged_at,
            ))
            .load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(response_id, flag, detail, at_ms)| FlagRow {
            response_id: response_id.into(),
            flag,
            detail,
            at_ms,
        })
        .collect())
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

/// Responses and flagged responses per unit, day and flag, from the counts kept as they are
/// stored (`response_counts`, `flag_counts`): never a count over the campaign's rows.
pub fn report(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<QualityCount>, DbError> {
    let sql = format!(
        "SELECT unit_id, day, '' AS flag, CAST(SUM(n) AS BIGINT) AS n
           FROM response_counts WHERE campaign_id = {campaign_id}
          GROUP BY unit_id, day
         UNION ALL
         SELECT unit_id, day, flag, n FROM flag_counts WHERE campaign_id = {campaign_id}
         ORDER BY unit_id, day, flag"
    );
    Ok(diesel::sql_query(&sql).load(conn)?)
}
