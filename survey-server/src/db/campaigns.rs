//! Campaigns, their units and sites, and the questionnaire versions they use.

use diesel::prelude::*;

use super::schema::{campaign_units, campaigns, questionnaire_versions, sites, units};
use super::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct Campaign {
    pub id: i32,
    pub slug: String,
    pub label_zh: String,
    pub label_en: String,
    pub wave: String,
    pub questionnaire_version_id: i32,
    pub starts_on: String,
    pub ends_on: String,
    pub status: String,
    /// `flag` or `reject`: what a second response from one device to one unit does.
    pub device_policy: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i32,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: i32,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questionnaire_versions)]
pub struct StoredQuestionnaire {
    pub id: i32,
    pub content_hash: String,
    pub source: String,
}

/// A campaign with everything the form needs.
#[derive(Debug, Clone)]
pub struct CampaignContext {
    pub campaign: Campaign,
    pub units: Vec<Unit>,
    pub sites: Vec<Site>,
    pub questionnaire: StoredQuestionnaire,
}

pub fn load_context(conn: &mut DbConn, slug: &str) -> Result<Option<CampaignContext>, DbError> {
    let Some(campaign) = find(conn, slug)? else {
        return Ok(None);
    };
    let (units, sites, questionnaire) = parts(conn, &campaign)?;
    Ok(Some(CampaignContext {
        campaign,
        units,
        sites,
        questionnaire,
    }))
}

/// The campaign row alone: its status and period, which change while it runs.
pub fn find(conn: &mut DbConn, slug: &str) -> Result<Option<Campaign>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(campaigns::table
            .filter(campaigns::slug.eq(slug))
            .select(Campaign::as_select())
            .first(c)
            .optional()?)
    }
}

/// A campaign's units, sites and questionnaire version: what rarely changes.
pub fn parts(
    conn: &mut DbConn,
    campaign: &Campaign,
) -> Result<(Vec<Unit>, Vec<Site>, StoredQuestionnaire), DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let units = campaign_units::table
                .inner_join(units::table)
                .filter(campaign_units::campaign_id.eq(campaign.id))
                .order(units::id)
                .select(Unit::as_select())
                .load(c)?;
            let sites = sites::table
                .filter(sites::campaign_id.eq(campaign.id))
                .order(sites::id)
                .select(Site::as_select())
                .load(c)?;
            let questionnaire = questionnaire_versions::table
                .find(campaign.questionnaire_version_id)
                .select(StoredQuestionnaire::as_select())
                .first(c)?;
            Ok((units, sites, questionnaire))
        }
    }
}

/// Stores a questionnaire version, or finds the identical one already stored. The same id and
/// version with different content is refused: a changed questionnaire is a new version.
pub fn store_questionnaire(
    conn: &mut DbConn,
    q: &minyi_questionnaire::Questionnaire,
    source: &str,
) -> Result<i32, DbError> {
    let hash = q.content_hash();
    crate::db::write_transaction(conn, |c| {
        let existing: Option<(i32, String)> = questionnaire_versions::table
            .filter(questionnaire_versions::questionnaire_id.eq(&q.id))
            .filter(questionnaire_versions::version.eq(&q.version))
            .select((
                questionnaire_versions::id,
                questionnaire_versions::content_hash,
            ))
            .first(c)
            .optional()?;
        match existing {
            Some((id, stored)) if stored == hash => Ok(id),
            Some(_) => Err(DbError::Invalid(format!(
                "questionnaire {} version {} is already stored with different content; \
                 give the changed questionnaire a new version",
                q.id, q.version
            ))),
            None => Ok(diesel::insert_into(questionnaire_versions::table)
                .values((
                    questionnaire_versions::questionnaire_id.eq(&q.id),
                    questionnaire_versions::version.eq(&q.version),
                    questionnaire_versions::content_hash.eq(&hash),
                    questionnaire_versions::source.eq(source),
                    questionnaire_versions::created_at.eq(now_ms()),
                ))
                .returning(questionnaire_versions::id)
                .get_result(c)?),
        }
    })
}

