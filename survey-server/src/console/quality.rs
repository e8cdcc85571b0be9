//! The quality report an evaluator acts on: per unit and day, responses and how many carry each
//! flag (device repeat, honeypot, speeder, straight-lining, burst). A panel on the progress
//! dashboard and JSON at `/api/v1/campaigns/{slug}/quality`.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Serialize;

use crate::anti_stuffing::flags;
use crate::auth::session::CurrentUser;
use crate::db::{campaigns, quality, DbError};
use crate::error::AppError;
use crate::startup::AppState;

#[derive(Debug, Serialize)]
pub struct QualityReport {
    pub campaign: String,
    /// The flags, in the order of each row's counts.
    pub flags: Vec<&'static str>,
    pub rows: Vec<QualityRow>,
}

#[derive(Debug, Serialize)]
pub struct QualityRow {
    pub unit: String,
    pub name: String,
    /// China Standard Time.
    pub date: String,
    pub responses: i64,
    /// Responses carrying each flag (a response may carry several).
    pub flagged: BTreeMap<String, i64>,
}

pub async fn load(state: &AppState, slug: String) -> Result<QualityReport, AppError> {
    let pool = state.pool.clone();
    let found = web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        Ok(Some((quality::report(&mut conn, ctx.campaign.id)?, ctx)))
    })
    .await??;
    let Some((counts, ctx)) = found else {
        return Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh));
    };
    let mut rows: Vec<QualityRow> = Vec::new();
    for c in counts {
        let unit = ctx.units.iter().find(|u| u.id == c.unit_id);
        let date = super::progress::date(c.day);
        let code = unit.map_or(String::new(), |u| u.code.clone());
        let row = match rows.iter_mut().find(|r| r.unit == code && r.date == date) {
            Some(row) => row,
            None => {
                rows.push(QualityRow {
                    unit: code,
                    name: unit.map_or(String::new(), |u| u.name_zh.clone()),
                    date,
                    responses: 0,
                    flagged: flags::ALL.iter().map(|f| (f.to_string(), 0)).collect(),
                });
                rows.last_mut().expect("just pushed")
            }
        };
        if c.flag.is_empty() {
            row.responses = c.n;
        } else {
            row.flagged.insert(c.flag, c.n);
        }
    }
    Ok(QualityReport {
        campaign: ctx.campaign.slug.clone(),
        flags: flags::ALL.to_vec(),
        rows,
    })
}

fn flag_name(flag: &str) -> &'static str {
    match flag {
        flags::DEVICE_REPEAT => "同一设备重复",
        flags::HONEYPOT => "蜜罐字段被填写",
        flags::SPEEDER => "作答过快",
        flags::STRAIGHT_LINING => "一律同一选项",
        flags::BURST => "短时集中雷同",
        _ => "其他",
    }
}

/// The panel on the progress dashboard: only the unit-days with a flag, newest first.
pub fn panel(report: &QualityReport) -> Markup {
    let flagged: Vec<&QualityRow> = report
        .rows
        .iter()
        .filter(|r| r.flagged.values().any(|n| *n > 0))
        .collect();
    html! {
        h2 { "数据质量" }
        @if flagged.is_empty() {
            p { "尚无被标记的答卷。" }
        } @else {
            p { "被标记的答卷照常保存，由评估机构核查；下表只列出有标记的单位和日期。" }
            table {
                tr {
                    th { "单位" } th { "日期" } th class="r" { "答卷" }
                    @for f in &report.flags { th class="r" { (flag_name(f)) } }
                }
                @for r in flagged.iter().rev() {
                    tr {
                        td { (r.name) } td { (r.date) } td class="r" { (r.responses) }
                        @for f in &report.flags { td class="r" { (r.flagged.get(*f).copied().unwrap_or(0)) } }
                    }
                }
            }
        }
    }
}

pub async fn json(
    state: web::Data<AppState>,
    _user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(load(&state, slug.into_inner()).await?))
}
