//! The integrity commands of the CLI: `log key|heads`, `verify`, `verify-bundle` (and
//! `log fetch`, in [`super::fetch`]).

use std::path::Path;

use anyhow::{bail, Context, Result};
use minyi_integrity::{PublicKey, Report, SignedHead};

use crate::db::{campaigns, log, DbPool};
use crate::keys::Keys;

pub use super::fetch::fetch;

/// `survey-server log key [--rotate]`: the current public key alone on the first line, then
/// each retired key marked with when it was retired.
pub fn print_key(keys: &mut Keys, rotate: bool) -> Result<()> {
    if rotate {
        keys.rotate()?;
        eprintln!(
            "made a new log key and retired the old one in {}: give the new public key to the \
             evaluator, and restart every server using this key file",
            keys.path().display()
        );
    }
    println!("{}", keys.public_key().to_hex());
    for retired in keys.retired().iter().rev() {
        let when = chrono::DateTime::from_timestamp_millis(retired.retired_at_ms)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| format!("{} ms", retired.retired_at_ms));
        println!("{} retired {when}", retired.public_key.to_hex());
    }
    Ok(())
}

pub fn print_heads(pool: &DbPool, keys: Option<&Keys>, slug: &str) -> Result<()> {
    let mut conn = pool.get()?;
    let campaign = campaigns::find(&mut conn, slug)?
        .with_context(|| format!("there is no campaign {slug:?}"))?;
    if let Some(keys) = keys {
        log::sign_head(&mut conn, keys.signing_key(), campaign.id, slug)?;
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

fn print_report(what: &str, report: &Report) {
    if report.ok() {
        println!(
            "{what}: ok — {} responses and {} flags match the log's {} records; root {} ",
            report.rows,
            report.flags,
            report.head.head.tree_size,
            hex::encode(report.head.head.root)
        );
    } else {
        println!(
            "{what}: FAILED — {} responses against {} response leaves, {} flags against {} flag \
             events",
            report.rows, report.response_leaves, report.flags, report.flag_leaves
        );
        for problem in &report.problems {
            println!("  {problem}");
        }
    }
}

/// `survey-server verify`: every campaign, or one, against the stored heads and those in the
/// evaluator's `heads` file. Fails when any does not verify.
pub fn verify_database(
    pool: &DbPool,
    keys: &Keys,
    slug: Option<&str>,
    given: &[String],
    heads: Option<&Path>,
) -> Result<()> {
    let given = public_keys(given)?;
    let held = heads.map(read_heads).transpose()?.unwrap_or_default();
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
        let report = super::verify_campaign(pool, keys, &ctx, &given, &held)?;
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
pub fn verify_bundle(bundle: &Path, given: &[String], heads: Option<&Path>) -> Result<()> {
    let keys = public_keys(given)?;
    let held = heads.map(read_heads).transpose()?.unwrap_or_default();
    let report = minyi_integrity::bundle::verify_bundle(bundle, &keys, &held)?;
    print_report(&bundle.display().to_string(), &report);
    if !report.ok() {
        bail!("the bundle does not verify");
    }
    Ok(())
}

/// The evaluator's public keys as given on the command line (`--key`, once per key).
fn public_keys(given: &[String]) -> Result<Vec<PublicKey>> {
    given
        .iter()
        .map(|k| PublicKey::from_hex(k).with_context(|| format!("--key {k:?}")))
        .collect()
}
