//! The role guard every console route is wrapped in: a valid, unexpired session of a role at
//! least the route's, and on every state-changing request a CSRF token matching the session's.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::HeaderMap;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use futures::StreamExt;
use minyi_questionnaire::Lang;

use super::session::{hash_id, CurrentUser};
use super::{Access, Role};
use crate::db::{accounts, now_ms};
use crate::error::AppError;
use crate::startup::AppState;

/// Refreshing `last_seen_at` at most this often keeps reads from becoming writes.
const TOUCH_EVERY_MS: i64 = 60_000;
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

pub async fn require_role(
    role: Access,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match authorize(role, &mut req).await {
        Ok(user) => {
            req.extensions_mut().insert(user);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(refusal) => Ok(req.into_response(refusal).map_into_right_body()),
    }
}

/// A refusal in the form the caller reads: JSON for the API, a page for the console.
fn refuse(req: &ServiceRequest, error: AppError) -> HttpResponse {
    if req.path().starts_with("/api/") {
        error.json_response()
    } else {
        error.error_response()
    }
}

async fn authorize(role: Access, req: &mut ServiceRequest) -> Result<CurrentUser, HttpResponse> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("app state")
        .clone();
    let settings = state.sessions;
    let raw = req
        .cookie(settings.cookie_name())
        .map(|c| c.value().to_string());
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Err(sign_in_first(req));
    };
    let id_hash = hash_id(&raw);
    let pool = state.pool.clone();
    let lookup = id_hash.clone();
    let found = web::block(move || accounts::find_session(&mut *pool.get()?, &lookup))
        .await
        .map_err(|e| refuse(req, AppError::from(e)))?
        .map_err(|e| refuse(req, AppError::from(e)))?;
    let now = now_ms();
    let Some((session, user)) = found else {
        return Err(sign_in_first(req));
    };
    if settings.expired(session.created_at, session.last_seen_at, now) {
        let pool = state.pool.clone();
        let _ = web::block(move || accounts::end_session(&mut *pool.get()?, &id_hash)).await;
        return Err(sign_in_first(req));
    }
    let user_role = Role::parse(&user.role).unwrap_or(Role::Viewer);
    if !user_role.may(role) {
        return Err(refuse(req, AppError::Forbidden));
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        check_csrf(req, &session.csrf_token).await?;
    }
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        let pool = state.pool.clone();
        let hash = id_hash.clone();
        let _ = web::block(move || accounts::touch_session(&mut *pool.get()?, &hash, now)).await;
    }
    Ok(CurrentUser {
        username: user.username,
        role: user_role,
        csrf_token: session.csrf_token,
        session_hash: id_hash,
    })
}

/// A page asks the browser to sign in; anything else gets 401.
fn sign_in_first(req: &ServiceRequest) -> HttpResponse {
    if req.method() == Method::GET && !req.path().starts_with("/api/") {
        let next = url::form_urlencoded::byte_serialize(req.uri().to_string().as_bytes())
            .collect::<String>();
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/console/login?next={next}")))
            .finish()
    } else {
        refuse(req, AppError::NotSignedIn)
    }
}

/// The token comes in the `X-CSRF-Token` header (API) or the `_csrf` form field (pages); the
/// body is read and put back for the handler.
async fn check_csrf(req: &mut ServiceRequest, expected: &str) -> Result<(), HttpResponse> {
    let from_header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let given = match from_header {
        Some(token) => Some(token),
        None => {
            let body = req.extract::<web::Bytes>().await.map_err(|e| {
                let error = match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => AppError::TooLarge(Lang::Zh),
                    Some(slow) if crate::read_timeout::is_timeout(slow) => {
                        AppError::SlowBody(Lang::Zh)
                    }
                    _ => AppError::CsrfMismatch,
                };
                refuse(req, error)
            })?;
            let token = if is_multipart(req) {
                multipart_field(req.headers(), body.clone(), CSRF_FIELD).await
            } else {
                url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.into_owned())
            };
            req.set_payload(bytes_payload(body));
            token
        }
    };
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(()),
        _ => Err(refuse(req, AppError::CsrfMismatch)),
    }
}

fn is_multipart(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"))
}

/// A short text field of a buffered `multipart/form-data` body (a file upload's form).
async fn multipart_field(headers: &HeaderMap, body: web::Bytes, name: &str) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, PayloadError>(body) });
    let mut fields = actix_multipart::Multipart::new(headers, stream);
    // A field not read through is skipped when the next one is asked for.
    while let Some(Ok(mut field)) = fields.next().await {
        if field.name() == Some(name) {
            let value = field.bytes(1024).await.ok()?.ok()?;
            return String::from_utf8(value.to_vec()).ok();
        }
    }
    None
}

fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    actix_web::dev::Payload::from(body)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
