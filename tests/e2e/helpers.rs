//! Spawning the real application on a random port with a fresh database of its own, and
//! talking HTTP to it.

use std::path::PathBuf;
use std::sync::Arc;

use diesel::{Connection, RunQueryDsl};
use survey_server::config::Settings;
use survey_server::db::campaigns::{self, CampaignContext};
use survey_server::db::responses::{self, ResponseWithAnswers};
use survey_server::db::{DatabaseUrl, DbPool};
use survey_server::keys::Keys;
use survey_server::startup::Application;
use tempfile::TempDir;

pub use survey_server::demo::{CLOSED_CAMPAIGN, OPEN_CAMPAIGN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the suite uses (a fresh database per test is created on it).
pub fn postgres_server_url() -> String {
    std::env::var("MINYI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// The URL of one database on the test server. TLS is turned off: the server is on loopback,
/// and libpq's OpenSSL clean-up at process exit races the idle connections of the pools the
/// suite's servers leave behind (a SIGSEGV in `OPENSSL_cleanup` after every test passed).
pub fn postgres_database_url(database: &str) -> String {
    let server = postgres_server_url();
    match server.split_once('?') {
        Some((base, query)) => format!("{base}/{database}?sslmode=disable&{query}"),
        None => format!("{server}/{database}?sslmode=disable"),
    }
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    backend: Backend,
    pub pool: DbPool,
    pub client: reqwest::Client,
    /// The server's keys, as its key file holds them (made for this app alone).
    pub keys: Arc<Keys>,
    pub key_file: PathBuf,
    _dir: Option<TempDir>,
    _key_dir: TempDir,
    pg_database: Option<String>,
}

/// A fresh database of the backend, migrated and loaded with the demo data.
pub fn fresh_database(backend: Backend) -> (String, Option<TempDir>, Option<String>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("minyi.db");
            (path.to_str().unwrap().to_string(), Some(dir), None)
        }
        Backend::Postgres => {
            let name = format!("minyi_test_{}", uuid::Uuid::new_v4().simple());
            let admin_url = postgres_database_url("postgres");
            let mut admin = diesel::PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin_url} is needed for the suite: {e}")
            });
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .unwrap();
            let url = postgres_database_url(&name);
            survey_server::db::migrate_postgres(&url).expect("migrating the test database");
            (url, None, Some(name))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// The app with settings changed by `adjust` (rate limits, proxies, notices…).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, dir, pg_database) = fresh_database(backend);
    let pool = DbPool::open(&DatabaseUrl::parse(&database_url).unwrap(), 4).expect("pool");
    survey_server::demo::load(&pool).expect("demo data");
    // The key file as setup makes it (`migrate`; a SQLite server would make it at start).
    let key_dir = tempfile::tempdir().expect("temp dir");
    let key_file = key_dir.path().join("minyi.keys");
    let keys = Arc::new(survey_server::keys::setup(&key_file, &pool, true).expect("keys"));
    let mut settings = Settings::for_database(&database_url);
    settings.key_file = key_file.to_str().unwrap().to_string();
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let database_url_kept = database_url.clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        database_url: database_url_kept,
        backend,
        pool,
        client,
        keys,
        key_file,
        _dir: dir,
        _key_dir: key_dir,
        pg_database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_database {
            if let Ok(mut admin) =
                diesel::PgConnection::establish(&postgres_database_url("postgres"))
            {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

impl TestApp {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The keys the server seals contacts and derives nullifiers with (what only the server
    /// holds), to tell in a test who is who.
    pub fn anonymity_keys(&self) -> survey_server::anonymity::AnonymityKeys {
        survey_server::anonymity::AnonymityKeys::from_keys(&self.keys)
    }

    /// Runs SQL straight on the database, as someone with access to it could.
    pub fn execute(&self, sql: &str) {
        let mut conn = self.pool.get().unwrap();
        ({
            let c: &mut survey_server::db::DbConn = &mut conn;
            diesel::sql_query(sql).execute(c)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A second server process on the same database, sharing the key file; returns its
    /// address.
    pub async fn second_server(&self) -> String {
        let mut settings = Settings::for_database(&self.database_url);
        settings.key_file = self.key_file.to_str().unwrap().to_string();
        let app = Application::build(settings)
            .await
            .expect("second app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_form(&self, path: &str, fields: &[(String, String)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// GETs a form and returns the token it carries.
    pub async fn token(&self, path: &str) -> String {
        let body = self.get(path).await.text().await.unwrap();
        token_in(&body)
    }

    pub fn context(&self, slug: &str) -> CampaignContext {
        campaigns::load_context(&mut self.pool.get().unwrap(), slug)
            .unwrap()
            .unwrap()
    }

    /// Every stored response of a campaign, with its answers.
    pub fn stored(&self, slug: &str) -> Vec<ResponseWithAnswers> {
        let id = self.context(slug).campaign.id;
        responses::list_for_campaign(&mut self.pool.get().unwrap(), id).unwrap()
    }

    pub fn unit_code(&self, slug: &str, unit_id: i32) -> String {
        let ctx = self.context(slug);
        ctx.units
            .iter()
            .find(|u| u.id == unit_id)
            .unwrap()
            .code
            .clone()
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates a console account (as `survey-server user add` does).
    pub fn add_user(&self, username: &str, role: &str) {
        let hash = survey_server::auth::password::hash(PASSWORD).unwrap();
        survey_server::db::accounts::create_user(
            &mut self.pool.get().unwrap(),
            username,
            &hash,
            role,
        )
        .unwrap();
    }

    /// A client with its own cookie jar, not yet signed in.
    pub fn browser_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in as a browser does: the sign-in page first (its CSRF cookie and token), then the
    /// form.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = client.get(self.url("/console/login")).send().await.unwrap();
        let csrf = value_of(&page.text().await.unwrap(), "_csrf");
        let form = [
            ("username", username),
            ("password", password),
            ("next", "/console"),
            ("_csrf", &csrf),
        ];
        client
            .post(self.url("/console/login"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// An export of the open wave (`responses.csv`, `bundle.zip`, …) as a signed-in client sees
    /// it.
    pub async fn export(&self, client: &reqwest::Client, file: &str) -> Vec<u8> {
        client
            .get(self.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/export/{file}")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec()
    }

    /// A signed-in client and its CSRF token.
    pub async fn signed_in(&self, username: &str) -> (reqwest::Client, String) {
        let client = self.browser_client();
        let response = self.sign_in(&client, username, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in of {username}");
        let page = client
            .get(self.url("/console"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (client, value_of(&page, "_csrf"))
    }
}

/// The value of a hidden field in a page.
pub fn value_of(html: &str, field: &str) -> String {
    let marker = format!(r#"name="{field}" value=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {field} in page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The value of the form's hidden `_t` field.
pub fn token_in(html: &str) -> String {
    value_of(html, "_t")
}

/// A complete, valid answer set for the default questionnaire (a local resident).
pub fn valid_answers(token: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("_t", token),
        ("respondent_type", "resident"),
        ("township", "taihuai"),
        ("contact_kind", "inspection"),
        ("contact_kind", "penalty"),
        ("contact_when", "m1"),
    ];
    for item in LIKERT_ITEMS {
        fields.push((item, "4"));
    }
    fields.push(("standard_documents", "na"));
    for item in PROBLEM_ITEMS {
        fields.push((item, "no"));
    }
    fields.push(("prob_crude", "yes"));
    fields.extend([
        ("sys_certificate", "yes"),
        ("sys_rights", "yes"),
        ("sys_recorded", "na"),
        ("overall_score", "8"),
        ("suggestion", "希望执法人员多做解释。"),
    ]);
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Likert items shown to every respondent, except `standard_documents` (answered `na`).
pub const LIKERT_ITEMS: [&str; 13] = [
    "strict_duty",
    "strict_consistent",
    "standard_procedure",
    "fair_equal",
    "fair_outcome",
    "civil_manner",
    "civil_listen",
    "sys_lawful",
    "disc_proportion",
    "disc_leniency",
    "trust_law",
    "trust_result",
    "overall_sat",
];

/// Incidence items other than `prob_crude` (answered yes).
pub const PROBLEM_ITEMS: [&str; 6] = [
    "prob_campaign",
    "prob_one_size",
    "prob_brutal",
    "prob_excessive",
    "prob_mechanical",
    "prob_profit",
];

/// Replaces (or adds) a field's value(s).
pub fn with(fields: &[(String, String)], name: &str, values: &[&str]) -> Vec<(String, String)> {
    let mut out: Vec<_> = fields.iter().filter(|(k, _)| k != name).cloned().collect();
    out.extend(values.iter().map(|v| (name.to_string(), v.to_string())));
    out
}

pub fn without(fields: &[(String, String)], name: &str) -> Vec<(String, String)> {
    fields.iter().filter(|(k, _)| k != name).cloned().collect()
}

/// Generates a `mod NAME { sqlite, postgres }` pair of tests running `NAME(app)` on each
/// backend, each with a fresh database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await).await
                }
                #[tokio::test]
                async fn postgres() {
                    super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await).await
                }
            }
        )*
    };
}
