//! The whole chain on real parts: citizens answer on the server, the evaluator exports the
//! bundle, and the analysis verifies it against the log's public key and runs a batch on it.

use minyi_analysis::config::Batch;
use minyi_analysis::input::VerificationStatus;

use crate::helpers::{valid_answers, with, TestApp, LIKERT_ITEMS};
use crate::on_both_backends;

on_both_backends!(the_analysis_reads_a_verified_server_bundle);

async fn the_analysis_reads_a_verified_server_bundle(app: TestApp) {
    let units = ["market", "police"];
    for i in 0..24usize {
        let form = format!("/s/2025-final/{}?site=hall", units[i % 2]);
        let token = app.token(&form).await;
        let mut fields = valid_answers(&token);
        for (k, item) in LIKERT_ITEMS.iter().enumerate() {
            fields = with(&fields, item, &[&((i + k) % 5 + 1).to_string()]);
        }
        assert_eq!(app.post_form(&form, &fields).await.status(), 303);
    }
    app.add_user("eva", "evaluator");
    let (eva, _) = app.signed_in("eva").await;
    let bundle = app.export(&eva, "bundle.zip").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wave.zip"), &bundle).unwrap();
    std::fs::write(
        dir.path().join("questionnaire.toml"),
        minyi_questionnaire::DEFAULT_TOML,
    )
    .unwrap();
    let key = app.keys.public_key().to_hex();
    let batch = format!(
        r#"questionnaire = "questionnaire.toml"
public_key = "{key}"
overall_item = "overall_sat"
[[waves]]
label = "2025"
role = "final"
[waves.input]
path = "wave.zip"
[goal]
statement = "总体指数不低于 60"
min_final = 60.0
"#
    );
    let path = dir.path().join("batch.toml");
    std::fs::write(&path, batch).unwrap();
    let tables = minyi_analysis::run::run(&Batch::load(&path).unwrap(), false)
        .unwrap_or_else(|e| panic!("the batch runs on the server's bundle: {e}"));
    assert_eq!(
        tables.inputs[0].verification.status,
        VerificationStatus::Verified
    );
    assert_eq!(tables.inputs[0].rows, 24);
    // The server's flags travel in the bundle, verified with their log events: every test
    // submission is a speeder (sent at once after its form was served).
    let all = tables
        .quality
        .iter()
        .find(|q| q.unit == "all")
        .expect("the whole wave's quality row");
    assert_eq!(all.server_flags, 24, "{all:?}");
    let overall = tables
        .estimates
        .iter()
        .find(|r| r.indicator == "overall_sat" && r.group == "all" && r.measure == "mean")
        .expect("the overall item's mean");
    assert_eq!(overall.n, 24);
    // overall_sat is LIKERT_ITEMS[12]: answers (i + 12) % 5 + 1 for i in 0..24.
    let expected = (0..24).map(|i| ((i + 12) % 5 + 1) as f64).sum::<f64>() / 24.0;
    assert!(
        (overall.estimate - expected).abs() < 1e-9,
        "{} ≠ {expected}",
        overall.estimate
    );
}
