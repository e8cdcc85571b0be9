//! The evaluator's fieldwork page: import the frame (admin), draw the sample, release more of
//! a stratum (a replicate), set the calling rules and the SMS text, take the SMS outbox, watch
//! each stratum's completes against its target and the AAPOR rates; and the same as JSON and a
//! `dispositions.csv`. Phone numbers appear on none of these.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use futures::StreamExt;
use minyi_fieldwork::draw::Method;
use minyi_fieldwork::frame_file::{Mapping, MAX_FRAME_BYTES};
use minyi_fieldwork::rates::Eligibility;
use minyi_questionnaire::Lang;
use serde::Serialize;

use super::fieldwork_view as view;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, CampaignContext};
use crate::db::fieldwork::{cases, draws, frames, settings, verifications};
use crate::db::{now_ms, DbError};
use crate::error::AppError;
use crate::fieldwork::frame::{self, ImportError};
use crate::fieldwork::status::{self, Fieldwork, RatesReport};
use crate::fieldwork::{draw as drawing, outbox};
use crate::startup::AppState;

/// The frame upload's body limit: the frame file's own limit and room for the form's fields.
pub const FRAME_UPLOAD_MAX_BYTES: usize = MAX_FRAME_BYTES + 64 * 1024;

/// What the page shows.
pub struct Loaded {
    pub ctx: CampaignContext,
    pub frame: Option<frames::FrameRecord>,
    pub fieldwork: Option<Fieldwork>,
    pub verifications: Vec<verifications::VerificationRecord>,
    /// (interviewer, reason)
    pub quarantined: Vec<(String, String)>,
}

async fn load(state: &AppState, slug: String) -> Result<Loaded, AppError> {
    let (pool, keys, anonymity) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.anonymity.clone(),
    );
    let loaded = web::block(move || -> Result<Option<Loaded>, DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        let frame = frames::latest(&mut conn, ctx.campaign.id)?;
        let fieldwork = status::load(&mut conn, &keys, &anonymity, ctx.campaign.id)?;
        let verifications = match &fieldwork {
            Some(f) => verifications::of_draw(&mut conn, f.draw.id)?,
            None => Vec::new(),
        };
        let quarantined = verifications::quarantined(&mut conn, ctx.campaign.id)?;
        Ok(Some(Loaded {
            ctx,
            frame,
            fieldwork,
            verifications,
            quarantined,
        }))
    })
    .await??;
    loaded.ok_or(AppError::UnknownCampaign(Lang::Zh))
}

fn back(slug: &str, note: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/console/campaigns/{slug}/fieldwork?done={note}"),
        ))
        .finish()
}

#[derive(Debug, serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    Ok(view::page(&user, &loaded, done.done.as_deref(), &[], 200))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// `POST …/fieldwork/frame` (multipart): the file and the column mapping. Every problem of
/// the file is listed; nothing is imported unless there is none.
pub async fn import_frame(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    mut form: Multipart,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut problems: Vec<String> = Vec::new();
    while let Some(part) = form.next().await {
        let Ok(mut part) = part else {
            problems.push("上传的表单不完整，请重新选择文件提交".into());
            break;
        };
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = part
                .content_disposition()
                .and_then(|d| d.get_filename().map(str::to_string))
                .unwrap_or_else(|| "frame".into());
            match part.bytes(MAX_FRAME_BYTES).await {
                Ok(Ok(bytes)) => file = Some((file_name, bytes.to_vec())),
                Ok(Err(_)) | Err(_) => problems.push(format!(
                    "{file_name}：文件超过 {} MB 的上限，未导入任何记录",
                    MAX_FRAME_BYTES / (1024 * 1024)
                )),
            }
        } else if let Ok(Ok(value)) = part.bytes(4096).await {
            fields.push((name, String::from_utf8_lossy(&value).into_owned()));
        }
    }
    let loaded = load(&state, slug.clone()).await?;
    let mapping = Mapping {
        id: field(&fields, "id_column").to_string(),
        unit: field(&fields, "unit_column").to_string(),
        strata: field(&fields, "variables")
            .split([',', '，'])
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
        phone: field(&fields, "phone_column").to_string(),
        name: Some(field(&fields, "name_column").to_string()).filter(|n| !n.is_empty()),
    };
    for (value, label) in [
        (&mapping.id, "案件编号列"),
        (&mapping.unit, "执法单位列"),
        (&mapping.phone, "手机号列"),
    ] {
        if value.is_empty() {
            problems.push(format!("请填写“{label}”的列名"));
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        if problems.is_empty() {
            problems.push("请选择抽样框文件（CSV 或 XLSX）".into());
        }
        return Ok(view::page(&user, &loaded, None, &problems, 422));
    };
    if !problems.is_empty() {
        return Ok(view::page(&user, &loaded, None, &problems, 422));
    }
    let (pool, keys, by) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        user.username.clone(),
    );
    let ctx = loaded.ctx.clone();
    let result = web::block(move || {
        let mut conn = pool.get()?;
        frame::import(&mut conn, &keys, &ctx, &file_name, &bytes, &mapping, &by)
    })
    .await?;
    match result {
        Ok(imported) => Ok(back(&slug, &format!("frame-{}", imported.rows))),
        Err(ImportError::Problems(list)) => {
            let mut lines: Vec<String> = list.iter().map(|p| p.to_string_zh()).collect();
            lines.push("抽样框未导入：请改正以上问题后重新上传。".into());
            Ok(view::page(&user, &loaded, None, &lines, 422))
        }
        Err(ImportError::Db(DbError::Invalid(message))) => {
            Ok(view::page(&user, &loaded, None, &[message], 409))
        }
        Err(ImportError::Db(e)) => Err(e.into()),
    }
}

