//! The device cookie: a random id with the server's signature, set when a form is served. A
//! second response from one device to one unit of a campaign is flagged or refused (the
//! campaign's `device_policy`). The database keeps only a keyed hash of the id (the "tag"),
//! so neither the cookie nor anything that identifies a person is stored.

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::token::FormSigner;

pub const COOKIE: &str = "minyi_device";

/// A new signed device id, as the cookie's value: `id.mac`.
pub fn new_value(signer: &FormSigner) -> String {
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let id = URL_SAFE_NO_PAD.encode(id);
    let mac = URL_SAFE_NO_PAD.encode(&signer.keyed("device-cookie", id.as_bytes())[..16]);
    format!("{id}.{mac}")
}

/// The tag stored for a cookie whose signature checks out; `None` for a missing, malformed or
/// forged cookie (such a submission is treated as coming from an unknown device).
pub fn tag(signer: &FormSigner, value: &str) -> Option<String> {
    let (id, mac) = value.split_once('.')?;
    let expected = URL_SAFE_NO_PAD.encode(&signer.keyed("device-cookie", id.as_bytes())[..16]);
    // Equal-length strings of a MAC compared in constant time.
    let same = expected.len() == mac.len()
        && expected
            .bytes()
            .zip(mac.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then(|| hex::encode(&signer.keyed("device-tag", id.as_bytes())[..16]))
}

/// The request's device tag, if it carries a genuine cookie.
pub fn of_request(signer: &FormSigner, req: &HttpRequest) -> Option<String> {
    req.cookie(COOKIE).and_then(|c| tag(signer, c.value()))
}

/// The cookie to set when a form is served to a device without a genuine one.
pub fn cookie_for(signer: &FormSigner, req: &HttpRequest, secure: bool) -> Option<Cookie<'static>> {
    if of_request(signer, req).is_some() {
        return None;
    }
    Some(
        Cookie::build(COOKIE, new_value(signer))
            .path("/")
            .http_only(true)
            .secure(secure)
            // The QR code opens the form by a top-level navigation: Lax sends the cookie.
            .same_site(SameSite::Lax)
            .max_age(Duration::days(365))
            .finish(),
    )
}
