//! The export benchmark: N synthetic responses (default 1 000 000, ~30 answers each) stored
//! through the server's write path (`store_batch`: rows, log leaves, flags) in a SQLite file,
//! exported through the real server (a separate `survey-server serve` process per format, so
//! its peak memory is the export's) as CSV, XLSX, Parquet and the bundle (whose `log.csv` then
//! holds a real leaf per response and per flag). The baseline, measured in the same run, is the
//! bare database walk every export has to do: reading all responses page by page with the
//! exports' reader (`responses::export_page`) and decoding their answers, writing nothing.
//!
//!     cargo bench -p survey-server --bench export
//!     MINYI_BENCH_EXPORT_N=100000 cargo bench -p survey-server --bench export
//!
//! `MINYI_BENCH_EXPORT_DB=path` keeps the seeded file there and reuses it on the next run;
//! After the exports, one more server answers the campaign's progress page and its
//! `progress.json` (counts read from `response_counts`, kept by the writer) 200 times each,
//! one request at a time after 5 warm-up requests, beside the same number of `/healthz`
//! (public, no database: the server's floor) as the baseline; p50/p95/max in ms.
//!
//! `MINYI_BENCH_EXPORT_ONLY=csv,labels,xlsx,parquet,bundle,progress` runs a subset;
//! `MINYI_BENCH_EXPORT_RUNS=3` keeps the fastest of three runs of each (the baseline too) and
//! the highest peak memory.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use minyi_questionnaire::{ItemKind, Questionnaire, DEFAULT_TOML};
use survey_server::db::log::LeafContext;
use survey_server::db::responses::{NewResponse, Stored};
use survey_server::db::{campaigns, responses, DatabaseUrl, DbPool};

const PASSWORD: &str = "benchmark passphrase";

