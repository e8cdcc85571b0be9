//! `survey-server report publish` as an evaluator or operator runs it: a batch folder's report
//! published to a campaign, and a bad folder refused with the file named and a non-zero exit.

use std::path::Path;

mod common;
use common::{survey_server, text};

fn write_batch(dir: &Path, verdict: &str) {
    let verdict =
        format!(r#"{{"verdict":"{verdict}","sentence_zh":"结论。","sentence_en":"Verdict."}}"#);
    let files: [(&str, &[u8]); 4] = [
        (
            "report.html",
            b"<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
              <meta name=\"generator\" content=\"minyi-reports 0.1.0\"></head><body></body></html>",
        ),
        ("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("verdict.json", verdict.as_bytes()),
        (
            "manifest.json",
            br#"{"generated_at":"2025-12-20T08:30:00Z"}"#,
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn publish_stores_a_batch_folder_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("minyi.db");
    let db = db.to_str().unwrap();
    assert!(survey_server(&["demo", "--setup-only", "--database", db])
        .status
        .success());
    let batch = dir.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    write_batch(&batch, "met");
    let batch_arg = batch.to_str().unwrap();
    let publish = |extra: &[&str]| {
        let mut args = vec!["report", "publish", "--campaign", "2025-final", batch_arg];
        args.extend_from_slice(&["--database-url", db]);
        args.extend_from_slice(extra);
        survey_server(&args)
    };

    let out = publish(&[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("published report #1 to 2025-final (met, with PDF): 结论。"));

    let out = publish(&["--by", "nobody"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no console account \"nobody\""),
        "{}",
        text(&out)
    );

    std::fs::write(batch.join("verdict.json"), "{\"verdict\": \"met\"").unwrap();
    let out = publish(&[]);
    assert!(!out.status.success());
    let printed = text(&out);
    assert!(
        printed.contains("was not published: verdict.json is not the JSON expected"),
        "{printed}"
    );
    assert!(!printed.contains("panicked"));

    let out = survey_server(&[
        "report",
        "publish",
        "--campaign",
        "no-such",
        batch_arg,
        "--database-url",
        db,
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no campaign \"no-such\""));
}