/// A unit as configured for a deployment.
pub struct NewUnit<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
}

/// A campaign (wave) to create, with its units and sites.
pub struct NewCampaign<'a> {
    pub slug: &'a str,
    pub label_zh: &'a str,
    pub label_en: &'a str,
    pub wave: &'a str,
    pub questionnaire_version_id: i32,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub status: &'a str,
    pub unit_codes: Vec<&'a str>,
    /// (code, name_zh, name_en)
    pub sites: Vec<(&'a str, &'a str, &'a str)>,
}

pub fn upsert_units(conn: &mut DbConn, new: &[NewUnit<'_>]) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        for u in new {
            crate::db::native(
                c,
                diesel::insert_into(units::table)
                    .values((
                        units::code.eq(u.code),
                        units::name_zh.eq(u.name_zh),
                        units::name_en.eq(u.name_en),
                        units::kind.eq(u.kind),
                    ))
                    .on_conflict(units::code)
                    .do_update()
                    .set((
                        units::name_zh.eq(u.name_zh),
                        units::name_en.eq(u.name_en),
                        units::kind.eq(u.kind),
                    )),
            )?;
        }
        Ok(())
    })
}

/// Creates a campaign with its units and sites in one transaction; returns its id.
pub fn create_campaign(conn: &mut DbConn, new: &NewCampaign<'_>) -> Result<i32, DbError> {
    crate::db::write_transaction(conn, |c| {
        let id: i32 = diesel::insert_into(campaigns::table)
            .values((
                campaigns::slug.eq(new.slug),
                campaigns::label_zh.eq(new.label_zh),
                campaigns::label_en.eq(new.label_en),
                campaigns::wave.eq(new.wave),
                campaigns::questionnaire_version_id.eq(new.questionnaire_version_id),
                campaigns::starts_on.eq(new.starts_on),
                campaigns::ends_on.eq(new.ends_on),
                campaigns::status.eq(new.status),
                campaigns::created_at.eq(now_ms()),
            ))
            .returning(campaigns::id)
            .get_result(c)?;
        for code in &new.unit_codes {
            let unit_id: i32 = units::table
                .filter(units::code.eq(code))
                .select(units::id)
                .first(c)
                .optional()?
                .ok_or_else(|| DbError::Invalid(format!("unknown unit code {code:?}")))?;
            diesel::insert_into(campaign_units::table)
                .values((
                    campaign_units::campaign_id.eq(id),
                    campaign_units::unit_id.eq(unit_id),
                ))
                .execute(c)?;
        }
        for (code, zh, en) in &new.sites {
            diesel::insert_into(sites::table)
                .values((
                    sites::campaign_id.eq(id),
                    sites::code.eq(code),
                    sites::name_zh.eq(zh),
                    sites::name_en.eq(en),
                ))
                .execute(c)?;
        }
        Ok(id)
    })
}

pub fn campaign_exists(conn: &mut DbConn, slug: &str) -> Result<bool, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let n: i64 = campaigns::table
                .filter(campaigns::slug.eq(slug))
                .count()
                .get_result(c)?;
            Ok(n > 0)
        }
    }
}

/// Opens or closes a campaign, recording who did it in the same transaction. The server closes
/// through `integrity::set_campaign_status`, which also signs the final head.
pub fn set_status(
    conn: &mut DbConn,
    slug: &str,
    status: &str,
    actor: &str,
) -> Result<bool, DbError> {
    let changed = crate::db::write_transaction(conn, |c| {
        let n = diesel::update(campaigns::table.filter(campaigns::slug.eq(slug)))
            .set(campaigns::status.eq(status))
            .execute(c)?;
        if n == 1 {
            crate::db::accounts::insert_audit(
                c,
                actor,
                "campaign.status",
                &format!("{slug} → {status}"),
            )?;
        }
        Ok::<_, DbError>(n == 1)
    })?;
    Ok(changed)
}

