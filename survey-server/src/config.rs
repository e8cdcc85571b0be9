//! The server's configuration: one typed struct, layered defaults → file → `MINYI_…`
//! environment variables → command-line flags, passed in explicitly.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::db::{DatabaseUrl, DbError};

#[derive(Debug, Deserialize)]
pub struct Settings {
    /// A SQLite path (default `minyi.db`) or a `postgres://` URL; may hold a password.
    pub database_url: SecretString,
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// The public address printed in form links and QR codes, e.g. `https://survey.example.cn`.
    pub public_url: String,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// How long a form stays valid after it was served, in hours.
    pub form_max_age_hours: u32,
    /// A console session ends after this many idle minutes…
    pub session_idle_minutes: u32,
    /// …and at the latest this many hours after sign-in.
    pub session_absolute_hours: u32,
    /// How often the integrity log's heads are signed while responses come in, in seconds
    /// (a head is also signed when a campaign closes and for every export bundle).
    pub head_interval_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads settings from defaults, an optional TOML file and `MINYI_*` variables
    /// (`MINYI_DATABASE_URL`, `MINYI_PORT`, …).
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder()
            .set_default("database_url", "minyi.db")?
            .set_default("host", "127.0.0.1")?
            .set_default("port", 8080)?
            .set_default("public_url", "")?
            .set_default("max_body_bytes", 64 * 1024)?
            .set_default("pool_size", 8)?
            .set_default("form_max_age_hours", 72)?
            .set_default("session_idle_minutes", 30)?
            .set_default("session_absolute_hours", 12)?
            .set_default("head_interval_seconds", 300)?;
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            builder = builder.add_source(config::File::from(file).required(true));
        }
        let settings: Settings = builder
            .add_source(config::Environment::with_prefix("MINYI").try_parsing(true))
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Settings for tests and the demo: a given database, port 0 unless told.
    pub fn for_database(database_url: &str) -> Settings {
        Settings {
            database_url: SecretString::from(database_url.to_string()),
            host: "127.0.0.1".into(),
            port: 0,
            public_url: String::new(),
            max_body_bytes: 64 * 1024,
            pool_size: 8,
            form_max_age_hours: 72,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            head_interval_seconds: 300,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.database()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if self.head_interval_seconds == 0 {
            return Err(ConfigError::Invalid(
                "head_interval_seconds must be at least 1".into(),
            ));
        }
        if self.pool_size == 0 {
            return Err(ConfigError::Invalid("pool_size must be at least 1".into()));
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "max_body_bytes must be at least 1024".into(),
            ));
        }
        if !self.public_url.is_empty() && url::Url::parse(&self.public_url).is_err() {
            return Err(ConfigError::Invalid(format!(
                "public_url {:?} is not a URL",
                self.public_url
            )));
        }
        Ok(())
    }

    /// Session settings: cookies are `Secure` and `__Host-` prefixed when the public URL is
    /// https (the server sits behind a TLS proxy).
    pub fn sessions(&self) -> crate::auth::session::SessionSettings {
        crate::auth::session::SessionSettings {
            idle_ms: i64::from(self.session_idle_minutes) * 60_000,
            absolute_ms: i64::from(self.session_absolute_hours) * 3_600_000,
            secure: self.public_url.starts_with("https://"),
        }
    }

    pub fn database(&self) -> Result<DatabaseUrl, DbError> {
        DatabaseUrl::parse(self.database_url.expose_secret())
    }

    pub fn set_database_url(&mut self, url: &str) {
        self.database_url = SecretString::from(url.to_string());
    }

    /// The base of printed links: `public_url`, or the listening address.
    pub fn base_url(&self, port: u16) -> String {
        if self.public_url.is_empty() {
            format!("http://{}:{}", self.host, port)
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }
}
