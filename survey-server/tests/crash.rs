//! The crash test: the real `survey-server` binary on a SQLite file — and, when
//! `MINYI_TEST_PG_URL` names a server, on a PostgreSQL database — under concurrent load,
//! killed with SIGKILL at random moments and restarted, cycle after cycle. After each cycle:
//! every acknowledged response is stored, nothing is stored that was never sent, nothing is
//! stored twice, each stored response has the contact it was sent with (stored in its
//! transaction), `PRAGMA integrity_check` is ok (SQLite), and the integrity log verifies.
//!
//! `MINYI_CRASH_CYCLES` sets the number of cycles (default 4 in CI; the documented long run
//! is 100, see BENCHMARKS.md). The negative control runs the server with `MINYI_TEST_ACK_BEFORE_COMMIT=1` (debug
//! builds only), which acknowledges before committing, and proves the checks catch it.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{QueryableByName, RunQueryDsl};
use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};
use survey_server::db::{campaigns, secrets, DatabaseUrl, DbPool};
use survey_server::token::FormSigner;

mod common;
use common::{body, free_port, FORM, MARKER_ITEM};

/// The server binary: this build's, or `MINYI_SERVER_BINARY` (a copy kept still for a long run
/// while the tree is rebuilt).
fn binary() -> String {
    std::env::var("MINYI_SERVER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_survey-server").to_string())
}

