//! The server's configuration: one typed struct, layered defaults → file → `MINYI_…`
//! environment variables → command-line flags, passed in explicitly.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::db::{DatabaseUrl, DbError};

const DEFAULT_BODY_TIMEOUT_SECONDS: u64 = 15;

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
    /// A request body that sends nothing for this many seconds is answered 408.
    pub body_timeout_seconds: u64,
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
    /// A response completed faster than this after its form was served is flagged `speeder`.
    pub speeder_seconds: u64,
    /// Submissions per minute from one client address (0: no limit)…
    pub rate_limit_per_address: u32,
    /// …and from one network, its /24 or /64 (0: no limit).
    pub rate_limit_per_network: u32,
    /// Proxies whose `X-Forwarded-For` is believed, comma-separated addresses (empty: none; the
    /// peer's own address is then the client's).
    pub trusted_proxies: String,
    /// This many near-identical responses from one site, network or device…
    pub burst_threshold: u32,
    /// …within this many minutes are flagged `burst`.
    pub burst_window_minutes: u32,
    /// Contact details and device tags older than this are removed by `survey-server purge`.
    pub retention_days: u32,
    /// A privacy notice replacing the default one on the form (Chinese; empty: the default)…
    pub privacy_notice_zh: String,
    /// …and in English.
    pub privacy_notice_en: String,
    /// The file holding the integrity log's signing key and the master secret (never a table:
    /// the database's holder must not be able to re-sign the log). Empty: `<database>.keys`
    /// beside a SQLite file; PostgreSQL needs it set, to the one file its servers share.
    pub key_file: String,
    /// A bulk-SMS portal's HTTP API for fieldwork invitations (`[sms_gateway]`: `url`,
    /// `body_template` with `{{phone}}` and `{{text}}`, `content_type`, `auth_header`,
    /// `timeout_seconds`). Without it, invitations leave through the CSV outbox only.
    #[serde(default)]
    pub sms_gateway: Option<crate::fieldwork::sms_gateway::HttpGatewayConfig>,
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
            .set_default("body_timeout_seconds", DEFAULT_BODY_TIMEOUT_SECONDS)?
            .set_default("pool_size", 8)?
            .set_default("form_max_age_hours", 72)?
            .set_default("session_idle_minutes", 30)?
            .set_default("session_absolute_hours", 12)?
            .set_default("head_interval_seconds", 300)?
            .set_default("speeder_seconds", 60)?
            .set_default("rate_limit_per_address", 20)?
            .set_default("rate_limit_per_network", 200)?
            .set_default("trusted_proxies", "")?
            .set_default("burst_threshold", 20)?
            .set_default("burst_window_minutes", 10)?
            .set_default("retention_days", 365)?
            .set_default("privacy_notice_zh", "")?
            .set_default("privacy_notice_en", "")?
            .set_default("key_file", "")?;
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
            body_timeout_seconds: DEFAULT_BODY_TIMEOUT_SECONDS,
            pool_size: 8,
            form_max_age_hours: 72,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            head_interval_seconds: 300,
            speeder_seconds: 60,
            // Tests and the demo submit from one address far faster than a person could.
            rate_limit_per_address: 0,
            rate_limit_per_network: 0,
            trusted_proxies: String::new(),
            burst_threshold: 20,
            burst_window_minutes: 10,
            retention_days: 365,
            privacy_notice_zh: String::new(),
            privacy_notice_en: String::new(),
            key_file: String::new(),
            sms_gateway: None,
        }
    }

    /// The trusted proxies as addresses; an entry that is not one is named.
    pub fn trusted_proxy_addresses(&self) -> Result<Vec<std::net::IpAddr>, ConfigError> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|_| {
                    ConfigError::Invalid(format!("trusted_proxies: {a:?} is not an IP address"))
                })
            })
            .collect()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.database()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        self.trusted_proxy_addresses()?;
        if self.head_interval_seconds == 0 {
            return Err(ConfigError::Invalid(
                "head_interval_seconds must be at least 1".into(),
            ));
        }
        if self.body_timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "body_timeout_seconds must be at least 1".into(),
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
        if let Some(gateway) = &self.sms_gateway {
            crate::fieldwork::sms_gateway::HttpGateway::new(gateway)
                .map_err(|e| ConfigError::Invalid(format!("sms_gateway.{e}")))?;
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

    /// Where the server's keys live: `key_file`, or beside a SQLite database.
    pub fn key_file_path(&self) -> Result<std::path::PathBuf, ConfigError> {
        if !self.key_file.trim().is_empty() {
            return Ok(self.key_file.trim().into());
        }
        match self.database() {
            Ok(DatabaseUrl::Sqlite(path)) => Ok(format!("{path}.keys").into()),
            Ok(DatabaseUrl::Postgres(_)) => Err(ConfigError::Invalid(
                "key_file (MINYI_KEY_FILE) must be set for PostgreSQL: the file with the log's \
                 signing key, shared by every server on the database"
                    .into(),
            )),
            Err(e) => Err(ConfigError::Invalid(e.to_string())),
        }
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
