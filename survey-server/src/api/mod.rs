//! The JSON API, described by `/api/openapi.json`. The citizen's side (a form and its token,
//! a submission) is public like the HTML form; the console's side sits behind the same role
//! guard, with the CSRF token in the `X-CSRF-Token` header. Every error is
//! `{"error": {"code", "message", "fields"?}}` with a stable code.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use minyi_questionnaire::{FieldError, Lang};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::session::CurrentUser;
use crate::citizen::accept::{self, Accepted, LinkParts, Submission};
use crate::citizen::form_view::{TOKEN_FIELD, UNIT_FIELD};
use crate::db::{campaigns, now_ms, DbError};
use crate::error::AppError;
use crate::startup::AppState;

pub mod console;
pub mod log;

pub const OPENAPI: &str = include_str!("openapi.json");

/// The API's errors; each renders as JSON.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("some answers are invalid")]
    Fields(Lang, Vec<FieldError>),
    #[error("the form token is missing, forged or expired")]
    BadToken,
    #[error("the request body is not valid JSON for this endpoint: {0}")]
    BadJson(String),
    #[error("the request has problems: {0:?}")]
    Problems(Vec<String>),
    /// A query parameter that is missing, malformed or out of range (404 when it names
    /// something that does not exist, such as a tree size past the log).
    #[error("{message}")]
    Parameter {
        name: &'static str,
        message: String,
        not_found: bool,
    },
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::App(e.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::App(e.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::App(e) => e.status_code(),
            ApiError::Fields(..) | ApiError::Problems(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadToken | ApiError::BadJson(_) => StatusCode::BAD_REQUEST,
            ApiError::Parameter {
                not_found: true, ..
            } => StatusCode::NOT_FOUND,
            ApiError::Parameter { .. } => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            ApiError::App(e) => return e.json_response(),
            ApiError::Fields(lang, fields) => json!({ "error": {
                "code": "invalid_answers",
                "message": "some answers are invalid; see fields",
                "fields": fields.iter().map(|f| json!({ "field": f.item, "message": f.problem.message(*lang) })).collect::<Vec<_>>(),
            }}),
            ApiError::BadToken => json!({ "error": {
                "code": "bad_token",
                "message": "the form token is missing, forged or expired: fetch a new form",
            }}),
            ApiError::BadJson(detail) => {
                json!({ "error": { "code": "malformed_body", "message": detail } })
            }
            ApiError::Problems(problems) => json!({ "error": {
                "code": "invalid_request",
                "message": problems.join("；"),
                "fields": problems
                    .iter()
                    .map(|p| json!({ "field": p.split('：').next().unwrap_or_default(), "message": p }))
                    .collect::<Vec<_>>(),
            }}),
            ApiError::Parameter {
                name,
                message,
                not_found,
            } => json!({ "error": {
                "code": if *not_found { "not_found" } else { "bad_parameter" },
                "message": message,
                "fields": [{ "field": name, "message": message }],
            }}),
        };
        HttpResponse::build(self.status_code()).json(body)
    }
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

#[derive(Debug, Deserialize)]
pub struct FormQuery {
    pub unit: Option<String>,
    pub lang: Option<String>,
}

/// A wave's questionnaire and a fresh form token, for an app that draws its own form.
pub async fn form(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::from_param(query.lang.as_deref());
    let ctx = state
        .campaign(&slug)
        .await?
        .ok_or(AppError::UnknownCampaign(lang))?;
    crate::citizen::check_open(&ctx, lang)?;
    if let Some(code) = &query.unit {
        if !ctx.units.iter().any(|u| &u.code == code) {
            return Err(AppError::UnknownUnit(lang).into());
        }
    }
    let questionnaire = state.questionnaire(&ctx.questionnaire)?;
    Ok(HttpResponse::Ok().json(json!({
        "campaign": { "slug": ctx.campaign.slug, "label_zh": ctx.campaign.label_zh, "label_en": ctx.campaign.label_en },
        "units": ctx.units.iter().map(|u| json!({ "code": u.code, "name_zh": u.name_zh, "name_en": u.name_en })).collect::<Vec<_>>(),
        "questionnaire": *questionnaire,
        "questionnaire_hash": ctx.questionnaire.content_hash,
        "token": state.signer.issue(now_ms()),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewResponseBody {
    pub token: String,
    pub unit: String,
    pub site: Option<String>,
    pub src: Option<String>,
    pub code: Option<String>,
    pub lang: Option<String>,
    /// Item id → value: a string, a number, or an array of option codes.
    pub answers: BTreeMap<String, Value>,
}

/// Stores one response: 201 when new, 200 when the token's response was already stored.
pub async fn submit(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    slug: web::Path<String>,
    body: web::Json<NewResponseBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let lang = Lang::from_param(body.lang.as_deref());
    let network = crate::anti_stuffing::admit(&state, &req, lang)?;
    let ctx = state
        .campaign(&slug)
        .await?
        .ok_or(AppError::UnknownCampaign(lang))?;
    let questionnaire = state.questionnaire(&ctx.questionnaire)?;
    let unit = ctx
        .units
        .iter()
        .find(|u| u.code == body.unit)
        .ok_or(AppError::UnknownUnit(lang))?
        .clone();
    let mut fields = vec![
        (TOKEN_FIELD.to_string(), body.token.clone()),
        (UNIT_FIELD.to_string(), unit.code.clone()),
    ];
    for (item, value) in &body.answers {
        match value {
            Value::String(s) => fields.push((item.clone(), s.clone())),
            Value::Number(n) => fields.push((item.clone(), n.to_string())),
            Value::Array(values) => {
                for v in values {
                    let v = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    fields.push((item.clone(), v));
                }
            }
            Value::Null => {}
            other => fields.push((item.clone(), other.to_string())),
        }
    }
    let submission = Submission {
        ctx: &ctx,
        questionnaire: &questionnaire,
        lang,
        link_unit: Some(&unit),
        fields: &fields,
        link: LinkParts {
            unit: Some(&unit.code),
            site: body.site.as_deref(),
            src: body.src.as_deref(),
            code: body.code.as_deref(),
        },
        device_tag: crate::anti_stuffing::device::of_request(&state.signer, &req),
        network,
        collection: minyi_integrity::Collection::default(),
    };
    match accept::accept(&state, &submission).await? {
        Accepted::Stored(_) => Ok(HttpResponse::Created().json(json!({ "status": "stored" }))),
        Accepted::Duplicate(_) => {
            Ok(HttpResponse::Ok().json(json!({ "status": "already_stored" })))
        }
        Accepted::BadToken => Err(ApiError::BadToken),
        Accepted::Invalid(errors) => Err(ApiError::Fields(lang, errors)),
    }
}

/// Every wave with its response count.
pub async fn list_campaigns(
    state: web::Data<AppState>,
    _user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let rows = web::block(move || campaigns::list_with_counts(&mut *pool.get()?)).await??;
    Ok(HttpResponse::Ok().json(
        rows.iter()
            .map(|(n, c)| json!({
                "slug": c.slug, "label_zh": c.label_zh, "label_en": c.label_en, "wave": c.wave,
                "starts_on": c.starts_on, "ends_on": c.ends_on, "status": c.status, "responses": n,
            }))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: String,
}

/// Opens or closes a wave (admin; `X-CSRF-Token` header).
pub async fn set_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Json<StatusBody>,
) -> Result<HttpResponse, ApiError> {
    let status = match body.status.as_str() {
        "open" => "open",
        "closed" => "closed",
        other => {
            return Err(ApiError::BadJson(format!(
                "status must be \"open\" or \"closed\", not {other:?}"
            )))
        }
    };
    let (pool, keys) = (state.pool.clone(), state.keys.clone());
    let (target, actor) = (slug.clone(), user.username.clone());
    let found = web::block(move || {
        crate::integrity::set_campaign_status(&mut *pool.get()?, &keys, &target, status, &actor)
    })
    .await??;
    state.forget_campaign_parts();
    if !found {
        return Err(AppError::UnknownCampaign(Lang::Zh).into());
    }
    Ok(HttpResponse::Ok().json(json!({ "slug": *slug, "status": status })))
}

/// Malformed JSON bodies name what is wrong.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    if let actix_web::error::JsonPayloadError::Payload(e) = &err {
        if crate::read_timeout::is_timeout(e) {
            let lang = crate::routes::request_lang(req);
            return ApiError::App(AppError::SlowBody(lang)).into();
        }
    }
    let detail = match &err {
        actix_web::error::JsonPayloadError::Overflow { .. }
        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
            "the request body is too large".to_string()
        }
        actix_web::error::JsonPayloadError::ContentType => {
            "send Content-Type: application/json".to_string()
        }
        other => other.to_string(),
    };
    ApiError::BadJson(detail).into()
}
