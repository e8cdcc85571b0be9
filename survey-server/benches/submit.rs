//! The submit-path benchmark: durable submissions per second through the real form POST
//! (token check, parsing, one committed transaction per response on SQLite with WAL and
//! synchronous=FULL) next to a bare actix-web POST→204 handler, both measured in the same run
//! under the same load: 32 concurrent keep-alive connections from an in-repo load generator.
//!
//!     cargo bench -p survey-server --bench submit
//!     MINYI_BENCH_SECS=20 MINYI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 cargo bench …
//!
//! Results go to stdout as a Markdown table for BENCHMARKS.md.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use hdrhistogram::Histogram;
use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};
use survey_server::config::Settings;
use survey_server::db::{secrets, DatabaseUrl, DbPool};
use survey_server::startup::Application;
use survey_server::token::FormSigner;

const CONNECTIONS: usize = 32;
const FORM_PATH: &str = "/s/2025-final/market?site=hall";

struct Outcome {
    name: String,
    /// Every 2xx/303 answer, warm-up included: each must be a stored response.
    acknowledged: usize,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

fn main() {
    let secs: u64 = std::env::var("MINYI_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bench.db").to_str().unwrap().to_string();
    let mut targets = vec![("real submit path, SQLite".to_string(), sqlite)];
    if let Ok(server) = std::env::var("MINYI_BENCH_PG_URL") {
        targets.push((
            "real submit path, PostgreSQL".to_string(),
            postgres_database(&server),
        ));
    }

    let bare_port = start_bare_server();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut outcomes = Vec::new();
    let bare_bodies = bodies_for(&FormSigner::new(vec![0u8; 32].into(), 72), 1_000);
    outcomes.push(runtime.block_on(load(
        "bare actix-web POST→204".into(),
        format!("http://127.0.0.1:{bare_port}{FORM_PATH}"),
        bare_bodies,
        secs,
        false,
    )));
    let mut form_bytes = 0;
    for (name, url) in targets {
        let (port, signer) = start_real_server(&url);
        let base = format!("http://127.0.0.1:{port}");
        form_bytes = runtime.block_on(async {
            reqwest::get(format!("{base}{FORM_PATH}"))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .len()
        });
        let bodies = bodies_for(&signer, 200_000);
        let outcome =
            runtime.block_on(load(name, format!("{base}{FORM_PATH}"), bodies, secs, true));
        check_all_stored(&url, outcome.acknowledged);
        outcomes.push(outcome);
    }
    report(&outcomes, form_bytes, secs);
}

/// Each request its own valid response with a fresh form token (minted with the server's key,
/// as the form GET would), so every POST is a new durable insert.
fn bodies_for(signer: &FormSigner, n: usize) -> Vec<String> {
    let now = survey_server::db::now_ms() - 60_000;
    let q = Questionnaire::parse(DEFAULT_TOML).unwrap();
    (0..n)
        .map(|i| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            s.append_pair("_t", &signer.issue(now));
            for (_, item) in q.items() {
                let value = match &item.kind {
                    minyi_questionnaire::ItemKind::Likert5 { .. } => {
                        ["1", "2", "3", "4", "5"][i % 5].to_string()
                    }
                    minyi_questionnaire::ItemKind::YesNo { .. } => "no".into(),
                    minyi_questionnaire::ItemKind::Scale10 { .. } => (i % 11).to_string(),
                    minyi_questionnaire::ItemKind::Text { .. } => "基准测试".into(),
                    _ => item.options()[0].code.clone(),
                };
                s.append_pair(&item.id, &value);
            }
            s.finish()
        })
        .collect()
}

