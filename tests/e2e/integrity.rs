//! The integrity log end to end: leaves written with each response, heads signed at close and
//! served publicly, the live database verified, and export bundles verified offline — with
//! each kind of tampering detected and the first bad record named.

use std::io::{Read, Write};

use minyi_integrity::bundle::verify_bundle;
use minyi_integrity::{Problem, SignedHead};
use survey_server::integrity::{set_campaign_status, verify_campaign};

use crate::helpers::{valid_answers, with, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    responses_are_logged_and_heads_are_public,
    tampering_in_the_database_is_named,
    bundle_tampering_is_detected_naming_the_record
);

const FORM: &str = "/s/2025-final/market?site=hall";

pub(crate) async fn submit(app: &TestApp, n: usize) -> Vec<i32> {
    for i in 0..n {
        let token = app.token(FORM).await;
        let text = if i == 1 {
            "=HYPERLINK(\"x\") 不了解"
        } else {
            "执法规范"
        };
        let fields = with(&valid_answers(&token), "suggestion", &[text]);
        assert_eq!(app.post_form(FORM, &fields).await.status(), 303);
    }
    app.stored(OPEN_CAMPAIGN)
        .iter()
        .map(|(r, _)| r.id)
        .collect()
}

async fn responses_are_logged_and_heads_are_public(app: TestApp) {
    let head_url = format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/log/head");
    let none = app.get(&head_url).await;
    assert_eq!(none.status(), 404, "no head before the first is signed");
    submit(&app, 5).await;
    let ctx = app.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&app.pool, &app.keys, &ctx, &[], &[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.rows, 5);

    // Closing signs the final head, served to anyone.
    set_campaign_status(
        &mut app.pool.get().unwrap(),
        &app.keys,
        OPEN_CAMPAIGN,
        "closed",
        "test",
    )
    .unwrap();
    let head: SignedHead = app.get(&head_url).await.json().await.unwrap();
    let key = app.keys.public_key();
    assert_eq!(
        head.head.tree_size, 15,
        "5 responses, each with 2 flag events"
    );
    assert_eq!(head.public_key, key.to_hex());
    assert!(head.verify(&key));
    let all: serde_json::Value = app
        .get(&format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/log/heads"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["heads"].as_array().unwrap().len(), 1);
    assert_eq!(all["public_key"], key.to_hex());
    assert_eq!(
        app.get("/api/v1/campaigns/nope/log/head").await.status(),
        404
    );
}

/// Someone with the database drops the append-only trigger and edits an answer.
async fn tampering_in_the_database_is_named(app: TestApp) {
    let ids = submit(&app, 4).await;
    let disable = match app.backend() {
        Backend::Sqlite => "DROP TRIGGER responses_append_only_update",
        Backend::Postgres => "ALTER TABLE responses DISABLE TRIGGER responses_append_only",
    };
    app.execute(disable);
    crate::tamper_heads::set_answer(&app, ids[2], "overall_sat", "5");
    let report =
        verify_campaign(&app.pool, &app.keys, &app.context(OPEN_CAMPAIGN), &[], &[]).unwrap();
    assert_eq!(
        report.problems,
        vec![Problem::Altered {
            row: 3,
            response_id: ids[2].into()
        }]
    );
}

fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_string(), content)
        })
        .collect()
}

/// The bundle again with its `responses.csv` lines (header first) changed by `edit`.
fn tampered(
    files: &[(String, Vec<u8>)],
    dir: &std::path::Path,
    name: &str,
    edit: impl Fn(&mut Vec<String>),
) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.zip"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (file, content) in files {
        zip.start_file(file.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        if file == "responses.csv" {
            let text = String::from_utf8(content.clone()).unwrap();
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            edit(&mut lines);
            zip.write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
        } else {
            zip.write_all(content).unwrap();
        }
    }
    zip.finish().unwrap();
    path
}

