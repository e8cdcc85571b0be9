//! The integrity commands as an evaluator and an operator run them: the key printed at setup,
//! heads fetched from a running server, the live database verified, a bundle verified offline
//! — and each refusing what does not verify, with a non-zero exit.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};

mod common;
use common::{body, free_port, survey_server, text, token_in, FORM};

#[test]
fn keys_heads_and_verification_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db = db.to_str().unwrap();
    let setup = survey_server(&["migrate", "--database-url", db]);
    let printed = text(&setup);
    let key = printed
        .lines()
        .find_map(|l| l.strip_prefix("integrity log public key (give it to the evaluator): "))
        .unwrap_or_else(|| panic!("migrate prints the key: {printed}"))
        .trim()
        .to_string();
    assert_eq!(key.len(), 64);
    assert!(survey_server(&["demo", "--setup-only", "--database", db])
        .status
        .success());
    let again = survey_server(&["log", "key", "--database-url", db]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        key,
        "one key"
    );

    // A running server takes three responses; the evaluator fetches its head.
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_survey-server"))
        .args(["serve", "--database-url", db, "--port", &port.to_string()])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    for i in 0..3 {
        let html = client
            .get(format!("{base}{FORM}"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        let sent = client
            .post(format!("{base}{FORM}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body(&q, &token_in(&html), "命令行", i))
            .send()
            .unwrap();
        assert_eq!(sent.status(), 303);
    }
    let signed = survey_server(&["log", "heads", "2025-final", "--sign", "--database-url", db]);
    assert!(
        text(&signed).contains("\"tree_size\":21"),
        "{}",
        text(&signed)
    );
    let heads = dir.path().join("heads.jsonl");
    let heads = heads.to_str().unwrap();
    let fetched = survey_server(&[
        "log",
        "fetch",
        &base,
        "2025-final",
        "--key",
        &key,
        "--into",
        heads,
    ]);
    assert!(fetched.status.success(), "{}", text(&fetched));
    assert!(text(&fetched).contains("held head: 21 records"));
    assert_eq!(std::fs::read_to_string(heads).unwrap().lines().count(), 1);
    let stranger = "11".repeat(32);
    let refused = survey_server(&[
        "log",
        "fetch",
        &base,
        "2025-final",
        "--key",
        &stranger,
        "--into",
        heads,
    ]);
    assert!(
        !refused.status.success(),
        "a head that does not verify is refused"
    );
    server.kill().unwrap();
    server.wait().unwrap();

    let verified = survey_server(&[
        "verify",
        "--database-url",
        db,
        "--key",
        &key,
        "--heads",
        heads,
    ]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified)
        .contains("2025-final: ok — 15 responses and 6 flags match the log's 21 records"));
    let wrong_key = survey_server(&["verify", "--database-url", db, "--key", &stranger]);
    assert!(!wrong_key.status.success());
    assert!(
        text(&wrong_key).contains("signature does not verify"),
        "{}",
        text(&wrong_key)
    );

    // The key lives beside the database, the owner's alone; a rotation retires it.
    let key_file = std::fs::metadata(format!("{db}.keys")).unwrap();
    assert_eq!(key_file.permissions().mode() & 0o777, 0o600);
    let rotated = survey_server(&["log", "key", "--rotate", "--database-url", db]);
    assert!(rotated.status.success(), "{}", text(&rotated));
    let listed = String::from_utf8_lossy(&rotated.stdout).to_string();
    let lines: Vec<&str> = listed.lines().collect();
    let new_key = lines[0].trim();
    assert_ne!(new_key, key);
    assert!(lines[1].starts_with(&format!("{key} retired ")), "{listed}");
    let after = survey_server(&["verify", "--database-url", db, "--key", new_key]);
    assert!(after.status.success(), "{}", text(&after));
    // The heads held from before the rotation are not skipped: they need the retired key too.
    let new_only = survey_server(&[
        "verify",
        "--database-url",
        db,
        "--key",
        new_key,
        "--heads",
        heads,
    ]);
    assert!(!new_only.status.success());
    assert!(
        text(&new_only).contains("verifies with none of the public keys given"),
        "{}",
        text(&new_only)
    );
    let both = survey_server(&[
        "verify",
        "--database-url",
        db,
        "--key",
        new_key,
        "--key",
        &key,
        "--heads",
        heads,
    ]);
    assert!(both.status.success(), "{}", text(&both));
}
