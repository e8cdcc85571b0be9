//! A database written by the schema that kept one row per answer, upgraded to one row per
//! response: every answer is kept, in the bytes its log leaf committed to (so the log still
//! verifies), and the counts the progress page reads start from what was stored.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel_migrations::MigrationHarness;
use minyi_integrity::leaf::{encode_answers, SALT_LEN};
use minyi_integrity::{Frontier, LeafRecord};
use survey_server::db::schema::{log_leaves, responses};
use survey_server::db::{self, DatabaseUrl, DbConn, DbPool};

const FIRST_NEW: &str = "2026-12-04-000001";

/// (id, unit, respondent type, submitted at, answers in the order they were written).
type Legacy = (
    i32,
    i32,
    Option<&'static str>,
    i64,
    Vec<(&'static str, &'static str)>,
);

fn legacy() -> Vec<Legacy> {
    vec![
        (
            1,
            1,
            Some("resident"),
            1_750_000_000_000,
            vec![
                ("q10", "5"),
                ("q2", "是"),
                ("Q1", ""),
                ("note", "很好，谢谢"),
            ],
        ),
        (2, 2, None, 1_750_000_100_000, vec![]),
        (
            3,
            1,
            Some("business"),
            1_750_086_400_000,
            vec![("q1", "na"), ("q1_other", "a,b")],
        ),
    ]
}

fn owned(answers: &[(&str, &str)]) -> Vec<(String, String)> {
    answers
        .iter()
        .map(|(i, v)| (i.to_string(), v.to_string()))
        .collect()
}

fn record((id, unit, kind, at, answers): &Legacy) -> LeafRecord {
    LeafRecord {
        salt: [*id as u8; SALT_LEN],
        campaign: "2025-final".into(),
        response_id: (*id).into(),
        unit: if *unit == 1 { "police" } else { "market" }.into(),
        site: String::new(),
        respondent_type: kind.unwrap_or_default().into(),
        lang: "zh".into(),
        questionnaire: "h".into(),
        submitted_at_ms: *at,
        duration_ms: 60_000,
        link_check: "signed".into(),
        over_quota: false,
        collection: minyi_integrity::Collection::default(),
        answers: owned(answers),
    }
}

/// The legacy rows as SQL, with blobs written as `blob` writes them.
fn legacy_sql(blob: fn(&[u8]) -> String) -> String {
    let mut sql = String::from(
        "INSERT INTO questionnaire_versions (id, questionnaire_id, version, content_hash, source, created_at)
             VALUES (1, 'q', '1', 'h', 'x', 0);
         INSERT INTO units (id, code, name_zh, name_en, kind) VALUES
             (1, 'police', '公安分局', 'Police', 'department'),
             (2, 'market', '市场监管局', 'Market', 'department');
         INSERT INTO campaigns (id, slug, label_zh, label_en, wave, questionnaire_version_id, starts_on, ends_on, status, created_at)
             VALUES (1, '2025-final', '终期', 'final', '2025', 1, '2025-01-01', '2025-12-31', 'open', 0);
         DELETE FROM log_state;\n",
    );
    let mut frontier = Frontier::new();
    for (index, row) in legacy().iter().enumerate() {
        let (id, unit, kind, at, answers) = row;
        let kind = kind.map_or("NULL".to_string(), |k| format!("'{k}'"));
        sql += &format!(
            "INSERT INTO responses (id, campaign_id, unit_id, questionnaire_version_id, idempotency_key, \
             respondent_type, lang, form_issued_at, submitted_at, duration_ms, link_check, over_quota) \
             VALUES ({id}, 1, {unit}, 1, 'k{id}', {kind}, 'zh', {}, {at}, 60000, 'signed', false);\n",
            at - 60_000
        );
        for (item, value) in answers {
            sql += &format!(
                "INSERT INTO answers (response_id, item_id, value) VALUES ({id}, '{item}', '{value}');\n"
            );
        }
        let leaf = record(row);
        let hash = leaf.hash();
        frontier.push(hash);
        sql += &format!(
            "INSERT INTO log_leaves (campaign_id, leaf_index, response_id, salt, leaf_hash, kind, event) \
             VALUES (1, {index}, {id}, {}, {}, 'response', '');\n",
            blob(&leaf.salt),
            blob(&hash)
        );
    }
    sql += "INSERT INTO response_flags (response_id, flag, detail, flagged_at) \
            VALUES (1, 'speeder', '', 0), (3, 'speeder', '', 0), (3, 'honeypot', '', 0);\n";
    sql += &format!(
        "INSERT INTO log_state (campaign_id, frontier) VALUES (1, {});\n",
        blob(&frontier.to_bytes())
    );
    sql
}

