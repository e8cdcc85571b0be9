//! `/c/{campaign}`: where the party to an enforcement case types the code from their slip;
//! a valid code leads to the form of its unit.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::html;
use minyi_questionnaire::Lang;
use serde::Deserialize;

use super::pages::layout;
use crate::db::case_codes::{self, CodeState};
use crate::error::AppError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct CodeForm {
    pub code: String,
}

#[derive(Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

fn page(lang: Lang, campaign: &str, error: Option<&str>) -> String {
    let (title, label, button) = match lang {
        Lang::Zh => ("案件回访问卷", "请输入回访单上的回访码", "进入问卷"),
        Lang::En => (
            "Case follow-up survey",
            "Enter the code on your slip",
            "Continue",
        ),
    };
    let action = match lang {
        Lang::Zh => format!("/c/{campaign}"),
        Lang::En => format!("/c/{campaign}?lang=en"),
    };
    layout(
        lang,
        title,
        "input[name=code]{display:block;width:100%;min-height:44px;font:inherit;letter-spacing:.05em;padding:.4rem;border:1px solid #b9bec6;border-radius:6px}",
        html! {
            h1 { (title) }
            @if let Some(e) = error { div class="sum" role="alert" { p class="err" { (e) } } }
            form method="post" action=(action) {
                label for="code" class="u" { (label) }
                input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false";
                button type="submit" { (button) }
            }
        },
    )
    .into_string()
}

pub async fn show(campaign: web::Path<String>, query: web::Query<LangQuery>) -> HttpResponse {
    let lang = Lang::from_param(query.lang.as_deref());
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page(lang, &campaign, None))
}

pub async fn enter(
    state: web::Data<AppState>,
    campaign: web::Path<String>,
    query: web::Query<LangQuery>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_param(query.lang.as_deref());
    let ctx = state
        .campaign(&campaign)
        .await?
        .ok_or(AppError::UnknownCampaign(lang))?;
    let (pool, id, typed) = (state.pool.clone(), ctx.campaign.id, form.code.clone());
    let keys = state.anonymity.clone();
    let found =
        web::block(move || case_codes::state(&mut *pool.get()?, &keys, id, &typed)).await??;
    let unit = match found {
        CodeState::Valid { unit_id } => ctx.units.iter().find(|u| u.id == unit_id),
        _ => None,
    };
    let Some(unit) = unit else {
        let message = match (found, lang) {
            (CodeState::Used, Lang::Zh) => "该回访码已经使用过，每个回访码只能使用一次。",
            (CodeState::Used, Lang::En) => "This code has already been used; each code works once.",
            (_, Lang::Zh) => "未找到该回访码，请核对后重新输入。",
            (_, Lang::En) => "This code was not found; please check it and try again.",
        };
        let status = if found == CodeState::Used { 409 } else { 404 };
        return Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status).expect("valid"),
        )
        .content_type("text/html; charset=utf-8")
        .body(page(lang, &campaign, Some(message))));
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("site", "case")
        .append_pair("code", &case_codes::normalise(&form.code));
    if lang == Lang::En {
        query.append_pair("lang", "en");
    }
    let location = format!("/s/{}/{}?{}", ctx.campaign.slug, unit.code, query.finish());
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish())
}
