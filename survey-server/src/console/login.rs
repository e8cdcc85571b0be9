//! Signing in to the console: the sign-in page with its pre-session CSRF token, the password
//! check behind the login throttle, and the session it starts.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views;
use crate::auth::session::{hash_id, random_token};
use crate::auth::{login_csrf, password};
use crate::db::accounts::{self, Session};
use crate::db::now_ms;
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
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Where to go after sign-in: a console path of this site, else the console's home (no open
/// redirect, and nothing a `Location` header cannot hold).
pub fn safe_next(next: Option<&str>) -> String {
    let console =
        |n: &str| n == "/console" || n.starts_with("/console/") || n.starts_with("/console?");
    match next {
        Some(n) if console(n) && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') => {
            n.to_string()
        }
        _ => "/console".to_string(),
    }
}

fn page(
    state: &AppState,
    req: &HttpRequest,
    status: u16,
    next: &str,
    error: Option<&str>,
) -> HttpResponse {
    let secure = state.sessions.secure;
    let (csrf, cookie) = login_csrf::issue(&state.signer, req, secure);
    let mut response = views::html_response(status, views::login(next, &csrf, error));
    if let Some(cookie) = cookie {
        // A cookie built here always serialises.
        let _ = response.add_cookie(&cookie);
    }
    response
}

pub async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    page(&state, &req, 200, &safe_next(query.next.as_deref()), None)
}

#[tracing::instrument(skip(state, req, form))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let secure = state.sessions.secure;
    if !login_csrf::verify(&state.signer, &req, secure, form.csrf.as_deref()) {
        return Err(AppError::CsrfMismatch);
    }
    let now = now_ms();
    let username = form.username.trim().to_string();
    if !state.throttle.allowed(&username, now) {
        let pool = state.pool.clone();
        web::block(move || accounts::audit(&mut *pool.get()?, &username, "login.throttled", ""))
            .await??;
        return Err(AppError::Throttled);
    }
    let pool = state.pool.clone();
    let (name, given) = (username.clone(), form.password.clone());
    let user = web::block(move || -> Result<_, crate::db::DbError> {
        let user = accounts::find_user(&mut *pool.get()?, &name)?;
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
        web::block(move || accounts::audit(&mut *pool.get()?, &username, "login.failed", ""))
            .await??;
        return Ok(page(&state, &req, 401, &next, Some("用户名或密码错误。")));
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_console_paths_of_this_site_are_followed_after_sign_in() {
        for kept in ["/console", "/console/campaigns/2025-final", "/console?x=1"] {
            assert_eq!(safe_next(Some(kept)), kept);
        }
        for refused in [
            "https://evil.example/console",
            "//evil.example/console",
            "/\\evil.example",
            "/console\r\nSet-Cookie: x=1",
            "/console/\u{0}",
            "/console/ a",
            "/console/市场",
            "/consolex",
            "",
        ] {
            assert_eq!(safe_next(Some(refused)), "/console", "{refused:?}");
        }
        assert_eq!(safe_next(None), "/console");
    }
}
