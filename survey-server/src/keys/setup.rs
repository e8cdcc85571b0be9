//! Opening the keys at setup and startup, and the upgrade of a database from before the key
//! file: its `log_signing_key` row in `instance_secrets` becomes the file's current key (so the
//! heads it signed still verify with the key the evaluator holds) when there is no file yet,
//! or a retired key when there is one — and the row is deleted once the file holds it.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use super::{Keys, KeysError};
use crate::config::Settings;
use crate::db::{secrets, DatabaseUrl, DbPool};

/// The keys a server or command with `settings` uses: the key file is made when missing only
/// for SQLite (one file beside one database); PostgreSQL's is made by `migrate`.
pub fn open(settings: &Settings, pool: &DbPool) -> anyhow::Result<Keys> {
    let sqlite = matches!(settings.database()?, DatabaseUrl::Sqlite(_));
    setup(&settings.key_file_path()?, pool, sqlite)
}

/// The keys at `path`, made when missing if `may_create` (`migrate`, `demo`, a SQLite server's
/// start; never a PostgreSQL server's, whose processes must share one file made at setup).
pub fn setup(path: &Path, pool: &DbPool, may_create: bool) -> anyhow::Result<Keys> {
    let mut conn = pool.get().context("opening the database for the keys")?;
    let legacy = secrets::legacy_log_key(&mut conn).context("reading the legacy log key")?;
    let keys = match Keys::load(path) {
        Ok(mut keys) => {
            if let Some(old) = &legacy {
                if keys.retire(old.public())? {
                    tracing::warn!(
                        retired = %old.public().to_hex(),
                        "the database held another log key: retired it in the key file"
                    );
                }
            }
            keys
        }
        Err(KeysError::Missing { .. }) if may_create => create(path, legacy)?,
        Err(e) => return Err(e.into()),
    };
    secrets::forget_legacy_log_key(&mut conn).context("deleting the legacy log key")?;
    Ok(keys)
}

/// Makes the file, with the legacy key as its current key if there is one. Another process
/// starting on the same SQLite file may make it first: then that one is read.
fn create(path: &Path, legacy: Option<minyi_integrity::SigningKey>) -> anyhow::Result<Keys> {
    let moved = legacy.is_some();
    match Keys::create(path, legacy) {
        Ok(keys) => {
            if moved {
                tracing::info!(path = %path.display(), "moved the log key from the database into the key file");
            }
            Ok(keys)
        }
        Err(KeysError::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
            // Written and synced by the other process within moments.
            for _ in 0..40 {
                match Keys::load(path) {
                    Err(KeysError::Malformed { .. }) => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    other => return Ok(other?),
                }
            }
            Ok(Keys::load(path)?)
        }
        Err(e) => Err(e.into()),
    }
}
