//! The integrity log's signed tree heads, public: a head reveals a count and a hash, nothing
//! of any answer, and the evaluator (or anyone) keeps them during collection to hold the
//! server to its history.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::ApiError;
use crate::db::{campaigns, log};
use crate::error::AppError;
use crate::startup::AppState;
use minyi_questionnaire::Lang;

async fn campaign_heads(
    state: &AppState,
    slug: String,
) -> Result<(Vec<minyi_integrity::SignedHead>, String), ApiError> {
    let pool = state.pool.clone();
    let found = web::block(move || {
        let mut conn = pool.get()?;
        let Some(campaign) = campaigns::find(&mut conn, &slug)? else {
            return Ok(None);
        };
        let heads = log::heads(&mut conn, campaign.id, &campaign.slug)?;
        let key = crate::db::secrets::log_signing_key(&mut conn)?
            .public()
            .to_hex();
        Ok::<_, crate::db::DbError>(Some((heads, key)))
    })
    .await??;
    found.ok_or(ApiError::App(AppError::UnknownCampaign(Lang::En)))
}

/// `GET /api/v1/campaigns/{slug}/log/head`: the latest signed head (404 before the first).
pub async fn latest_head(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (heads, key) = campaign_heads(&state, slug.into_inner()).await?;
    Ok(match heads.last() {
        Some(head) => HttpResponse::Ok().json(head),
        None => HttpResponse::NotFound().json(json!({
            "error": "no_head_yet",
            "message": "no tree head has been signed for this campaign yet",
            "public_key": key,
        })),
    })
}

/// `GET /api/v1/campaigns/{slug}/log/heads`: every signed head, oldest first.
pub async fn all_heads(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (heads, key) = campaign_heads(&state, slug.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "public_key": key, "heads": heads })))
}