/// What the upgraded database must hold.
fn check(conn: &mut DbConn) {
    let rows: Vec<(i32, Vec<u8>)> = responses::table
        .order(responses::id)
        .select((responses::id, responses::answers))
        .load(conn)
        .unwrap();
    assert_eq!(rows.len(), 3);
    for ((id, bytes), row) in rows.iter().zip(legacy()) {
        assert_eq!(*id, row.0);
        assert_eq!(
            bytes,
            &encode_answers(&owned(&row.4)),
            "response {id}: the stored answers are the bytes its leaf committed to"
        );
    }
    // Read back as the exports and the verification read them: every leaf recomputes.
    let page = db::responses::page(conn, 1, 0, 100).unwrap();
    let leaves: Vec<Vec<u8>> = log_leaves::table
        .order(log_leaves::leaf_index)
        .select(log_leaves::leaf_hash)
        .load(conn)
        .unwrap();
    for (((stored, answers), leaf), row) in page.iter().zip(&leaves).zip(legacy()) {
        let mut expected = owned(&row.4);
        expected.sort();
        assert_eq!(answers, &expected, "response {}", stored.id);
        let mut again = record(&row);
        again.answers = answers.clone();
        assert_eq!(again.hash().to_vec(), *leaf, "response {}", stored.id);
    }
    // The counts start from what was stored: per unit, per day (China Standard Time), per cell.
    assert_eq!(
        db::responses::counts_by_unit(conn, 1).unwrap(),
        vec![(1, 2), (2, 1)]
    );
    let days: Vec<(i64, i64)> = db::responses::counts_by_day(conn, 1)
        .unwrap()
        .iter()
        .map(|d| (d.day, d.n))
        .collect();
    assert_eq!(days, vec![(20254, 2), (20255, 1)]);
    assert_eq!(
        db::responses::counts_by_unit_type(conn, 1).unwrap(),
        vec![
            ((1, "business".to_string()), 1),
            ((1, "resident".to_string()), 1),
            ((2, String::new()), 1)
        ]
    );
    // The quality panel's counts start from the stored flags too.
    let quality: Vec<(i32, i64, String, i64)> = db::quality::report(conn, 1)
        .unwrap()
        .into_iter()
        .map(|q| (q.unit_id, q.day, q.flag, q.n))
        .collect();
    assert_eq!(
        quality,
        vec![
            (1, 20254, String::new(), 1),
            (1, 20254, "speeder".to_string(), 1),
            (1, 20255, String::new(), 1),
            (1, 20255, "honeypot".to_string(), 1),
            (1, 20255, "speeder".to_string(), 1),
            (2, 20254, String::new(), 1),
        ]
    );
    // The old table is gone, and responses stay append-only.
    assert!(diesel::sql_query("SELECT * FROM answers")
        .execute(conn)
        .is_err());
    let refused = diesel::sql_query("UPDATE responses SET answers = answers")
        .execute(conn)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("append-only"), "{refused}");
}

#[test]
fn a_sqlite_database_of_answer_rows_upgrades_to_one_row_per_response() {
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
    conn.batch_execute(&legacy_sql(|b| format!("X'{}'", hex::encode(b))))
        .unwrap();
    drop(conn);

    let pool = DbPool::open(&DatabaseUrl::Sqlite(path.to_string()), 1).unwrap();
    check(&mut pool.get().unwrap());
}

#[test]
fn a_postgres_database_of_answer_rows_upgrades_to_one_row_per_response() {
    let Ok(server) = std::env::var("MINYI_TEST_PG_URL") else {
        eprintln!("MINYI_TEST_PG_URL not set: the PostgreSQL upgrade is not tested here");
        return;
    };
    let server = server.trim_end_matches('/').to_string();
    let name = format!("minyi_upgrade_rows_{}", std::process::id());
    let mut admin = PgConnection::establish(&format!("{server}/postgres")).unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    let url = format!("{server}/{name}");
    let mut conn = PgConnection::establish(&url).unwrap();
    assert!(conn.applied_migrations().unwrap().is_empty());
    let migrations = MigrationSource::<Pg>::migrations(&db::POSTGRES_MIGRATIONS).unwrap();
    for migration in migrations
        .iter()
        .filter(|m| m.name().to_string().as_str() < FIRST_NEW)
    {
        conn.run_migration(migration.as_ref()).unwrap();
    }
    conn.batch_execute(&legacy_sql(|b| format!("'\\x{}'::bytea", hex::encode(b))))
        .unwrap();
    drop(conn);

    db::migrate_postgres(&url).unwrap();
    let pool = DbPool::open(&DatabaseUrl::Postgres(url), 1).unwrap();
    check(&mut pool.get().unwrap());
    drop(pool);
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
}
