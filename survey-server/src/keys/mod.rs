//! The server's keys, kept in a file with restricted permissions and never in the database:
//! whoever holds the database (the body being assessed, its DBA) must not be able to rewrite
//! the integrity log and sign new heads over it.
//!
//! The file (TOML, format `minyi-keys/1`) holds the Ed25519 key that signs the log's tree
//! heads, the public keys it replaced (with when they were retired, so their heads still
//! verify with them), and a 32-byte master secret from which other secrets are derived
//! ([`Keys::derive`]). It is made with mode 0600 at setup (`migrate`, the first start on
//! SQLite, `demo`); a file that others may read or write, or that does not parse, stops the
//! server with the problem named. [`setup`] also moves the key that older versions kept in
//! `instance_secrets` into the file.

mod file;
mod setup;

use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use minyi_integrity::{PublicKey, SigningKey};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use sha2::Sha256;

pub use file::KeysError;
pub use setup::{open, setup};

/// A signing key that no longer signs, kept so that the heads it signed can be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredKey {
    pub public_key: PublicKey,
    pub retired_at_ms: i64,
}

/// The server's keys, loaded once at startup. Debug output shows only public keys.
pub struct Keys {
    path: PathBuf,
    signing: SigningKey,
    master_secret: SecretBox<[u8; 32]>,
    retired: Vec<RetiredKey>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("path", &self.path)
            .field("public_key", &self.public_key().to_hex())
            .field("retired", &self.retired)
            .field("secrets", &"[REDACTED]")
            .finish()
    }
}

impl Keys {
    /// Reads the key file at `path`, refusing one that others may read or write.
    pub fn load(path: &Path) -> Result<Keys, KeysError> {
        file::read(path)
    }

    /// Makes a new key file at `path` (mode 0600; an existing file is never overwritten) with
    /// `signing` as the current key, or a fresh one.
    pub fn create(path: &Path, signing: Option<SigningKey>) -> Result<Keys, KeysError> {
        let keys = Keys {
            path: path.to_path_buf(),
            signing: signing.unwrap_or_else(random_signing_key),
            master_secret: random_secret(),
            retired: Vec::new(),
        };
        file::create(&keys)?;
        Ok(keys)
    }

    /// HMAC-SHA256(master secret, `label`): a 32-byte secret for one purpose, the same in every
    /// process that shares the key file. Name the purpose and its version in the label
    /// (`"case-code-nullifier/1"`).
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.master_secret.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The key that signs the log's tree heads now.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The current key's public half (what the evaluator holds).
    pub fn public_key(&self) -> PublicKey {
        self.signing.public()
    }

    /// Keys that signed heads before, oldest first.
    pub fn retired(&self) -> &[RetiredKey] {
        &self.retired
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes a new signing key and retires the current one; the file is replaced atomically.
    pub fn rotate(&mut self) -> Result<(), KeysError> {
        let old = std::mem::replace(&mut self.signing, random_signing_key());
        self.retired.push(RetiredKey {
            public_key: old.public(),
            retired_at_ms: crate::db::now_ms(),
        });
        file::replace(self)
    }

    /// Adds `public_key` to the retired keys (unless it is the current key or retired
    /// already) and saves the file. Returns whether it was added.
    pub fn retire(&mut self, public_key: PublicKey) -> Result<bool, KeysError> {
        if public_key == self.public_key()
            || self.retired.iter().any(|r| r.public_key == public_key)
        {
            return Ok(false);
        }
        self.retired.push(RetiredKey {
            public_key,
            retired_at_ms: crate::db::now_ms(),
        });
        file::replace(self)?;
        Ok(true)
    }
}

/// 32 bytes from the operating system's CSPRNG.
fn random_secret() -> SecretBox<[u8; 32]> {
    let mut secret = SecretBox::new(Box::new([0u8; 32]));
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, secret.expose_secret_mut());
    secret
}

fn random_signing_key() -> SigningKey {
    SigningKey::from_bytes(random_secret().expose_secret()).expect("32 bytes")
}
