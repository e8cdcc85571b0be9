//! `survey-server log fetch`: the evaluator takes the server's latest signed head and keeps it
//! only if it extends every head held so far — checked by its signature, its size, and a
//! consistency proof from the largest held head — so a log cut short or rewritten since is
//! refused the moment it is seen.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use minyi_integrity::proof::verify_consistency;
use minyi_integrity::{Hash, PublicKey, SignedHead};
use serde::Deserialize;

use super::commands::read_heads;

#[derive(Debug, Deserialize)]
struct ConsistencyProof {
    campaign: String,
    from: u64,
    to: u64,
    proof: Vec<String>,
}

fn get(address: &str) -> Result<reqwest::blocking::Response> {
    let response =
        reqwest::blocking::get(address).with_context(|| format!("fetching {address}"))?;
    if !response.status().is_success() {
        bail!(
            "{address} answered {}: {}",
            response.status(),
            response.text().unwrap_or_default()
        );
    }
    Ok(response)
}

/// Fetches the head of `slug` from the server at `url`, checks it with the evaluator's `key`
/// and against the heads held in `into`, and appends it there.
pub fn fetch(url: &str, slug: &str, key: &str, into: &Path) -> Result<()> {
    let key = PublicKey::from_hex(key)?;
    let base = format!("{}/api/v1/campaigns/{slug}/log", url.trim_end_matches('/'));
    let address = format!("{base}/head");
    let head: SignedHead = get(&address)?
        .json()
        .with_context(|| format!("{address} did not return a signed head"))?;
    if head.head.campaign != slug || !head.verify(&key) {
        bail!("the head from {address} does not verify with the given public key: refusing it");
    }
    // The file is the evaluator's own: its heads were checked when they were fetched (perhaps
    // with a key since retired), and each extends the one before, so the largest stands for all.
    let held = read_heads(into)?;
    let largest = held
        .iter()
        .filter(|h| h.head.campaign == slug)
        .max_by_key(|h| h.head.tree_size);
    let (size, root) = (head.head.tree_size, head.head.root);
    if let Some(held) = largest {
        let held_size = held.head.tree_size;
        if size < held_size {
            bail!(
                "the server's log now holds {size} records but you hold a head of {held_size}: its \
                 log was cut"
            );
        }
        if size == held_size && root != held.head.root {
            bail!(
                "the server signed two different roots for {size} records: its history was \
                 rewritten"
            );
        }
        if size > held_size {
            let proof = consistency_proof(&base, slug, held_size, size)?;
            verify_consistency(held_size, size, &held.head.root, &root, &proof).map_err(|e| {
                anyhow::anyhow!(
                    "the log of {size} records does not extend the head of {held_size} you \
                     hold ({e}): its history was rewritten; the new head is not kept"
                )
            })?;
        }
    }
    if held.contains(&head) {
        println!("head already held: {size} records");
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(into)
        .with_context(|| format!("opening {}", into.display()))?;
    writeln!(file, "{}", serde_json::to_string(&head)?)?;
    file.sync_all()?;
    println!(
        "held head: {size} records (responses and flags), root {}, signed at {} ms",
        hex::encode(root),
        head.head.timestamp_ms
    );
    Ok(())
}

fn consistency_proof(base: &str, slug: &str, from: u64, to: u64) -> Result<Vec<Hash>> {
    let address = format!("{base}/consistency?from={from}&to={to}");
    let served: ConsistencyProof = get(&address)?
        .json()
        .with_context(|| format!("{address} did not return a consistency proof"))?;
    if served.campaign != slug || served.from != from || served.to != to {
        bail!("{address} returned a proof for another campaign or other sizes");
    }
    served
        .proof
        .iter()
        .map(|h| {
            hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .with_context(|| format!("{address}: {h:?} is not a 32-byte hash in hex"))
        })
        .collect()
}