/// `POST …/fieldwork/draw`.
pub async fn draw(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    let request = match parse_draw(&form) {
        Ok(request) => request,
        Err(problems) => return Ok(view::page(&user, &loaded, None, &problems, 422)),
    };
    let (pool, keys, by) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        user.username.clone(),
    );
    let ctx = loaded.ctx.clone();
    let result =
        web::block(move || drawing::draw(&mut *pool.get()?, &keys, &ctx, &request, &by)).await?;
    match result {
        Ok(drawn) => Ok(back(&slug, &format!("draw-{}", drawn.released))),
        Err(DbError::Invalid(message)) => Ok(view::page(&user, &loaded, None, &[message], 422)),
        Err(e) => Err(e.into()),
    }
}

fn parse_draw(fields: &[(String, String)]) -> Result<drawing::DrawRequest, Vec<String>> {
    let mut problems = Vec::new();
    let method = match field(fields, "method") {
        "" | "srswor" => Method::Srswor,
        "systematic" => Method::Systematic,
        _ => {
            problems.push("抽样方法：请选择简单随机抽样或系统抽样".into());
            Method::Srswor
        }
    };
    let expected_rate = match field(fields, "expected_rate").parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 1.0 => r,
        _ => {
            problems.push("预期应答率：请填写 0 到 1 之间的小数，如 0.5".into());
            0.5
        }
    };
    let reserve = match field(fields, "reserve") {
        "" => 1.0,
        text => match text.parse::<f64>() {
            Ok(r) if r.is_finite() && r >= 0.0 => r,
            _ => {
                problems.push("备用样本倍数：请填写不小于 0 的数，如 1".into());
                1.0
            }
        },
    };
    let seed = match field(fields, "seed") {
        "" => None,
        text => match text.parse::<u64>() {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push("随机种子：请填写非负整数，或留空由系统生成".into());
                None
            }
        },
    };
    let target_per_unit = match field(fields, "target_per_unit") {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                problems.push("每单位目标完成数：请填写正整数，或留空使用抽样方案".into());
                None
            }
        },
    };
    let strata_by = fields
        .iter()
        .filter(|(k, v)| k == "strata_by" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    let sort_by = Some(field(fields, "sort_by").to_string()).filter(|s| !s.is_empty());
    if problems.is_empty() {
        Ok(drawing::DrawRequest {
            method,
            strata_by,
            sort_by,
            expected_rate,
            reserve,
            seed,
            target_per_unit,
        })
    } else {
        Err(problems)
    }
}

/// `POST …/fieldwork/release`: `stratum`, `extra` more cases (a replicate).
pub async fn release(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    let Some(fieldwork) = &loaded.fieldwork else {
        return Ok(view::page(&user, &loaded, None, &["尚未抽样".into()], 409));
    };
    let stratum = field(&form, "stratum").to_string();
    let Some(current) = fieldwork.strata.iter().find(|s| s.stratum == stratum) else {
        return Ok(view::page(
            &user,
            &loaded,
            None,
            &["请选择要追加样本的层".into()],
            422,
        ));
    };
    let extra: i32 = match field(&form, "extra").parse() {
        Ok(n) if n >= 1 => n,
        _ => {
            let problem = "追加数量：请填写正整数".to_string();
            return Ok(view::page(&user, &loaded, None, &[problem], 422));
        }
    };
    let to = (current.released + extra).min(current.n_selected);
    let (pool, by, draw_id) = (state.pool.clone(), user.username.clone(), fieldwork.draw.id);
    let result =
        web::block(move || draws::release(&mut *pool.get()?, draw_id, &stratum, to, &by)).await?;
    match result {
        Ok(_) => Ok(back(&slug, "release")),
        Err(DbError::Invalid(message)) => Ok(view::page(&user, &loaded, None, &[message], 422)),
        Err(e) => Err(e.into()),
    }
}

