//! The integrity log's signed tree heads and consistency proofs, public: a head reveals a count
//! and a hash, a proof a few hashes of subtrees, nothing of any answer. The evaluator (or
//! anyone) keeps heads during collection to hold the server to its history.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use crate::db::{campaigns, log, DbError};
use crate::error::AppError;
use crate::startup::AppState;
use minyi_questionnaire::Lang;

fn unknown_campaign() -> ApiError {
    ApiError::App(AppError::UnknownCampaign(Lang::En))
}

async fn campaign_heads(
    state: &AppState,
    slug: String,
) -> Result<Vec<minyi_integrity::SignedHead>, ApiError> {
    let pool = state.pool.clone();
    let found = web::block(move || {
        let mut conn = pool.get()?;
        let Some(campaign) = campaigns::find(&mut conn, &slug)? else {
            return Ok(None);
        };
        Ok::<_, DbError>(Some(log::heads(&mut conn, campaign.id, &campaign.slug)?))
    })
    .await??;
    found.ok_or_else(unknown_campaign)
}

/// `GET /api/v1/campaigns/{slug}/log/head`: the latest signed head (404 before the first).
pub async fn latest_head(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let heads = campaign_heads(&state, slug.into_inner()).await?;
    Ok(match heads.last() {
        Some(head) => HttpResponse::Ok().json(head),
        None => HttpResponse::NotFound().json(json!({
            "error": "no_head_yet",
            "message": "no tree head has been signed for this campaign yet",
            "public_key": state.keys.public_key().to_hex(),
        })),
    })
}

/// `GET /api/v1/campaigns/{slug}/log/heads`: every signed head, oldest first.
pub async fn all_heads(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let heads = campaign_heads(&state, slug.into_inner()).await?;
    let key = state.keys.public_key().to_hex();
    Ok(HttpResponse::Ok().json(json!({ "public_key": key, "heads": heads })))
}

/// The sizes as sent, checked here so that an error names its parameter.
#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    from: Option<String>,
    to: Option<String>,
}

fn size(name: &'static str, value: Option<&str>) -> Result<u64, ApiError> {
    let value = value.ok_or_else(|| ApiError::Parameter {
        name,
        message: format!("{name} is required: a tree size"),
        not_found: false,
    })?;
    value.trim().parse().map_err(|_| ApiError::Parameter {
        name,
        message: format!("{name} must be a tree size (a whole number ≥ 0), not {value:?}"),
        not_found: false,
    })
}

/// `GET /api/v1/campaigns/{slug}/log/consistency?from=M&to=N`: the RFC 9162 consistency proof
/// that the log's first M leaves are a prefix of its first N, computed from the stored leaf
/// hashes (every leaf of the log, in order).
pub async fn consistency(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let from = size("from", query.from.as_deref())?;
    let to = size("to", query.to.as_deref())?;
    if from > to {
        return Err(ApiError::Parameter {
            name: "from",
            message: format!("from ({from}) must not exceed to ({to})"),
            not_found: false,
        });
    }
    let (pool, slug) = (state.pool.clone(), slug.into_inner());
    let found = web::block(move || {
        let mut conn = pool.get()?;
        let Some(campaign) = campaigns::find(&mut conn, &slug)? else {
            return Ok(None);
        };
        let present = log::current(&mut conn, campaign.id)?.size();
        if to > present {
            return Ok(Some(Err(present)));
        }
        let leaves = log::leaf_hashes(&mut conn, campaign.id, to as i64)?;
        if leaves.len() as u64 != to {
            return Err(DbError::Invalid(format!(
                "the log of {slug} has {} leaves stored for a size of {present}",
                leaves.len()
            )));
        }
        let proof = minyi_integrity::proof::consistency_proof(&leaves, from)
            .map_err(|e| DbError::Invalid(e.to_string()))?;
        Ok::<_, DbError>(Some(Ok((campaign.slug, proof))))
    })
    .await??;
    match found.ok_or_else(unknown_campaign)? {
        Err(present) => Err(ApiError::Parameter {
            name: "to",
            message: format!("to ({to}) is past the log, which holds {present} leaves"),
            not_found: true,
        }),
        Ok((slug, proof)) => Ok(HttpResponse::Ok().json(json!({
            "campaign": slug,
            "from": from,
            "to": to,
            "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
        }))),
    }
}
