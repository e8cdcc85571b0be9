//! The export bundle the analysis reads: a zip with `responses.csv` (codes, exactly as stored:
//! no spreadsheet neutralising, so every row can be checked against its leaf), `flags.csv` (the
//! flags on them), `log.csv` (the integrity log's leaves: index, kind, response id, event, salt,
//! leaf hash), `codebook.csv`,
//! `questionnaire.toml` (as stored, byte for byte) and `manifest.json` (counts per stratum,
//! time range, the questionnaire's hash, each file's SHA-256, and the signed tree head the
//! export was cut at). `minyi_integrity::bundle::verify_bundle` checks a bundle offline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::table::Layout;
use super::PAGE_SIZE;
use crate::db::campaigns::CampaignContext;
use crate::db::{quality, responses};
use crate::db::{DbError, DbPool};
use minyi_integrity::{LeafKind, LogEntry};

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("writing the bundle: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the bundle: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub campaign: String,
    pub wave: String,
    pub exported_at: String,
    pub questionnaire: QuestionnaireRef,
    pub responses: u64,
    pub first_submitted_at: Option<String>,
    pub last_submitted_at: Option<String>,
    /// Responses per unit × respondent type.
    pub strata: Vec<Stratum>,
    /// SHA-256 of each file in the bundle.
    pub files: BTreeMap<String, String>,
    /// The signed head the bundle was cut at: `responses.csv` holds exactly its leaves.
    pub log: LogRef,
}

#[derive(Debug, Serialize)]
pub struct LogRef {
    pub head: minyi_integrity::SignedHead,
}

#[derive(Debug, Serialize)]
pub struct QuestionnaireRef {
    pub id: String,
    pub version: String,
    pub content_hash: String,
}

#[derive(Debug, Serialize)]
pub struct Stratum {
    pub unit: String,
    pub respondent_type: String,
    pub responses: u64,
}

