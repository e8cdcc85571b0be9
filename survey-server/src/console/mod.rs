//! The console of administrators, evaluators and viewers: sign-in, campaigns and their
//! progress, opening and closing waves, the audit log. Server-rendered, no script.
//! Every route but sign-in sits behind the role guard (see `routes::CONSOLE_ROUTES`).

pub mod case_codes;
pub mod exports;
pub mod new_campaign;
pub mod plan;
mod plan_view;
pub mod progress;
pub mod qr;
pub mod quality;
pub mod report;
mod report_view;
pub mod units;
pub mod views;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::session::{hash_id, random_token, CurrentUser};
use crate::auth::{password, Role};
use crate::db::accounts::{self, Session};
use crate::db::{campaigns, now_ms, reports, responses};
use crate::error::AppError;
use crate::startup::AppState;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Only a console path may be the target after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") => n.to_string(),
        _ => "/console".to_string(),
    }
}

pub async fn login_page(query: web::Query<NextQuery>) -> HttpResponse {
    let next = safe_next(query.next.as_deref());
    views::html_response(200, views::login(&next, None))
}

#[tracing::instrument(skip(state, form))]
pub async fn login(
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let now = now_ms();
    let username = form.username.trim().to_string();
    if !state.throttle.allowed(&username, now) {
        return Err(AppError::Throttled);
    }
    let pool = state.pool.clone();
    let (name, given) = (username.clone(), form.password.clone());
    let user = web::block(move || -> Result<_, crate::db::DbError> {
        let user = accounts::find_user(&mut pool.get()?, &name)?;
        Ok(match user {
            Some(u) if password::verify(&given, &u.password_hash) => Some(u),
            Some(_) => None,
            None => {
                password::verify_dummy(&given);
                None
            }
        })
    })
    .await??;
    let next = safe_next(form.next.as_deref());
    let Some(user) = user else {
        state.throttle.failed(&username, now);
        let pool = state.pool.clone();
        web::block(move || accounts::audit(&mut pool.get()?, &username, "login.failed", ""))
            .await??;
        let page = views::login(&next, Some("用户名或密码错误。"));
        return Ok(views::html_response(401, page));
    };
    state.throttle.succeeded(&username);
    let raw = random_token();
    let session = Session {
        id_hash: hash_id(&raw),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
    };
    let (pool, idle) = (state.pool.clone(), state.sessions.idle_ms);
    web::block(move || -> Result<(), crate::db::DbError> {
        let mut conn = pool.get()?;
        accounts::start_session(&mut conn, &session, idle)?;
        accounts::audit(&mut conn, &user.username, "login", &user.role)
    })
    .await??;
    Ok(HttpResponse::SeeOther()
        .cookie(state.sessions.cookie(&raw))
        .insert_header((header::LOCATION, next))
        .finish())
}

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
    let rows = web::block(move || campaigns::list_with_counts(&mut pool.get()?)).await??;
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
        crate::integrity::set_campaign_status(&mut pool.get()?, &keys, &target, status, &actor)
    })
    .await??;
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
    let entries = web::block(move || accounts::recent_audit(&mut pool.get()?, 200)).await??;
    Ok(views::html_response(200, views::audit(&user, &entries)))
}

/// Whether the user's role reaches `role` (for showing or hiding buttons; the guard decides).
pub fn may(user: &CurrentUser, role: Role) -> bool {
    user.role >= role
}
