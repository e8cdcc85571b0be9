//! `survey-server`: see `survey-server --help`.

use anyhow::{bail, Context, Result};
use clap::Parser;
use minyi_questionnaire::Questionnaire;
use survey_server::auth::{password, Role};
use survey_server::cli::{
    CampaignAction, Cli, Command, ContactsAction, LogAction, QuestionnaireAction, ReportAction,
    ServerArgs, UserAction,
};
use survey_server::config::Settings;
use survey_server::db::{self, DatabaseUrl, DbPool};
use survey_server::integrity::commands;
use survey_server::keys::Keys;
use survey_server::startup::Application;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole cause chain, without a backtrace: these are the user's errors to fix.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(settings(&args)?),
        Command::Migrate(args) => migrate(&settings(&args)?),
        Command::Demo {
            database,
            port,
            setup_only,
        } => demo(&database, port, setup_only),
        Command::Campaign { action } => campaign(action),
        Command::User {
            action:
                UserAction::Add {
                    username,
                    role,
                    server,
                },
        } => add_user(&username, &role, &server),
        Command::Questionnaire {
            action: QuestionnaireAction::Check { file },
        } => check(&file),
        Command::Log { action } => log(action),
        Command::Report {
            action:
                ReportAction::Publish {
                    campaign,
                    dir,
                    by,
                    server,
                },
        } => publish_report(&open(&server)?, &campaign, &dir, by.as_deref()),
        Command::Contacts {
            action: ContactsAction::Export { slug, out, server },
        } => export_contacts(&server, &slug, out.as_deref()),
        Command::Purge {
            older_than_days,
            server,
        } => purge(&server, older_than_days),
        Command::Verify {
            slug,
            key,
            heads,
            server,
        } => {
            let (pool, keys) = open_with_keys(&server)?;
            commands::verify_database(&pool, &keys, slug.as_deref(), &key, heads.as_deref())
        }
        Command::VerifyBundle { bundle, key, heads } => {
            commands::verify_bundle(&bundle, &key, heads.as_deref())
        }
    }
}

fn export_contacts(server: &ServerArgs, slug: &str, out: Option<&std::path::Path>) -> Result<()> {
    let settings = settings(server)?;
    let pool = DbPool::open(&settings.database()?, 1)?;
    let keys = survey_server::keys::open(&settings, &pool)?;
    let anonymity = survey_server::anonymity::AnonymityKeys::from_keys(&keys);
    let written = match out {
        Some(path) => {
            // Written beside its name and renamed into place: never half a file of contacts.
            let partial = path.with_extension("partial");
            let mut file = std::fs::File::create(&partial)
                .with_context(|| format!("creating {}", partial.display()))?;
            let n = survey_server::contacts_export::export(&pool, &anonymity, slug, &mut file)?;
            file.sync_all()?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("writing {}", path.display()))?;
            n
        }
        None => survey_server::contacts_export::export(
            &pool,
            &anonymity,
            slug,
            &mut std::io::stdout().lock(),
        )?,
    };
    eprintln!("{written} contacts of {slug}");
    Ok(())
}

fn purge(server: &ServerArgs, days: Option<u32>) -> Result<()> {
    let settings = settings(server)?;
    let days = days.unwrap_or(settings.retention_days);
    let pool = DbPool::open(&settings.database()?, 1)?;
    // Campaign end dates are Beijing dates.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let cutoff = today - chrono::Duration::days(i64::from(days));
    let purged = db::contacts::purge(&mut *pool.get()?, cutoff)?;
    println!(
        "purged {} contact details, {} device tags, {} frame rows and {} sampled cases' phone \
         numbers of campaigns that ended before {cutoff} ({days} days ago)",
        purged.contacts, purged.device_tags, purged.frame_rows, purged.case_contacts
    );
    Ok(())
}

fn publish_report(
    pool: &DbPool,
    slug: &str,
    dir: &std::path::Path,
    by: Option<&str>,
) -> Result<()> {
    let published = survey_server::report::publish::publish_dir(pool, slug, dir, by)?;
    println!(
        "published report #{} to {slug} ({}{}): {}",
        published.id,
        published.verdict,
        if published.has_pdf {
            ", with PDF"
        } else {
            ", no PDF"
        },
        published.sentence_zh
    );
    Ok(())
}

fn open(server: &ServerArgs) -> Result<DbPool> {
    Ok(DbPool::open(&settings(server)?.database()?, 2)?)
}

/// The database and the server's keys (a SQLite database's key file is made if missing).
fn open_with_keys(server: &ServerArgs) -> Result<(DbPool, Keys)> {
    let settings = settings(server)?;
    let pool = DbPool::open(&settings.database()?, 2)?;
    let keys = survey_server::keys::open(&settings, &pool)?;
    Ok((pool, keys))
}

fn log(action: LogAction) -> Result<()> {
    match action {
        LogAction::Key { rotate, server } => {
            let (_, mut keys) = open_with_keys(&server)?;
            commands::print_key(&mut keys, rotate)
        }
        LogAction::Heads {
            slug,
            sign: true,
            server,
        } => {
            let (pool, keys) = open_with_keys(&server)?;
            commands::print_heads(&pool, Some(&keys), &slug)
        }
        LogAction::Heads { slug, server, .. } => {
            commands::print_heads(&open(&server)?, None, &slug)
        }
        LogAction::Fetch {
            url,
            slug,
            key,
            into,
        } => commands::fetch(&url, &slug, &key, &into),
    }
}

