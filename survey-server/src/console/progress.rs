//! The live progress of a wave: responses per unit and per day (an SVG chart), link checks;
//! the page refreshes itself every minute without a script, and the same figures are JSON.

use actix_web::{web, HttpResponse};
use maud::{html, Markup, PreEscaped};
use serde::Serialize;

use super::views::page;
use crate::auth::session::CurrentUser;
use crate::db::responses::{self, DayCount};
use crate::db::{campaigns, DbError};
use crate::error::AppError;
use crate::startup::AppState;

#[derive(Debug, Serialize)]
pub struct Progress {
    pub campaign: String,
    pub status: String,
    pub total: i64,
    pub units: Vec<UnitProgress>,
    /// (date, responses), China Standard Time.
    pub per_day: Vec<(String, i64)>,
    /// Responses whose link was `signed`, `unsigned` or `invalid` (edited by hand).
    pub link_checks: Vec<(String, i64)>,
    /// For a campaign drawn from a frame: each stratum against its target and the AAPOR rates
    /// (also at `/api/v1/campaigns/{slug}/fieldwork`).
    pub fieldwork: Option<FieldworkProgress>,
}

#[derive(Debug, Serialize)]
pub struct FieldworkProgress {
    pub strata: Vec<super::fieldwork_view::StratumLine>,
    pub rates: crate::fieldwork::status::RatesReport,
}

#[derive(Debug, Serialize)]
pub struct UnitProgress {
    pub unit: String,
    pub name: String,
    pub responses: i64,
    /// From the sampling plan, when there is one.
    pub target: Option<i64>,
    pub quota: Option<i64>,
    /// responses / target.
    pub completion: Option<f64>,
    /// Responses past the quota (kept and marked).
    pub over_quota: i64,
    /// Responses whose link was edited by hand.
    pub invalid_link: i64,
}

pub(crate) fn date(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

async fn load(state: &AppState, slug: String) -> Result<Progress, AppError> {
    let (pool, keys, anonymity) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.anonymity.clone(),
    );
    let found = web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        let id = ctx.campaign.id;
        let fieldwork =
            crate::fieldwork::status::load(&mut conn, &keys, &anonymity, id)?.map(|f| {
                FieldworkProgress {
                    strata: super::fieldwork_view::lines(&ctx, &f, crate::db::now_ms()),
                    rates: f.rates(|unit| super::fieldwork_view::unit_code(&ctx, unit), None),
                }
            });
        let units = responses::counts_by_unit(&mut conn, id)?;
        let days = responses::counts_by_day(&mut conn, id)?;
        let checks = responses::counts_by_link_check(&mut conn, id)?;
        let flags = responses::flags_by_unit(&mut conn, id)?;
        let plan = crate::db::plans::load(&mut conn, id)?;
        Ok(Some((ctx, units, days, checks, flags, plan, fieldwork)))
    })
    .await??;
    let (ctx, units, days, checks, flags, plan, fieldwork) =
        found.ok_or(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))?;
    // A unit's target and quota: its one stratum, or the sum of its respondent-type cells.
    let sum_of = |unit_id: i32, field: fn(&crate::db::plans::StratumRow) -> i32| {
        plan.as_ref().map(|(_, rows)| {
            rows.iter()
                .filter(|r| r.unit_id == unit_id)
                .map(|r| i64::from(field(r)))
                .sum::<i64>()
        })
    };
    Ok(Progress {
        campaign: ctx.campaign.slug.clone(),
        status: ctx.campaign.status.clone(),
        total: units.iter().map(|(_, n)| n).sum(),
        units: ctx
            .units
            .iter()
            .map(|u| {
                let responses = units
                    .iter()
                    .find(|(id, _)| *id == u.id)
                    .map_or(0, |(_, n)| *n);
                let target = sum_of(u.id, |r| r.target);
                let (over_quota, invalid_link) = flags
                    .iter()
                    .find(|f| f.unit_id == u.id)
                    .map_or((0, 0), |f| (f.over_quota, f.invalid_link));
                UnitProgress {
                    unit: u.code.clone(),
                    name: u.name_zh.clone(),
                    responses,
                    target,
                    quota: sum_of(u.id, |r| r.quota),
                    completion: target.map(|t| responses as f64 / t.max(1) as f64),
                    over_quota,
                    invalid_link,
                }
            })
            .collect(),
        per_day: days
            .iter()
            .map(|DayCount { day, n }| (date(*day), *n))
            .collect(),
        link_checks: checks,
        fieldwork,
    })
}

