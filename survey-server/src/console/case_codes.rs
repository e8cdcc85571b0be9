//! Generating one-time case codes for a unit and printing them as slips. The codes are shown
//! this once: only their hashes are kept.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, PreEscaped, DOCTYPE};
use serde::Deserialize;

use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, CampaignContext, Unit};
use crate::db::case_codes;
use crate::error::AppError;
use crate::qr;
use crate::startup::AppState;

pub const MAX_PER_BATCH: usize = 1_000;

#[derive(Deserialize)]
pub struct NewCodes {
    pub unit: String,
    pub count: String,
}

/// Makes `count` codes for a unit of a wave and stores their hashes; the codes themselves
/// are returned this once. Shared by the console and the JSON API.
pub async fn generate(
    state: &AppState,
    user: &CurrentUser,
    slug: &str,
    unit: &str,
    count: &str,
) -> Result<(CampaignContext, Unit, Vec<String>), AppError> {
    let zh = minyi_questionnaire::Lang::Zh;
    let count: usize = match count.trim().parse() {
        Ok(n) if (1..=MAX_PER_BATCH).contains(&n) => n,
        _ => {
            return Err(AppError::BadBody(
                zh,
                format!("count must be 1–{MAX_PER_BATCH}"),
            ))
        }
    };
    let pool = state.pool.clone();
    let ctx = {
        let (pool, slug) = (pool.clone(), slug.to_string());
        web::block(move || campaigns::load_context(&mut *pool.get()?, &slug)).await??
    }
    .ok_or(AppError::UnknownCampaign(zh))?;
    let unit = ctx
        .units
        .iter()
        .find(|u| u.code == unit)
        .cloned()
        .ok_or(AppError::UnknownUnit(zh))?;
    let codes: Vec<String> = (0..count).map(|_| case_codes::generate()).collect();
    {
        let (codes, actor, campaign_id, unit_id) = (
            codes.clone(),
            user.username.clone(),
            ctx.campaign.id,
            unit.id,
        );
        web::block(move || {
            case_codes::insert(&mut *pool.get()?, campaign_id, unit_id, &codes, &actor)
        })
        .await??;
    }
    Ok((ctx, unit, codes))
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<NewCodes>,
) -> Result<HttpResponse, AppError> {
    let (ctx, unit, codes) = generate(&state, &user, &slug, &form.unit, &form.count).await?;
    let base = super::qr::base_url(&state, &req);
    let css = "@page{size:A4;margin:10mm}body{margin:0;font-family:system-ui,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif}\
        .s{display:inline-block;box-sizing:border-box;width:48%;margin:1%;padding:4mm;border:1px dashed #888;break-inside:avoid;vertical-align:top}\
        .s svg{width:32mm;height:32mm;float:right}.c{font-family:monospace;font-size:12pt;font-weight:bold}\
        h2{font-size:12pt;margin:0 0 2mm}p{font-size:9pt;margin:1mm 0}";
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head { meta charset="utf-8"; title { (unit.name_zh) " 回访码" } style { (PreEscaped(css)) } }
            body {
                @for code in &codes {
                    @let link = format!("{base}/s/{}/{}?site=case&code={}", ctx.campaign.slug, unit.code, case_codes::normalise(code));
                    div class="s" {
                        (PreEscaped(qr::svg(&link).map_err(anyhow::Error::from)?))
                        h2 { "执法满意度回访 · " (unit.name_zh) }
                        p { "请扫码，或访问 " (base) "/c/" (ctx.campaign.slug) " 并输入回访码：" }
                        p class="c" { (code) }
                        p { "匿名填写，约 4 分钟；回访码只能使用一次，不与您的身份关联。" }
                    }
                }
            }
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(page.into_string()))
}