/// `POST …/fieldwork/settings`.
pub async fn save_settings(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    let mut problems = Vec::new();
    let windows = field(&form, "call_windows").to_string();
    if let Err(e) = minyi_fieldwork::schedule::parse_windows(&windows) {
        problems.push(format!("拨打时段：{e}（格式如 09:00-12:00,18:30-21:00）"));
    }
    let mut int = |name: &str, label: &str, min: i32, max: i32| match field(&form, name).parse() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            problems.push(format!("{label}：请填写 {min} 到 {max} 之间的整数"));
            min
        }
    };
    let max_attempts = int("max_attempts", "最多拨打次数", 1, 30);
    let min_gap_minutes = int("min_gap_minutes", "两次拨打最短间隔（分钟）", 0, 10_080);
    let reminder_after_days = int("reminder_after_days", "提醒间隔（天）", 1, 60);
    let max_reminders = int("max_reminders", "最多提醒次数", 0, 10);
    let verify_min = int("verify_min", "每位访员最少复核数", 0, 100);
    let verify_share = match field(&form, "verify_share").parse::<f64>() {
        Ok(s) if (0.0..=1.0).contains(&s) => s,
        _ => {
            problems.push("复核比例：请填写 0 到 1 之间的小数，如 0.1".into());
            0.1
        }
    };
    let sms_text = field(&form, "sms_text").to_string();
    if !sms_text.contains("{link}") {
        problems.push("短信内容：须包含 {link}（每个案件的一次性问卷链接）".into());
    }
    if sms_text.chars().count() > 500 {
        problems.push("短信内容：不超过 500 字".into());
    }
    if !problems.is_empty() {
        return Ok(view::page(&user, &loaded, None, &problems, 422));
    }
    let new = settings::Settings {
        campaign_id: loaded.ctx.campaign.id,
        call_windows: windows,
        max_attempts,
        min_gap_minutes,
        responsive: field(&form, "responsive") == "on",
        sms_text,
        reminder_after_days,
        max_reminders,
        verify_share,
        verify_min,
    };
    let (pool, by) = (state.pool.clone(), user.username.clone());
    web::block(move || settings::save(&mut *pool.get()?, &new, &by)).await??;
    Ok(back(&slug, "settings"))
}

/// `POST …/fieldwork/outbox.csv`: the invitations and reminders due now, as the CSV bulk-SMS
/// portals take (phone, text); each is recorded as sent through the outbox.
pub async fn outbox(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    let Some(fieldwork) = loaded.fieldwork else {
        return Err(AppError::UnknownCampaign(Lang::Zh));
    };
    let (pool, keys, by) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        user.username.clone(),
    );
    let base = state.public_url.clone();
    let ctx = loaded.ctx;
    let csv = web::block(move || -> Result<Vec<u8>, DbError> {
        let mut conn = pool.get()?;
        let due = outbox::due(&fieldwork, now_ms());
        let messages = outbox::compose(&mut conn, &keys, &ctx, &fieldwork, &due, &base)?;
        let sent: Vec<(i32, i32, String)> = due
            .iter()
            .map(|d| (d.case_id, d.number, "outbox".to_string()))
            .collect();
        cases::record_sms(&mut conn, "outbox", now_ms(), &sent, &by)?;
        Ok(crate::fieldwork::sms_gateway::outbox_csv(&messages))
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"sms-outbox.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(csv))
}

/// `POST …/fieldwork/send`: the invitations and reminders due now, sent one by one through
/// the configured SMS portal's API; each one the portal accepted is recorded as sent, the
/// others stay due (the page says how many failed, and why, without a phone number).
pub async fn send(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    let Some(gateway) = state.sms_gateway.clone() else {
        let problem =
            "未配置短信网关（配置文件 [sms_gateway]）：请使用“生成待发短信”下载 CSV".to_string();
        return Ok(view::page(&user, &loaded, None, &[problem], 409));
    };
    let Some(fieldwork) = &loaded.fieldwork else {
        return Ok(view::page(&user, &loaded, None, &["尚未抽样".into()], 409));
    };
    let due = outbox::due(fieldwork, now_ms());
    let (pool, keys, base) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.public_url.clone(),
    );
    let (ctx, work) = (loaded.ctx.clone(), status_copy(&state, &loaded).await?);
    let due_for_compose = due.clone();
    let messages = web::block(move || {
        outbox::compose(
            &mut *pool.get()?,
            &keys,
            &ctx,
            &work,
            &due_for_compose,
            &base,
        )
    })
    .await??;
    let mut sent = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (d, message) in due.iter().zip(&messages) {
        match gateway.send(message).await {
            Ok(()) => sent.push((d.case_id, d.number, "sent".to_string())),
            Err(e) => failures.push(e.to_string()),
        }
    }
    let (pool, by, n) = (state.pool.clone(), user.username.clone(), sent.len());
    web::block(move || cases::record_sms(&mut *pool.get()?, "http", now_ms(), &sent, &by))
        .await??;
    if failures.is_empty() {
        return Ok(back(&slug, &format!("sent-{n}")));
    }
    let loaded = load(&state, slug).await?;
    let mut problems = vec![format!(
        "已发送 {n} 条；{} 条发送失败，仍在待发清单中：",
        failures.len()
    )];
    failures.sort();
    failures.dedup();
    problems.extend(failures.into_iter().take(5));
    Ok(view::page(&user, &loaded, None, &problems, 502))
}

