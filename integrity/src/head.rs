//! Signed tree heads: the server's Ed25519 signature over (campaign, size, time, root).
//!
//! The signed message is `minyi-sth/1` as a length-prefixed field (as in [`crate::leaf`]),
//! then the campaign code as a length-prefixed field, the tree size (8 bytes, big-endian), the
//! signing time in milliseconds (8 bytes, big-endian) and the 32-byte root.

use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};

use crate::merkle::Hash;

pub const FORMAT: &str = "minyi-sth/1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a public key is 64 hexadecimal digits (32 bytes); got {0:?}")]
    BadPublicKey(String),
    #[error("a signing key is 32 bytes")]
    BadSigningKey,
}

/// The log's signing key (kept by the server; never leaves it).
pub struct SigningKey(ed25519_dalek::SigningKey);

/// The half of the key the evaluator holds, as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl SigningKey {
    /// A key from 32 secret bytes (drawn from the OS's CSPRNG by whoever makes the key).
    pub fn from_bytes(bytes: &[u8]) -> Result<SigningKey, KeyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadSigningKey)?;
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    /// The 32 secret bytes, for the server's key file (wipe the copy once written).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, head: TreeHead) -> SignedHead {
        let signature = self.0.sign(&head.message());
        SignedHead {
            public_key: self.public().to_hex(),
            signature: hex::encode(signature.to_bytes()),
            head,
        }
    }
}

impl PublicKey {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        let bad = || KeyError::BadPublicKey(text.to_string());
        let bytes: [u8; 32] = hex::decode(text.trim())
            .map_err(|_| bad())?
            .try_into()
            .map_err(|_| bad())?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| bad())
    }
}

/// What a head says: after `tree_size` responses, the log of `campaign` had this root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub campaign: String,
    pub tree_size: u64,
    pub timestamp_ms: i64,
    #[serde(with = "hex_hash")]
    pub root: Hash,
}

impl TreeHead {
    /// The bytes the signature covers.
    pub fn message(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        for text in [FORMAT, self.campaign.as_str()] {
            out.extend_from_slice(&(text.len() as u32).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&self.tree_size.to_be_bytes());
        out.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        out.extend_from_slice(&self.root);
        out
    }
}

/// A head with its signature and the public key that made it, as served and as kept in a
/// bundle's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHead {
    #[serde(flatten)]
    pub head: TreeHead,
    pub public_key: String,
    pub signature: String,
}

impl SignedHead {
    /// Checks the signature with `key` — the evaluator's own copy of the public key, not the
    /// one the head carries (anyone can make a key and sign with it).
    pub fn verify(&self, key: &PublicKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
            return false;
        };
        key.0.verify(&self.head.message(), &signature).is_ok()
    }
}

mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(&text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("a root is 64 hexadecimal digits"))
    }
}