async fn bundle_tampering_is_detected_naming_the_record(app: TestApp) {
    let ids: Vec<i64> = submit(&app, 6).await.into_iter().map(i64::from).collect();
    app.add_user("eva", "evaluator");
    let (client, _) = app.signed_in("eva").await;
    let bundle = app.export(&client, "bundle.zip").await;
    let files = read_zip(&bundle);
    let dir = tempfile::tempdir().unwrap();
    let key = app.keys.public_key();
    let check = |path: &std::path::Path| verify_bundle(path, &[key], &[]).unwrap().problems;

    let original = tampered(&files, dir.path(), "original", |_| {});
    assert_eq!(check(&original), vec![], "an untouched bundle verifies");

    let altered = tampered(&files, dir.path(), "altered", |lines| {
        // Row 3: its open-text answer edited.
        assert!(lines[3].contains("执法规范"));
        lines[3] = lines[3].replacen("执法规范", "执法很规范", 1);
    });
    assert_eq!(
        check(&altered),
        vec![Problem::Altered {
            row: 3,
            response_id: ids[2]
        }]
    );

    let deleted = tampered(&files, dir.path(), "deleted", |lines| {
        lines.remove(3);
    });
    assert_eq!(
        check(&deleted),
        vec![
            Problem::Deleted {
                row: 3,
                response_id: ids[2],
                // Each response is followed by the events of its `speeder` and
                // `straight_lining` flags.
                leaf_index: 6
            },
            Problem::CountMismatch { rows: 5, leaves: 6 }
        ]
    );

    let inserted = tampered(&files, dir.path(), "inserted", |lines| {
        let copy = lines[1].replacen(&format!("{},", ids[0]), "999999,", 1);
        lines.insert(4, copy);
    });
    assert_eq!(
        check(&inserted),
        vec![
            Problem::Inserted {
                row: 4,
                response_id: 999_999
            },
            Problem::CountMismatch { rows: 7, leaves: 6 }
        ]
    );

    let swapped = tampered(&files, dir.path(), "swapped", |lines| lines.swap(2, 5));
    assert_eq!(
        check(&swapped),
        vec![Problem::Reordered {
            row: 2,
            found: ids[4],
            expected: ids[1]
        }]
    );

    let cut = tampered(&files, dir.path(), "cut", |lines| lines.truncate(5));
    assert_eq!(
        check(&cut),
        vec![
            Problem::TruncatedTail {
                rows: 4,
                missing: 2,
                first_missing: ids[4]
            },
            Problem::CountMismatch { rows: 4, leaves: 6 }
        ]
    );

    let stranger = minyi_integrity::SigningKey::from_bytes(&[3; 32])
        .unwrap()
        .public();
    let report = verify_bundle(&original, &[stranger], &[]).unwrap();
    assert_eq!(
        report.problems,
        vec![Problem::BadSignature],
        "another key is refused"
    );
}

/// Two server processes on one PostgreSQL database keep one log: every leaf in sequence, ids
/// rising in leaf order, the whole verifying.
#[tokio::test]
async fn two_servers_on_one_postgres_keep_one_log() {
    let first = crate::helpers::spawn_app(Backend::Postgres).await;
    let second = first.second_server().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = if i % 2 == 0 {
            first.address.clone()
        } else {
            second.clone()
        };
        let client = first.client.clone();
        tasks.push(tokio::spawn(async move {
            let body = client
                .get(format!("{app}{FORM}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let token = crate::helpers::token_in(&body);
            let response = client
                .post(format!("{app}{FORM}"))
                .form(&valid_answers(&token))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 303);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let ctx = first.context(OPEN_CAMPAIGN);
    let report = verify_campaign(&first.pool, &first.keys, &ctx, &[], &[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.rows, 40);
    let leaves =
        survey_server::db::log::leaves(&mut first.pool.get().unwrap(), ctx.campaign.id, 1000)
            .unwrap();
    let responses: Vec<i64> = leaves
        .iter()
        .filter(|l| l.kind == minyi_integrity::LeafKind::Response)
        .map(|l| l.response_id)
        .collect();
    assert_eq!(responses.len(), 40);
    assert!(responses.windows(2).all(|w| w[0] < w[1]));
}
