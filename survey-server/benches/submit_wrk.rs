//! The submit path under an external load generator (issue #12): `wrk` posting filled forms
//! at 32 connections to servers that run as separate processes — the bare actix-web handler
//! (`examples/bare_server.rs`, POST → 204 reading the body), the real `survey-server serve` on
//! a fresh SQLite file, and, when `MINYI_BENCH_PG_URL` is set, the real server on a fresh
//! PostgreSQL database and two real servers on one fresh PostgreSQL database.
//!
//!     cargo build --release -p survey-server --example bare_server   # prerequisite
//!     cargo bench -p survey-server --bench submit_wrk
//!     MINYI_BENCH_SECS=20 MINYI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 cargo bench …
//!
//! Needs `wrk` on PATH (Debian: `apt-get install wrk`); installs and builds nothing itself.
//!
//! Each body is a form the server served: the benchmark GETs the form page, takes its token
//! and device cookie, and fills every item at random. `bench/wrk/submit.lua` gives each wrk
//! thread its own share of the bodies and never posts one twice (a run that runs out is
//! discarded and repeated with more). Each configuration gets a 2 s warm-up run, then the
//! measured run: `wrk -t2 -c32 -d<secs>s --latency`; requests/s and p50/p99 are wrk's. The
//! server's CPU is utime + stime of its process (all its threads) from `/proc/<pid>/stat`
//! just before and after the measured run, divided by the responses acknowledged in it.
//! After every real configuration the number of stored responses (the progress JSON, read
//! through the console API) must be the number of 303s over all its runs, plus at most the
//! requests wrk cut off unanswered when it stopped.
//!
//! The servers run with the rate limits off (one client address), as the crash test does, and
//! with the speeder threshold at 1 s: a citizen takes minutes over a form, and a form posted
//! seconds after it was fetched would otherwise earn a flag (and its log leaf) every time.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use minyi_questionnaire::{ItemKind, Questionnaire, DEFAULT_TOML};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const FORM_PATH: &str = "/s/2025-final/market?site=hall";
const THREADS: usize = 2;
const CONNECTIONS: usize = 32;
const WARMUP_SECS: u64 = 2;
/// Forms fetched for a warm-up run (per configuration).
const WARMUP_FORMS: usize = 12_000;
/// Concurrent GETs while fetching forms.
const FETCHERS: usize = 4;
const VIEWER: &str = "bench";
const PASSWORD: &str = "benchmark passphrase";

fn main() {
    require_wrk();
    let secs: u64 = std::env::var("MINYI_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let bench = Bench {
        secs,
        server: PathBuf::from(env!("CARGO_BIN_EXE_survey-server")),
        script: Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/wrk/submit.lua"),
        tick_us: 1e6 / clock_ticks_per_second() as f64,
        dir: tempfile::tempdir().unwrap(),
    };
    let bare_binary = bare_server_binary();
    let mut rows = Vec::new();

    // The SQLite server comes first: its forms are also the bare handler's bodies.
    let sqlite = bench.dir.path().join("bench.db");
    let sqlite = sqlite.to_str().unwrap().to_string();
    bench.set_up(&sqlite, bench.dir.path());
    let real = bench.start_real(&sqlite, None, "sqlite");
    let mut forms = Forms::default();
    let warm = bench.fetch(&[real.port], WARMUP_FORMS, &mut forms, "sqlite-warm");

    let bare = start_bare(&bare_binary);
    rows.push(bench.measure_bare(&bare, &warm));
    drop(bare);
    rows.push(bench.measure_real("real submit path, SQLite", &[&real], &warm, &mut forms));
    drop(real);

    if let Ok(server) = std::env::var("MINYI_BENCH_PG_URL") {
        let server = server.trim_end_matches('/').to_string();
        let mut databases = Vec::new();
        for (suffix, instances) in [("one", 1), ("two", 2)] {
            let name = format!("minyi_bench_wrk_{}_{suffix}", std::process::id());
            let url = create_postgres_database(&server, &name);
            databases.push(name);
            let home = bench.dir.path().join(suffix);
            std::fs::create_dir_all(&home).unwrap();
            bench.set_up(&url, &home);
            // `demo` keeps a PostgreSQL database's key file in the folder it runs in.
            let keys = home.join("minyi-demo.keys");
            let servers: Vec<Server> = (0..instances)
                .map(|i| bench.start_real(&url, Some(&keys), &format!("pg-{suffix}-{i}")))
                .collect();
            let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
            let mut forms = Forms::default();
            let warm = bench.fetch(
                &ports,
                WARMUP_FORMS,
                &mut forms,
                &format!("pg-{suffix}-warm"),
            );
            let name = if instances == 1 {
                "real submit path, PostgreSQL".to_string()
            } else {
                format!(
                    "real submit path, PostgreSQL, {instances} instances on one database \
                     ({} connections each)",
                    CONNECTIONS / instances
                )
            };
            let servers: Vec<&Server> = servers.iter().collect();
            rows.push(bench.measure_real(&name, &servers, &warm, &mut forms));
        }
        for name in databases {
            drop_postgres_database(&server, &name);
        }
    }
    report(&rows, secs);
}

