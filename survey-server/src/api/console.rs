//! The console's actions as JSON: create a wave, read and set its sampling plan, generate case
//! codes. Each converts its body to the fields the console form sends and goes through the
//! same checks, so both speak with one voice.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::ApiError;
use crate::auth::session::CurrentUser;
use crate::console::{case_codes, new_campaign, plan};
use crate::db::case_codes::normalise;
use crate::startup::AppState;

/// Problems found by the shared checks, as an API error listing each.
fn problems(errors: Vec<String>) -> ApiError {
    ApiError::Problems(errors)
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{"a": "x", "b": ["y", "z"], "n": 3}` → `a=x, b=y, b=z, n=3`.
fn fields(body: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in body {
        match value {
            Value::Array(items) => out.extend(items.iter().map(|v| (key.clone(), scalar(v)))),
            Value::Null | Value::Object(_) => {}
            other => out.push((key.clone(), scalar(other))),
        }
    }
    out
}

/// `POST /api/v1/campaigns`: the console form's fields, with `units` an array and `sites` an
/// array of `{"code", "name_zh", "name_en"}`.
pub async fn create_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = fields(&body);
    if let Some(Value::Array(sites)) = body.get("sites") {
        let lines: Vec<String> = sites
            .iter()
            .map(|s| {
                format!(
                    "{},{},{}",
                    scalar(&s["code"]),
                    scalar(&s["name_zh"]),
                    scalar(&s["name_en"])
                )
            })
            .collect();
        fields.retain(|(k, _)| k != "sites");
        fields.push(("sites".into(), lines.join("\n")));
    }
    match new_campaign::create_from_fields(&state, &user, &fields).await? {
        Ok(slug) => Ok(HttpResponse::Created().json(json!({ "slug": slug, "status": "draft" }))),
        Err(errors) => Err(problems(errors)),
    }
}

/// `POST /api/v1/campaigns/{slug}/plan`: `{"confidence", "margin", "allocation",
/// "min_per_unit", "quota_policy", "populations": {"unit": N}, "sds": {"unit": S}}`.
pub async fn save_plan(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = fields(&body);
    for (key, prefix) in [("populations", "pop_"), ("sds", "sd_")] {
        if let Some(Value::Object(map)) = body.get(key) {
            fields.extend(
                map.iter()
                    .map(|(unit, v)| (format!("{prefix}{unit}"), scalar(v))),
            );
        }
    }
    match plan::save_from_fields(&state, &user, slug.clone(), &fields).await? {
        Ok(()) => Ok(plan::json(state, user, slug).await?),
        Err(errors) => Err(problems(errors)),
    }
}

pub async fn get_plan(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(plan::json(state, user, slug).await?)
}

/// `POST /api/v1/campaigns/{slug}/case-codes`: `{"unit", "count"}` → the codes (shown this
/// once; only their hashes are kept) and their links.
pub async fn case_codes(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    slug: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let unit = body.get("unit").map(scalar).unwrap_or_default();
    let count = body.get("count").map(scalar).unwrap_or_default();
    let (ctx, unit, codes) = case_codes::generate(&state, &user, &slug, &unit, &count).await?;
    let base = crate::console::qr::base_url(&state, &req);
    let links: Vec<String> = codes
        .iter()
        .map(|c| {
            format!(
                "{base}/s/{}/{}?site=case&code={}",
                ctx.campaign.slug,
                unit.code,
                normalise(c)
            )
        })
        .collect();
    Ok(HttpResponse::Created().json(json!({ "unit": unit.code, "codes": codes, "links": links })))
}

/// `GET /api/v1/audit`: the latest 200 audit entries, newest first (admin).
pub async fn audit(
    state: web::Data<AppState>,
    _user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let entries =
        web::block(move || crate::db::accounts::recent_audit(&mut *pool.get()?, 200)).await??;
    Ok(HttpResponse::Ok().json(
        entries
            .iter()
            .map(|e| json!({ "at": e.at, "username": e.username, "action": e.action, "detail": e.detail }))
            .collect::<Vec<_>>(),
    ))
}
