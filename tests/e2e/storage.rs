//! The storage layer's promises, on the real databases.

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};
use survey_server::db::campaigns::store_questionnaire;
use survey_server::db::{DatabaseUrl, DbConn, DbPool};

use crate::helpers::{fresh_database, valid_answers, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    responses_are_append_only,
    questionnaire_version_is_frozen_once_answered,
    changed_questionnaire_needs_a_new_version
);

fn execute(conn: &mut DbConn, sql: &str) -> Result<usize, diesel::result::Error> {
    {
        let c: &mut survey_server::db::DbConn = conn;
        diesel::sql_query(sql).execute(c)
    }
}

async fn responses_are_append_only(app: TestApp) {
    let form = "/s/2025-final/market";
    let token = app.token(form).await;
    assert_eq!(
        app.post_form(form, &valid_answers(&token)).await.status(),
        303
    );
    let mut conn = app.pool.get().unwrap();
    for sql in [
        "UPDATE responses SET unit_id = unit_id",
        "DELETE FROM responses",
        "UPDATE responses SET answers = answers",
    ] {
        let refused = execute(&mut conn, sql).expect_err(sql).to_string();
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    if app_is_postgres(&mut conn) {
        assert!(
            execute(&mut conn, "TRUNCATE responses CASCADE").is_err(),
            "TRUNCATE is refused too"
        );
    }
    assert_eq!(
        app.stored(OPEN_CAMPAIGN)[0].1.len(),
        valid_answers("").len() - 2
    );
}

fn app_is_postgres(conn: &mut DbConn) -> bool {
    matches!(conn, DbConn::Postgres(_))
}

async fn questionnaire_version_is_frozen_once_answered(app: TestApp) {
    let mut conn = app.pool.get().unwrap();
    // Before any response the version may still be corrected.
    execute(
        &mut conn,
        "UPDATE questionnaire_versions SET created_at = created_at + 1",
    )
    .unwrap();
    let form = "/s/2025-final/market";
    let token = app.token(form).await;
    assert_eq!(
        app.post_form(form, &valid_answers(&token)).await.status(),
        303
    );
    let update = execute(&mut conn, "UPDATE questionnaire_versions SET source = 'x'");
    let message = update
        .expect_err("a referenced version must not change")
        .to_string();
    assert!(message.contains("frozen"), "{message}");
    let delete = execute(&mut conn, "DELETE FROM questionnaire_versions");
    assert!(delete.is_err());
    let switch = execute(
        &mut conn,
        "UPDATE campaigns SET questionnaire_version_id = questionnaire_version_id + 1000",
    );
    assert!(
        switch.is_err(),
        "a campaign with responses cannot switch questionnaires"
    );
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 1);
}

async fn changed_questionnaire_needs_a_new_version(app: TestApp) {
    let mut conn = app.pool.get().unwrap();
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    let id = store_questionnaire(&mut conn, &q, DEFAULT_TOML).unwrap();
    assert_eq!(
        store_questionnaire(&mut conn, &q, DEFAULT_TOML).unwrap(),
        id,
        "same content, same row"
    );
    let edited_source = DEFAULT_TOML.replace("依法履职，该管的事管到位", "依法履职");
    let edited = Questionnaire::parse(&edited_source).unwrap();
    let err = store_questionnaire(&mut conn, &edited, &edited_source)
        .unwrap_err()
        .to_string();
    assert!(err.contains("new version"), "{err}");
    let bumped_source = edited_source.replace("version = \"2025.1\"", "version = \"2025.2\"");
    let bumped = Questionnaire::parse(&bumped_source).unwrap();
    assert_ne!(
        store_questionnaire(&mut conn, &bumped, &bumped_source).unwrap(),
        id
    );
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[test]
fn every_pooled_sqlite_connection_is_durable() {
    let (url, _dir, _) = fresh_database(Backend::Sqlite);
    let pool = DbPool::open(&DatabaseUrl::parse(&url).unwrap(), 3).unwrap();
    // Hold three connections at once so the check covers more than the first.
    let mut held: Vec<_> = (0..3).map(|_| pool.get().unwrap()).collect();
    for conn in &mut held {
        let DbConn::Sqlite(c) = &mut **conn else {
            panic!("expected SQLite")
        };
        let mode: Pragma = diesel::sql_query("PRAGMA journal_mode")
            .get_result(c)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        let sync: Number = diesel::sql_query("SELECT synchronous AS value FROM pragma_synchronous")
            .get_result(c)
            .unwrap();
        assert_eq!(sync.value, 2, "synchronous=FULL");
        let busy: Number = diesel::sql_query("SELECT timeout AS value FROM pragma_busy_timeout")
            .get_result(c)
            .unwrap();
        assert!(busy.value >= 5000);
        let fk: Number = diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
            .get_result(c)
            .unwrap();
        assert_eq!(fk.value, 1);
    }
}

#[test]
fn postgres_without_durable_commits_is_refused() {
    use diesel::Connection;
    let (url, _, name) = fresh_database(Backend::Postgres);
    let name = name.unwrap();
    let mut admin =
        diesel::PgConnection::establish(&crate::helpers::postgres_database_url("postgres"))
            .unwrap();
    diesel::sql_query(format!(
        "ALTER DATABASE {name} SET synchronous_commit = off"
    ))
    .execute(&mut admin)
    .unwrap();
    let refused = DbPool::open(&DatabaseUrl::parse(&url).unwrap(), 1)
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("synchronous_commit = off"),
        "{refused}"
    );
    diesel::sql_query(format!("ALTER DATABASE {name} RESET synchronous_commit"))
        .execute(&mut admin)
        .unwrap();
    assert!(DbPool::open(&DatabaseUrl::parse(&url).unwrap(), 1).is_ok());
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}

#[test]
fn postgres_with_pending_migrations_is_refused_until_migrate() {
    use diesel::Connection;
    let name = format!("minyi_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin =
        diesel::PgConnection::establish(&crate::helpers::postgres_database_url("postgres"))
            .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let url = crate::helpers::postgres_database_url(&name);
    let refused = DbPool::open(&DatabaseUrl::parse(&url).unwrap(), 1)
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("survey-server migrate"),
        "{refused}"
    );
    let applied = survey_server::db::migrate_postgres(&url).unwrap();
    let folders = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/postgres"
    ))
    .unwrap()
    .filter(|e| e.as_ref().unwrap().path().is_dir())
    .count();
    assert_eq!(applied.len(), folders, "every migration applied");
    assert!(
        survey_server::db::migrate_postgres(&url)
            .unwrap()
            .is_empty(),
        "idempotent"
    );
    assert!(DbPool::open(&DatabaseUrl::parse(&url).unwrap(), 1).is_ok());
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}