struct Bench {
    secs: u64,
    server: PathBuf,
    script: PathBuf,
    tick_us: f64,
    dir: tempfile::TempDir,
}

/// One configuration's measured run.
struct Row {
    name: String,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Server CPU (all threads of every server process) per acknowledged response.
    cpu_us: f64,
    /// PostgreSQL's own processes, per acknowledged response.
    postgres_cpu_us: Option<f64>,
    /// The load generator's CPU per acknowledged response.
    wrk_cpu_us: f64,
    errors: u64,
    note: String,
}

/// What one wrk run reported.
#[derive(Debug, Default)]
struct WrkRun {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    socket_errors: u64,
    posted: u64,
    s204: u64,
    s303: u64,
    other: u64,
    exhausted: u64,
    /// Acknowledgements (303) by server port.
    by_port: Vec<(String, u64)>,
    output: String,
}

/// Every form token fetched for one database, so none is ever handed to wrk twice.
#[derive(Default)]
struct Forms {
    tokens: HashSet<String>,
}

/// A server process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_wrk() {
    match Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "error: `wrk` is not on PATH. This benchmark drives the servers with wrk \
                 (https://github.com/wg/wrk); install it first, e.g. `apt-get install wrk`."
            );
            std::process::exit(2);
        }
        Err(e) => panic!("running wrk: {e}"),
    }
}

/// `target/<profile>/examples/bare_server`, beside this benchmark's `deps/` folder.
fn bare_server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples/bare_server");
    if !path.exists() {
        eprintln!(
            "error: {} is missing. Build the bare server first, with the same target folder:\n    \
             cargo build --release -p survey-server --example bare_server",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// utime + stime of a process, all its threads, in clock ticks (`/proc/<pid>/stat`).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat_fields(&stat)
        .map(|f| f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap())
        .unwrap()
}

/// The fields after the command name: `[0]` is field 3 (state), `[11]` utime, `[12]` stime,
/// `[13]` cutime, `[14]` cstime.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    (fields.len() > 14).then_some(fields)
}

/// CPU of this process's waited-for children (wrk, once it has exited), in clock ticks.
fn children_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    stat_fields(&stat)
        .map(|f| f[13].parse::<u64>().unwrap() + f[14].parse::<u64>().unwrap())
        .unwrap()
}

/// utime + stime of every process named `postgres` on this machine, in clock ticks.
fn postgres_ticks() -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if !stat.contains("(postgres)") {
            continue;
        }
        if let Some(f) = stat_fields(&stat) {
            total += f[11].parse::<u64>().unwrap_or(0) + f[12].parse::<u64>().unwrap_or(0);
        }
    }
    total
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_bare(binary: &Path) -> Server {
    let mut child = Command::new(binary)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the bare server said {line:?}"));
    Server { child, port }
}

