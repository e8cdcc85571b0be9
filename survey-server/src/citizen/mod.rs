//! The citizen's side: the form at a stable link per campaign × unit, its submission, the
//! thank-you page.
//!
//! `GET  /s/{campaign}[/{unit}]?site=…&src=…&lang=en` shows the form (`src` is the signed
//! source tag of a generated link: a response records whether it matched);
//! `POST` to the same link stores the response and redirects to `/thanks/{campaign}`.

pub mod accept;
pub mod case_entry;
pub mod contact;
pub mod fields;
pub mod form_view;
pub mod pages;
pub mod strict_form;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use minyi_questionnaire::{FieldError, FieldProblem, Lang, Questionnaire};
use serde::Deserialize;

use crate::anti_stuffing::device;
use crate::db::campaigns::{CampaignContext, Unit};
use crate::db::case_codes::{self, CodeState};
use crate::db::now_ms;
use crate::error::AppError;
use crate::startup::AppState;
use accept::{Accepted, LinkParts, Submission};
use form_view::{FormView, TOKEN_FIELD};

#[derive(Deserialize)]
pub struct FormQuery {
    pub site: Option<String>,
    pub src: Option<String>,
    pub lang: Option<String>,
    /// A one-time case code (当事人回访); kept out of logs.
    pub code: Option<String>,
}

impl std::fmt::Debug for FormQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormQuery")
            .field("site", &self.site)
            .field("lang", &self.lang)
            .field("code", &self.code.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
pub struct FormPath {
    pub campaign: String,
    pub unit: Option<String>,
}

/// Everything a form request resolves to before anything is rendered or stored.
struct Resolved {
    ctx: Arc<CampaignContext>,
    questionnaire: Arc<Questionnaire>,
    unit: Option<Unit>,
    lang: Lang,
    /// The configured privacy notice in `lang`, or empty for the default.
    privacy: String,
}

async fn resolve(
    state: &AppState,
    path: &FormPath,
    query: &FormQuery,
) -> Result<Resolved, AppError> {
    let lang = Lang::from_param(query.lang.as_deref());
    let ctx = state
        .campaign(&path.campaign)
        .await?
        .ok_or(AppError::UnknownCampaign(lang))?;
    let unit = match &path.unit {
        None => None,
        Some(code) => Some(
            ctx.units
                .iter()
                .find(|u| &u.code == code)
                .cloned()
                .ok_or(AppError::UnknownUnit(lang))?,
        ),
    };
    let questionnaire = state.questionnaire(&ctx.questionnaire)?;
    let privacy = match lang {
        Lang::Zh => state.privacy_notice.0.clone(),
        Lang::En => state.privacy_notice.1.clone(),
    };
    Ok(Resolved {
        ctx,
        questionnaire,
        unit,
        lang,
        privacy,
    })
}

pub(crate) fn check_open(ctx: &CampaignContext, lang: Lang) -> Result<(), AppError> {
    use crate::db::campaigns::{openness, Openness};
    let c = &ctx.campaign;
    match openness(
        &c.status,
        &c.starts_on,
        &c.ends_on,
        &crate::startup::today(),
    ) {
        Openness::Open => Ok(()),
        Openness::NotYetOpen => Err(AppError::NotYetOpen(lang)),
        Openness::Closed => Err(AppError::CampaignClosed(lang)),
    }
}

fn action(path: &FormPath, query: &FormQuery) -> String {
    let mut link = match &path.unit {
        Some(unit) => format!("/s/{}/{}", path.campaign, unit),
        None => format!("/s/{}", path.campaign),
    };
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if let Some(site) = &query.site {
        params.append_pair("site", site);
    }
    if let Some(src) = &query.src {
        params.append_pair("src", src);
    }
    if let Some(code) = &query.code {
        params.append_pair("code", code);
    }
    if Lang::from_param(query.lang.as_deref()) == Lang::En {
        params.append_pair("lang", "en");
    }
    let params = params.finish();
    if !params.is_empty() {
        link.push('?');
        link.push_str(&params);
    }
    link
}

fn render_form(
    r: &Resolved,
    path: &FormPath,
    query: &FormQuery,
    token: String,
    submitted: &[(String, String)],
    errors: &[FieldError],
) -> String {
    form_view::render(&FormView {
        questionnaire: &r.questionnaire,
        lang: r.lang,
        campaign: &r.ctx.campaign,
        unit: r.unit.as_ref(),
        units: &r.ctx.units,
        action: action(path, query),
        token,
        submitted,
        errors,
        privacy: &r.privacy,
    })
    .into_string()
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

// The request itself is never logged: it carries the client's address and user agent.
#[tracing::instrument(skip(state, req))]
pub async fn show_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FormPath>,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, AppError> {
    let r = resolve(&state, &path, &query).await?;
    check_open(&r.ctx, r.lang)?;
    if let Some(code) = &query.code {
        check_case_code(&state, &r, code).await?;
    }
    let token = state.signer.issue(now_ms());
    let mut page = html(
        actix_web::http::StatusCode::OK,
        render_form(&r, &path, &query, token, &[], &[]),
    );
    let secure = state.public_url.starts_with("https://");
    if let Some(cookie) = device::cookie_for(&state.signer, &req, secure) {
        page.add_cookie(&cookie)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("device cookie: {e}")))?;
    }
    Ok(page)
}

