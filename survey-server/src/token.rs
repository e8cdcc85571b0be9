//! Form tokens: each served form carries a random idempotency key and the time it was served,
//! signed, so a double tap or a resent POST stores one response and time-taken is trustworthy.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// A verified token: the response's idempotency key and when its form was served — never after
/// the time it was verified at, so the time taken is never negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken {
    pub key: String,
    pub issued_at: i64,
}

/// How far ahead of this server's clock another server's may run (several servers behind one
/// load balancer); a token from further ahead is refused.
pub const CLOCK_SKEW_MS: i64 = 2 * 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the form token is missing or malformed")]
    Malformed,
    #[error("the form token's signature does not match")]
    BadSignature,
    #[error("the form has expired")]
    Expired,
    #[error("the form was served later than now")]
    FromTheFuture,
}

pub struct FormSigner {
    key: SecretSlice<u8>,
    max_age_ms: i64,
}

const MAC_BYTES: usize = 16;

impl FormSigner {
    pub fn new(key: SecretSlice<u8>, max_age_hours: u32) -> FormSigner {
        FormSigner {
            key,
            max_age_ms: i64::from(max_age_hours) * 3_600_000,
        }
    }

    /// A fresh token with a 128-bit random key.
    pub fn issue(&self, now_ms: i64) -> String {
        let mut key = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let key = URL_SAFE_NO_PAD.encode(key);
        let mac = self.mac(&key, now_ms);
        format!("{key}.{now_ms}.{mac}")
    }

    pub fn verify(&self, token: &str, now_ms: i64) -> Result<FormToken, TokenError> {
        let mut parts = token.split('.');
        let (Some(key), Some(issued), Some(mac), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let issued_at: i64 = issued.parse().map_err(|_| TokenError::Malformed)?;
        if key.len() != 22 || URL_SAFE_NO_PAD.decode(key).is_err() {
            return Err(TokenError::Malformed);
        }
        let given = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        if given.len() != MAC_BYTES {
            return Err(TokenError::BadSignature);
        }
        self.hmac(key, issued_at)
            .verify_truncated_left(&given)
            .map_err(|_| TokenError::BadSignature)?;
        if issued_at > now_ms + CLOCK_SKEW_MS {
            return Err(TokenError::FromTheFuture);
        }
        if now_ms - issued_at > self.max_age_ms {
            return Err(TokenError::Expired);
        }
        Ok(FormToken {
            key: key.to_string(),
            // Served by a server whose clock runs a little ahead: served now, as far as this
            // server can tell.
            issued_at: issued_at.min(now_ms),
        })
    }

    fn hmac(&self, key: &str, issued_at: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(key.as_bytes());
        mac.update(b".");
        mac.update(issued_at.to_string().as_bytes());
        mac
    }

    /// HMAC-SHA256 of `data` under the instance key, separated by `domain` from every other
    /// use of the key (form tokens, link tags, device cookies).
    pub fn keyed(&self, domain: &str, data: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(domain.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn mac(&self, key: &str, issued_at: i64) -> String {
        let full = self.hmac(key, issued_at).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&full[..MAC_BYTES])
    }
}

/// How a form link's source tag checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkCheck {
    /// The tag of a generated link (a printed QR code) matches.
    Signed,
    /// No tag: a link typed in or shared without one.
    Unsigned,
    /// A tag that does not match: the link was edited by hand.
    Invalid,
}

impl LinkCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkCheck::Signed => "signed",
            LinkCheck::Unsigned => "unsigned",
            LinkCheck::Invalid => "invalid",
        }
    }
}

const LINK_TAG_BYTES: usize = 9;

impl FormSigner {
    /// The source tag of a generated link for campaign × unit × site (unit and site may be
    /// empty). Domain-separated from form tokens.
    pub fn link_tag(&self, campaign: &str, unit: &str, site: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose_secret())
            .expect("HMAC takes a key of any length");
        for part in ["link", campaign, unit, site] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..LINK_TAG_BYTES])
    }

    pub fn check_link(
        &self,
        campaign: &str,
        unit: &str,
        site: &str,
        tag: Option<&str>,
    ) -> LinkCheck {
        match tag {
            None | Some("") => LinkCheck::Unsigned,
            Some(tag) => {
                let expected = self.link_tag(campaign, unit, site);
                let same = tag.len() == expected.len()
                    && tag
                        .bytes()
                        .zip(expected.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                if same {
                    LinkCheck::Signed
                } else {
                    LinkCheck::Invalid
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> FormSigner {
        FormSigner::new(SecretSlice::from(vec![7u8; 32]), 72)
    }

    #[test]
    fn a_token_verifies_and_keeps_its_time() {
        let token = signer().issue(1_000_000);
        let parsed = signer().verify(&token, 1_005_000).unwrap();
        assert_eq!(parsed.issued_at, 1_000_000);
        assert_eq!(parsed.key.len(), 22);
    }

    #[test]
    fn an_edited_time_or_key_is_refused() {
        let token = signer().issue(1_000_000);
        let edited = token.replacen(".1000000.", ".999000.", 1);
        assert_eq!(
            signer().verify(&edited, 1_005_000),
            Err(TokenError::BadSignature)
        );
        let other_key = format!("AAAAAAAAAAAAAAAAAAAAAA{}", &token[22..]);
        assert_eq!(
            signer().verify(&other_key, 1_005_000),
            Err(TokenError::BadSignature)
        );
        let other_signer = FormSigner::new(SecretSlice::from(vec![8u8; 32]), 72);
        assert_eq!(
            other_signer.verify(&token, 1_005_000),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn link_tags_detect_an_edited_unit_or_site() {
        let s = signer();
        let tag = s.link_tag("2025-final", "market", "hall");
        assert_eq!(
            s.check_link("2025-final", "market", "hall", Some(&tag)),
            LinkCheck::Signed
        );
        assert_eq!(
            s.check_link("2025-final", "police", "hall", Some(&tag)),
            LinkCheck::Invalid
        );
        assert_eq!(
            s.check_link("2025-final", "market", "scenic", Some(&tag)),
            LinkCheck::Invalid
        );
        assert_eq!(
            s.check_link("2025-final", "market", "hall", None),
            LinkCheck::Unsigned
        );
        assert_ne!(
            s.link_tag("a", "bc", ""),
            s.link_tag("ab", "c", ""),
            "parts are separated"
        );
    }

    #[test]
    fn a_token_from_the_future_is_refused_beyond_the_clock_skew_and_never_later_than_now() {
        let now = 10_000_000;
        let slightly_ahead = signer().issue(now + 30_000);
        let parsed = signer().verify(&slightly_ahead, now).unwrap();
        assert_eq!(parsed.issued_at, now, "no negative time taken");
        let far_ahead = signer().issue(now + CLOCK_SKEW_MS + 1);
        assert_eq!(
            signer().verify(&far_ahead, now),
            Err(TokenError::FromTheFuture)
        );
    }

    #[test]
    fn malformed_and_expired_tokens_are_refused() {
        assert_eq!(signer().verify("", 0), Err(TokenError::Malformed));
        assert_eq!(signer().verify("a.b.c", 0), Err(TokenError::Malformed));
        let token = signer().issue(0);
        assert_eq!(
            signer().verify(&token, 73 * 3_600_000),
            Err(TokenError::Expired)
        );
        let short = token.rsplit_once('.').unwrap().0.to_string() + ".AAAA";
        assert!(signer().verify(&short, 10).is_err());
    }
}