impl Bench {
    fn survey_server(&self) -> Command {
        let mut cmd = Command::new(&self.server);
        cmd.env("RUST_LOG", "error");
        cmd
    }

    /// A fresh database with the demo campaign (as the crash test sets it up) and a viewer
    /// account to read the progress JSON with.
    fn set_up(&self, database: &str, home: &Path) {
        let demo = self
            .survey_server()
            .args(["demo", "--setup-only", "--database", database])
            .current_dir(home)
            .output()
            .unwrap();
        assert!(
            demo.status.success(),
            "survey-server demo --setup-only: {}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let mut add = self
            .survey_server()
            .args(["user", "add", VIEWER, "--role", "viewer"])
            .args(["--database-url", database])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let added = add.wait_with_output().unwrap();
        assert!(
            added.status.success(),
            "survey-server user add: {}",
            String::from_utf8_lossy(&added.stderr)
        );
    }

    /// `survey-server serve` on `database`, ready to answer.
    fn start_real(&self, database: &str, key_file: Option<&Path>, label: &str) -> Server {
        let port = free_port();
        let log = self.dir.path().join(format!("server-{label}.log"));
        let mut cmd = self.survey_server();
        cmd.args(["serve", "--database-url", database])
            .args(["--port", &port.to_string()])
            // One client address: the rate limits off, as in the crash test.
            .env("MINYI_RATE_LIMIT_PER_ADDRESS", "0")
            .env("MINYI_RATE_LIMIT_PER_NETWORK", "0")
            .env("MINYI_SPEEDER_SECONDS", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(keys) = key_file {
            cmd.env("MINYI_KEY_FILE", keys);
        }
        let mut server = Server {
            child: cmd.spawn().expect("survey-server serve starts"),
            port,
        };
        let client = reqwest::blocking::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "survey-server serve exited ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            let health = client
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send();
            if health.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("survey-server serve did not come up on port {port}");
    }

    /// Fetches `n` forms, spread over the servers in turn, fills them and writes them to a
    /// body file for the wrk script (line i from `ports[i % ports.len()]`, so with one wrk
    /// thread per server each thread posts the forms its own server served).
    fn fetch(&self, ports: &[u16], n: usize, forms: &mut Forms, label: &str) -> PathBuf {
        let started = Instant::now();
        let q = Arc::new(Questionnaire::parse(DEFAULT_TOML).unwrap());
        let next = Arc::new(AtomicUsize::new(0));
        let seed = forms.tokens.len() as u64;
        let fetchers: Vec<_> = (0..FETCHERS)
            .map(|f| {
                let (q, next, ports) = (q.clone(), next.clone(), ports.to_vec());
                std::thread::spawn(move || {
                    // No cookie store: every GET is a new device, and gets its own cookie.
                    let client = reqwest::blocking::Client::builder()
                        .redirect(reqwest::redirect::Policy::none())
                        .timeout(Duration::from_secs(30))
                        .build()
                        .unwrap();
                    let mut rng =
                        StdRng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(f as u64));
                    let mut lines = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return lines;
                        }
                        let port = ports[i % ports.len()];
                        let page = client
                            .get(format!("http://127.0.0.1:{port}{FORM_PATH}"))
                            .send()
                            .expect("the form page");
                        assert_eq!(page.status(), 200, "the form page");
                        let cookie = page
                            .headers()
                            .get_all(reqwest::header::SET_COOKIE)
                            .iter()
                            .filter_map(|v| v.to_str().ok())
                            .find(|v| v.starts_with("minyi_device="))
                            .and_then(|v| v.split(';').next())
                            .unwrap_or_default()
                            .to_string();
                        let token = token_in(&page.text().unwrap());
                        let body = filled(&q, &token, &mut rng);
                        lines.push((i, token, format!("{cookie}\t{body}")));
                    }
                })
            })
            .collect();
        let mut lines: Vec<(usize, String, String)> = fetchers
            .into_iter()
            .flat_map(|f| f.join().unwrap())
            .collect();
        lines.sort_by_key(|(i, _, _)| *i);
        let path = self.dir.path().join(format!("bodies-{label}.txt"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for (_, token, line) in lines {
            assert!(forms.tokens.insert(token), "a form token served twice");
            writeln!(file, "{line}").unwrap();
        }
        file.flush().unwrap();
        eprintln!(
            "fetched and filled {n} forms in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        path
    }

    /// One wrk run of `secs` seconds; several ports spread its threads over several servers.
    fn wrk(&self, ports: &[u16], bodies: &Path, secs: u64, mode: &str) -> WrkRun {
        let output = Command::new("wrk")
            .arg(format!("-t{THREADS}"))
            .arg(format!("-c{CONNECTIONS}"))
            .arg(format!("-d{secs}s"))
            .args(["--latency", "--timeout", "10s", "-s"])
            .arg(&self.script)
            .arg(format!("http://127.0.0.1:{}{FORM_PATH}", ports[0]))
            .arg("--")
            .arg(bodies)
            .arg(THREADS.to_string())
            .arg(mode)
            .env(
                "MINYI_WRK_PORTS",
                ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .output()
            .expect("running wrk");
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success() && text.contains("minyi-wrk "),
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        parse_wrk(&text)
    }

    fn measure_bare(&self, bare: &Server, bodies: &Path) -> Row {
        eprintln!("bare handler: warm-up");
        self.wrk(&[bare.port], bodies, WARMUP_SECS, "cycle");
        let (cpu, wrk_cpu) = (cpu_ticks(bare.child.id()), children_ticks());
        let run = self.wrk(&[bare.port], bodies, self.secs, "cycle");
        let cpu = cpu_ticks(bare.child.id()) - cpu;
        let wrk_cpu = children_ticks() - wrk_cpu;
        eprintln!("{}", run.output);
        let done = run.s204.max(1) as f64;
        Row {
            name: "bare actix-web POST→204".into(),
            per_second: run.per_second,
            p50_ms: run.p50_ms,
            p99_ms: run.p99_ms,
            cpu_us: cpu as f64 * self.tick_us / done,
            postgres_cpu_us: None,
            wrk_cpu_us: wrk_cpu as f64 * self.tick_us / done,
            errors: run.other + run.socket_errors,
            note: String::new(),
        }
    }

    /// A warm-up run, then the measured run on enough fresh forms (repeated with more if wrk
    /// ran out), then the check that every acknowledged response is stored.
    fn measure_real(
        &self,
        name: &str,
        servers: &[&Server],
        warm_bodies: &Path,
        forms: &mut Forms,
    ) -> Row {
        let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
        let postgres = name.contains("PostgreSQL");
        let (mut acknowledged, mut cut_off) = (0, 0);
        eprintln!("{name}: warm-up");
        let warm = self.wrk(&ports, warm_bodies, WARMUP_SECS, "unique");
        acknowledged += warm.s303;
        cut_off += warm.posted.saturating_sub(warm.s303 + warm.other);
        let mut rate = warm.s303 as f64 / WARMUP_SECS as f64;
        if warm.exhausted > 0 {
            rate *= 2.0;
        }
        let mut n = (rate * self.secs as f64 * 1.5) as usize + 2_000;
        let mut attempt = 0;
        let (run, cpu, pg_cpu, wrk_cpu) = loop {
            attempt += 1;
            let bodies = self.fetch(&ports, n, forms, &format!("{}-{attempt}", ports[0]));
            // Past the speeder threshold (1 s) for the last form fetched.
            std::thread::sleep(Duration::from_millis(1_500));
            let ticks = || -> u64 { servers.iter().map(|s| cpu_ticks(s.child.id())).sum() };
            let (cpu, pg_cpu, wrk_cpu) = (ticks(), postgres_ticks(), children_ticks());
            let run = self.wrk(&ports, &bodies, self.secs, "unique");
            let cpu = ticks() - cpu;
            let pg_cpu = postgres_ticks().saturating_sub(pg_cpu);
            let wrk_cpu = children_ticks() - wrk_cpu;
            acknowledged += run.s303;
            cut_off += run.posted.saturating_sub(run.s303 + run.other);
            eprintln!("{}", run.output);
            if run.exhausted == 0 {
                break (run, cpu, pg_cpu, wrk_cpu);
            }
            assert!(attempt < 3, "{name}: wrk ran out of forms three times");
            eprintln!(
                "{name}: wrk ran out of its {n} forms; discarding the run, again with {}",
                n * 2
            );
            n *= 2;
        };
        let stored = stored_responses(ports[0]);
        assert!(
            stored >= acknowledged && stored <= acknowledged + cut_off,
            "{name}: {stored} responses stored for {acknowledged} acknowledged \
             (and {cut_off} requests cut off unanswered when wrk stopped)"
        );
        let done = run.s303.max(1) as f64;
        let mut note = format!(
            "{stored} stored = {acknowledged} acknowledged (303) + {} of the {cut_off} \
             requests wrk cut off unanswered at the end of its runs",
            stored - acknowledged
        );
        if servers.len() > 1 {
            let each: Vec<String> = run
                .by_port
                .iter()
                .map(|(port, n)| format!("{n} on :{port}"))
                .collect();
            note.push_str(&format!("; measured run: {}", each.join(", ")));
        }
        Row {
            name: name.to_string(),
            per_second: run.per_second,
            p50_ms: run.p50_ms,
            p99_ms: run.p99_ms,
            cpu_us: cpu as f64 * self.tick_us / done,
            postgres_cpu_us: postgres.then(|| pg_cpu as f64 * self.tick_us / done),
            wrk_cpu_us: wrk_cpu as f64 * self.tick_us / done,
            errors: run.other + run.socket_errors,
            note,
        }
    }
}

/// The form token in a served form page.
fn token_in(html: &str) -> String {
    let marker = r#"name="_t" value=""#;
    let start = html.find(marker).expect("a form token in the form page") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// A complete response to the default questionnaire, every item answered at random (items a
/// condition hides are ignored by the server).
fn filled(q: &Questionnaire, token: &str, rng: &mut StdRng) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("_t", token);
    for (_, item) in q.items() {
        let value = match &item.kind {
            ItemKind::Likert5 { .. } => rng.gen_range(1..=5).to_string(),
            ItemKind::YesNo { .. } => if rng.gen_bool(0.5) { "yes" } else { "no" }.into(),
            ItemKind::Scale10 { .. } => rng.gen_range(0..=10).to_string(),
            ItemKind::Text { .. } => format!("基准测试 {}", rng.gen_range(0..10_000)),
            _ => {
                let options = item.options();
                options[rng.gen_range(0..options.len())].code.clone()
            }
        };
        s.append_pair(&item.id, &value);
    }
    s.finish()
}

/// The responses stored in the demo campaign, from the progress JSON of the console API.
fn stored_responses(port: u16) -> u64 {
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
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
            ("username", VIEWER),
            ("password", PASSWORD),
            ("_csrf", csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(login.status(), 303, "signing in to read the progress");
    let progress: serde_json::Value = client
        .get(format!("{base}/api/v1/campaigns/2025-final/progress"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    progress["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total in the progress JSON: {progress}"))
}

fn parse_wrk(text: &str) -> WrkRun {
    let mut run = WrkRun {
        output: text.trim_end().to_string(),
        ..WrkRun::default()
    };
    let mut in_distribution = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Latency Distribution") {
            in_distribution = true;
        } else if in_distribution && line.starts_with("50%") {
            run.p50_ms = duration_ms(line.split_whitespace().nth(1).unwrap());
        } else if in_distribution && line.starts_with("99%") {
            run.p99_ms = duration_ms(line.split_whitespace().nth(1).unwrap());
            in_distribution = false;
        } else if let Some(rate) = line.strip_prefix("Requests/sec:") {
            run.per_second = rate.trim().parse().unwrap();
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            run.socket_errors = errors
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
        } else if let Some(counts) = line.strip_prefix("minyi-wrk ") {
            for (key, value) in pairs(counts) {
                let value: u64 = value.parse().unwrap();
                match key {
                    "posted" => run.posted = value,
                    "s204" => run.s204 = value,
                    "s303" => run.s303 = value,
                    "other" => run.other = value,
                    "exhausted" => run.exhausted = value,
                    _ => {}
                }
            }
        } else if let Some(counts) = line.strip_prefix("minyi-wrk-thread ") {
            let fields: Vec<(&str, &str)> = pairs(counts).collect();
            let get = |k: &str| fields.iter().find(|(key, _)| *key == k).unwrap().1;
            let (port, acked) = (get("port").to_string(), get("s303").parse().unwrap());
            match run.by_port.iter_mut().find(|(p, _)| *p == port) {
                Some((_, n)) => *n += acked,
                None => run.by_port.push((port, acked)),
            }
        }
    }
    assert!(
        run.per_second > 0.0 && run.p99_ms > 0.0,
        "could not read wrk's output:\n{text}"
    );
    run
}

fn pairs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split_whitespace().filter_map(|kv| kv.split_once('='))
}

/// wrk's durations: `386.00us`, `1.23ms`, `2.00s`, `1.00m`.
fn duration_ms(s: &str) -> f64 {
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let value: f64 = s[..split].parse().unwrap();
    value
        * match &s[split..] {
            "us" => 0.001,
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            unit => panic!("unknown wrk duration unit {unit:?} in {s:?}"),
        }
}

fn create_postgres_database(server: &str, name: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))
        .unwrap_or_else(|e| panic!("connecting to {server}/postgres: {e}"));
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    format!("{server}/{name}")
}

