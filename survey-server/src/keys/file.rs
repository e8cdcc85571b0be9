//! The key file on disk: its TOML form, its permissions (0600, checked at every load), and
//! writing it so that a crash never leaves half a file (a new file is made with `create_new`,
//! a changed one written beside it and renamed into place).

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use minyi_integrity::{PublicKey, SigningKey};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::Deserialize;

use super::{Keys, RetiredKey};

const FORMAT: &str = "minyi-keys/1";

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error(
        "the key file {path} does not exist: run `survey-server migrate` to make it, or set \
         key_file (MINYI_KEY_FILE) to the file the other servers on this database use"
    )]
    Missing { path: String },
    #[error("the key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the key file {path} is {who} (mode {mode:04o}): it holds the log's signing key; \
         run `chmod 600 {path}`, and make a new key (`survey-server log key --rotate`) if \
         anyone else may have read it"
    )]
    Permissions {
        path: String,
        who: String,
        mode: u32,
    },
    #[error("the key file {path} is malformed: {problem}")]
    Malformed { path: String, problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    format: String,
    signing_key: SecretString,
    master_secret: SecretString,
    #[serde(default)]
    retired: Vec<StoredRetired>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRetired {
    public_key: String,
    retired_at_ms: i64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeysError + '_ {
    move |source| KeysError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Which of the group's and others' permissions the mode grants.
fn open_to_others(mode: u32) -> Option<String> {
    let bits = [
        (0o040, "readable by its group"),
        (0o020, "writable by its group"),
        (0o010, "executable by its group"),
        (0o004, "readable by others"),
        (0o002, "writable by others"),
        (0o001, "executable by others"),
    ];
    let granted: Vec<&str> = bits
        .iter()
        .filter(|(bit, _)| mode & bit != 0)
        .map(|(_, what)| *what)
        .collect();
    (!granted.is_empty()).then(|| granted.join(", "))
}

pub(super) fn read(path: &Path) -> Result<Keys, KeysError> {
    let shown = path.display().to_string();
    let metadata = match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeysError::Missing { path: shown })
        }
        other => other.map_err(io(path))?,
    };
    let mode = metadata.permissions().mode() & 0o777;
    if let Some(who) = open_to_others(mode) {
        return Err(KeysError::Permissions {
            path: shown,
            who,
            mode,
        });
    }
    let owned = Zeroizing::new(fs::read_to_string(path).map_err(io(path))?);
    let text: &str = &owned;
    let malformed = |problem: String| KeysError::Malformed {
        path: shown.clone(),
        problem,
    };
    // The parser's own message would quote the offending line, which may hold a secret: only
    // its description and line number are shown.
    let stored: Stored = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(0);
        malformed(format!("line {line}: {}", e.message().trim()))
    })?;
    if stored.format != FORMAT {
        return Err(malformed(format!(
            "format is {:?}, not {FORMAT:?}",
            stored.format
        )));
    }
    let signing = secret_bytes(&stored.signing_key)
        .and_then(|b| SigningKey::from_bytes(b.expose_secret()).ok())
        .ok_or_else(|| malformed("signing_key is not 64 hexadecimal digits".into()))?;
    let master_secret = secret_bytes(&stored.master_secret)
        .ok_or_else(|| malformed("master_secret is not 64 hexadecimal digits".into()))?;
    let retired = stored
        .retired
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(RetiredKey {
                public_key: PublicKey::from_hex(&r.public_key)
                    .map_err(|e| malformed(format!("retired key {}: {e}", i + 1)))?,
                retired_at_ms: r.retired_at_ms,
            })
        })
        .collect::<Result<_, KeysError>>()?;
    Ok(Keys {
        path: path.to_path_buf(),
        signing,
        master_secret,
        retired,
    })
}

fn secret_bytes(hex_text: &SecretString) -> Option<SecretBox<[u8; 32]>> {
    let bytes = Zeroizing::new(hex::decode(hex_text.expose_secret().trim()).ok()?);
    let array: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(SecretBox::new(Box::new(array)))
}

/// The file's text. It holds the secrets: it is wiped when dropped.
fn render(keys: &Keys) -> Zeroizing<String> {
    let signing = Zeroizing::new(keys.signing.to_bytes());
    let mut out = Zeroizing::new(String::new());
    let text: &mut String = &mut out;
    let _ = writeln!(
        text,
        "# minyi's server keys. Keep this file secret (mode 0600), backed up, and out of the\n\
         # database. The log's public key, for the evaluator: {}\n\
         format = \"{FORMAT}\"\n\
         signing_key = \"{}\"\n\
         master_secret = \"{}\"",
        keys.public_key().to_hex(),
        Zeroizing::new(hex::encode(*signing)).as_str(),
        Zeroizing::new(hex::encode(keys.master_secret.expose_secret())).as_str(),
    );
    for retired in &keys.retired {
        let _ = writeln!(
            text,
            "\n[[retired]]\npublic_key = \"{}\"\nretired_at_ms = {}",
            retired.public_key.to_hex(),
            retired.retired_at_ms
        );
    }
    out
}

/// Writes a new file with mode 0600; fails if `path` exists.
fn write_new(path: &Path, keys: &Keys) -> Result<(), KeysError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    file.write_all(render(keys).as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    sync_dir(path)
}

/// Makes the key file; an existing one is left alone (`Io` with `AlreadyExists`).
pub(super) fn create(keys: &Keys) -> Result<(), KeysError> {
    write_new(&keys.path, keys)
}

/// Replaces the key file: written beside it, then renamed over it.
pub(super) fn replace(keys: &Keys) -> Result<(), KeysError> {
    let mut beside = keys.path.clone().into_os_string();
    beside.push(format!(".{:016x}.new", rand::random::<u64>()));
    let beside = std::path::PathBuf::from(beside);
    write_new(&beside, keys)?;
    fs::rename(&beside, &keys.path).map_err(io(&keys.path))?;
    sync_dir(&keys.path)
}

/// Makes a new or renamed file's directory entry durable.
fn sync_dir(path: &Path) -> Result<(), KeysError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}