/// Sets what a second response from one device to one unit does (`flag` or `reject`).
pub fn set_device_policy(
    conn: &mut DbConn,
    slug: &str,
    policy: &str,
    actor: &str,
) -> Result<bool, DbError> {
    if !matches!(policy, "flag" | "reject") {
        return Err(DbError::Invalid(format!(
            "device policy {policy:?}: use flag or reject"
        )));
    }
    crate::db::write_transaction(conn, |c| {
        let n = diesel::update(campaigns::table.filter(campaigns::slug.eq(slug)))
            .set(campaigns::device_policy.eq(policy))
            .execute(c)?;
        if n == 1 {
            crate::db::accounts::insert_audit(
                c,
                actor,
                "campaign.device_policy",
                &format!("{slug} → {policy}"),
            )?;
        }
        Ok::<_, DbError>(n == 1)
    })
}

/// Every campaign with its number of responses, newest first.
pub fn list_with_counts(conn: &mut DbConn) -> Result<Vec<(i64, Campaign)>, DbError> {
    list(conn)?
        .into_iter()
        .map(|c| Ok((super::responses::count_for_campaign(conn, c.id)?, c)))
        .collect()
}

/// Every campaign, newest first.
pub fn list(conn: &mut DbConn) -> Result<Vec<Campaign>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(campaigns::table
            .order(campaigns::id.desc())
            .select(Campaign::as_select())
            .load(c)?)
    }
}

/// Every unit of the deployment, in id order.
pub fn all_units(conn: &mut DbConn) -> Result<Vec<Unit>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(units::table
            .order(units::id)
            .select(Unit::as_select())
            .load(c)?)
    }
}

/// Stored questionnaire versions: (id, "questionnaire version", content hash), newest first.
pub fn questionnaire_versions(conn: &mut DbConn) -> Result<Vec<(i32, String, String)>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let rows: Vec<(i32, String, String, String)> = questionnaire_versions::table
                .order(questionnaire_versions::id.desc())
                .select((
                    questionnaire_versions::id,
                    questionnaire_versions::questionnaire_id,
                    questionnaire_versions::version,
                    questionnaire_versions::content_hash,
                ))
                .load(c)?;
            Ok(rows
                .into_iter()
                .map(|(id, q, v, h)| (id, format!("{q} {v}"), h))
                .collect())
        }
    }
}

/// Whether a wave takes responses today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    Open,
    NotYetOpen,
    Closed,
}

/// A wave is open when its status is `open` and today (China Standard Time, `YYYY-MM-DD`) is
/// within its dates; closed once closed or past its end.
pub fn openness(status: &str, starts_on: &str, ends_on: &str, today: &str) -> Openness {
    if status == "closed" || today > ends_on {
        Openness::Closed
    } else if status != "open" || today < starts_on {
        Openness::NotYetOpen
    } else {
        Openness::Open
    }
}

/// Today in China Standard Time, `YYYY-MM-DD`: the calendar waves are dated in.
pub fn today_cst() -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::Utc::now()
        .with_timezone(&cst)
        .format("%Y-%m-%d")
        .to_string()
}

/// What the storing transaction reads of a wave: whether it takes responses, and whether a
/// second response from one device to one unit is refused (`reject`) rather than flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaveRules {
    pub openness: Openness,
    pub device_reject: bool,
}

/// The rules of each of `ids` now, read from the campaigns' rows.
pub fn rules_of(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, WaveRules>, DbError> {
    let rows: Vec<(i32, String, String, String, String)> = campaigns::table
        .filter(campaigns::id.eq_any(ids))
        .select((
            campaigns::id,
            campaigns::status,
            campaigns::starts_on,
            campaigns::ends_on,
            campaigns::device_policy,
        ))
        .load(conn)?;
    let today = today_cst();
    Ok(rows
        .into_iter()
        .map(|(id, status, starts, ends, policy)| {
            let rules = WaveRules {
                openness: openness(&status, &starts, &ends, &today),
                device_reject: policy == "reject",
            };
            (id, rules)
        })
        .collect())
}