fn start_bare_server() -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| {
                App::new()
                    .route("/healthz", web::get().to(HttpResponse::Ok))
                    .route(
                        "/s/{campaign}/{unit}",
                        web::post()
                            .to(|_body: web::Bytes| async { HttpResponse::NoContent().finish() }),
                    )
            })
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0].port()).unwrap();
            server.run().await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn start_real_server(url: &str) -> (u16, FormSigner) {
    let pool = DbPool::open(&DatabaseUrl::parse(url).unwrap(), 2).unwrap();
    survey_server::demo::load(&pool).unwrap();
    let signer = FormSigner::new(
        secrets::form_token_key(&mut pool.get().unwrap()).unwrap(),
        72,
    );
    // The key file beside a SQLite file is made at start; a PostgreSQL server needs one made
    // at setup, as `migrate` does.
    let mut settings = Settings::for_database(url);
    if url.starts_with("postgres") {
        let path = std::env::temp_dir().join(format!("minyi-bench-{}.keys", std::process::id()));
        let _ = std::fs::remove_file(&path);
        survey_server::keys::setup(&path, &pool, true).unwrap();
        settings.key_file = path.to_str().unwrap().to_string();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(settings).await.unwrap();
            tx.send(app.port()).unwrap();
            app.run_until_stopped().await.unwrap();
        });
    });
    (rx.recv().unwrap(), signer)
}

/// Every acknowledged submission is in the database, exactly once.
fn check_all_stored(url: &str, acknowledged: usize) {
    let pool = DbPool::open(&DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let campaign = survey_server::db::campaigns::load_context(&mut conn, "2025-final")
        .unwrap()
        .unwrap();
    let stored =
        survey_server::db::responses::count_for_campaign(&mut conn, campaign.campaign.id).unwrap();
    assert_eq!(
        stored as usize, acknowledged,
        "acknowledged responses missing from {url}"
    );
}

fn postgres_database(server: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    let name = format!("minyi_bench_{}", std::process::id());
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let url = format!("{server}/{name}");
    survey_server::db::migrate_postgres(&url).unwrap();
    url
}

/// 32 connections, each sending its next body as soon as the last answer arrived, for a
/// warm-up second and then `secs` measured seconds.
async fn load(name: String, url: String, bodies: Vec<String>, secs: u64, unique: bool) -> Outcome {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let warmup = Duration::from_secs(1);
    let start = Instant::now();
    let measured_from = start + warmup;
    let end = measured_from + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (bodies, next, url) = (bodies.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
            let (mut ok, mut errors, mut acknowledged) = (0usize, 0usize, 0usize);
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let body = bodies[i % bodies.len()].clone();
                let response = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await;
                let done = Instant::now();
                let success = matches!(&response, Ok(r) if r.status() == 303 || r.status() == 204);
                acknowledged += usize::from(success);
                if sent < measured_from {
                    continue;
                }
                match response {
                    Ok(r) if r.status() == 303 || r.status() == 204 => {
                        ok += 1;
                        histogram.record((done - sent).as_micros() as u64).unwrap();
                    }
                    _ => errors += 1,
                }
            }
            (histogram, ok, errors, acknowledged)
        }));
    }
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let (mut requests, mut errors, mut acknowledged) = (0, 0, 0);
    for task in tasks {
        let (h, ok, e, a) = task.await.unwrap();
        histogram.add(h).unwrap();
        requests += ok;
        errors += e;
        acknowledged += a;
    }
    let sent = next.load(Ordering::Relaxed);
    assert!(
        !unique || sent <= bodies.len(),
        "{sent} requests for {} distinct bodies",
        bodies.len()
    );
    Outcome {
        name,
        acknowledged,
        requests,
        errors,
        seconds: secs as f64,
        p50_ms: histogram.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
    }
}

fn report(outcomes: &[Outcome], form_bytes: usize, secs: u64) {
    let baseline = outcomes[0].per_second();
    println!("\nSubmit path, {CONNECTIONS} connections, {secs} s measured after 1 s warm-up\n");
    println!("| handler | requests/s | ratio to bare | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    for o in outcomes {
        println!(
            "| {} | {:.0} | {:.3} | {:.2} | {:.2} | {} |",
            o.name,
            o.per_second(),
            o.per_second() / baseline,
            o.p50_ms,
            o.p99_ms,
            o.errors
        );
    }
    println!("\nForm page (default questionnaire, zh-CN): {form_bytes} bytes uncompressed");
}
