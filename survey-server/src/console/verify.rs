//! Verification callbacks (回访复核) for interviewers: the completes queued for verification
//! whose interview someone else did; the callback page (the phone as a `tel:` link, the three
//! key items asked again); the result compared with the interview's sealed answers.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use minyi_questionnaire::{likert_labels, not_applicable_label, ItemKind, Lang, Questionnaire};

use super::views::{html_response, page};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::db::campaigns::{self, CampaignContext};
use crate::db::fieldwork::{cases, verifications};
use crate::db::DbError;
use crate::error::AppError;
use crate::fieldwork::draw::CaseContact;
use crate::fieldwork::seal::Purpose;
use crate::fieldwork::status::{self, Case};
use crate::fieldwork::verify::key_items;
use crate::startup::AppState;

struct Loaded {
    ctx: CampaignContext,
    q: std::sync::Arc<Questionnaire>,
    pending: Vec<(Case, verifications::VerificationRecord)>,
}

async fn load(state: &AppState, slug: String, user: &CurrentUser) -> Result<Loaded, AppError> {
    let (pool, keys, anonymity) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.anonymity.clone(),
    );
    let me = user.username.clone();
    let found = web::block(move || -> Result<_, DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        let Some(fieldwork) = status::load(&mut conn, &keys, &anonymity, ctx.campaign.id)? else {
            return Ok(Some((ctx, Vec::new())));
        };
        let records = verifications::of_draw(&mut conn, fieldwork.draw.id)?;
        let pending = records
            .into_iter()
            .filter(|r| r.checked_at.is_none() && r.interviewer != me)
            .filter_map(|r| {
                let case = fieldwork.cases.iter().find(|c| c.record.id == r.case_id)?;
                Some((case.clone(), r))
            })
            .collect();
        Ok(Some((ctx, pending)))
    })
    .await??;
    let (ctx, pending) = found.ok_or(AppError::UnknownCampaign(Lang::Zh))?;
    let q = state.questionnaire(&ctx.questionnaire)?;
    Ok(Loaded { ctx, q, pending })
}

pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(&state, slug.into_inner(), &user).await?;
    let slug = &loaded.ctx.campaign.slug;
    let body = html! {
        p { a href=(format!("/console/campaigns/{slug}/calls")) { "← 电话访问" } }
        @if loaded.pending.is_empty() {
            p { "目前没有需要您复核的访问。" }
        } @else {
            p { "以下访问需由其他访员回访复核（不能复核自己的访问）：" }
            ul class="big" {
                @for (case, _) in &loaded.pending {
                    li { a href=(format!("/console/campaigns/{slug}/verify/{}", case.record.case_ref)) { "复核案件 " (&case.record.case_ref[..8]) "（" (case.record.stratum) "）" } }
                }
            }
        }
    };
    Ok(html_response(200, page("回访复核", Some(&user), body)))
}

fn questions(q: &Questionnaire, given: &BTreeMap<String, String>) -> Markup {
    html! {
        @for id in key_items(q) {
            @if let Some(item) = q.item(&id) {
                fieldset {
                    legend { (item.text.zh) }
                    @match &item.kind {
                        ItemKind::Likert5 { scale, allow_na } => {
                            @for (i, label) in likert_labels(*scale, Lang::Zh).iter().enumerate() {
                                @let value = (i + 1).to_string();
                                label class="choice" { input type="radio" name=(id) value=(value) checked[given.get(&id) == Some(&value)]; " " (label) }
                            }
                            @if *allow_na {
                                label class="choice" { input type="radio" name=(id) value="na" checked[given.get(&id).map(String::as_str) == Some("na")]; " " (not_applicable_label(Lang::Zh)) }
                            }
                        }
                        ItemKind::Single { options } => {
                            @for o in options {
                                label class="choice" { input type="radio" name=(id) value=(o.code) checked[given.get(&id) == Some(&o.code)]; " " (o.label.zh) }
                            }
                        }
                        _ => { input name=(id) value=(given.get(&id).cloned().unwrap_or_default()); }
                    }
                }
            }
        }
    }
}

/// No such verification waiting for this interviewer: unknown, done, or their own interview.
fn missing(user: &CurrentUser, loaded: &Loaded) -> HttpResponse {
    let slug = &loaded.ctx.campaign.slug;
    let body = html! {
        p { "没有这个待复核的访问：它可能已由他人完成，或是您本人做的访问（访员不能复核自己的访问）。" }
        p { a href=(format!("/console/campaigns/{slug}/verify")) { "← 复核清单" } }
    };
    html_response(404, page("回访复核", Some(user), body))
}

fn find<'a>(loaded: &'a Loaded, case_ref: &str) -> Option<&'a Case> {
    loaded
        .pending
        .iter()
        .map(|(c, _)| c)
        .find(|c| c.record.case_ref == case_ref)
}

