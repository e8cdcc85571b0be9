//! Storage: one pool type over SQLite (embedded, the default) and PostgreSQL.
//!
//! Backend-specific SQL (PRAGMAs, `BEGIN IMMEDIATE`) lives only here, behind the match on
//! [`DbConn`]; the query modules are written once and expanded for each backend by the
//! [`with_conn!`] and [`write_transaction!`] macros.

pub mod accounts;
pub mod campaigns;
pub mod case_codes;
pub mod contacts;
pub mod group_commit;
pub mod log;
pub mod plans;
pub mod quality;
pub mod reports;
pub mod responses;
pub mod schema;
pub mod secrets;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The SQLite migrations (public for the upgrade tests, which stop part-way).
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

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

/// Sets the durability settings on every pooled SQLite connection, not just the first.
#[derive(Debug)]
struct SqliteDurability;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqliteDurability {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;"
        ))
        .map_err(diesel::r2d2::Error::QueryError)?;
        // WAL is a property of the file, set once. Setting it again while another connection
        // writes fails with "database is locked" without waiting, so only set it when needed.
        let mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result::<Mode>(conn)
            .map_err(diesel::r2d2::Error::QueryError)?;
        if !mode.journal_mode.eq_ignore_ascii_case("wal") {
            conn.batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

#[derive(Clone)]
pub enum DbPool {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

pub enum DbConn {
    Sqlite(PooledConnection<ConnectionManager<SqliteConnection>>),
    Postgres(PooledConnection<ConnectionManager<PgConnection>>),
}

/// Runs `$body` with `$c` bound to the backend's `&mut` connection.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite(pooled) => {
                let $c: &mut diesel::sqlite::SqliteConnection = &mut *pooled;
                $body
            }
            $crate::db::DbConn::Postgres(pooled) => {
                let $c: &mut diesel::pg::PgConnection = &mut *pooled;
                $body
            }
        }
    };
}

/// Runs `$body` in a write transaction: `BEGIN IMMEDIATE` on SQLite (take the write lock
/// up front, so a transaction never fails half-way on a lock upgrade), a plain transaction on
/// PostgreSQL.
#[macro_export]
macro_rules! write_transaction {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite(pooled) => pooled.immediate_transaction(|$c| $body),
            $crate::db::DbConn::Postgres(pooled) => {
                diesel::Connection::transaction(&mut **pooled, |$c| $body)
            }
        }
    };
}

impl DbPool {
    /// Opens a pool. A SQLite database is created and migrated; a PostgreSQL one must already
    /// be migrated (`survey-server migrate`).
    pub fn open(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, DbError> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| DbError::Open(format!("{}: {e}", dir.display())))?;
                    }
                }
                let pool = Pool::builder()
                    .max_size(max_size)
                    .connection_timeout(Duration::from_secs(30))
                    .connection_customizer(Box::new(SqliteDurability))
                    .build(ConnectionManager::<SqliteConnection>::new(path))
                    .map_err(|e| DbError::Open(format!("{path}: {e}")))?;
                let pool = DbPool::Sqlite(pool);
                pool.migrate()?;
                Ok(pool)
            }
            DatabaseUrl::Postgres(url) => {
                let pool = Pool::builder()
                    .max_size(max_size)
                    .connection_timeout(Duration::from_secs(30))
                    .build(ConnectionManager::<PgConnection>::new(url))
                    .map_err(|e| DbError::Open(redact(&e.to_string(), url)))?;
                let pool = DbPool::Postgres(pool);
                pool.check_postgres_durability()?;
                let pending = pool.pending_migrations()?;
                if !pending.is_empty() {
                    return Err(DbError::Migration(format!(
                        "{} migration(s) pending ({}); run `survey-server migrate` first",
                        pending.len(),
                        pending.join(", ")
                    )));
                }
                Ok(pool)
            }
        }
    }

    /// An acknowledged response must survive a crash: refuse a PostgreSQL that does not flush
    /// its commits (`fsync` or `synchronous_commit` off).
    fn check_postgres_durability(&self) -> Result<(), DbError> {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            setting: String,
        }
        let DbConn::Postgres(mut conn) = self.get()? else {
            return Ok(());
        };
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

    pub fn get(&self) -> Result<DbConn, DbError> {
        Ok(match self {
            DbPool::Sqlite(pool) => DbConn::Sqlite(pool.get()?),
            DbPool::Postgres(pool) => DbConn::Postgres(pool.get()?),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbPool::Sqlite(_) => "sqlite",
            DbPool::Postgres(_) => "postgres",
        }
    }

    /// Applies pending migrations; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        let applied = match &mut conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }

    fn pending_migrations(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        let pending = match &mut conn {
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
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(&mut **c, "BEGIN")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            &mut **c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )?,
    }
    let result = read(conn);
    let ended = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::rollback_transaction(&mut **c),
        DbConn::Postgres(c) => AnsiTransactionManager::rollback_transaction(&mut **c),
    };
    let value = result?;
    ended?;
    Ok(value)
}

/// Milliseconds since the Unix epoch, the timestamp unit of every table.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