fn main() {
    let n: u64 = std::env::var("MINYI_BENCH_EXPORT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    // For repeated trials: keep the seeded file there and reuse it (seeded only when new).
    let kept = std::env::var("MINYI_BENCH_EXPORT_DB").ok();
    // A comma-separated subset of csv, labels, xlsx, parquet, bundle, progress.
    let only = std::env::var("MINYI_BENCH_EXPORT_ONLY").ok();
    let selected = |key: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|k| k.trim() == key))
    };
    // Runs of each measurement, the fastest kept (on a machine others share).
    let runs: usize = std::env::var("MINYI_BENCH_EXPORT_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let dir = tempfile::tempdir().unwrap();
    let db = kept.unwrap_or_else(|| dir.path().join("export.db").to_str().unwrap().to_string());
    let pool = DbPool::open(&DatabaseUrl::parse(&db).unwrap(), 2).unwrap();
    let campaign_id = match campaigns::load_context(&mut pool.get().unwrap(), "2025-final")
        .unwrap()
        .map(|ctx| ctx.campaign.id)
    {
        Some(id) if responses::count_for_campaign(&mut pool.get().unwrap(), id).unwrap() > 0 => {
            let stored = responses::count_for_campaign(&mut pool.get().unwrap(), id).unwrap();
            assert_eq!(stored as u64, n, "{db} holds {stored} responses, not {n}");
            eprintln!("reusing {n} responses in {db}");
            id
        }
        _ => {
            survey_server::demo::load(&pool).unwrap();
            let started = Instant::now();
            let id = seed(&pool, n);
            eprintln!(
                "seeded {n} responses through store_batch in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let hash = survey_server::auth::password::hash(PASSWORD).unwrap();
            survey_server::db::accounts::create_user(
                &mut pool.get().unwrap(),
                "bench",
                &hash,
                "evaluator",
            )
            .unwrap();
            id
        }
    };

    // The baseline: every response read page by page as the exports read them, its answers
    // decoded (borrowed), nothing written.
    let mut baseline = f64::INFINITY;
    for _ in 0..runs {
        let started = Instant::now();
        let (mut after, mut walked, mut answers) = (0, 0u64, 0usize);
        loop {
            let page = responses::export_page(
                &mut pool.get().unwrap(),
                campaign_id,
                after,
                survey_server::export::PAGE_SIZE,
            )
            .unwrap();
            for row in &page {
                answers += row.answers().unwrap().len();
            }
            walked += page.len() as u64;
            match page.last() {
                Some(r) => after = r.id,
                None => break,
            }
        }
        baseline = baseline.min(started.elapsed().as_secs_f64());
        assert_eq!(walked, n);
        assert!(answers as u64 >= 30 * n);
    }
    // For comparison: the general reader (`responses::page`: every answer two owned strings).
    let started = Instant::now();
    let mut after = 0;
    loop {
        let page = responses::page(
            &mut pool.get().unwrap(),
            campaign_id,
            after,
            survey_server::export::PAGE_SIZE,
        )
        .unwrap();
        match page.last() {
            Some((r, _)) => after = r.id,
            None => break,
        }
    }
    let owned = started.elapsed().as_secs_f64();
    drop(pool);

    println!(
        "\nExport of {n} responses (SQLite), one server process per format; fastest of {runs} \
         run(s); load average {}\n",
        load_average()
    );
    println!(
        "| export | seconds | ratio to the bare database walk | output MB | server peak RSS MB \
         | server CPU s |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!("| bare database walk (baseline, in-process) | {baseline:.1} | 1.00 | – | – | – |");
    println!(
        "| walk with `responses::page` (owned answers; for comparison) | {owned:.1} | {:.2} | – | – \
         | – |",
        owned / baseline
    );
    for (key, name, path) in [
        ("csv", "CSV (codes)", "export/responses.csv"),
        (
            "labels",
            "CSV (value labels)",
            "export/responses.csv?labels=1",
        ),
        ("xlsx", "XLSX (labels + codebook)", "export/responses.xlsx"),
        (
            "parquet",
            "Parquet (codes, Snappy)",
            "export/responses.parquet",
        ),
        (
            "bundle",
            "bundle (zip: CSV, flags, log, codebook, questionnaire, manifest)",
            "export/bundle.zip",
        ),
    ] {
        if !selected(key) {
            continue;
        }
        let (mut seconds, mut bytes, mut peak_kib, mut cpu) = (f64::INFINITY, 0, 0, 0.0);
        for _ in 0..runs {
            let (s, b, p, c) = export_once(&db, path);
            if s < seconds {
                cpu = c;
            }
            (seconds, bytes, peak_kib) = (seconds.min(s), b, peak_kib.max(p));
        }
        println!(
            "| {name} | {seconds:.1} | {:.2} | {:.1} | {:.0} | {cpu:.1} |",
            seconds / baseline,
            bytes as f64 / 1e6,
            peak_kib as f64 / 1024.0
        );
    }
    if selected("progress") {
        progress_latency(&db, n);
    }
    println!("\n(load average at the end: {})", load_average());
}

/// Requests of each kind measured, and warm-up requests before them (not measured).
const PROGRESS_REQUESTS: usize = 200;
const PROGRESS_WARM_UP: usize = 5;

/// The progress page (HTML) and `progress.json` through one server, signed in, one request
/// at a time; the baseline is `/healthz` on the same server (public, answers "ok" without
/// touching the database), so the ratio is the progress figures' cost over the server's floor.
fn progress_latency(db: &str, n: u64) {
    let (mut child, port) = spawn_server(db);
    let base = format!("http://127.0.0.1:{port}");
    let client = sign_in(&base);
    let pid = child.id();
    let series = [
        (
            "progress page (HTML)",
            "/console/campaigns/2025-final/progress",
        ),
        (
            "progress.json",
            "/console/campaigns/2025-final/progress.json",
        ),
        ("`/healthz` (baseline: public, no database)", "/healthz"),
    ];
    // (name, p50, p95, max, bytes, CPU seconds)
    let mut rows = Vec::new();
    for (name, path) in series {
        let url = format!("{base}{path}");
        let fetch = || {
            let response = client.get(&url).send().unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().unwrap()
        };
        let body = fetch();
        // The figures are the campaign's: every response counted.
        if path.ends_with("progress.json") {
            assert!(
                body.contains(&format!("\"total\":{n},")),
                "{path}: {body:.300}"
            );
        } else if path.ends_with("progress") {
            assert!(body.contains(&format!("<strong>{n}</strong>")), "{path}");
        }
        for _ in 1..PROGRESS_WARM_UP {
            fetch();
        }
        let cpu_before = cpu_seconds(pid);
        let mut ms = Vec::with_capacity(PROGRESS_REQUESTS);
        let mut bytes = 0;
        for _ in 0..PROGRESS_REQUESTS {
            let started = Instant::now();
            bytes = fetch().len();
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let cpu = cpu_seconds(pid) - cpu_before;
        ms.sort_by(f64::total_cmp);
        rows.push((
            name,
            percentile(&ms, 0.50),
            percentile(&ms, 0.95),
            ms[ms.len() - 1],
            bytes,
            cpu,
        ));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let baseline_p95 = rows[rows.len() - 1].2;
    println!(
        "\nProgress of {n} responses: one server, signed in, {PROGRESS_REQUESTS} sequential \
         requests of each after {PROGRESS_WARM_UP} warm-up; load average {}\n",
        load_average()
    );
    println!(
        "| request | p50 ms | p95 ms | max ms | p95 ratio to `/healthz` | body bytes \
         | server CPU s ({PROGRESS_REQUESTS} requests) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, p50, p95, max, bytes, cpu) in rows {
        println!(
            "| {name} | {p50:.2} | {p95:.2} | {max:.2} | {:.1} | {bytes} | {cpu:.2} |",
            p95 / baseline_p95
        );
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A client signed in as the benchmark's evaluator (its session in the cookie store).
fn sign_in(base: &str) -> reqwest::blocking::Client {
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
    client
}

/// Responses stored per `store_batch` call (one transaction each).
const SEED_BATCH: u64 = 500;

/// Stores `n` responses through the server's own write path (`store_batch`, 500 a
/// transaction), so that each gets its row, its leaf in the integrity log, its counts and
/// — on some — flags with their event leaves. Answers vary with the response's number as the
/// earlier SQL seeding varied them.
fn seed(pool: &DbPool, n: u64) -> i32 {
    let mut conn = pool.get().unwrap();
    let ctx = campaigns::load_context(&mut conn, "2025-final")
        .unwrap()
        .unwrap();
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    let items: Vec<(String, &ItemKind, String)> = q
        .items()
        .filter(|(s, _)| s.show_if.is_none())
        .map(|(_, item)| {
            let first = item
                .options()
                .first()
                .map(|o| o.code.clone())
                .unwrap_or_default();
            (item.id.clone(), &item.kind, first)
        })
        .collect();
    let answers = |i: u64| -> Vec<(String, String)> {
        items
            .iter()
            .enumerate()
            .map(|(k, (id, kind, first))| {
                let v = i + k as u64;
                let value = match kind {
                    ItemKind::Likert5 { .. } if v.is_multiple_of(17) => "na".to_string(),
                    ItemKind::Likert5 { .. } => (v % 5 + 1).to_string(),
                    ItemKind::YesNo { .. } if v.is_multiple_of(3) => "yes".to_string(),
                    ItemKind::YesNo { .. } => "no".to_string(),
                    ItemKind::Scale10 { .. } => (v % 11).to_string(),
                    ItemKind::Text { .. } => "执法人员态度很好，希望多做解释。".to_string(),
                    _ => first.clone(),
                };
                (id.clone(), value)
            })
            .collect()
    };
    // About 4% of the responses carry a flag, a few two.
    let flags = |i: u64| -> Vec<(String, String)> {
        let mut flags = Vec::new();
        if i.is_multiple_of(29) {
            flags.push(("speeder".to_string(), "12.0 s < 60 s".to_string()));
        }
        if i.is_multiple_of(97) {
            flags.push(("straight_lining".to_string(), String::new()));
        }
        if i.is_multiple_of(991) {
            flags.push(("honeypot".to_string(), String::new()));
        }
        flags
    };
    let mut i = 1;
    while i <= n {
        let batch: Vec<NewResponse> = (i..=n.min(i + SEED_BATCH - 1))
            .map(|i| {
                let unit = &ctx.units[i as usize % ctx.units.len()];
                let issued = 1_700_000_000_000 + i as i64 * 1000;
                NewResponse {
                    campaign_id: ctx.campaign.id,
                    unit_id: unit.id,
                    site_id: None,
                    questionnaire_version_id: ctx.questionnaire.id,
                    idempotency_key: format!("bench-{i}"),
                    respondent_type: Some("resident".into()),
                    lang: "zh-CN".into(),
                    form_issued_at: issued,
                    submitted_at: issued + 180_000,
                    link_check: "signed".into(),
                    answers: answers(i),
                    case_code: None,
                    contact: None,
                    leaf: LeafContext {
                        campaign: ctx.campaign.slug.clone(),
                        unit: unit.code.clone(),
                        site: String::new(),
                        questionnaire: ctx.questionnaire.content_hash.clone(),
                    },
                    device_tag: None,
                    flags: flags(i),
                    collection: minyi_integrity::Collection::default(),
                }
            })
            .collect();
        let refs: Vec<&NewResponse> = batch.iter().collect();
        for stored in responses::store_batch(&mut conn, &refs).unwrap() {
            assert!(matches!(stored, Ok(Stored::New(_))), "{stored:?}");
        }
        i += SEED_BATCH;
    }
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

/// The 1, 5 and 15 minute load averages (the machine may be shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The CPU time (user and system, seconds) a process has used, its finished threads' included.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name: utime and stime are the 12th and 13th, in ticks.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// (seconds, bytes downloaded, server peak RSS in KiB, server CPU seconds during the export)
/// for one export.
fn export_once(db: &str, path: &str) -> (f64, u64, u64, f64) {
    let (mut child, port) = spawn_server(db);
    let base = format!("http://127.0.0.1:{port}");
    let client = sign_in(&base);
    let started = Instant::now();
    let cpu_before = cpu_seconds(child.id());
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
    let cpu = cpu_seconds(child.id()) - cpu_before;
    child.kill().unwrap();
    let _ = child.wait();
    (seconds, bytes, peak, cpu)
}