#[tracing::instrument(skip(state, req, form))]
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<FormPath>,
    query: web::Query<FormQuery>,
    form: strict_form::StrictForm,
) -> Result<HttpResponse, AppError> {
    let r = resolve(&state, &path, &query).await?;
    let network = crate::anti_stuffing::admit(&state, &req, r.lang)?;
    let fields = form.0;
    let collection = collection_of(&state, &r, query.code.as_deref()).await?;
    let submission = Submission {
        ctx: &r.ctx,
        questionnaire: &r.questionnaire,
        lang: r.lang,
        link_unit: r.unit.as_ref(),
        fields: &fields,
        link: LinkParts {
            unit: path.unit.as_deref(),
            site: query.site.as_deref(),
            src: query.src.as_deref(),
            code: query.code.as_deref(),
        },
        device_tag: device::of_request(&state.signer, &req),
        network,
        collection,
    };
    match accept::accept(&state, &submission).await? {
        Accepted::Stored(_) | Accepted::Duplicate(_) => {
            Ok(see_other(&thanks_link(&path.campaign, r.lang)))
        }
        Accepted::BadToken => {
            let errors = [FieldError {
                item: TOKEN_FIELD.into(),
                problem: FieldProblem::Required,
            }];
            let body = render_form(
                &r,
                &path,
                &query,
                state.signer.issue(now_ms()),
                &fields,
                &errors,
            );
            Ok(html(actix_web::http::StatusCode::BAD_REQUEST, body))
        }
        Accepted::Invalid(errors) => {
            let body = render_form(&r, &path, &query, token_field(&fields), &fields, &errors);
            Ok(html(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                body,
            ))
        }
    }
}

/// How a response was collected: through a sampled case's SMS link (its code carries the
/// case's stratum), or the citizen's own web response.
async fn collection_of(
    state: &AppState,
    r: &Resolved,
    code: Option<&str>,
) -> Result<minyi_integrity::Collection, AppError> {
    let Some(code) = code else {
        return Ok(minyi_integrity::Collection::default());
    };
    let (pool, campaign_id, typed) = (state.pool.clone(), r.ctx.campaign.id, code.to_string());
    let stratum =
        web::block(move || case_codes::stratum(&mut *pool.get()?, campaign_id, &typed)).await??;
    Ok(match stratum {
        Some(stratum) if !stratum.is_empty() => minyi_integrity::Collection {
            mode: "sms".into(),
            stratum,
            interviewer: String::new(),
        },
        _ => minyi_integrity::Collection::default(),
    })
}

/// A case code must be unused and belong to the link's unit (a code leads to one unit).
async fn check_case_code(state: &AppState, r: &Resolved, code: &str) -> Result<(), AppError> {
    let (pool, campaign_id, typed) = (state.pool.clone(), r.ctx.campaign.id, code.to_string());
    let keys = state.anonymity.clone();
    let found =
        web::block(move || case_codes::state(&mut *pool.get()?, &keys, campaign_id, &typed))
            .await??;
    match (found, &r.unit) {
        (CodeState::Valid { unit_id }, Some(unit)) if unit.id == unit_id => Ok(()),
        (CodeState::Used, _) => Err(AppError::CaseCodeUsed(r.lang)),
        _ => Err(AppError::CaseCodeUnknown(r.lang)),
    }
}

/// The token the citizen's form carried: kept when the form is shown again, so the
/// resubmission is still the same response.
fn token_field(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .find(|(k, _)| k == TOKEN_FIELD)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn thanks_link(campaign: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("/thanks/{campaign}"),
        Lang::En => format!("/thanks/{campaign}?lang=en"),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

#[tracing::instrument(skip(state))]
pub async fn thanks(
    state: web::Data<AppState>,
    campaign: web::Path<String>,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_param(query.lang.as_deref());
    let ctx = state
        .campaign(&campaign)
        .await?
        .ok_or(AppError::UnknownCampaign(lang))?;
    let body = pages::thanks_page(lang, form_view::campaign_label(&ctx.campaign, lang));
    Ok(html(actix_web::http::StatusCode::OK, body.into_string()))
}
