//! Console sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie (with Secure
//! and the `__Host-` prefix behind TLS); the database keeps only its SHA-256. Ids are new at
//! every login; sessions end after an idle and an absolute timeout.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    pub idle_ms: i64,
    pub absolute_ms: i64,
    /// Behind TLS: `Secure` and the `__Host-` cookie prefix.
    pub secure: bool,
}

impl SessionSettings {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-minyi_session"
        } else {
            "minyi_session"
        }
    }

    pub fn cookie(&self, raw_id: &str) -> Cookie<'static> {
        Cookie::build(self.cookie_name(), raw_id.to_string())
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .finish()
    }

    pub fn removal(&self) -> Cookie<'static> {
        let mut cookie = self.cookie("");
        cookie.make_removal();
        cookie
    }

    pub fn expired(&self, created_at: i64, last_seen_at: i64, now: i64) -> bool {
        now - last_seen_at > self.idle_ms || now - created_at > self.absolute_ms
    }
}

/// 256 random bits, base64url: the cookie's value.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores instead of the session id.
pub fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// The signed-in user of a console request, put there by the role guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
    pub session_hash: String,
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = std::future::Ready<Result<CurrentUser, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req.extensions().get::<CurrentUser>().cloned();
        std::future::ready(user.ok_or(AppError::NotSignedIn))
    }
}
