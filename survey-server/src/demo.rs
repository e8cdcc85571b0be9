//! Demo data: the default questionnaire, the rated units of the Wutaishan plan, an open
//! 2025 wave and a closed 2024 baseline. A real deployment edits the units. `demo` (but not
//! [`load`]) also gives the open wave fieldwork: a frame, a drawn sample, some worked calls.

#[path = "demo_fieldwork.rs"]
mod fieldwork;

use std::path::PathBuf;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};

use crate::config::{ConfigError, Settings};
use crate::db::campaigns::{self, NewCampaign, NewUnit};
use crate::db::{DatabaseUrl, DbError, DbPool};
use crate::fieldwork::seal::FieldworkKeys;

/// The rated units (责任单位) named in the implementation plan.
pub const UNITS: [(&str, &str, &str, &str); 12] = [
    ("taihuai", "台怀镇", "Taihuai Town", "township"),
    ("jingangku", "金岗库乡", "Jingangku Township", "township"),
    ("shizui", "石咀乡", "Shizui Township", "township"),
    (
        "market",
        "市场监管局",
        "Market Regulation Bureau",
        "department",
    ),
    (
        "police",
        "公安分局",
        "Public Security Sub-bureau",
        "department",
    ),
    (
        "tourism",
        "旅游发展局",
        "Tourism Development Bureau",
        "department",
    ),
    (
        "planning",
        "规划国土建设局",
        "Planning, Land and Construction Bureau",
        "department",
    ),
    (
        "rural",
        "社会农村工作局",
        "Social and Rural Affairs Bureau",
        "department",
    ),
    (
        "emergency",
        "应急管理局",
        "Emergency Management Bureau",
        "department",
    ),
    (
        "hr",
        "组织人社局",
        "Organisation, HR and Social Security Bureau",
        "department",
    ),
    (
        "approval",
        "行政审批局",
        "Administrative Approval Bureau",
        "department",
    ),
    (
        "brigade",
        "综合行政执法队",
        "Comprehensive Enforcement Brigade",
        "department",
    ),
];

pub const OPEN_CAMPAIGN: &str = "2025-final";
pub const CLOSED_CAMPAIGN: &str = "2024-baseline";

const SITES: [(&str, &str, &str); 3] = [
    ("hall", "政务服务大厅", "Government service hall"),
    ("scenic", "景区游客中心", "Scenic area visitor centre"),
    ("case", "案件回访", "Case follow-up"),
];

/// Where a PostgreSQL demo keeps its key file: in the folder it runs in.
pub const POSTGRES_KEY_FILE: &str = "minyi-demo.keys";

/// Opens the demo database — a SQLite file (which migrates itself), or a PostgreSQL database,
/// migrated first — and loads the demo data into it, with the open wave's fieldwork sealed
/// under the key file the demo's server uses ([`key_file`], made when missing).
pub fn set_up(url: &DatabaseUrl) -> anyhow::Result<DbPool> {
    if let DatabaseUrl::Postgres(postgres) = url {
        crate::db::migrate_postgres(postgres)?;
    }
    let pool = DbPool::open(url, 2)?;
    load(&pool)?;
    let keys = crate::keys::setup(&key_file(url)?, &pool, true)?;
    fieldwork::load(&mut *pool.get()?, &FieldworkKeys::from_keys(&keys))
        .context("loading the demo's fieldwork")?;
    Ok(pool)
}

/// The demo server's key file: beside a SQLite file (as any SQLite server's), or
/// [`POSTGRES_KEY_FILE`].
pub fn key_file(url: &DatabaseUrl) -> Result<PathBuf, ConfigError> {
    match url {
        DatabaseUrl::Sqlite(path) => Settings::for_database(path).key_file_path(),
        DatabaseUrl::Postgres(_) => Ok(POSTGRES_KEY_FILE.into()),
    }
}

/// Loads the demo data into a database (idempotent); returns the open campaign's slug.
pub fn load(pool: &DbPool) -> Result<&'static str, DbError> {
    let today = NaiveDate::parse_from_str(&crate::startup::today(), "%Y-%m-%d")
        .map_err(|e| DbError::Invalid(e.to_string()))?;
    let mut conn = pool.get()?;
    let q = Questionnaire::parse(DEFAULT_TOML).map_err(|e| DbError::Invalid(e.to_string()))?;
    let qv = campaigns::store_questionnaire(&mut conn, &q, DEFAULT_TOML)?;
    let units: Vec<NewUnit> = UNITS
        .iter()
        .map(|(code, zh, en, kind)| NewUnit {
            code,
            name_zh: zh,
            name_en: en,
            kind,
        })
        .collect();
    campaigns::upsert_units(&mut conn, &units)?;
    let codes: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
    let starts = (today - Duration::days(30)).format("%Y-%m-%d").to_string();
    let ends = (today + Duration::days(90)).format("%Y-%m-%d").to_string();
    let waves = [
        (
            OPEN_CAMPAIGN,
            "2025年终期测评",
            "2025 final evaluation",
            "2025-final",
            starts.as_str(),
            ends.as_str(),
            "open",
        ),
        (
            CLOSED_CAMPAIGN,
            "2024年基线测评",
            "2024 baseline evaluation",
            "2024-baseline",
            "2024-10-01",
            "2024-12-31",
            "closed",
        ),
    ];
    for (slug, zh, en, wave, starts_on, ends_on, status) in waves {
        if campaigns::campaign_exists(&mut conn, slug)? {
            continue;
        }
        campaigns::create_campaign(
            &mut conn,
            &NewCampaign {
                slug,
                label_zh: zh,
                label_en: en,
                wave,
                questionnaire_version_id: qv,
                starts_on,
                ends_on,
                status,
                unit_codes: codes.clone(),
                sites: SITES.to_vec(),
            },
        )?;
    }
    Ok(OPEN_CAMPAIGN)
}

/// The form links of the open demo campaign: one per unit at the first site, and the
/// link without a unit (the citizen picks it).
pub fn links(base_url: &str) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = UNITS
        .iter()
        .map(|(code, zh, _, _)| {
            (
                zh.to_string(),
                format!("{base_url}/s/{OPEN_CAMPAIGN}/{code}?site={}", SITES[0].0),
            )
        })
        .collect();
    links.push((
        "（由填写人选择单位）".into(),
        format!("{base_url}/s/{OPEN_CAMPAIGN}"),
    ));
    links
}