/// Bars of responses per day, drawn by hand: a few hundred bytes, no script, no library.
fn day_chart(per_day: &[(String, i64)]) -> Markup {
    let max = per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (width, height, bar) = (640.0, 160.0, 640.0 / per_day.len().max(1) as f64);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" role="img" aria-label="每日回收份数" style="width:100%;max-width:640px;height:auto">"#,
        h = height + 20.0
    );
    for (i, (day, n)) in per_day.iter().enumerate() {
        let h = height * *n as f64 / max as f64;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="#0b5cad"><title>{day}：{n} 份</title></rect>"##,
            x = i as f64 * bar + 1.0,
            y = height - h,
            w = (bar - 2.0).max(1.0),
        ));
    }
    if let (Some((first, _)), Some((last, _))) = (per_day.first(), per_day.last()) {
        svg.push_str(&format!(
            r#"<text x="0" y="{y}" font-size="12">{first}</text><text x="{width}" y="{y}" font-size="12" text-anchor="end">{last}（最高 {max} 份/日）</text>"#,
            y = height + 16.0
        ));
    }
    svg.push_str("</svg>");
    html! { (PreEscaped(svg)) }
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let p = load(&state, slug.clone()).await?;
    let quality = super::quality::load(&state, slug).await?;
    let body = page(
        &format!("回收进度 · {}", p.campaign),
        Some(&user),
        html! {
            p { "共回收 " strong { (p.total) } " 份。本页每分钟自动刷新；同样的数据见 "
                a href=(format!("/console/campaigns/{}/progress.json", p.campaign)) { "JSON" } "。" }
            h2 { "每日回收" }
            (day_chart(&p.per_day))
            @if let Some(f) = &p.fieldwork {
                h2 { "实地调查（概率样本）" }
                p {
                    "已发放案件 " (f.rates.cases) "，完成 " (f.rates.overall.counts.i)
                    "；应答率 RR1 " (f.rates.overall.rates.rr1.map_or("—".into(), |r| format!("{:.1}%", r * 100.0)))
                    "，RR3 " (f.rates.overall.rates.rr3.map_or("—".into(), |r| format!("{:.1}%", r * 100.0)))
                    "，合作率 COOP1 " (f.rates.overall.rates.coop1.map_or("—".into(), |r| format!("{:.1}%", r * 100.0)))
                    "。各层进度与完整的 AAPOR 应答率见 "
                    a href=(format!("/console/campaigns/{}/fieldwork", p.campaign)) { "实地调查页" } "。"
                }
                table {
                    tr { th { "层" } th class="r" { "完成" } th class="r" { "目标" } th { "预计完成" } }
                    @for s in &f.strata {
                        tr {
                            td { (s.stratum) }
                            td class="r" { (s.completes) }
                            td class="r" { (s.target) }
                            td { (s.projected_finish_ms.and_then(|ms| chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)).map_or("—".into(), |t| t.format("%m-%d %H:%M").to_string())) }
                        }
                    }
                }
            }
            h2 { "链接核验" }
            table {
                tr { th { "类型" } th class="r" { "份数" } }
                @for (check, n) in &p.link_checks {
                    tr {
                        td { (match check.as_str() { "signed" => "扫描印制的二维码", "unsigned" => "无签名链接（手输或转发）", "invalid" => "链接被改动（需核查）", other => other }) }
                        td class="r" { (n) }
                    }
                }
            }
            h2 { "各单位" }
            table {
                tr {
                    th { "单位" } th class="r" { "样本" } th class="r" { "目标" } th class="r" { "配额" }
                    th class="r" { "完成率" } th class="r" { "超配额" } th class="r" { "链接被改动" }
                }
                @for u in &p.units {
                    tr {
                        td { (u.name) }
                        td class="r" { (u.responses) }
                        td class="r" { (u.target.map_or("—".into(), |t| t.to_string())) }
                        td class="r" { (u.quota.map_or("—".into(), |t| t.to_string())) }
                        td class="r" { (u.completion.map_or("—".into(), |c| format!("{:.0}%", c * 100.0))) }
                        td class="r" { (u.over_quota) }
                        td class="r" { (u.invalid_link) }
                    }
                }
            }
            (super::quality::panel(&quality))
        },
    );
    let html = body.into_string().replacen(
        "<head>",
        r#"<head><meta http-equiv="refresh" content="60">"#,
        1,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

pub async fn json(
    state: web::Data<AppState>,
    _user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(load(&state, slug.into_inner()).await?))
}
