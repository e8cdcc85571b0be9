//! What keeps a sample's people out of the database holder's reach: frame rows, a sampled
//! case's frame id and variables, its phone number and name, an attempt's note and the draw's
//! seed are sealed with XChaCha20-Poly1305 under a key derived from the server's key file (never
//! stored in the database), with what the sealed bytes belong to bound as associated data, so a
//! sealed value moved to another row or campaign does not open. An SMS link's one-time code is
//! derived from the case with a second key, so the database holds neither the code nor a way to
//! make it (SECURITY.md, "fieldwork").

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

pub const SEAL_LABEL: &str = "minyi/fieldwork-seal/1";
pub const CODE_LABEL: &str = "minyi/fieldwork-sms-code/1";

const NONCE_LEN: usize = 24;

/// What a sealed value is, bound into its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    FrameRow,
    CaseFrame,
    CaseContact,
    AttemptNote,
    Seed,
    VerificationAnswers,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::FrameRow => b"frame-row",
            Purpose::CaseFrame => b"case-frame",
            Purpose::CaseContact => b"case-contact",
            Purpose::AttemptNote => b"attempt-note",
            Purpose::Seed => b"seed",
            Purpose::VerificationAnswers => b"verification-answers",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("a sealed fieldwork value does not open with this server's key (another key file, or altered)")]
    Opaque,
    #[error("a sealed fieldwork value is malformed: {0}")]
    Malformed(String),
}

pub struct FieldworkKeys {
    seal: SecretBox<[u8; 32]>,
    code: SecretBox<[u8; 32]>,
}

impl FieldworkKeys {
    pub fn new(seal: [u8; 32], code: [u8; 32]) -> FieldworkKeys {
        FieldworkKeys {
            seal: SecretBox::new(Box::new(seal)),
            code: SecretBox::new(Box::new(code)),
        }
    }

    /// The keys derived from the server's key file.
    pub fn from_keys(keys: &crate::keys::Keys) -> FieldworkKeys {
        FieldworkKeys::new(keys.derive(SEAL_LABEL), keys.derive(CODE_LABEL))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.seal.expose_secret().into())
    }

    /// `nonce ‖ ciphertext` of `value` (as JSON), bound to its purpose, campaign and `context`
    /// (the row it belongs to: a frame row's key, a case's reference).
    pub fn seal<T: Serialize>(
        &self,
        purpose: Purpose,
        campaign_id: i32,
        context: &[u8],
        value: &T,
    ) -> Vec<u8> {
        let plain = serde_json::to_vec(value).expect("a fieldwork value serialises");
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated(purpose, campaign_id, context);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .expect("encrypting in memory cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens what [`FieldworkKeys::seal`] sealed for the same purpose, campaign and context.
    pub fn open<T: DeserializeOwned>(
        &self,
        purpose: Purpose,
        campaign_id: i32,
        context: &[u8],
        sealed: &[u8],
    ) -> Result<T, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError::Malformed("shorter than its nonce".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let aad = associated(purpose, campaign_id, context);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| OpenError::Opaque)?;
        serde_json::from_slice(&plain).map_err(|e| OpenError::Malformed(e.to_string()))
    }

    /// The one-time code of a sampled case's SMS link: 128 bits of `HMAC(k, campaign ‖ case)`
    /// written like any case code. The database stores only its hash (`case_codes`); the code
    /// is made again whenever a message is composed.
    pub fn sms_code(&self, campaign_id: i32, case_ref: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.code.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(&campaign_id.to_be_bytes());
        mac.update(case_ref.as_bytes());
        let bytes = mac.finalize().into_bytes();
        let mut first = [0u8; 16];
        first.copy_from_slice(&bytes[..16]);
        crate::db::case_codes::format_code(u128::from_be_bytes(first))
    }
}

fn associated(purpose: Purpose, campaign_id: i32, context: &[u8]) -> Vec<u8> {
    let tag = purpose.tag();
    let mut aad = Vec::with_capacity(tag.len() + 8 + context.len());
    aad.extend_from_slice(tag);
    aad.push(0);
    aad.extend_from_slice(&campaign_id.to_be_bytes());
    aad.extend_from_slice(context);
    aad
}

/// A fresh random 16-byte key or reference.
pub fn random_bytes() -> [u8; 16] {
    let mut key = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_for_their_purpose_campaign_and_row() {
        let keys = FieldworkKeys::new([1; 32], [2; 32]);
        let sealed = keys.seal(Purpose::CaseContact, 7, b"case-a", &("13812345678", "王"));
        let opened: (String, String) = keys
            .open(Purpose::CaseContact, 7, b"case-a", &sealed)
            .unwrap();
        assert_eq!(opened, ("13812345678".to_string(), "王".to_string()));
        let wrong = [
            keys.open::<(String, String)>(Purpose::FrameRow, 7, b"case-a", &sealed),
            keys.open(Purpose::CaseContact, 8, b"case-a", &sealed),
            keys.open(Purpose::CaseContact, 7, b"case-b", &sealed),
            FieldworkKeys::new([9; 32], [2; 32]).open(Purpose::CaseContact, 7, b"case-a", &sealed),
        ];
        for result in wrong {
            assert_eq!(result.unwrap_err(), OpenError::Opaque);
        }
        // The phone number is nowhere in the sealed bytes.
        assert!(!sealed.windows(11).any(|w| w == b"13812345678"));
    }

    #[test]
    fn an_sms_code_is_the_same_for_a_case_and_differs_between_cases_and_keys() {
        let keys = FieldworkKeys::new([1; 32], [2; 32]);
        let code = keys.sms_code(3, "abc");
        assert_eq!(code, keys.sms_code(3, "abc"));
        assert_ne!(code, keys.sms_code(3, "abd"));
        assert_ne!(code, keys.sms_code(4, "abc"));
        assert_ne!(
            code,
            FieldworkKeys::new([1; 32], [3; 32]).sms_code(3, "abc")
        );
        assert_eq!(crate::db::case_codes::normalise(&code).len(), 26);
    }
}
