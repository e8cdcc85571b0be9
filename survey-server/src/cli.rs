//! The `survey-server` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "survey-server", version, about = "minyi's survey server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the citizen's forms (SQLite migrates itself; PostgreSQL needs `migrate` first).
    Serve(ServerArgs),
    /// Apply pending database migrations (the way to migrate PostgreSQL).
    Migrate(ServerArgs),
    /// Set up a demo database (default questionnaire, the plan's units, a demo campaign),
    /// print the form links, and serve it.
    Demo {
        /// The SQLite file to create or reuse, or a `postgres://` URL of an existing database
        /// (migrated, then loaded).
        #[arg(long, default_value = "demo-data/minyi-demo.db")]
        database: String,
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Set up the database and print the links, then exit without serving.
        #[arg(long)]
        setup_only: bool,
    },
    /// Open or close a campaign.
    Campaign {
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// Manage console accounts (there is no default account).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Work with questionnaire files.
    Questionnaire {
        #[command(subcommand)]
        action: QuestionnaireAction,
    },
    /// Contact details respondents left for a follow-up (sealed in the database).
    Contacts {
        #[command(subcommand)]
        action: ContactsAction,
    },
    /// Delete contact details and device tags past the retention period (PIPL).
    Purge {
        /// Keep this many days (default: the `retention_days` setting).
        #[arg(long)]
        older_than_days: Option<u32>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Assessment reports: publish an analysis batch's report to a campaign.
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
    /// The integrity log: its public key and its signed tree heads.
    Log {
        #[command(subcommand)]
        action: LogAction,
    },
    /// Verify the integrity log of the live database: every response against its leaf, the
    /// log against every signed head. Exits non-zero naming the first bad record.
    Verify {
        /// One campaign (default: all).
        slug: Option<String>,
        /// The evaluator's copy of the public key; repeat it for keys retired by a rotation
        /// (default: the server's own current and retired keys).
        #[arg(long)]
        key: Vec<String>,
        /// The evaluator's held heads (from `log fetch`), checked besides the stored ones.
        #[arg(long)]
        heads: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Verify an export bundle offline against the evaluator's public key and the heads the
    /// evaluator fetched during collection.
    VerifyBundle {
        bundle: PathBuf,
        /// The log's public key as the evaluator received it at setup (64 hex digits); repeat
        /// it for keys retired by a rotation, whose heads the bundle or the held heads carry.
        #[arg(long, required = true)]
        key: Vec<String>,
        /// A file of heads from `survey-server log fetch` (one JSON head per line).
        #[arg(long)]
        heads: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Publish a batch folder's report (report.html, report.pdf if there is one, verdict.json,
    /// manifest.json) as the campaign's latest; earlier publications stay listed.
    Publish {
        /// The campaign's link name (slug).
        #[arg(long)]
        campaign: String,
        /// The analysis batch folder.
        dir: PathBuf,
        /// The console account publishing it, an evaluator or an admin (default: recorded as
        /// `cli`).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContactsAction {
    /// Open a campaign's contacts with the server's key file and write them as CSV (unit,
    /// unit name, contact) for the evaluator's follow-up calls. No other export carries them.
    Export {
        /// The campaign's link name (slug).
        slug: String,
        /// Write to this file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogAction {
    /// Print the log's public key (give it to the evaluator at setup), then the keys it
    /// replaced, each marked `retired` with when.
    Key {
        /// Make a new signing key and retire the current one (restart the servers after).
        #[arg(long)]
        rotate: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Print a campaign's signed heads as JSON lines; `--sign` signs one over the log as it
    /// stands first.
    Heads {
        slug: String,
        #[arg(long)]
        sign: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Fetch a campaign's latest signed head from a running server, check its signature with
    /// the evaluator's key and that it extends the largest held head (a consistency proof),
    /// and append it to a file of held heads.
    Fetch {
        /// The server's public address, e.g. https://survey.example.cn
        url: String,
        slug: String,
        #[arg(long)]
        key: String,
        /// Where held heads are kept (one JSON head per line).
        #[arg(long, visible_alias = "heads", default_value = "heads.jsonl")]
        into: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// A TOML configuration file; `MINYI_…` environment variables override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Overrides `database_url`: a SQLite path or a postgres:// URL.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Overrides `port`.
    #[arg(long)]
    pub port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    Open {
        slug: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    Close {
        slug: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// What a second response from one device to one unit does: `flag` (keep it, marked) or
    /// `reject` (refuse it with a clear page).
    DevicePolicy {
        slug: String,
        #[arg(value_parser = ["flag", "reject"])]
        policy: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum QuestionnaireAction {
    /// Check a questionnaire file, naming every problem with its section and item.
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account. The password is read from a prompt, or from the first line of
    /// standard input when that is not a terminal — never from an argument.
    Add {
        username: String,
        /// admin, evaluator (the third party) or viewer (leadership)
        #[arg(long)]
        role: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}
