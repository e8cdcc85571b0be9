//! The log's signing key lives in a key file, never in the database: a running server leaves
//! no log key in `instance_secrets`, an older database's key is moved out into the file, and
//! a history rewritten and re-signed with any other key is refused with the evaluator's key.

use std::os::unix::fs::PermissionsExt;

use diesel::prelude::*;
use minyi_integrity::{Problem, SigningKey};
use survey_server::config::Settings;
use survey_server::db::schema::instance_secrets;
use survey_server::db::{log, secrets};
use survey_server::integrity::verify_campaign;
use survey_server::keys::{self, Keys};
use survey_server::startup::Application;

use crate::helpers::{TestApp, OPEN_CAMPAIGN};
use crate::integrity::submit;
use crate::on_both_backends;
use crate::tamper_heads;

on_both_backends!(
    the_database_holds_no_log_key_once_the_server_runs,
    an_older_databases_key_moves_into_the_key_file,
    a_rewrite_re_signed_with_another_key_fails_the_evaluators_key
);

fn secret_values(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.pool.get().unwrap();
    ({
        let c: &mut survey_server::db::DbConn = &mut conn;
        instance_secrets::table
            .select((instance_secrets::name, instance_secrets::value))
            .load::<(String, String)>(c)
    })
    .unwrap()
}

/// Writes the row an older version kept the log key in.
fn insert_legacy_key(app: &TestApp, key: &SigningKey) {
    app.execute(&format!(
        "INSERT INTO instance_secrets (name, value) VALUES ('log_signing_key', '{}')",
        hex::encode(key.to_bytes())
    ));
}

async fn the_database_holds_no_log_key_once_the_server_runs(app: TestApp) {
    submit(&app, 2).await;
    let secret = hex::encode(app.keys.signing_key().to_bytes());
    let stored = secret_values(&app);
    assert!(stored
        .iter()
        .all(|(name, value)| name != "log_signing_key" && *value != secret));
    assert!(secrets::legacy_log_key(&mut app.pool.get().unwrap())
        .unwrap()
        .is_none());
    let mode = std::fs::metadata(&app.key_file)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the key file is the owner's alone");
}

async fn an_older_databases_key_moves_into_the_key_file(app: TestApp) {
    // An older server signed heads with the key it kept in the database.
    let old = SigningKey::from_bytes(&[11; 32]).unwrap();
    submit(&app, 3).await;
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    log::sign_head(&mut app.pool.get().unwrap(), &old, id, OPEN_CAMPAIGN).unwrap();
    insert_legacy_key(&app, &old);

    // No key file yet: the database's key becomes the file's current key, the row goes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upgraded.keys");
    let upgraded = keys::setup(&path, &app.pool, true).unwrap();
    assert_eq!(upgraded.public_key(), old.public());
    assert!(upgraded.retired().is_empty());
    assert!(secrets::legacy_log_key(&mut app.pool.get().unwrap())
        .unwrap()
        .is_none());
    let ctx = app.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&app.pool, &upgraded, &ctx, &[old.public()], &[]).unwrap();
    assert!(
        report.ok(),
        "the old heads still verify: {:?}",
        report.problems
    );
    // A server started on it uses the moved key.
    let mut settings = Settings::for_database(&app.database_url);
    settings.key_file = path.to_str().unwrap().to_string();
    Application::build(settings)
        .await
        .expect("starts on the upgraded database");
    assert_eq!(Keys::load(&path).unwrap().public_key(), old.public());

    // A key file already there: the database's key is retired in it, and deleted.
    let other = SigningKey::from_bytes(&[12; 32]).unwrap();
    insert_legacy_key(&app, &other);
    let kept = keys::setup(&app.key_file, &app.pool, false).unwrap();
    assert_eq!(kept.public_key(), app.keys.public_key());
    let retired: Vec<_> = kept.retired().iter().map(|r| r.public_key).collect();
    assert_eq!(retired, vec![other.public()]);
    assert!(secrets::legacy_log_key(&mut app.pool.get().unwrap())
        .unwrap()
        .is_none());
}

async fn a_rewrite_re_signed_with_another_key_fails_the_evaluators_key(app: TestApp) {
    let ids = submit(&app, 4).await;
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    let genuine = log::sign_head(
        &mut app.pool.get().unwrap(),
        app.keys.signing_key(),
        id,
        OPEN_CAMPAIGN,
    )
    .unwrap();

    // The holder of the database rewrites an answer with its leaf and, having no access to the
    // server's key, re-signs the heads with a key of their own.
    tamper_heads::rewrite_response(&app, ids[0], "1");
    let forger = SigningKey::from_bytes(&[42; 32]).unwrap();
    let forged = tamper_heads::re_sign_heads(&app, &forger);
    let key = app.keys.public_key();
    assert!(!forged.verify(&key));

    let ctx = app.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[key], &[]).unwrap();
    let forged_problem = Problem::ForgedHead {
        // 4 responses, each with its speeder and straight-lining flags.
        size: 12,
        timestamp_ms: forged.head.timestamp_ms,
    };
    assert_eq!(report.problems, vec![forged_problem.clone()]);
    let held = [genuine.clone()];
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[key], &held).unwrap();
    assert_eq!(
        report.problems,
        vec![
            forged_problem,
            Problem::HeldHeadMismatch {
                size: 12,
                timestamp_ms: genuine.head.timestamp_ms
            }
        ]
    );
}

#[tokio::test]
async fn a_server_will_not_start_on_a_key_file_others_can_read() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    std::fs::set_permissions(&app.key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut settings = Settings::for_database(&app.database_url);
    settings.key_file = app.key_file.to_str().unwrap().to_string();
    let error = Application::build(settings).await.err().expect("refused");
    let message = format!("{error:#}");
    assert!(message.contains("readable by its group"), "{message}");
    assert!(message.contains("chmod 600"), "{message}");
}

#[tokio::test]
async fn a_postgres_server_needs_the_key_file_made_at_setup() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
    let unset = Settings::for_database(&app.database_url);
    let error = Application::build(unset).await.err().expect("refused");
    assert!(format!("{error:#}").contains("must be set for PostgreSQL"));
    let dir = tempfile::tempdir().unwrap();
    let mut missing = Settings::for_database(&app.database_url);
    missing.key_file = dir.path().join("none.keys").to_str().unwrap().to_string();
    let error = Application::build(missing).await.err().expect("refused");
    let message = format!("{error:#}");
    assert!(message.contains("does not exist"), "{message}");
    assert!(message.contains("survey-server migrate"), "{message}");
}
