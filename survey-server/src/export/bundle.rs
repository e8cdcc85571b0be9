//! The export bundle the analysis reads: a zip with `responses.csv` (codes), `codebook.csv`,
//! `questionnaire.toml` (as stored, byte for byte) and `manifest.json` (counts per stratum,
//! time range, the questionnaire's hash and each file's SHA-256).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::csv_stream::encode;
use super::table::Layout;
use super::PAGE_SIZE;
use crate::db::campaigns::CampaignContext;
use crate::db::responses;
use crate::db::{DbError, DbPool};

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

/// Writes the bundle to `path`; returns its manifest.
pub fn write(
    pool: &DbPool,
    ctx: &CampaignContext,
    q: &minyi_questionnaire::Questionnaire,
    layout: &Layout,
    path: &Path,
) -> Result<Manifest, BundleError> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options = SimpleFileOptions::default().large_file(true);
    let mut files = BTreeMap::new();

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
    loop {
        let page = responses::page(&mut pool.get()?, ctx.campaign.id, after, PAGE_SIZE)?;
        let bytes = encode(layout, &page, false, count == 0);
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
        match page.last() {
            Some((r, _)) if page.len() as i64 == PAGE_SIZE => after = r.id,
            _ => break,
        }
    }
    if count == 0 {
        // The header alone, so an empty campaign still has a readable file.
        let bytes = encode(layout, &[], false, true);
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
        format: "minyi-export-bundle/1",
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
