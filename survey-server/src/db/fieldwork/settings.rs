//! A campaign's fieldwork settings: call windows, attempts, SMS text, reminders, verification.

use diesel::prelude::*;

use crate::db::schema::fieldwork_settings;
use crate::db::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, PartialEq)]
#[diesel(table_name = fieldwork_settings)]
pub struct Settings {
    pub campaign_id: i32,
    /// e.g. `09:00-12:00,18:30-21:00` (China Standard Time).
    pub call_windows: String,
    pub max_attempts: i32,
    pub min_gap_minutes: i32,
    /// Call cases from strata that lag their target first.
    pub responsive: bool,
    /// The invitation's text; `{link}` is replaced by the case's one-time link.
    pub sms_text: String,
    pub reminder_after_days: i32,
    pub max_reminders: i32,
    pub verify_share: f64,
    pub verify_min: i32,
}

impl Settings {
    pub fn defaults(campaign_id: i32) -> Settings {
        Settings {
            campaign_id,
            call_windows: "09:00-12:00,14:00-17:30,18:30-21:00".into(),
            max_attempts: 6,
            min_gap_minutes: 120,
            responsive: true,
            sms_text: "【执法满意度调查】您好，您曾办理的行政执法事项正在接受第三方满意度评估，\
                       诚邀您花3分钟填写问卷（匿名）：{link} 回复T退订"
                .into(),
            reminder_after_days: 3,
            max_reminders: 2,
            verify_share: 0.10,
            verify_min: 2,
        }
    }
}

pub fn get(conn: &mut DbConn, campaign_id: i32) -> Result<Settings, DbError> {
    Ok(fieldwork_settings::table
        .find(campaign_id)
        .select(Settings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| Settings::defaults(campaign_id)))
}

pub fn save(conn: &mut DbConn, settings: &Settings, actor: &str) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        let exists: i64 = fieldwork_settings::table
            .filter(fieldwork_settings::campaign_id.eq(settings.campaign_id))
            .count()
            .get_result(c)?;
        if exists > 0 {
            diesel::update(fieldwork_settings::table.find(settings.campaign_id))
                .set(settings)
                .execute(c)?;
        } else {
            diesel::insert_into(fieldwork_settings::table)
                .values(settings)
                .execute(c)?;
        }
        crate::db::accounts::insert_audit(
            c,
            actor,
            "fieldwork.settings",
            &format!("campaign {}", settings.campaign_id),
        )?;
        Ok(())
    })
}
