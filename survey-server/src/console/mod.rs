//! The console of administrators, evaluators and viewers: sign-in, campaigns and their
//! progress, opening and closing waves, the audit log. Server-rendered, no script.
//! Every route but sign-in sits behind the role guard (see `routes::CONSOLE_ROUTES`).

pub mod calls;
pub mod case_codes;
pub mod exports;
pub mod fieldwork;
pub mod fieldwork_view;
pub mod login;
pub mod new_campaign;
pub mod plan;
mod plan_view;
pub mod progress;
pub mod qr;
pub mod quality;
pub mod report;
mod report_view;
pub mod units;
pub mod verify;
pub mod views;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::auth::session::CurrentUser;
use crate::auth::Access;
use crate::db::accounts;
use crate::db::{campaigns, reports, responses};
use crate::error::AppError;
use crate::startup::AppState;

pub async fn logout(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    web::block(move || -> Result<(), crate::db::DbError> {
        let mut conn = pool.get()?;
        accounts::end_session(&mut conn, &user.session_hash)?;
        accounts::audit(&mut conn, &user.username, "logout", "")
    })
    .await??;
    Ok(HttpResponse::SeeOther()
        .cookie(state.sessions.removal())
        .insert_header((header::LOCATION, "/console/login"))
        .finish())
}

pub async fn home(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let rows = web::block(move || campaigns::list_with_counts(&mut *pool.get()?)).await??;
    Ok(views::html_response(200, views::home(&user, &rows)))
}

pub async fn campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let slug = slug.into_inner();
    let found = web::block(move || -> Result<_, crate::db::DbError> {
        let mut conn = pool.get()?;
        let Some(ctx) = campaigns::load_context(&mut conn, &slug)? else {
            return Ok(None);
        };
        let counts = responses::counts_by_unit(&mut conn, ctx.campaign.id)?;
        let reports = reports::list(&mut conn, ctx.campaign.id)?;
        Ok(Some((ctx, counts, reports)))
    })
    .await??;
    let (ctx, counts, reports) =
        found.ok_or(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh))?;
    Ok(views::html_response(
        200,
        views::campaign(&user, &ctx, &counts, &reports),
    ))
}

async fn set_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: String,
    status: &'static str,
) -> Result<HttpResponse, AppError> {
    let (pool, keys) = (state.pool.clone(), state.keys.clone());
    let (target, actor) = (slug.clone(), user.username.clone());
    let found = web::block(move || {
        crate::integrity::set_campaign_status(&mut *pool.get()?, &keys, &target, status, &actor)
    })
    .await??;
    state.forget_campaign_parts();
    if !found {
        return Err(AppError::UnknownCampaign(minyi_questionnaire::Lang::Zh));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/console/campaigns/{slug}")))
        .finish())
}

pub async fn open_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    set_status(state, user, slug.into_inner(), "open").await
}

pub async fn close_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    set_status(state, user, slug.into_inner(), "closed").await
}

pub async fn audit_log(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let entries = web::block(move || accounts::recent_audit(&mut *pool.get()?, 200)).await??;
    Ok(views::html_response(200, views::audit(&user, &entries)))
}

/// Whether the user's role may do what `access` needs (for showing or hiding buttons; the
/// guard decides).
pub fn may(user: &CurrentUser, access: Access) -> bool {
    user.role.may(access)
}
