//! The `survey-server` binary as an operator runs it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn survey_server(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_survey-server"));
    cmd.args(args).env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out, stdout, stderr)
}

#[test]
fn check_accepts_the_default_questionnaire() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../questionnaires/default.toml"
    );
    let (out, stdout, _) = run(&mut survey_server(&["questionnaire", "check", file]));
    assert!(out.status.success());
    assert!(stdout.contains("ok — enforcement-satisfaction version 2025.1, 7 sections, 35 items"));
}

#[test]
fn check_names_every_problem_with_its_item() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    let bad = minyi_questionnaire::DEFAULT_TOML
        .replace("id = \"strict_consistent\"", "id = \"strict_duty\"")
        .replace(
            "indicator = \"conduct_fair\"\ntext = { zh = \"对不同对象一视同仁\"",
            "indicator = \"conduct_fairness\"\ntext = { zh = \"\"",
        )
        .replace("any_of = [\"business\"]", "any_of = [\"enterprise\"]");
    std::fs::write(&file, bad).unwrap();
    let path = file.to_str().unwrap();
    let (out, _, stderr) = run(&mut survey_server(&["questionnaire", "check", path]));
    assert!(!out.status.success());
    for expected in [
        r#"section "conduct", item "strict_duty": duplicate item id"#,
        r#"section "conduct", item "fair_equal": unknown indicator "conduct_fairness""#,
        r#"section "conduct", item "fair_equal": text has an empty Chinese (zh) text"#,
        r#"section "business": bad condition: "respondent_type" has no option "enterprise""#,
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"));
}

#[test]
fn unreadable_files_and_bad_settings_get_clear_errors() {
    let missing = ["questionnaire", "check", "/no/such/file.toml"];
    let (out, _, stderr) = run(&mut survey_server(&missing));
    assert!(!out.status.success());
    assert!(stderr.contains("reading /no/such/file.toml"), "{stderr}");

    let (out, _, stderr) = run(&mut survey_server(&[
        "serve",
        "--database-url",
        "mysql://x/y",
    ]));
    assert!(!out.status.success());
    assert!(stderr.contains("scheme not supported"), "{stderr}");

    let (out, _, stderr) = run(survey_server(&["serve"]).env("MINYI_POOL_SIZE", "lots"));
    assert!(!out.status.success());
    assert!(stderr.contains("pool_size"), "{stderr}");

    let (out, _, stderr) = run(&mut survey_server(&[
        "serve",
        "--config",
        "/no/such/minyi.toml",
    ]));
    assert!(!out.status.success());
    assert!(
        stderr.contains("config file /no/such/minyi.toml does not exist"),
        "{stderr}"
    );
}

#[test]
fn demo_sets_up_a_database_and_prints_links() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let args = ["demo", "--setup-only", "--port", "9999", "--database", db];
    let (out, stdout, _) = run(&mut survey_server(&args));
    assert!(out.status.success());
    assert!(stdout.contains("市场监管局\thttp://127.0.0.1:9999/s/2025-final/market?site=hall"));
    assert!(stdout.contains("http://127.0.0.1:9999/s/2025-final\n"));
    assert!(std::path::Path::new(db).exists());
    // Running it again reuses the database.
    assert!(survey_server(&args).output().unwrap().status.success());
}

/// A fresh PostgreSQL database on the test server, dropped at the end.
struct FreshPostgres {
    admin: String,
    name: String,
    url: String,
}

impl FreshPostgres {
    fn create() -> FreshPostgres {
        use diesel::{Connection, RunQueryDsl};
        let server = std::env::var("MINYI_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
        let url_of = |database: &str| format!("{server}/{database}?sslmode=disable");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("minyi_cli_{}_{nanos}", std::process::id());
        let admin = url_of("postgres");
        let mut conn = diesel::PgConnection::establish(&admin)
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is needed: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        FreshPostgres {
            url: url_of(&name),
            admin,
            name,
        }
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut conn);
        }
    }
}

#[test]
fn demo_migrates_and_loads_a_postgres_database() {
    let database = FreshPostgres::create();
    let dir = tempfile::tempdir().unwrap();
    let args = ["demo", "--setup-only", "--database", &database.url];
    let (out, stdout, stderr) = run(survey_server(&args).current_dir(dir.path()));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("/s/2025-final/market?site=hall"),
        "{stdout}"
    );
    // No SQLite file named like the URL: only the demo's key file, which a PostgreSQL
    // deployment names itself (`key_file`).
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["minyi-demo.keys".to_string()]);
    let url = survey_server::db::DatabaseUrl::parse(&database.url).unwrap();
    let pool = survey_server::db::DbPool::open(&url, 1).unwrap();
    let open = survey_server::db::campaigns::load_context(&mut pool.get().unwrap(), "2025-final");
    assert_eq!(open.unwrap().unwrap().units.len(), 12);
    // Running it again reuses the database.
    let (again, _, stderr) = run(survey_server(&args).current_dir(dir.path()));
    assert!(again.status.success(), "{stderr}");
}

#[test]
fn demo_refuses_a_database_url_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["demo", "--setup-only", "--database", "mysql://x/y"];
    let (out, _, stderr) = run(survey_server(&args).current_dir(dir.path()));
    assert!(!out.status.success());
    assert!(stderr.contains("scheme not supported"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `serve` reads a config file, lets `MINYI_…` override it, and answers HTTP.
#[test]
fn serve_layers_file_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("minyi.toml");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &config,
        "database_url = \"/nonexistent/dir/x.db\"\nport = 1\n",
    )
    .unwrap();
    let db = dir.path().join("served.db");
    let mut child = survey_server(&["serve", "--config", config.to_str().unwrap()])
        .env("MINYI_DATABASE_URL", db.to_str().unwrap())
        .env("MINYI_PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reply = String::new();
    for _ in 0..100 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").unwrap();
            stream.read_to_string(&mut reply).unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        reply.starts_with("HTTP/1.0 200") && reply.ends_with("ok"),
        "server did not answer on the port from MINYI_PORT: {reply:?}"
    );
    assert!(
        db.exists(),
        "the SQLite file from MINYI_DATABASE_URL was created"
    );
}

#[test]
fn migrate_reports_what_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let url = db.to_str().unwrap();
    let (out, stdout, _) = run(&mut survey_server(&["migrate", "--database-url", url]));
    assert!(out.status.success());
    // SQLite migrates itself on open, so `migrate` finds it up to date.
    assert!(stdout.contains("database is up to date"), "{stdout}");
}

#[test]
fn user_add_reads_the_password_from_stdin_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let db = db.to_str().unwrap();
    let add = |name: &str, role: &str, password: &str| {
        let mut child = survey_server(&["user", "add", name, "--role", role, "--database-url", db])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A refused account (unknown role, taken name) may exit before reading the password:
        // a broken pipe here is that refusal, which the output below shows.
        let written = child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes());
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let (ok, text) = add("eva", "evaluator", "a long enough passphrase");
    assert!(ok, "{text}");
    assert!(text.contains("created evaluator account eva"));
    let (ok, text) = add("eva", "viewer", "another long passphrase");
    assert!(!ok && text.contains("already exists"), "{text}");
    let (ok, text) = add("short", "viewer", "too short");
    assert!(!ok && text.contains("at least 12 characters"), "{text}");
    let (ok, text) = add("x", "superuser", "a long enough passphrase");
    assert!(!ok && text.contains("unknown role"), "{text}");
    let (ok, text) = add("bad name", "viewer", "a long enough passphrase");
    assert!(!ok && text.contains("must be 1–64"), "{text}");
}
