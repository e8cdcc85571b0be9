//! Storage: one connection type over SQLite (embedded, the default) and PostgreSQL.
//!
//! [`DbConn`] is a diesel `MultiConnection`: every query module is written once, as plain
//! functions over `&mut DbConn`, and type-checked once. The few statements the two dialects
//! write differently (`ON CONFLICT`, `BEGIN IMMEDIATE`, PRAGMAs) go through [`native`], which
//! runs one query value on whichever backend the connection is.

pub mod accounts;
pub mod campaigns;
pub mod case_codes;
pub mod contacts;
pub mod counts;
pub mod fieldwork;
pub mod group_commit;
pub mod log;
pub mod plans;
pub mod quality;
pub mod reports;
pub mod responses;
pub mod schema;
pub mod secrets;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::query_dsl::methods::{ExecuteDsl, LoadQuery};
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The migrations of each backend (public for the upgrade tests, which stop part-way).
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// How long a SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("could not get a database connection")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("could not open the database: {0}")]
    Open(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the case code is already used")]
    CaseCodeUsed,
    #[error("the case code is unknown for this unit")]
    CaseCodeUnknown,
    #[error("this device already answered for this unit")]
    DeviceRepeat,
    #[error("the stratum's quota is full")]
    QuotaFull,
    #[error("the wave is closed")]
    CampaignClosed,
    #[error("the wave is not open yet")]
    NotYetOpen,
}

/// Which database a URL names: `postgres://…` / `postgresql://…`, else a SQLite file
/// (`sqlite://path`, `file:path` or a bare path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, DbError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DbError::Invalid("database_url is empty".into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.contains("://") {
            return Err(DbError::Invalid(format!(
                "database_url scheme not supported (use a SQLite path or postgres://…): {}",
                path.split("://").next().unwrap_or_default()
            )));
        }
        Ok(DatabaseUrl::Sqlite(path.to_string()))
    }
}

/// A connection to either backend. Query modules take `&mut DbConn`; a pooled connection
/// ([`Pooled`]) dereferences to one.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pooled = PooledConnection<Manager>;

/// Opens connections of the backend the URL names (never guessing from the string, as
/// `Connection::establish` on a `MultiConnection` would), and gives every SQLite connection
/// its durability settings.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                sqlite_durability(&mut conn).map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// The durability settings of every SQLite connection, not just the first: FULL sync, WAL,
/// foreign keys, a busy timeout.
fn sqlite_durability(conn: &mut SqliteConnection) -> QueryResult<()> {
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;"
    ))?;
    // WAL is a property of the file, set once. Setting it again while another connection
    // writes fails with "database is locked" without waiting, so only set it when needed.
    let mode = diesel::sql_query("PRAGMA journal_mode").get_result::<Mode>(conn)?;
    if !mode.journal_mode.eq_ignore_ascii_case("wal") {
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    Ok(())
}

/// Runs one statement that only the backends' own dialects can express (`ON CONFLICT`): the
/// query value is built once, and executed as SQLite or PostgreSQL SQL.
pub fn native<Q>(conn: &mut DbConn, query: Q) -> QueryResult<usize>
where
    Q: ExecuteDsl<SqliteConnection> + ExecuteDsl<PgConnection>,
{
    match conn {
        DbConn::Sqlite(c) => ExecuteDsl::<SqliteConnection>::execute(query, c),
        DbConn::Postgres(c) => ExecuteDsl::<PgConnection>::execute(query, c),
    }
}

/// As [`native`], for a statement that returns rows (`ON CONFLICT … RETURNING`).
pub fn native_load<'q, Q, U>(conn: &mut DbConn, query: Q) -> QueryResult<Vec<U>>
where
    Q: LoadQuery<'q, SqliteConnection, U> + LoadQuery<'q, PgConnection, U>,
{
    match conn {
        DbConn::Sqlite(c) => LoadQuery::<SqliteConnection, U>::internal_load(query, c)?.collect(),
        DbConn::Postgres(c) => LoadQuery::<PgConnection, U>::internal_load(query, c)?.collect(),
    }
}

/// Runs `body` in a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write lock up
/// front, so a transaction never fails half-way on a lock upgrade), a plain transaction on
/// PostgreSQL. Committed when `body` returns `Ok`, rolled back otherwise.
pub fn write_transaction<T, E>(
    conn: &mut DbConn,
    body: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match body(conn) {
        Ok(value) => {
            match conn {
                DbConn::Sqlite(c) => AnsiTransactionManager::commit_transaction(c)?,
                DbConn::Postgres(c) => AnsiTransactionManager::commit_transaction(c)?,
            }
            Ok(value)
        }
        Err(e) => {
            let _ = match conn {
                DbConn::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                DbConn::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
            };
            Err(e)
        }
    }
}