fn settings(args: &ServerArgs) -> Result<Settings> {
    let mut settings = Settings::load(args.config.as_deref())?;
    if let Some(url) = &args.database_url {
        settings.set_database_url(url);
        settings.database()?;
    }
    if let Some(port) = args.port {
        settings.port = port;
    }
    Ok(settings)
}

#[actix_web::main]
async fn serve(settings: Settings) -> Result<()> {
    let base = settings.public_url.clone();
    let app = Application::build(settings).await?;
    let shown = if base.is_empty() {
        format!("port {}", app.port())
    } else {
        base
    };
    tracing::info!("minyi survey server listening on {shown}");
    app.run_until_stopped()
        .await
        .context("server stopped with an error")
}

fn migrate(settings: &Settings) -> Result<()> {
    let database = settings.database()?;
    let applied = match &database {
        DatabaseUrl::Postgres(url) => db::migrate_postgres(url)?,
        sqlite => DbPool::open(sqlite, 1)?.migrate()?,
    };
    if applied.is_empty() {
        println!("database is up to date");
    }
    for name in applied {
        println!("applied {name}");
    }
    // Setup makes the key file (moving an older database's key into it); the evaluator keeps
    // the log key's public half from now on.
    let path = settings.key_file_path()?;
    let keys = survey_server::keys::setup(&path, &DbPool::open(&database, 1)?, true)?;
    println!(
        "integrity log public key (give it to the evaluator): {}",
        keys.public_key().to_hex()
    );
    println!(
        "server keys kept in {} (mode 0600): back it up, and keep it out of the database \
         holder's reach",
        path.display()
    );
    Ok(())
}

fn demo(database: &str, port: u16, setup_only: bool) -> Result<()> {
    let url = DatabaseUrl::parse(database)?;
    let pool = survey_server::demo::set_up(&url)?;
    let mut settings = Settings::for_database(database);
    if matches!(url, DatabaseUrl::Postgres(_)) {
        // A PostgreSQL deployment names its key file; the demo keeps one in the folder it runs in.
        settings.key_file = "minyi-demo.keys".into();
    }
    let key_file = settings.key_file_path()?;
    let key = survey_server::keys::setup(&key_file, &pool, true)?.public_key();
    drop(pool);
    settings.port = port;
    let base = settings.base_url(port);
    println!("minyi demo database: {}", db::redact(database, database));
    println!(
        "Key file (keep it apart from the database): {}",
        key_file.display()
    );
    println!(
        "Form links (2025 final wave; 2024 baseline is closed: {base}/s/2024-baseline/market):"
    );
    for (unit, link) in survey_server::demo::links(&base) {
        println!("  {unit}\t{link}");
    }
    println!("English: add &lang=en to a link.");
    println!("Integrity log public key: {}", key.to_hex());
    if setup_only {
        return Ok(());
    }
    println!("Serving on {base} — press Ctrl-C to stop.");
    serve(settings)
}

fn campaign(action: CampaignAction) -> Result<()> {
    let (slug, args, status) = match &action {
        CampaignAction::Open { slug, server } => (slug, server, "open"),
        CampaignAction::Close { slug, server } => (slug, server, "closed"),
        CampaignAction::DevicePolicy {
            slug,
            policy,
            server,
        } => {
            let pool = open(server)?;
            if !db::campaigns::set_device_policy(&mut *pool.get()?, slug, policy, "cli")? {
                bail!("no campaign {slug:?}");
            }
            println!(
                "campaign {slug}: a second response from one device to one unit is now {}",
                if policy == "reject" {
                    "refused"
                } else {
                    "kept and flagged"
                }
            );
            return Ok(());
        }
    };
    let changed = if status == "closed" {
        // Closing signs the wave's final head.
        let (pool, keys) = open_with_keys(args)?;
        let mut conn = pool.get()?;
        survey_server::integrity::set_campaign_status(&mut conn, &keys, slug, status, "cli")?
    } else {
        let pool = DbPool::open(&settings(args)?.database()?, 1)?;
        db::campaigns::set_status(&mut *pool.get()?, slug, status, "cli")?
    };
    if !changed {
        bail!("no campaign {slug:?}");
    }
    println!("campaign {slug} is now {status}");
    Ok(())
}

fn check(file: &std::path::Path) -> Result<()> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    match Questionnaire::parse(&source) {
        Ok(q) => {
            let items = q.items().count();
            println!(
                "{}: ok — {} version {}, {} sections, {} items, {} indicators, hash {}",
                file.display(),
                q.id,
                q.version,
                q.sections.len(),
                items,
                q.indicators.len(),
                q.content_hash()
            );
            Ok(())
        }
        Err(e) => bail!("{}: {e}", file.display()),
    }
}

fn add_user(username: &str, role: &str, args: &ServerArgs) -> Result<()> {
    let role = Role::parse(role).with_context(|| {
        format!("unknown role {role:?}: use admin, evaluator, viewer or interviewer")
    })?;
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if !valid {
        bail!("username {username:?} must be 1–64 of a-z, A-Z, 0-9, '.', '_' and '-'");
    }
    let password = read_password()?;
    let hash = password::hash(&password)?;
    let settings = settings(args)?;
    let pool = DbPool::open(&settings.database()?, 1)?;
    db::accounts::create_user(&mut *pool.get()?, username, &hash, role.as_str())?;
    println!("created {role} account {username}");
    Ok(())
}

fn read_password() -> Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
