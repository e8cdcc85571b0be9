//! The export benchmark: N synthetic responses (default 1 000 000, ~30 answers each) in a
//! SQLite file, exported through the real server (a separate `survey-server serve` process
//! per format, so its peak memory is the export's) as CSV, XLSX and the bundle. The baseline,
//! measured in the same run, is the bare database walk every export has to do: reading all
//! responses and answers page by page without writing anything.
//!
//!     cargo bench -p survey-server --bench export
//!     MINYI_BENCH_EXPORT_N=100000 cargo bench -p survey-server --bench export

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use minyi_questionnaire::{ItemKind, Questionnaire, DEFAULT_TOML};
use survey_server::db::{campaigns, responses, DatabaseUrl, DbConn, DbPool};

const PASSWORD: &str = "benchmark passphrase";

fn main() {
    let n: u64 = std::env::var("MINYI_BENCH_EXPORT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("export.db").to_str().unwrap().to_string();
    let pool = DbPool::open(&DatabaseUrl::parse(&db).unwrap(), 2).unwrap();
    survey_server::demo::load(&pool).unwrap();
    let started = Instant::now();
    let campaign_id = seed(&pool, n);
    eprintln!(
        "seeded {n} responses in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let hash = survey_server::auth::password::hash(PASSWORD).unwrap();
    survey_server::db::accounts::create_user(&mut pool.get().unwrap(), "bench", &hash, "evaluator")
        .unwrap();

    let started = Instant::now();
    let mut after = 0;
    let mut walked = 0;
    loop {
        let page = responses::page(
            &mut pool.get().unwrap(),
            campaign_id,
            after,
            survey_server::export::PAGE_SIZE,
        )
        .unwrap();
        walked += page.len();
        match page.last() {
            Some((r, _)) => after = r.id,
            None => break,
        }
    }
    let baseline = started.elapsed().as_secs_f64();
    assert_eq!(walked as u64, n);
    drop(pool);

    println!("\nExport of {n} responses (SQLite), one server process per format\n");
    println!(
        "| export | seconds | ratio to the bare database walk | output MB | server peak RSS MB |"
    );
    println!("|---|---:|---:|---:|---:|");
    println!("| bare database walk (baseline, in-process) | {baseline:.1} | 1.00 | – | – |");
    for (name, path) in [
        ("CSV (codes)", "export/responses.csv"),
        ("CSV (value labels)", "export/responses.csv?labels=1"),
        ("XLSX (labels + codebook)", "export/responses.xlsx"),
        ("Parquet (codes, Snappy)", "export/responses.parquet"),
        (
            "bundle (zip: CSV, codebook, questionnaire, manifest)",
            "export/bundle.zip",
        ),
    ] {
        let (seconds, bytes, peak_kib) = export_once(&db, path);
        println!(
            "| {name} | {seconds:.1} | {:.2} | {:.1} | {:.0} |",
            seconds / baseline,
            bytes as f64 / 1e6,
            peak_kib as f64 / 1024.0
        );
    }
}

/// Inserts `n` responses and their answers with two SQL statements in one transaction.
fn seed(pool: &DbPool, n: u64) -> i32 {
    let mut conn = pool.get().unwrap();
    let ctx = campaigns::load_context(&mut conn, "2025-final")
        .unwrap()
        .unwrap();
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    let units: Vec<String> = ctx.units.iter().map(|u| u.id.to_string()).collect();
    let unit_case = units
        .iter()
        .enumerate()
        .map(|(i, id)| format!("WHEN {i} THEN {id}"))
        .collect::<Vec<_>>()
        .join(" ");
    let responses = format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})
         INSERT INTO responses (campaign_id, unit_id, site_id, questionnaire_version_id, idempotency_key,
             respondent_type, lang, form_issued_at, submitted_at, duration_ms, link_check)
         SELECT {cid}, CASE i % {units} {unit_case} END, NULL, {qv}, 'bench-' || i, 'resident', 'zh-CN',
             1700000000000 + i * 1000, 1700000000000 + i * 1000 + 180000, 180000, 'signed' FROM seq",
        cid = ctx.campaign.id,
        units = units.len(),
        qv = ctx.questionnaire.id,
    );
    let items: Vec<String> = q
        .items()
        .filter(|(s, _)| s.show_if.is_none())
        .enumerate()
        .map(|(k, (_, item))| {
            let value = match &item.kind {
                ItemKind::Likert5 { .. } => format!("CASE WHEN (r.id + {k}) % 17 = 0 THEN 'na' ELSE CAST((r.id + {k}) % 5 + 1 AS TEXT) END"),
                ItemKind::YesNo { .. } => format!("CASE WHEN (r.id + {k}) % 3 = 0 THEN 'yes' ELSE 'no' END"),
                ItemKind::Scale10 { .. } => format!("CAST((r.id + {k}) % 11 AS TEXT)"),
                ItemKind::Text { .. } => "'执法人员态度很好，希望多做解释。'".to_string(),
                _ => format!("'{}'", item.options()[0].code),
            };
            format!("SELECT r.id, '{}', {value} FROM responses r", item.id)
        })
        .collect();
    let answers = format!(
        "INSERT INTO answers (response_id, item_id, value) {}",
        items.join(" UNION ALL ")
    );
    let DbConn::Sqlite(c) = &mut conn else {
        unreachable!()
    };
    diesel::sql_query("BEGIN IMMEDIATE")
        .execute(&mut **c)
        .unwrap();
    diesel::sql_query(responses).execute(&mut **c).unwrap();
    diesel::sql_query(answers).execute(&mut **c).unwrap();
    diesel::sql_query("COMMIT").execute(&mut **c).unwrap();
    ctx.campaign.id
}

fn spawn_server(db: &str) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_survey-server"))
        .args(["serve", "--database-url", db, "--port", &port.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// (seconds, bytes downloaded, server peak RSS in KiB) for one export.
fn export_once(db: &str, path: &str) -> (f64, u64, u64) {
    let (mut child, port) = spawn_server(db);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(None)
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/console/login"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let marker = r#"name="_csrf" value=""#;
    let start = page.find(marker).expect("a sign-in token") + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let login = client
        .post(format!("{base}/console/login"))
        .form(&[
            ("username", "bench"),
            ("password", PASSWORD),
            ("_csrf", csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(login.status(), 303);
    let started = Instant::now();
    let mut response = client
        .get(format!("{base}/console/campaigns/2025-final/{path}"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let read = response.read(&mut buf).unwrap();
        if read == 0 {
            break;
        }
        bytes += read as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_kib(child.id());
    child.kill().unwrap();
    let _ = child.wait();
    (seconds, bytes, peak)
}
