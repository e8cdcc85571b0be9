//! Building and running the application: `Application::build(settings)` binds the listener
//! (port 0 picks a free one, as the tests do), `port()`, `run_until_stopped()`.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use minyi_questionnaire::Questionnaire;

use crate::auth::session::SessionSettings;
use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::db::campaigns::{self, CampaignContext, Site, StoredQuestionnaire, Unit};
use crate::db::group_commit::GroupCommitter;
use crate::db::{secrets, DbPool};
use crate::error::AppError;
use crate::keys::Keys;
use crate::routes;
use crate::token::FormSigner;

type CampaignParts = (Vec<Unit>, Vec<Site>, StoredQuestionnaire);

/// How long a campaign's units and sites are kept before they are read again.
const PARTS_TTL: Duration = Duration::from_secs(60);
/// How long a campaign's row is cached for the citizen's pages.
const ROW_TTL: Duration = Duration::from_secs(1);

/// What every handler shares.
pub struct AppState {
    pub pool: DbPool,
    /// Gathers concurrent submissions into one transaction and one flush.
    pub committer: GroupCommitter,
    pub signer: FormSigner,
    pub sessions: SessionSettings,
    pub throttle: LoginThrottle,
    /// The configured public address for generated links, or empty.
    pub public_url: String,
    /// Parsed questionnaires by stored version id; versions are immutable, so never stale.
    questionnaires: RwLock<HashMap<i32, Arc<Questionnaire>>>,
    /// A campaign's units, sites and questionnaire row by campaign id, kept for a minute (or
    /// until [`AppState::forget_campaign_parts`]).
    campaign_parts: RwLock<HashMap<i32, (Instant, Arc<CampaignParts>)>>,
    /// A campaign's row by slug, kept for [`ROW_TTL`] (or until
    /// [`AppState::forget_campaign_parts`], which a status change through this server calls):
    /// the form and its submissions do not read the database before queueing. The writer
    /// checks the wave's status and dates again in the storing transaction, so a wave closed
    /// elsewhere takes no response either.
    campaign_rows: RwLock<HashMap<String, (Instant, Option<campaigns::Campaign>)>>,
    /// Rate limits, burst detection and the speeder threshold.
    pub guards: crate::anti_stuffing::Guards,
    /// The configured privacy notice (zh, en); empty for the default.
    pub privacy_notice: (String, String),
    /// The server's keys from the key file: the log's signing key, and
    /// [`Keys::derive`](crate::keys::Keys::derive) for secrets made from the master secret.
    pub keys: Arc<Keys>,
    /// The keys that make case-code redemptions and contacts unreadable in the database
    /// (derived from the key file, never from anything the database holds).
    pub anonymity: Arc<crate::anonymity::AnonymityKeys>,
    /// The keys that seal a sample's frame rows, phone numbers and notes, and make its SMS codes.
    pub fieldwork: Arc<crate::fieldwork::seal::FieldworkKeys>,
    /// The configured bulk-SMS portal's API, if any.
    pub sms_gateway: Option<Arc<crate::fieldwork::sms_gateway::HttpGateway>>,
}

impl AppState {
    pub fn new(
        pool: DbPool,
        keys: Arc<Keys>,
        signer: FormSigner,
        sessions: SessionSettings,
    ) -> AppState {
        let anonymity = Arc::new(crate::anonymity::AnonymityKeys::from_keys(&keys));
        let fieldwork = Arc::new(crate::fieldwork::seal::FieldworkKeys::from_keys(&keys));
        AppState {
            fieldwork,
            sms_gateway: None,
            anonymity,
            committer: GroupCommitter::start(pool.clone()),
            pool,
            signer,
            sessions,
            throttle: LoginThrottle::default(),
            public_url: String::new(),
            questionnaires: RwLock::default(),
            campaign_parts: RwLock::default(),
            campaign_rows: RwLock::default(),
            guards: crate::anti_stuffing::Guards::from_settings(&Settings::for_database(
                "minyi.db",
            ))
            .expect("the test settings are valid"),
            privacy_notice: Default::default(),
            keys,
        }
    }

