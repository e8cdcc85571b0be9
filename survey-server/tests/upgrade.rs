//! A database written by the schema before the log recorded events and before contacts were
//! sealed, upgraded: nothing is lost, no time survives beside a response, and the log still
//! verifies.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::Connection;
use diesel_migrations::MigrationHarness;
use survey_server::anonymity::AnonymityKeys;
use survey_server::db::{self, DatabaseUrl, DbPool};

const FIRST_NEW: &str = "2026-12-03-000001";

/// Legacy rows: one response with its leaf and a flag, a consented contact and a device tag
/// timed like the response, and a redeemed case code.
const LEGACY: &str = "
INSERT INTO questionnaire_versions (id, questionnaire_id, version, content_hash, source, created_at)
    VALUES (1, 'q', '1', 'h', 'x', 0);
INSERT INTO units (id, code, name_zh, name_en, kind) VALUES (1, 'police', '公安分局', 'Police', 'department');
INSERT INTO campaigns (id, slug, label_zh, label_en, wave, questionnaire_version_id, starts_on, ends_on, status, created_at)
    VALUES (1, '2025-final', '终期', 'final', '2025', 1, '2025-01-01', '2025-12-31', 'open', 0);
INSERT INTO responses (id, campaign_id, unit_id, questionnaire_version_id, idempotency_key, lang, form_issued_at, submitted_at, duration_ms)
    VALUES (7, 1, 1, 1, 'k', 'zh', 1000, 1750000000123, 60000);
INSERT INTO log_leaves (campaign_id, leaf_index, response_id, salt, leaf_hash)
    VALUES (1, 0, 7, X'00000000000000000000000000000000', X'0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO response_flags (response_id, flag, detail, flagged_at) VALUES (7, 'speeder', '', 1750000000123);
INSERT INTO contacts (campaign_id, unit_id, contact, consented_at) VALUES (1, 1, '13800138000', 1750000000123);
INSERT INTO device_seen (campaign_id, unit_id, device_tag, first_seen_at) VALUES (1, 1, 'tag', 1750000000123);
INSERT INTO case_codes (campaign_id, unit_id, code_hash, created_at, redeemed_at) VALUES (1, 1, 'codehash', 0, 1750000000123);
";

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::RunQueryDsl::get_result::<N>(diesel::sql_query(sql), conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

#[test]
fn a_database_of_the_previous_schema_upgrades_without_losing_a_contact_or_keeping_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let path = path.to_str().unwrap();
    let mut conn = SqliteConnection::establish(path).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    // Creates diesel's table of applied migrations.
    assert!(conn.applied_migrations().unwrap().is_empty());
    let migrations = MigrationSource::<Sqlite>::migrations(&db::SQLITE_MIGRATIONS).unwrap();
    for migration in migrations
        .iter()
        .filter(|m| m.name().to_string().as_str() < FIRST_NEW)
    {
        conn.run_migration(migration.as_ref()).unwrap();
    }
    conn.batch_execute(LEGACY).unwrap();
    drop(conn);

    // Opening migrates the rest.
    let pool = DbPool::open(&DatabaseUrl::Sqlite(path.to_string()), 1).unwrap();
    let keys = AnonymityKeys::new([1; 32], [2; 32]);
    let mut pooled = pool.get().unwrap();
    assert_eq!(db::contacts::seal_unsealed(&mut pooled, &keys).unwrap(), 1);
    let opened = db::contacts::open_all(&mut pooled, &keys, 1).unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].contact, "13800138000");
    assert_eq!(db::contacts::seal_unsealed(&mut pooled, &keys).unwrap(), 0);
    drop(pooled);

    let mut conn = SqliteConnection::establish(path).unwrap();
    for (sql, expected) in [
        ("SELECT COUNT(*) AS n FROM contacts_unsealed", 0),
        ("SELECT COUNT(*) AS n FROM device_seen", 1),
        (
            "SELECT COUNT(*) AS n FROM log_leaves WHERE kind = 'response' AND response_id = 7",
            1,
        ),
        ("SELECT COUNT(*) AS n FROM response_flags", 1),
        // Used, at no recorded time.
        (
            "SELECT COUNT(*) AS n FROM case_codes WHERE redeemed_at = 0",
            1,
        ),
    ] {
        assert_eq!(count(&mut conn, sql), expected, "{sql}");
    }
    // No column of the traces still holds the response's time.
    for table in [
        "contacts",
        "device_seen",
        "case_code_uses",
        "contacts_unsealed",
    ] {
        let columns = count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM pragma_table_info('{table}') \
                 WHERE name LIKE '%_at'"
            ),
        );
        assert_eq!(columns, 0, "{table} keeps a time");
    }
    // The leaf tables kept their append-only triggers.
    let refused = conn.batch_execute("DELETE FROM log_leaves");
    assert!(refused.is_err());
    let refused = conn.batch_execute("DELETE FROM response_flags");
    assert!(refused.is_err());
}