/// Where the server under test keeps its data: the database URL and the key file.
struct Target {
    url: String,
    key_file: String,
    /// Drops the PostgreSQL database at the end.
    postgres_admin: Option<(String, String)>,
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres_admin {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{server}/postgres")) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

fn start(target: &Target, port: u16, ack_early: bool) -> Child {
    let mut cmd = Command::new(binary());
    cmd.args([
        "serve",
        "--database-url",
        &target.url,
        "--port",
        &port.to_string(),
    ])
    .env("MINYI_KEY_FILE", &target.key_file)
    .env("RUST_LOG", "error")
    // One client address hammering the server: rate limits off for this test.
    .env("MINYI_RATE_LIMIT_PER_ADDRESS", "0")
    .env("MINYI_RATE_LIMIT_PER_NETWORK", "0")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if ack_early {
        cmd.env("MINYI_TEST_ACK_BEFORE_COMMIT", "1");
    }
    cmd.spawn().expect("the server starts")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up at {base}");
}

#[derive(Default)]
struct Ledger {
    sent: HashSet<String>,
    acknowledged: HashSet<String>,
}

/// Load from `workers` clients until the server dies; returns when every worker has stopped.
async fn load(base: String, signer: Arc<FormSigner>, ledger: Arc<Mutex<Ledger>>, cycle: usize) {
    let q = Arc::new(Questionnaire::parse(DEFAULT_TOML).unwrap());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut workers = Vec::new();
    for w in 0..16 {
        let (base, signer, ledger, q, client) = (
            base.clone(),
            signer.clone(),
            ledger.clone(),
            q.clone(),
            client.clone(),
        );
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let marker = format!("c{cycle}-w{w}-{i}");
                let token = signer.issue(survey_server::db::now_ms() - 30_000);
                ledger.lock().unwrap().sent.insert(marker.clone());
                let sent = client
                    .post(format!("{base}{FORM}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    // Every response leaves a contact with consent, stored in its transaction.
                    .body(format!(
                        "{}&_contact_consent=yes&_contact={marker}",
                        body(&q, &token, &marker, i)
                    ))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 303 => {
                        ledger.lock().unwrap().acknowledged.insert(marker);
                    }
                    Ok(r) => panic!("unexpected {} for {marker}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// The checks after a crash; `Err` says what is wrong.
fn check(target: &Target, ledger: &Ledger) -> Result<usize, String> {
    let url = DatabaseUrl::parse(&target.url).map_err(|e| e.to_string())?;
    let pool = DbPool::open(&url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let integrity: Vec<Text> = match url {
        DatabaseUrl::Sqlite(_) => {
            diesel::sql_query("SELECT integrity_check AS value FROM pragma_integrity_check")
                .load(&mut *conn)
                .map_err(|e| e.to_string())?
        }
        DatabaseUrl::Postgres(_) => vec![Text { value: "ok".into() }],
    };
    if integrity.len() != 1 || integrity[0].value != "ok" {
        return Err(format!(
            "PRAGMA integrity_check: {:?}",
            integrity.iter().map(|t| &t.value).collect::<Vec<_>>()
        ));
    }
    let rows: Vec<(i32, Vec<u8>)> = {
        use diesel::prelude::*;
        use survey_server::db::schema::responses;
        responses::table
            .select((responses::id, responses::answers))
            .load(&mut *conn)
            .map_err(|e| e.to_string())?
    };
    let mut stored: Vec<Text> = Vec::new();
    for (id, answers) in rows {
        let answers = survey_server::db::responses::decode_answers(id, &answers)
            .map_err(|e| e.to_string())?;
        stored.extend(
            answers
                .into_iter()
                .filter(|(item, value)| {
                    item == MARKER_ITEM && value.starts_with('c') && value.contains("-w")
                })
                .map(|(_, value)| Text { value }),
        );
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &stored {
        *counts.entry(t.value.as_str()).or_default() += 1;
    }
    if let Some((marker, n)) = counts.iter().find(|(_, n)| **n > 1) {
        return Err(format!("response {marker} stored {n} times"));
    }
    if let Some(marker) = counts.keys().find(|m| !ledger.sent.contains(**m)) {
        return Err(format!("response {marker} stored but never sent"));
    }
    let lost: Vec<&String> = ledger
        .acknowledged
        .iter()
        .filter(|m| !counts.contains_key(m.as_str()))
        .collect();
    if !lost.is_empty() {
        return Err(format!(
            "{} acknowledged responses lost, e.g. {}",
            lost.len(),
            lost[0]
        ));
    }
    let ctx = campaigns::load_context(&mut conn, "2025-final")
        .map_err(|e| e.to_string())?
        .ok_or("no demo campaign")?;
    let contacts = survey_server::db::contacts::count(&mut conn, ctx.campaign.id)
        .map_err(|e| e.to_string())?;
    if contacts as usize != stored.len() {
        return Err(format!(
            "{} responses stored but {contacts} contacts: a contact was lost or orphaned",
            stored.len()
        ));
    }
    drop(conn);
    let keys =
        survey_server::keys::Keys::load(target.key_file.as_ref()).map_err(|e| e.to_string())?;
    let report = survey_server::integrity::verify_campaign(&pool, &keys, &ctx, &[], &[])
        .map_err(|e| e.to_string())?;
    if !report.ok() {
        return Err(format!("integrity log: {:?}", report.problems));
    }
    Ok(stored.len())
}

/// Runs `cycles` kill-and-restart cycles; returns the first failed check, or the counts.
/// A fresh SQLite file, or a fresh PostgreSQL database on the server `postgres` names, set up
/// with the demo data (in `dir`, where the demo keeps its key file).
fn target(dir: &std::path::Path, postgres: Option<&str>) -> Target {
    let target = match postgres {
        None => {
            let db = dir.join("crash.db").to_str().unwrap().to_string();
            Target {
                key_file: format!("{db}.keys"),
                url: db,
                postgres_admin: None,
            }
        }
        Some(server) => {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            let server = server.trim_end_matches('/').to_string();
            let name = format!("minyi_crash_{}_{}", std::process::id(), free_port());
            let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            Target {
                url: format!("{server}/{name}"),
                key_file: dir.join("minyi-demo.keys").to_str().unwrap().to_string(),
                postgres_admin: Some((server, name)),
            }
        }
    };
    let demo = Command::new(binary())
        .args(["demo", "--setup-only", "--database", &target.url])
        .current_dir(dir)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    target
}

async fn run_cycles(
    cycles: usize,
    ack_early: bool,
    seed: u64,
    postgres: Option<&str>,
) -> Result<(usize, usize), String> {
    let dir = tempfile::tempdir().unwrap();
    let target = target(dir.path(), postgres);
    let pool = DbPool::open(&DatabaseUrl::parse(&target.url).unwrap(), 1).unwrap();
    let signer = Arc::new(FormSigner::new(
        secrets::form_token_key(&mut pool.get().unwrap()).unwrap(),
        72,
    ));
    drop(pool);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let client = reqwest::Client::new();
    let mut rng = seed;
    let mut stored = 0;
    for cycle in 0..cycles {
        let port = free_port();
        let mut child = start(&target, port, ack_early);
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&client, &base).await;
        let loader = tokio::spawn(load(base, signer.clone(), ledger.clone(), cycle));
        // xorshift: a kill 100–600 ms into the load.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        tokio::time::sleep(Duration::from_millis(100 + rng % 500)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        loader.await.unwrap();
        let ledger = ledger.lock().unwrap();
        stored = check(&target, &ledger).map_err(|e| format!("cycle {cycle}: {e}"))?;
    }
    let acknowledged = ledger.lock().unwrap().acknowledged.len();
    Ok((acknowledged, stored))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_responses_survive_kill_9() {
    let cycles = std::env::var("MINYI_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let (acknowledged, stored) = run_cycles(cycles, false, 0x9E37_79B9_7F4A_7C15, None)
        .await
        .unwrap();
    eprintln!("crash test: {cycles} cycles, {acknowledged} acknowledged, {stored} stored");
    assert!(acknowledged > 0, "the load got responses through");
    assert!(stored >= acknowledged);
}

/// The same on PostgreSQL (its commits durable: the server refuses one that is not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_responses_survive_kill_9_on_postgres() {
    let Ok(server) = std::env::var("MINYI_TEST_PG_URL") else {
        eprintln!("MINYI_TEST_PG_URL not set: the PostgreSQL crash test does not run here");
        return;
    };
    let cycles = std::env::var("MINYI_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let (acknowledged, stored) = run_cycles(cycles, false, 0x1234_5678_9ABC_DEF1, Some(&server))
        .await
        .unwrap();
    eprintln!(
        "crash test (PostgreSQL): {cycles} cycles, {acknowledged} acknowledged, {stored} stored"
    );
    assert!(acknowledged > 0, "the load got responses through");
    assert!(stored >= acknowledged);
}

/// The negative control: acknowledging before the commit must be caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledging_before_commit_is_caught() {
    let outcome = run_cycles(3, true, 0x2545_F491_4F6C_DD1D, None).await;
    let error = outcome.expect_err("the checks must catch responses acknowledged before commit");
    assert!(error.contains("acknowledged responses lost"), "{error}");
}