/// The campaign's fieldwork read again (for a blocking task that needs its own copy).
async fn status_copy(state: &AppState, loaded: &Loaded) -> Result<Fieldwork, AppError> {
    let (pool, keys, anonymity, id) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.anonymity.clone(),
        loaded.ctx.campaign.id,
    );
    web::block(move || status::load(&mut *pool.get()?, &keys, &anonymity, id))
        .await??
        .ok_or(AppError::UnknownCampaign(Lang::Zh))
}

/// `POST …/fieldwork/verification`: queues each interviewer's share of completes for a
/// verification callback.
pub async fn pick_verifications(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    if loaded.fieldwork.is_none() {
        return Ok(view::page(&user, &loaded, None, &["尚未抽样".into()], 409));
    }
    let work = status_copy(&state, &loaded).await?;
    let (pool, by) = (state.pool.clone(), user.username.clone());
    let n =
        web::block(move || crate::fieldwork::verify::pick(&mut *pool.get()?, &work, &by)).await??;
    Ok(back(&slug, &format!("verify-{n}")))
}

/// `POST …/fieldwork/quarantine`: `interviewer`, `reason`. Their interviews are flagged
/// `quarantined` (kept; the analysis leaves them out when its batch says so).
pub async fn quarantine(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let loaded = load(&state, slug.clone()).await?;
    let interviewer = field(&form, "interviewer").to_string();
    let reason = field(&form, "reason").to_string();
    let mut problems = Vec::new();
    if interviewer.is_empty() {
        problems.push("请选择要隔离的访员".to_string());
    }
    if reason.is_empty() || reason.chars().count() > 200 {
        problems.push("隔离原因：请填写（不超过 200 字）".to_string());
    }
    if !problems.is_empty() {
        return Ok(view::page(&user, &loaded, None, &problems, 422));
    }
    let (pool, by, id) = (
        state.pool.clone(),
        user.username.clone(),
        loaded.ctx.campaign.id,
    );
    let n = web::block(move || {
        verifications::quarantine(&mut *pool.get()?, id, &interviewer, &reason, &by)
    })
    .await??;
    Ok(back(&slug, &format!("quarantine-{n}")))
}

/// The JSON of the rates and the strata's progress.
#[derive(Debug, Serialize)]
pub struct FieldworkJson {
    pub campaign: String,
    pub drawn: bool,
    pub strata: Vec<view::StratumLine>,
    pub rates: Option<RatesReport>,
}

#[derive(Debug, serde::Deserialize)]
pub struct EQuery {
    /// Overrides the estimated share of unknown-eligibility cases taken as eligible.
    pub e: Option<f64>,
}

pub async fn json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<EQuery>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    let e = match query.e.map(Eligibility::new).transpose() {
        Ok(e) => e,
        Err(e) => return Err(AppError::BadBody(Lang::Zh, e.to_string())),
    };
    let body = FieldworkJson {
        campaign: loaded.ctx.campaign.slug.clone(),
        drawn: loaded.fieldwork.is_some(),
        strata: view::stratum_lines(&loaded, now_ms()),
        rates: loaded
            .fieldwork
            .as_ref()
            .map(|f| f.rates(|id| view::unit_code(&loaded.ctx, id), e)),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

/// `dispositions.csv`: one row per released case — no phone number, no name, no frame id.
pub async fn dispositions_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner()).await?;
    let Some(fieldwork) = &loaded.fieldwork else {
        return Err(AppError::UnknownCampaign(Lang::Zh));
    };
    let body = crate::fieldwork::dispositions::csv(&loaded.ctx, fieldwork);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"dispositions.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