    /// The campaign behind a link: its row from a cache of a second, its units, sites and
    /// questionnaire from one of a minute.
    pub async fn campaign(&self, slug: &str) -> Result<Option<Arc<CampaignContext>>, AppError> {
        let cached = self
            .campaign_rows
            .read()
            .expect("lock")
            .get(slug)
            .filter(|(at, _)| at.elapsed() < ROW_TTL)
            .map(|(_, row)| row.clone());
        let row = match cached {
            Some(row) => row,
            None => {
                let pool = self.pool.clone();
                let key = slug.to_string();
                let row = web::block(move || campaigns::find(&mut *pool.get()?, &key)).await??;
                let mut rows = self.campaign_rows.write().expect("lock");
                if rows.len() > 10_000 {
                    rows.clear();
                }
                rows.insert(slug.to_string(), (Instant::now(), row.clone()));
                row
            }
        };
        let Some(campaign) = row else {
            return Ok(None);
        };
        let cached = self
            .campaign_parts
            .read()
            .expect("lock")
            .get(&campaign.id)
            .cloned();
        let parts = match cached {
            Some((at, parts))
                if at.elapsed() < PARTS_TTL && parts.2.id == campaign.questionnaire_version_id =>
            {
                parts
            }
            _ => {
                let (pool, row) = (self.pool.clone(), campaign.clone());
                let parts =
                    Arc::new(web::block(move || campaigns::parts(&mut *pool.get()?, &row)).await??);
                self.campaign_parts
                    .write()
                    .expect("lock")
                    .insert(campaign.id, (Instant::now(), parts.clone()));
                parts
            }
        };
        let (units, sites, questionnaire) = (*parts).clone();
        Ok(Some(Arc::new(CampaignContext {
            campaign,
            units,
            sites,
            questionnaire,
        })))
    }

    /// Drops the cached rows, units and sites (after a unit is renamed or a wave opened or
    /// closed).
    pub fn forget_campaign_parts(&self) {
        self.campaign_parts.write().expect("lock").clear();
        self.campaign_rows.write().expect("lock").clear();
    }

    /// The parsed questionnaire of a stored version, checked against its content hash.
    pub fn questionnaire(
        &self,
        stored: &StoredQuestionnaire,
    ) -> Result<Arc<Questionnaire>, AppError> {
        if let Some(q) = self.questionnaires.read().expect("lock").get(&stored.id) {
            return Ok(q.clone());
        }
        let q = Questionnaire::parse(&stored.source).with_context(|| {
            format!("stored questionnaire version {} does not parse", stored.id)
        })?;
        if q.content_hash() != stored.content_hash {
            return Err(AppError::Unexpected(anyhow::anyhow!(
                "stored questionnaire version {} does not match its content hash",
                stored.id
            )));
        }
        let q = Arc::new(q);
        self.questionnaires
            .write()
            .expect("lock")
            .insert(stored.id, q.clone());
        Ok(q)
    }
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let database = settings.database()?;
        let pool = DbPool::open(&database, settings.pool_size).context("opening the database")?;
        let key = secrets::form_token_key(&mut *pool.get()?).context("loading the form key")?;
        // A SQLite server makes its key file at first start; PostgreSQL's servers share the one
        // `migrate` made.
        let keys = Arc::new(crate::keys::open(&settings, &pool)?);
        tracing::info!(public_key = %keys.public_key().to_hex(), "integrity log key");
        crate::integrity::start_cadence(
            pool.clone(),
            keys.clone(),
            std::time::Duration::from_secs(settings.head_interval_seconds),
        );
        let mut state = AppState::new(
            pool,
            keys,
            FormSigner::new(key, settings.form_max_age_hours),
            settings.sessions(),
        );
        state.public_url = settings.public_url.trim_end_matches('/').to_string();
        state.sms_gateway = settings
            .sms_gateway
            .as_ref()
            .map(crate::fieldwork::sms_gateway::HttpGateway::new)
            .transpose()
            .map_err(|e| anyhow::anyhow!("sms_gateway.{e}"))?
            .map(Arc::new);
        state.guards = crate::anti_stuffing::Guards::from_settings(&settings)?;
        state.guards.flag_writer = Some(crate::anti_stuffing::flag_writer::FlagWriter::start(
            state.pool.clone(),
        ));
        state.privacy_notice = (
            settings.privacy_notice_zh.clone(),
            settings.privacy_notice_en.clone(),
        );
        let sealed = crate::db::contacts::seal_unsealed(&mut *state.pool.get()?, &state.anonymity)
            .context("sealing contacts left before contacts were sealed")?;
        if sealed > 0 {
            tracing::info!(sealed, "contacts from before this version sealed");
        }
        let state = web::Data::new(state);
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("binding {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let max_body = settings.max_body_bytes;
        let tls = settings.public_url.starts_with("https://");
        let body_timeout = Duration::from_secs(settings.body_timeout_seconds);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(move |req, next| {
                    crate::read_timeout::limit(body_timeout, req, next)
                }))
                .wrap(security_headers(tls))
                // Gzip for the weak mountain signal: the form shrinks from ~23 KB to ~4 KB.
                .wrap(Compress::default())
                .app_data(state.clone())
                .configure(|cfg| routes::configure(cfg, max_body))
        })
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The page may load nothing but itself: inline styles, a `data:` icon, posts to its own
/// origin. A browser then refuses any external request a later change might add.
/// No script may run at all (no `script-src`, so not even inline script with a nonce).
/// Served over TLS (the public address is `https://`), browsers are told to keep to it.
fn security_headers(tls: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"));
    if tls {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

/// Today's date in China Standard Time (UTC+8), as `YYYY-MM-DD`: campaign periods are
/// local dates.
pub fn today() -> String {
    campaigns::today_cst()
}
