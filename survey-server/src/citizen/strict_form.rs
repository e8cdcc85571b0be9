//! The citizen's form body, read strictly: `application/x-www-form-urlencoded`, within the
//! body limit, and UTF-8 throughout — raw and after percent-decoding. (actix's `web::Form`
//! decodes lossily, so invalid bytes would be stored as U+FFFD instead of refused.)

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::error::AppError;
use crate::routes::request_lang;

pub struct StrictForm(pub Vec<(String, String)>);

/// `+` is a space, `%XX` a byte; the bytes of each name and value must be UTF-8.
fn decode(part: &[u8], which: &str) -> Result<String, String> {
    let spaced: Vec<u8> = part
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("{which} is not valid UTF-8"))
}

pub fn parse(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    if std::str::from_utf8(body).is_err() {
        return Err("the form body is not valid UTF-8".into());
    }
    let mut fields = Vec::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode(name, "a field name")?;
        let value = decode(value, &format!("the value of {name:?}"))?;
        fields.push((name, value));
    }
    Ok(fields)
}

impl FromRequest for StrictForm {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<StrictForm, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let lang = request_lang(&req);
            if req.content_type() != "application/x-www-form-urlencoded" {
                return Err(AppError::BadBody(
                    lang,
                    format!(
                        "expected a form (application/x-www-form-urlencoded), got {:?}",
                        req.content_type()
                    ),
                )
                .into());
            }
            let body = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => AppError::TooLarge(lang),
                Some(slow) if crate::read_timeout::is_timeout(slow) => AppError::SlowBody(lang),
                _ => AppError::BadBody(lang, e.to_string()),
            })?;
            parse(&body)
                .map(StrictForm)
                .map_err(|m| AppError::BadBody(lang, m).into())
        })
    }
}
