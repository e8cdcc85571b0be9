//! What someone holding the whole database can do to the log's completeness — a response forged
//! after the last leaf, flags deleted or added — each detected and named by `verify`, and kept
//! out of the export bundle the analysis reads.

use minyi_integrity::bundle::verify_bundle;
use minyi_integrity::{LeafKind, Problem};
use survey_server::integrity::verify_campaign;

use crate::helpers::{valid_answers, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_response_forged_after_the_last_leaf_is_named_and_left_out_of_bundles,
    a_deleted_flag_and_a_forged_flag_are_named,
    flags_set_after_the_fact_are_events_of_the_log
);

const FORM: &str = "/s/2025-final/market?site=hall";

/// `n` responses, each flagged `speeder` (a form sent at once) and `straight_lining` (every
/// rated item answered alike).
async fn submit(app: &TestApp, n: usize) -> Vec<i32> {
    for _ in 0..n {
        let token = app.token(FORM).await;
        assert_eq!(
            app.post_form(FORM, &valid_answers(&token)).await.status(),
            303
        );
    }
    app.stored(OPEN_CAMPAIGN)
        .iter()
        .map(|(r, _)| r.id)
        .collect()
}

fn max_id(app: &TestApp) -> i32 {
    app.stored(OPEN_CAMPAIGN).last().unwrap().0.id
}

async fn a_response_forged_after_the_last_leaf_is_named_and_left_out_of_bundles(app: TestApp) {
    let ids = submit(&app, 3).await;
    let last = ids[2];
    app.execute(&format!(
        "INSERT INTO responses (campaign_id, unit_id, site_id, questionnaire_version_id, \
         idempotency_key, respondent_type, lang, form_issued_at, submitted_at, duration_ms, \
         link_check, over_quota, answers) \
         SELECT campaign_id, unit_id, site_id, questionnaire_version_id, 'forged', \
         respondent_type, lang, form_issued_at + 1000, submitted_at + 1000, duration_ms, \
         link_check, over_quota, answers FROM responses WHERE id = {last}"
    ));
    let forged = max_id(&app);
    let report =
        verify_campaign(&app.pool, &app.keys, &app.context(OPEN_CAMPAIGN), &[], &[]).unwrap();
    assert_eq!(
        report.problems,
        vec![
            Problem::Inserted {
                row: 4,
                response_id: forged.into()
            },
            Problem::CountMismatch { rows: 4, leaves: 3 }
        ]
    );
    assert_eq!((report.rows, report.response_leaves), (4, 3));

    // The bundle carries only what the log holds: it verifies, without the forged row.
    app.add_user("eva", "evaluator");
    let (client, _) = app.signed_in("eva").await;
    let bundle = app.export(&client, "bundle.zip").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.zip");
    std::fs::write(&path, &bundle).unwrap();
    let checked = verify_bundle(&path, &[app.keys.public_key()], &[]).unwrap();
    assert!(checked.ok(), "{:?}", checked.problems);
    assert_eq!((checked.rows, checked.flags), (3, 6));
}

fn drop_flag_triggers(app: &TestApp) {
    match app.backend() {
        Backend::Sqlite => app.execute("DROP TRIGGER response_flags_append_only_delete"),
        Backend::Postgres => {
            app.execute("ALTER TABLE response_flags DISABLE TRIGGER response_flags_append_only")
        }
    }
}

async fn a_deleted_flag_and_a_forged_flag_are_named(app: TestApp) {
    let ids = submit(&app, 3).await;
    let report =
        verify_campaign(&app.pool, &app.keys, &app.context(OPEN_CAMPAIGN), &[], &[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.flags, report.flag_leaves), (6, 6));

    // Deleting a flag is refused by the database…
    let mut conn = app.pool.get().unwrap();
    let refused = {
        let c: &mut survey_server::db::DbConn = &mut conn;
        {
            use diesel::RunQueryDsl;
            diesel::sql_query("DELETE FROM response_flags").execute(c)
        }
    };
    assert!(refused.is_err(), "flags are append-only");
    drop(conn);
    // …and once its holder drops the trigger, the log names it.
    drop_flag_triggers(&app);
    app.execute(&format!(
        "DELETE FROM response_flags WHERE response_id = {} AND flag = 'speeder'",
        ids[1]
    ));
    app.execute(&format!(
        "INSERT INTO response_flags (response_id, flag, detail, flagged_at) \
         VALUES ({}, 'honeypot', '', 0)",
        ids[2]
    ));
    let report =
        verify_campaign(&app.pool, &app.keys, &app.context(OPEN_CAMPAIGN), &[], &[]).unwrap();
    assert_eq!(
        report.problems,
        vec![
            Problem::FlagInserted {
                response_id: ids[2].into(),
                flag: "honeypot".into()
            },
            Problem::FlagDeleted {
                response_id: ids[1].into(),
                flag: "speeder".into(),
                leaf_index: 4
            }
        ]
    );
}

async fn flags_set_after_the_fact_are_events_of_the_log(app: TestApp) {
    let ids = submit(&app, 2).await;
    let mut conn = app.pool.get().unwrap();
    survey_server::db::quality::flag(&mut conn, &ids, "burst", 1_800_000_000_000).unwrap();
    // A second burst over the same responses adds nothing.
    survey_server::db::quality::flag(&mut conn, &ids, "burst", 1_800_000_000_001).unwrap();
    let ctx = app.context(OPEN_CAMPAIGN);
    let leaves = survey_server::db::log::leaves(&mut conn, ctx.campaign.id, 100).unwrap();
    let kinds: Vec<(LeafKind, i64, &str)> = leaves
        .iter()
        .map(|l| (l.kind, l.response_id, l.event.as_str()))
        .collect();
    let (a, b) = (i64::from(ids[0]), i64::from(ids[1]));
    assert_eq!(
        kinds,
        vec![
            (LeafKind::Response, a, ""),
            (LeafKind::Flag, a, "speeder"),
            (LeafKind::Flag, a, "straight_lining"),
            (LeafKind::Response, b, ""),
            (LeafKind::Flag, b, "speeder"),
            (LeafKind::Flag, b, "straight_lining"),
            (LeafKind::Flag, a, "burst"),
            (LeafKind::Flag, b, "burst"),
        ]
    );
    drop(conn);
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[], &[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.flags, report.flag_leaves), (6, 6));
}
