//! What keeps a citizen's other traces — a redeemed case code, contact details left for a
//! follow-up — from being joined back to their answers by whoever holds the database
//! (SECURITY.md, "anonymity"). Both are written in the transaction that stores the response,
//! so on PostgreSQL they share its transaction id; what makes the join worthless is that the
//! database holder cannot read them:
//!
//! - a redeemed code is stored as a **nullifier**, `HMAC-SHA256(k₁, campaign ‖ code hash)`:
//!   whoever printed the code knows it, but without `k₁` cannot tell which nullifier is its;
//! - contact details are **sealed** with XChaCha20-Poly1305 under `k₂` (random nonce, the
//!   campaign and unit bound as associated data).
//!
//! `k₁` and `k₂` are derived from the server's key file, which lives outside the database.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

/// The labels the two keys are derived under.
pub const NULLIFIER_LABEL: &str = "minyi/case-code-nullifier/1";
pub const CONTACT_LABEL: &str = "minyi/contact-seal/1";

const NONCE_LEN: usize = 24;

pub struct AnonymityKeys {
    nullifier: SecretBox<[u8; 32]>,
    contact: SecretBox<[u8; 32]>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("a sealed contact is too short to hold its nonce")]
    Short,
    #[error("a sealed contact does not open with this key (another key, or altered)")]
    Opaque,
    #[error("a sealed contact is not UTF-8")]
    NotText,
}

impl AnonymityKeys {
    pub fn new(nullifier: [u8; 32], contact: [u8; 32]) -> AnonymityKeys {
        AnonymityKeys {
            nullifier: SecretBox::new(Box::new(nullifier)),
            contact: SecretBox::new(Box::new(contact)),
        }
    }

    /// The two keys derived from the server's key file (outside the database).
    pub fn from_keys(keys: &crate::keys::Keys) -> AnonymityKeys {
        AnonymityKeys::new(keys.derive(NULLIFIER_LABEL), keys.derive(CONTACT_LABEL))
    }

    /// The nullifier of a case code (given as its stored hash) within a campaign.
    pub fn nullifier(&self, campaign_id: i32, code_hash: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.nullifier.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(&campaign_id.to_be_bytes());
        mac.update(code_hash.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.contact.expose_secret().into())
    }

    /// `nonce ‖ ciphertext` of a contact left for this campaign and unit.
    pub fn seal(&self, campaign_id: i32, unit_id: i32, contact: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated(campaign_id, unit_id);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: contact.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("encrypting in memory cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens what [`AnonymityKeys::seal`] sealed for the same campaign and unit.
    pub fn open(&self, campaign_id: i32, unit_id: i32, sealed: &[u8]) -> Result<String, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Short);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let aad = associated(campaign_id, unit_id);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Opaque)?;
        String::from_utf8(plain).map_err(|_| SealError::NotText)
    }
}

fn associated(campaign_id: i32, unit_id: i32) -> [u8; 8] {
    let mut aad = [0u8; 8];
    aad[..4].copy_from_slice(&campaign_id.to_be_bytes());
    aad[4..].copy_from_slice(&unit_id.to_be_bytes());
    aad
}

/// A fresh random key for a row whose only order must be meaningless.
pub fn random_key() -> Vec<u8> {
    let mut key = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> AnonymityKeys {
        AnonymityKeys::new([1; 32], [2; 32])
    }

    #[test]
    fn a_sealed_contact_opens_only_for_its_campaign_and_unit_and_key() {
        let sealed = keys().seal(3, 7, "13800138000");
        assert!(!sealed.windows(11).any(|w| w == b"13800138000"));
        assert_eq!(keys().open(3, 7, &sealed).unwrap(), "13800138000");
        assert_eq!(keys().open(3, 8, &sealed), Err(SealError::Opaque));
        let other = AnonymityKeys::new([1; 32], [9; 32]);
        assert_eq!(other.open(3, 7, &sealed), Err(SealError::Opaque));
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(keys().open(3, 7, &altered), Err(SealError::Opaque));
        assert_eq!(keys().open(3, 7, &sealed[..10]), Err(SealError::Short));
        assert_ne!(
            keys().seal(3, 7, "x"),
            keys().seal(3, 7, "x"),
            "fresh nonce"
        );
    }

    #[test]
    fn nullifiers_depend_on_key_campaign_and_code() {
        let n = keys().nullifier(1, "abc");
        assert_eq!(n, keys().nullifier(1, "abc"));
        assert_eq!(n.len(), 64);
        assert_ne!(n, keys().nullifier(2, "abc"));
        assert_ne!(n, keys().nullifier(1, "abd"));
        assert_ne!(n, AnonymityKeys::new([3; 32], [2; 32]).nullifier(1, "abc"));
    }
}
