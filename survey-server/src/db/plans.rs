//! Sampling plans and their strata (one per rated unit), and the quota check a response
//! passes in its own transaction.

use diesel::prelude::*;

use super::schema::{sampling_plans, strata};
use super::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = sampling_plans)]
pub struct SamplingPlan {
    pub campaign_id: i32,
    pub confidence: f64,
    pub margin: f64,
    pub allocation: String,
    pub min_per_unit: i32,
    pub quota_policy: String,
    pub by_respondent_type: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = strata)]
pub struct StratumRow {
    pub unit_id: i32,
    /// Empty for the whole unit.
    pub respondent_type: String,
    pub population: i64,
    pub sd: Option<f64>,
    pub target: i32,
    pub quota: i32,
}

/// Replaces the campaign's plan and strata, recording who did it.
pub fn save(
    conn: &mut DbConn,
    plan: &SamplingPlan,
    rows: &[StratumRow],
    actor: &str,
) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        diesel::delete(strata::table.filter(strata::campaign_id.eq(plan.campaign_id)))
            .execute(c)?;
        diesel::delete(sampling_plans::table.find(plan.campaign_id)).execute(c)?;
        diesel::insert_into(sampling_plans::table)
            .values((
                sampling_plans::campaign_id.eq(plan.campaign_id),
                sampling_plans::confidence.eq(plan.confidence),
                sampling_plans::margin.eq(plan.margin),
                sampling_plans::allocation.eq(&plan.allocation),
                sampling_plans::min_per_unit.eq(plan.min_per_unit),
                sampling_plans::quota_policy.eq(&plan.quota_policy),
                sampling_plans::by_respondent_type.eq(plan.by_respondent_type),
                sampling_plans::created_at.eq(now_ms()),
            ))
            .execute(c)?;
        for row in rows {
            diesel::insert_into(strata::table)
                .values((
                    strata::campaign_id.eq(plan.campaign_id),
                    strata::unit_id.eq(row.unit_id),
                    strata::respondent_type.eq(&row.respondent_type),
                    strata::population.eq(row.population),
                    strata::sd.eq(row.sd),
                    strata::target.eq(row.target),
                    strata::quota.eq(row.quota),
                ))
                .execute(c)?;
        }
        let total: i64 = rows.iter().map(|r| i64::from(r.target)).sum();
        crate::db::accounts::insert_audit(
            c,
            actor,
            "plan.save",
            &format!("campaign {}, total target {total}", plan.campaign_id),
        )?;
        Ok(())
    })
}

pub fn load(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Option<(SamplingPlan, Vec<StratumRow>)>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let Some(plan) = sampling_plans::table
                .find(campaign_id)
                .select(SamplingPlan::as_select())
                .first(c)
                .optional()?
            else {
                return Ok(None);
            };
            let rows = strata::table
                .filter(strata::campaign_id.eq(campaign_id))
                .order((strata::unit_id, strata::respondent_type))
                .select(StratumRow::as_select())
                .load(c)?;
            Ok(Some((plan, rows)))
        }
    }
}