fn iso(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Rows as stored codes (with the BOM and the header first when `header`).
fn raw_csv(
    layout: &Layout,
    rows: &[responses::ResponseWithAnswers],
    header: bool,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * 256 + 1024);
    if header {
        out.extend_from_slice(super::csv_stream::BOM);
    }
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        if header {
            writer
                .write_record(layout.header())
                .map_err(std::io::Error::other)?;
        }
        for row in rows {
            writer
                .write_record(layout.raw_row(row))
                .map_err(std::io::Error::other)?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Writes the bundle to `path`, cut at a head signed with `key`; returns its manifest.
pub fn write(
    pool: &DbPool,
    key: &minyi_integrity::SigningKey,
    ctx: &CampaignContext,
    q: &minyi_questionnaire::Questionnaire,
    layout: &Layout,
    path: &Path,
) -> Result<Manifest, BundleError> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options = SimpleFileOptions::default().large_file(true);
    let mut files = BTreeMap::new();

    // Cut the export at a freshly signed head: the rows are its leaves, in leaf order (ids rise
    // in leaf order within a campaign), whatever arrives while the export runs.
    let head = {
        let mut conn = pool.get()?;
        crate::db::log::sign_head(&mut conn, key, ctx.campaign.id, &ctx.campaign.slug)?
    };
    let leaves = crate::db::log::leaves(
        &mut *pool.get()?,
        ctx.campaign.id,
        head.head.tree_size as i64,
    )?;
    zip.start_file("log.csv", options)?;
    let log_csv = log_csv(&leaves)?;
    zip.write_all(&log_csv)?;
    files.insert("log.csv".to_string(), hex::encode(Sha256::digest(&log_csv)));
    // Only what the log holds goes out: rows and flags without a leaf stay behind (and
    // `survey-server verify` names them).
    let logged: HashSet<i64> = leaves
        .iter()
        .filter(|l| l.kind == LeafKind::Response)
        .map(|l| l.response_id)
        .collect();
    zip.start_file("flags.csv", options)?;
    let flags_csv = flags_csv(pool, ctx.campaign.id, &leaves)?;
    zip.write_all(&flags_csv)?;
    files.insert(
        "flags.csv".to_string(),
        hex::encode(Sha256::digest(&flags_csv)),
    );

    zip.start_file("responses.csv", options)?;
    let mut hasher = Sha256::new();
    let (mut count, mut after, mut first, mut last) = (0u64, 0, None, None);
    let mut strata: BTreeMap<(String, String), u64> = BTreeMap::new();
    let unit_code = |id: i32| {
        ctx.units
            .iter()
            .find(|u| u.id == id)
            .map_or(String::new(), |u| u.code.clone())
    };
    let mut conn = pool.get()?;
    loop {
        let page = responses::page(&mut conn, ctx.campaign.id, after, PAGE_SIZE)?;
        let Some((r, _)) = page.last() else {
            break;
        };
        after = r.id;
        let full = page.len() as i64 == PAGE_SIZE;
        let page: Vec<_> = page
            .into_iter()
            .filter(|(r, _)| logged.contains(&r.id.into()))
            .collect();
        let bytes = raw_csv(layout, &page, count == 0)?;
        hasher.update(&bytes);
        zip.write_all(&bytes)?;
        for (r, _) in &page {
            first = first.or(Some(r.submitted_at));
            last = Some(r.submitted_at);
            let key = (
                unit_code(r.unit_id),
                r.respondent_type.clone().unwrap_or_default(),
            );
            *strata.entry(key).or_default() += 1;
        }
        count += page.len() as u64;
        if !full || count == logged.len() as u64 {
            break;
        }
    }
    drop(conn);
    if count == 0 {
        // The header alone, so an empty campaign still has a readable file.
        let bytes = raw_csv(layout, &[], true)?;
        hasher.update(&bytes);
        zip.write_all(&bytes)?;
    }
    files.insert("responses.csv".to_string(), hex::encode(hasher.finalize()));

    let mut codebook = Vec::from(super::csv_stream::BOM);
    {
        let mut writer = csv::Writer::from_writer(&mut codebook);
        for row in layout.codebook() {
            writer.write_record(&row).map_err(std::io::Error::other)?;
        }
        writer.flush()?;
    }
    for (name, bytes) in [
        ("codebook.csv", codebook),
        (
            "questionnaire.toml",
            ctx.questionnaire.source.clone().into_bytes(),
        ),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
        files.insert(name.to_string(), hex::encode(Sha256::digest(&bytes)));
    }

    let manifest = Manifest {
        format: "minyi-export-bundle/3",
        campaign: ctx.campaign.slug.clone(),
        wave: ctx.campaign.wave.clone(),
        exported_at: iso(crate::db::now_ms()).unwrap_or_default(),
        questionnaire: QuestionnaireRef {
            id: q.id.clone(),
            version: q.version.clone(),
            content_hash: ctx.questionnaire.content_hash.clone(),
        },
        responses: count,
        first_submitted_at: first.and_then(iso),
        last_submitted_at: last.and_then(iso),
        strata: strata
            .into_iter()
            .map(|((unit, respondent_type), responses)| Stratum {
                unit,
                respondent_type,
                responses,
            })
            .collect(),
        files,
        log: LogRef { head },
    };
    zip.start_file("manifest.json", options)?;
    zip.write_all(
        serde_json::to_string_pretty(&manifest)
            .expect("serializes")
            .as_bytes(),
    )?;
    zip.finish()?;
    Ok(manifest)
}

/// The leaves of the head, as `log.csv`.
fn log_csv(leaves: &[LogEntry]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = csv::Writer::from_writer(&mut out);
    writer
        .write_record([
            "leaf_index",
            "kind",
            "response_id",
            "event",
            "salt",
            "leaf_hash",
        ])
        .map_err(std::io::Error::other)?;
    for leaf in leaves {
        writer
            .write_record([
                leaf.leaf_index.to_string(),
                leaf.kind.as_str().to_string(),
                leaf.response_id.to_string(),
                leaf.event.clone(),
                hex::encode(leaf.salt),
                hex::encode(leaf.leaf_hash),
            ])
            .map_err(std::io::Error::other)?;
    }
    writer.flush()?;
    drop(writer);
    Ok(out)
}

/// The flags whose events are among `leaves`, in leaf order, as `flags.csv`.
fn flags_csv(pool: &DbPool, campaign_id: i32, leaves: &[LogEntry]) -> Result<Vec<u8>, BundleError> {
    let mut stored: HashMap<(i64, String), minyi_integrity::FlagRow> =
        quality::flags_of(&mut *pool.get()?, campaign_id)?
            .into_iter()
            .map(|f| ((f.response_id, f.flag.clone()), f))
            .collect();
    let mut out = Vec::new();
    let mut writer = csv::Writer::from_writer(&mut out);
    writer
        .write_record(minyi_integrity::bundle::FLAG_COLUMNS)
        .map_err(std::io::Error::other)?;
    for leaf in leaves.iter().filter(|l| l.kind == LeafKind::Flag) {
        let Some(flag) = stored.remove(&(leaf.response_id, leaf.event.clone())) else {
            continue;
        };
        writer
            .write_record([
                flag.response_id.to_string(),
                flag.flag,
                flag.detail,
                iso(flag.at_ms).unwrap_or_default(),
            ])
            .map_err(std::io::Error::other)?;
    }
    writer.flush()?;
    drop(writer);
    Ok(out)
}