async fn phone_of(state: &AppState, loaded: &Loaded, case: &Case) -> Result<String, AppError> {
    let (pool, keys, id) = (state.pool.clone(), state.fieldwork.clone(), case.record.id);
    let (campaign, case_ref) = (loaded.ctx.campaign.id, case.record.case_ref.clone());
    let contact = web::block(move || -> Result<Option<CaseContact>, DbError> {
        let Some(sealed) = cases::contact(&mut *pool.get()?, id)? else {
            return Ok(None);
        };
        keys.open(Purpose::CaseContact, campaign, case_ref.as_bytes(), &sealed)
            .map(Some)
            .map_err(|e| DbError::Invalid(e.to_string()))
    })
    .await??;
    Ok(contact.map_or_else(String::new, |c| c.phone))
}

fn callback_page(
    user: &CurrentUser,
    loaded: &Loaded,
    case: &Case,
    phone: &str,
    given: &BTreeMap<String, String>,
    problems: &[String],
    status: u16,
) -> HttpResponse {
    let slug = &loaded.ctx.campaign.slug;
    let body = html! {
        p { a href=(format!("/console/campaigns/{slug}/verify")) { "← 复核清单" } }
        @if !problems.is_empty() { div class="errors" role="alert" { ul { @for p in problems { li { (p) } } } } }
        @if phone.is_empty() { p { "此案件的联系方式已按保存期限删除。" } }
        @else { p class="phone" { a href=(format!("tel:{phone}")) { "拨打 " (phone) } } }
        p { "请说明：“您好，我们是第三方评估机构，想核实一下您前几天接受的满意度访问，只问三个问题。”" }
        form method="post" action=(format!("/console/campaigns/{slug}/verify/{}", case.record.case_ref)) {
            input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
            fieldset {
                legend { "是否联系上受访者？" }
                label class="choice" { input type="radio" name="_reached" value="yes" checked[given.get("_reached").map(String::as_str) == Some("yes")]; " 联系上，已重新询问" }
                label class="choice" { input type="radio" name="_reached" value="no" checked[given.get("_reached").map(String::as_str) == Some("no")]; " 未联系上" }
                label class="choice" { input type="radio" name="_reached" value="denied" checked[given.get("_reached").map(String::as_str) == Some("denied")]; " 对方表示没有接受过访问" }
            }
            (questions(&loaded.q, given))
            button type="submit" { "保存复核结果" }
        }
    };
    html_response(status, page("回访复核", Some(user), body))
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, case_ref) = path.into_inner();
    let loaded = load(&state, slug, &user).await?;
    let Some(case) = find(&loaded, &case_ref) else {
        return Ok(missing(&user, &loaded));
    };
    let phone = phone_of(&state, &loaded, case).await?;
    Ok(callback_page(
        &user,
        &loaded,
        case,
        &phone,
        &BTreeMap::new(),
        &[],
        200,
    ))
}

pub async fn record(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, case_ref) = path.into_inner();
    let loaded = load(&state, slug.clone(), &user).await?;
    let Some(case) = find(&loaded, &case_ref).cloned() else {
        return Ok(missing(&user, &loaded));
    };
    let given: BTreeMap<String, String> = form
        .iter()
        .filter(|(k, _)| k != CSRF_FIELD)
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let reached = given.get("_reached").map(String::as_str);
    let items = key_items(&loaded.q);
    let mut problems = Vec::new();
    match reached {
        Some("yes") => {
            for id in &items {
                if given.get(id).is_none_or(String::is_empty) {
                    let text = loaded
                        .q
                        .item(id)
                        .map_or(id.as_str(), |i| i.text.zh.as_str());
                    problems.push(format!("“{text}”：请记录受访者这次的回答"));
                }
            }
        }
        Some("no" | "denied") => {}
        _ => problems.push("请选择是否联系上受访者".to_string()),
    }
    if !problems.is_empty() {
        let phone = phone_of(&state, &loaded, &case).await?;
        return Ok(callback_page(
            &user, &loaded, &case, &phone, &given, &problems, 422,
        ));
    }
    let (pool, keys, by) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        user.username.clone(),
    );
    let campaign_id = loaded.ctx.campaign.id;
    let reached = reached.unwrap_or_default().to_string();
    web::block(move || -> Result<(), DbError> {
        let mut conn = pool.get()?;
        let (n, differing) = match reached.as_str() {
            "yes" => {
                let original: BTreeMap<String, String> =
                    match verifications::answers(&mut conn, case.record.id)? {
                        Some(sealed) => keys
                            .open(
                                Purpose::VerificationAnswers,
                                campaign_id,
                                case.record.case_ref.as_bytes(),
                                &sealed,
                            )
                            .map_err(|e| DbError::Invalid(e.to_string()))?,
                        None => BTreeMap::new(),
                    };
                let differing = items
                    .iter()
                    .filter(|id| original.get(*id) != given.get(*id))
                    .count();
                (items.len(), differing)
            }
            // The party says no interview took place: every item counts as differing.
            "denied" => (items.len(), items.len()),
            _ => (0, 0),
        };
        verifications::record(
            &mut conn,
            case.record.id,
            &by,
            reached != "no",
            i32::try_from(n).unwrap_or(0),
            i32::try_from(differing).unwrap_or(0),
        )
    })
    .await??;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/console/campaigns/{slug}/verify"),
        ))
        .finish())
}