/// A database pool of either backend.
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<Manager>,
    backend: Backend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbPool {
    /// Opens a pool. A SQLite database is created and migrated; a PostgreSQL one must already
    /// be migrated (`survey-server migrate`).
    pub fn open(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, DbError> {
        let (backend, shown) = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| DbError::Open(format!("{}: {e}", dir.display())))?;
                    }
                }
                (Backend::Sqlite, path.clone())
            }
            DatabaseUrl::Postgres(_) => (Backend::Postgres, String::new()),
        };
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(30))
            .build(Manager { url: url.clone() })
            .map_err(|e| match url {
                DatabaseUrl::Sqlite(_) => DbError::Open(format!("{shown}: {e}")),
                DatabaseUrl::Postgres(url) => DbError::Open(redact(&e.to_string(), url)),
            })?;
        let pool = DbPool { pool, backend };
        match backend {
            Backend::Sqlite => {
                pool.migrate()?;
            }
            Backend::Postgres => {
                pool.check_postgres_durability()?;
                let pending = pool.pending_migrations()?;
                if !pending.is_empty() {
                    return Err(DbError::Migration(format!(
                        "{} migration(s) pending ({}); run `survey-server migrate` first",
                        pending.len(),
                        pending.join(", ")
                    )));
                }
            }
        }
        Ok(pool)
    }

    /// An acknowledged response must survive a crash: refuse a PostgreSQL that does not flush
    /// its commits (`fsync` or `synchronous_commit` off).
    fn check_postgres_durability(&self) -> Result<(), DbError> {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            setting: String,
        }
        let mut conn = self.get()?;
        for name in ["fsync", "synchronous_commit"] {
            let value: Setting =
                diesel::sql_query(format!("SELECT current_setting('{name}') AS setting"))
                    .get_result(&mut *conn)?;
            if value.setting == "off" {
                return Err(DbError::Invalid(format!(
                    "PostgreSQL has {name} = off: an acknowledged response could be lost in a crash; \
                     turn it on (the default) before serving"
                )));
            }
        }
        Ok(())
    }

    pub fn get(&self) -> Result<Pooled, DbError> {
        Ok(self.pool.get()?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Applies pending migrations; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        let applied = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }

    fn pending_migrations(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        let pending = match &mut *conn {
            DbConn::Sqlite(c) => c
                .pending_migrations(SQLITE_MIGRATIONS)
                .map(|m| m.iter().map(|m| m.name().to_string()).collect()),
            DbConn::Postgres(c) => c
                .pending_migrations(POSTGRES_MIGRATIONS)
                .map(|m| m.iter().map(|m| m.name().to_string()).collect()),
        };
        pending.map_err(|e| DbError::Migration(e.to_string()))
    }
}

/// Opens a single PostgreSQL connection (for `migrate`, which must not require migrations).
pub fn migrate_postgres(url: &str) -> Result<Vec<String>, DbError> {
    let mut conn =
        PgConnection::establish(url).map_err(|e| DbError::Open(redact(&e.to_string(), url)))?;
    let applied = conn
        .run_pending_migrations(POSTGRES_MIGRATIONS)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Keeps a connection URL's password out of error messages (and anything else printed).
pub fn redact(message: &str, url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match parsed.password() {
            Some(password) if !password.is_empty() => message.replace(password, "***"),
            _ => message.to_string(),
        },
        Err(_) => message.to_string(),
    }
}

/// Runs `read` inside one read-only snapshot of the database (a deferred transaction on SQLite,
/// whose WAL gives each reader a snapshot; `REPEATABLE READ` on PostgreSQL), so that several
/// queries see the same committed state. The transaction is always rolled back: nothing is
/// written.
pub fn read_snapshot<T>(
    conn: &mut DbConn,
    read: impl FnOnce(&mut DbConn) -> Result<T, DbError>,
) -> Result<T, DbError> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )?,
    }
    let result = read(conn);
    let ended = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConn::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
    };
    let value = result?;
    ended?;
    Ok(value)
}

/// Milliseconds since the Unix epoch, the timestamp unit of every table.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
