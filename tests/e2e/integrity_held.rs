//! The evaluator's held heads against a database holder who changes the log after they were
//! fetched: a cut tail fails the live check, `log fetch` and the bundle check; a rewritten
//! history fails `log fetch`'s consistency proof, while a log that only grew passes it.

use std::path::{Path, PathBuf};

use minyi_integrity::{Problem, SignedHead};
use serde_json::Value;
use survey_server::db::log;
use survey_server::integrity::commands::{fetch, read_heads};
use survey_server::integrity::verify_campaign;

use crate::helpers::{TestApp, OPEN_CAMPAIGN};
use crate::integrity::submit;
use crate::on_both_backends;
use crate::tamper_heads;

on_both_backends!(
    a_tail_cut_below_a_held_head_fails_live_verify_fetch_and_the_bundle,
    log_fetch_keeps_a_grown_log_and_refuses_a_rewritten_one,
    the_consistency_endpoint_serves_proofs_and_names_bad_parameters
);

/// Signs a head over the open wave as it stands (what the cadence does).
fn sign_now(app: &TestApp) -> SignedHead {
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    log::sign_head(
        &mut app.pool.get().unwrap(),
        app.keys.signing_key(),
        id,
        OPEN_CAMPAIGN,
    )
    .unwrap()
}

/// `survey-server log fetch` as the evaluator runs it, with their copy of the key.
async fn fetch_head(app: &TestApp, heads: &Path) -> Result<(), String> {
    let (url, key, heads) = (
        app.address.clone(),
        app.keys.public_key().to_hex(),
        heads.to_path_buf(),
    );
    tokio::task::spawn_blocking(move || fetch(&url, OPEN_CAMPAIGN, &key, &heads))
        .await
        .unwrap()
        .map_err(|e| format!("{e:#}"))
}

fn held_sizes(heads: &Path) -> Vec<u64> {
    read_heads(heads)
        .unwrap()
        .iter()
        .map(|h| h.head.tree_size)
        .collect()
}

async fn export_bundle(app: &TestApp, dir: &Path) -> PathBuf {
    app.add_user("eva", "evaluator");
    let (client, _) = app.signed_in("eva").await;
    let path = dir.join("bundle.zip");
    std::fs::write(&path, app.export(&client, "bundle.zip").await).unwrap();
    path
}

async fn a_tail_cut_below_a_held_head_fails_live_verify_fetch_and_the_bundle(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let heads = dir.path().join("held.jsonl");
    let ids = submit(&app, 5).await;
    sign_now(&app);
    fetch_head(&app, &heads).await.unwrap();
    let held = read_heads(&heads).unwrap();
    let signed_at = held[0].head.timestamp_ms;

    // The last two responses go, with their leaves and heads; the cadence then signs the cut log.
    tamper_heads::cut_tail(&app, &ids[3..]);
    sign_now(&app);
    let key = app.keys.public_key();
    let ctx = app.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[key], &held).unwrap();
    // Each response is 3 records: itself and its speeder and straight-lining flags.
    let cut = Problem::ShorterThanHeld {
        present: 9,
        held_size: 15,
        timestamp_ms: signed_at,
    };
    assert_eq!(report.problems, vec![cut.clone()]);
    let without = verify_campaign(&app.pool, &app.keys, &ctx, &[key], &[]).unwrap();
    assert!(
        without.ok(),
        "the database alone hides the cut: {:?}",
        without.problems
    );

    let refused = fetch_head(&app, &heads).await.unwrap_err();
    assert!(
        refused.contains("the server's log now holds 9 records but you hold a head of 15"),
        "{refused}"
    );
    assert_eq!(held_sizes(&heads), vec![15], "the smaller head is not kept");

    let bundle = export_bundle(&app, dir.path()).await;
    let report = minyi_integrity::bundle::verify_bundle(&bundle, &[key], &held).unwrap();
    assert_eq!(report.problems, vec![cut]);
    assert!(minyi_integrity::bundle::verify_bundle(&bundle, &[key], &[])
        .unwrap()
        .ok());
}

async fn log_fetch_keeps_a_grown_log_and_refuses_a_rewritten_one(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let heads = dir.path().join("held.jsonl");
    let ids = submit(&app, 3).await;
    sign_now(&app);
    fetch_head(&app, &heads).await.unwrap();
    submit(&app, 4).await;
    sign_now(&app);
    fetch_head(&app, &heads).await.unwrap();
    fetch_head(&app, &heads).await.unwrap();
    assert_eq!(
        held_sizes(&heads),
        vec![9, 21],
        "the grown log is kept, once (3 records per response)"
    );

    // The same size, another root: an answer rewritten with its leaf, the head re-signed.
    tamper_heads::rewrite_response(&app, ids[1], "1");
    tamper_heads::delete_heads_from(&app, 21);
    sign_now(&app);
    let refused = fetch_head(&app, &heads).await.unwrap_err();
    assert!(
        refused.contains("two different roots for 21 records"),
        "{refused}"
    );

    // A larger log over the rewritten history: its consistency proof fails.
    submit(&app, 2).await;
    sign_now(&app);
    let refused = fetch_head(&app, &heads).await.unwrap_err();
    assert!(
        refused.contains("does not extend the head of 21 you hold"),
        "{refused}"
    );
    assert_eq!(held_sizes(&heads), vec![9, 21]);

    // The live check with the held heads names the rewrite too.
    let held = read_heads(&heads).unwrap();
    let ctx = app.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[], &held).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, Problem::HeldHeadMismatch { size: 9, .. })),
        "{:?}",
        report.problems
    );
}

async fn the_consistency_endpoint_serves_proofs_and_names_bad_parameters(app: TestApp) {
    submit(&app, 6).await;
    let ctx = app.context(OPEN_CAMPAIGN);
    let leaves = log::leaf_hashes(&mut app.pool.get().unwrap(), ctx.campaign.id, 6).unwrap();
    let base = format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/log/consistency");
    let ok = app.get(&format!("{base}?from=2&to=6")).await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    let proof: Vec<String> = minyi_integrity::proof::consistency_proof(&leaves, 2)
        .unwrap()
        .iter()
        .map(hex::encode)
        .collect();
    assert_eq!(
        body,
        serde_json::json!({ "campaign": OPEN_CAMPAIGN, "from": 2, "to": 6, "proof": proof })
    );
    for (query, status, field) in [
        ("from=2", 400, "to"),
        ("from=x&to=6", 400, "from"),
        ("from=5&to=4", 400, "from"),
        ("from=1&to=19", 404, "to"),
    ] {
        let response = app.get(&format!("{base}?{query}")).await;
        assert_eq!(response.status(), status, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["error"]["fields"][0]["field"], field,
            "{query}: {body}"
        );
    }
    let unknown = app
        .get("/api/v1/campaigns/nope/log/consistency?from=0&to=0")
        .await;
    assert_eq!(unknown.status(), 404);
}
