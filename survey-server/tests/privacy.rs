//! PIPL, checked on the real binary: after submissions through a trusted proxy with a client
//! address, a user agent, a one-time case code and consented contact details, neither the
//! database files nor the server's log (at debug level) hold the address, the user agent, the
//! code or the contact — which only `contacts export`, with the key file, opens.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};
use survey_server::db::{campaigns, case_codes, DatabaseUrl, DbPool};

mod common;
use common::{body, free_port, survey_server, text, token_in};

const CLIENT_IP: &str = "203.0.113.77";
const PHONE: &str = "13912345678";
const USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0 PrivacyProbe/77";

#[test]
fn no_address_user_agent_or_case_code_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("privacy.db");
    let db_url = db.to_str().unwrap();
    let exe = env!("CARGO_BIN_EXE_survey-server");
    let demo = Command::new(exe)
        .args(["demo", "--setup-only", "--database", db_url])
        .output()
        .unwrap();
    assert!(demo.status.success());
    let code = case_codes::generate();
    {
        let pool = DbPool::open(&DatabaseUrl::Sqlite(db_url.into()), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let ctx = campaigns::load_context(&mut conn, "2025-final")
            .unwrap()
            .unwrap();
        let unit = ctx.units.iter().find(|u| u.code == "market").unwrap().id;
        case_codes::insert(
            &mut conn,
            ctx.campaign.id,
            unit,
            std::slice::from_ref(&code),
            "test",
        )
        .unwrap();
    }

    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let port = free_port();
    let mut server = Command::new(exe)
        .args([
            "serve",
            "--database-url",
            db_url,
            "--port",
            &port.to_string(),
        ])
        .env("RUST_LOG", "debug")
        .env("MINYI_TRUSTED_PROXIES", "127.0.0.1")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    for (i, path) in [
        format!("/s/2025-final/market?code={code}"),
        "/s/2025-final/market?site=hall".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let form = client
            .get(format!("{base}{path}"))
            .header("X-Forwarded-For", CLIENT_IP)
            .send()
            .unwrap();
        assert_eq!(form.status(), 200);
        let token = token_in(&form.text().unwrap());
        let sent = client
            .post(format!("{base}{path}"))
            .header("X-Forwarded-For", CLIENT_IP)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "{}&_contact_consent=yes&_contact={PHONE}",
                body(&q, &token, "隐私测试", i + 1)
            ))
            .send()
            .unwrap();
        assert_eq!(sent.status(), 303, "{path}");
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("response committed"),
        "the log was captured:\n{log}"
    );
    let mut kept = vec![("server log".to_string(), log.into_bytes())];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_str().unwrap().contains("privacy.db") {
            kept.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert!(kept.len() >= 2, "the database files were read");
    let normalised = case_codes::normalise(&code);
    for (name, bytes) in &kept {
        let text = String::from_utf8_lossy(bytes);
        for secret in [
            CLIENT_IP,
            "PrivacyProbe",
            code.as_str(),
            normalised.as_str(),
            PHONE,
        ] {
            assert!(!text.contains(secret), "{name} holds {secret:?}");
        }
    }

    // The evaluator opens the contacts with the key file, and only there.
    let out = dir.path().join("contacts.csv");
    let exported = survey_server(&[
        "contacts",
        "export",
        "2025-final",
        "--database-url",
        db_url,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(exported.status.success(), "{}", text(&exported));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.matches(PHONE).count(), 2, "{csv}");
    assert!(csv.starts_with("\u{feff}unit,unit_name,contact"), "{csv}");
    assert!(csv.contains("market,市场监管局"), "{csv}");
    std::fs::remove_file(dir.path().join("privacy.db.keys")).unwrap();
    let refused = survey_server(&["contacts", "export", "2025-final", "--database-url", db_url]);
    assert!(
        !refused.status.success(),
        "another key file does not open them: {}",
        text(&refused)
    );
}
