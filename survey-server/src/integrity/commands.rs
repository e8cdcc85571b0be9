//! The integrity commands of the CLI: `log key|heads|fetch`, `verify`, `verify-bundle`.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use minyi_integrity::{PublicKey, Report, SignedHead};

use crate::db::{campaigns, log, secrets, DbPool};

pub fn print_key(pool: &DbPool) -> Result<()> {
    println!("{}", super::public_key(pool)?.to_hex());
    Ok(())
}

pub fn print_heads(pool: &DbPool, slug: &str, sign: bool) -> Result<()> {
    let mut conn = pool.get()?;
    let campaign = campaigns::find(&mut conn, slug)?
        .with_context(|| format!("there is no campaign {slug:?}"))?;
    if sign {
        let key = secrets::log_signing_key(&mut conn)?;
        log::sign_head(&mut conn, &key, campaign.id, slug)?;
    }
    for head in log::heads(&mut conn, campaign.id, slug)? {
        println!("{}", serde_json::to_string(&head)?);
    }
    Ok(())
}

/// Reads a file of held heads (one JSON head per line); a missing file holds none.
pub fn read_heads(path: &Path) -> Result<Vec<SignedHead>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{} line {}: not a signed head", path.display(), n + 1))
        })
        .collect()
}

pub fn fetch(url: &str, slug: &str, key: &str, into: &Path) -> Result<()> {
    let key = PublicKey::from_hex(key)?;
    let address = format!(
        "{}/api/v1/campaigns/{slug}/log/head",
        url.trim_end_matches('/')
    );
    let response =
        reqwest::blocking::get(&address).with_context(|| format!("fetching {address}"))?;
    if !response.status().is_success() {
        bail!(
            "{address} answered {}: {}",
            response.status(),
            response.text().unwrap_or_default()
        );
    }
    let head: SignedHead = response
        .json()
        .with_context(|| format!("{address} did not return a signed head"))?;
    if head.head.campaign != slug || !head.verify(&key) {
        bail!("the head from {address} does not verify with the given public key: refusing it");
    }
    let held = read_heads(into)?;
    // A new head must extend every held one; a smaller root for a held size is caught at
    // verification, a changed signature for a held size right here.
    if let Some(same) = held
        .iter()
        .find(|h| h.head.tree_size == head.head.tree_size)
    {
        if same.head.root != head.head.root {
            bail!(
                "the server signed two different roots for {} responses: its history was rewritten",
                head.head.tree_size
            );
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(into)
        .with_context(|| format!("opening {}", into.display()))?;
    writeln!(file, "{}", serde_json::to_string(&head)?)?;
    file.sync_all()?;
    println!(
        "held head: {} responses, root {}, signed at {} ms",
        head.head.tree_size,
        hex::encode(head.head.root),
        head.head.timestamp_ms
    );
    Ok(())
}

fn print_report(what: &str, report: &Report) {
    if report.ok() {
        println!(
            "{what}: ok — {} responses match the log; root {} ",
            report.rows,
            hex::encode(report.head.head.root)
        );
    } else {
        println!("{what}: FAILED");
        for problem in &report.problems {
            println!("  {problem}");
        }
    }
}

/// `survey-server verify`: every campaign, or one. Fails when any does not verify.
pub fn verify_database(pool: &DbPool, slug: Option<&str>, key: Option<&str>) -> Result<()> {
    let key = key.map(PublicKey::from_hex).transpose()?;
    let mut conn = pool.get()?;
    let slugs: Vec<String> = match slug {
        Some(s) => vec![s.to_string()],
        None => campaigns::list(&mut conn)?
            .into_iter()
            .map(|c| c.slug)
            .collect(),
    };
    let mut failed = Vec::new();
    for slug in slugs {
        let ctx = campaigns::load_context(&mut conn, &slug)?
            .with_context(|| format!("there is no campaign {slug:?}"))?;
        let report = super::verify_campaign(pool, &ctx, key.as_ref())?;
        print_report(&slug, &report);
        if !report.ok() {
            failed.push(slug);
        }
    }
    if !failed.is_empty() {
        bail!(
            "the integrity log does not verify for {}",
            failed.join(", ")
        );
    }
    Ok(())
}

/// `survey-server verify-bundle`.
pub fn verify_bundle(bundle: &Path, key: &str, heads: Option<&Path>) -> Result<()> {
    let key = PublicKey::from_hex(key)?;
    let held = heads.map(read_heads).transpose()?.unwrap_or_default();
    let report = minyi_integrity::bundle::verify_bundle(bundle, &key, &held)?;
    print_report(&bundle.display().to_string(), &report);
    if !report.ok() {
        bail!("the bundle does not verify");
    }
    Ok(())
}
