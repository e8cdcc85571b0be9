//! The sign-in form's CSRF token, before there is a session to hold one (login CSRF: another
//! site must not sign a browser in to an account of its choosing). A signed double submit: the
//! sign-in page sets a random value in an HttpOnly, SameSite=Strict cookie, and its form carries
//! that value's keyed hash; a sign-in is accepted only when the two match.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::session::random_token;
use crate::token::FormSigner;

const DOMAIN: &str = "login-csrf";
const TOKEN_BYTES: usize = 16;

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-minyi_login"
    } else {
        "minyi_login"
    }
}

/// The request's cookie value, if it is one this server could have set.
fn nonce_of(req: &HttpRequest, secure: bool) -> Option<String> {
    req.cookie(cookie_name(secure))
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 43 && URL_SAFE_NO_PAD.decode(v).is_ok())
}

/// The form token for a cookie value.
fn token_for(signer: &FormSigner, nonce: &str) -> String {
    URL_SAFE_NO_PAD.encode(&signer.keyed(DOMAIN, nonce.as_bytes())[..TOKEN_BYTES])
}

/// The token for the sign-in form, and the cookie to set when the browser has none yet.
pub fn issue(
    signer: &FormSigner,
    req: &HttpRequest,
    secure: bool,
) -> (String, Option<Cookie<'static>>) {
    match nonce_of(req, secure) {
        Some(nonce) => (token_for(signer, &nonce), None),
        None => {
            let nonce = random_token();
            let cookie = Cookie::build(cookie_name(secure), nonce.clone())
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Strict)
                .finish();
            (token_for(signer, &nonce), Some(cookie))
        }
    }
}

/// Whether the submitted token belongs to the browser's cookie.
pub fn verify(signer: &FormSigner, req: &HttpRequest, secure: bool, given: Option<&str>) -> bool {
    match (nonce_of(req, secure), given) {
        (Some(nonce), Some(given)) => {
            let expected = token_for(signer, &nonce);
            expected.len() == given.len()
                && expected
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        _ => false,
    }
}