fn drop_postgres_database(server: &str, name: &str) {
    use diesel::{Connection, RunQueryDsl};
    if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{server}/postgres")) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin);
    }
}

fn report(rows: &[Row], secs: u64) {
    let bare = &rows[0];
    println!(
        "\nSubmit path under wrk (-t{THREADS} -c{CONNECTIONS}, {secs} s measured after a \
         {WARMUP_SECS} s warm-up; each server a separate process)\n"
    );
    println!(
        "| handler | requests/s | ratio to bare | p50 ms | p99 ms | CPU µs/request | \
         CPU ratio to bare | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.3} | {:.2} | {:.2} | {:.0} | {:.1} | {} |",
            r.name,
            r.per_second,
            r.per_second / bare.per_second,
            r.p50_ms,
            r.p99_ms,
            r.cpu_us,
            r.cpu_us / bare.cpu_us,
            r.errors
        );
    }
    println!(
        "\nCPU µs/request: the server process's utime + stime (all threads; both processes \
         for two instances) over the measured run, per 204 (bare) or per 303 (real)."
    );
    let single = rows
        .iter()
        .find(|r| r.name == "real submit path, PostgreSQL");
    let pair = rows.iter().find(|r| r.name.contains("instances"));
    if let (Some(one), Some(two)) = (single, pair) {
        println!(
            "Two instances on one PostgreSQL database: {:.0} requests/s combined, {:.2}× one \
             instance ({:.0}).",
            two.per_second,
            two.per_second / one.per_second,
            one.per_second
        );
    }
    for r in rows {
        let mut extra = format!("load generator (wrk) {:.0} µs/request", r.wrk_cpu_us);
        if let Some(pg) = r.postgres_cpu_us {
            extra.push_str(&format!(
                ", PostgreSQL's own processes {pg:.0} µs/response (server + PostgreSQL: {:.0})",
                r.cpu_us + pg
            ));
        }
        if !r.note.is_empty() {
            extra.push_str(&format!("; {}", r.note));
        }
        println!("- {}: {extra}", r.name);
    }
}
