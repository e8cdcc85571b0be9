//! The export bundle the analysis reads: a zip with `responses.csv` (codes, exactly as stored:
//! no spreadsheet neutralising, so every row can be checked against its leaf), `flags.csv` (the
//! flags on them), `log.csv` (the integrity log's leaves: index, kind, response id, event, salt,
//! leaf hash), `codebook.csv`,
//! `questionnaire.toml` (as stored, byte for byte) and `manifest.json` (counts per stratum,
//! time range, the questionnaire's hash, each file's SHA-256, and the signed tree head the
//! export was cut at). `minyi_integrity::bundle::verify_bundle` checks a bundle offline.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::table::{Cells, Layout, Scratch};
use super::walk::{self, ReadAhead};
use super::zip_pipe::ZipPipe;
use crate::db::campaigns::CampaignContext;
use crate::db::responses::ExportRow;
use crate::db::{quality, DbError, DbPool};
use minyi_integrity::LeafKind;

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

/// Leaves read per database round trip for `log.csv`.
const LEAF_PAGE: i64 = 10_000;
/// `log.csv`'s deflate level: its salts and hashes are hex, which level 6 compresses no better
/// than level 2 (0.5% on a million leaves) at four fifths of the speed.
const LOG_LEVEL: i64 = 2;

/// Passes bytes on and hashes them: each file's SHA-256 for the manifest, computed as it is
/// written.
struct Hashing<'w, W: Write> {
    inner: &'w mut W,
    hasher: Sha256,
}

impl<'w, W: Write> Hashing<'w, W> {
    fn new(inner: &'w mut W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    fn hex(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the bundle to `path`, cut at a head signed with `key`; returns its manifest.
/// `dispositions`, for a campaign drawn from a frame, is its `dispositions.csv` (what happened
/// to every released case; no phone number), added to the bundle and its manifest.
pub fn write(
    pool: &DbPool,
    key: &minyi_integrity::SigningKey,
    ctx: &CampaignContext,
    q: &minyi_questionnaire::Questionnaire,
    layout: &Layout,
    dispositions: Option<Vec<u8>>,
    path: &Path,
) -> Result<Manifest, BundleError> {
    let mut zip = ZipPipe::create(path)?;
    let options = SimpleFileOptions::default().large_file(true);
    let mut files = BTreeMap::new();

    // Cut the export at a freshly signed head: the rows are its leaves, in leaf order (ids rise
    // in leaf order within a campaign), whatever arrives while the export runs.
    let head = {
        let mut conn = pool.get()?;
        crate::db::log::sign_head(&mut conn, key, ctx.campaign.id, &ctx.campaign.slug)?
    };
    zip.start_file("log.csv", options.compression_level(Some(LOG_LEVEL)))?;
    let mut hashing = Hashing::new(&mut zip);
    let (mut logged, flag_events) = log_csv(
        pool,
        ctx.campaign.id,
        head.head.tree_size as i64,
        &mut hashing,
    )?;
    files.insert("log.csv".to_string(), hashing.hex());
    // Only what the log holds goes out: rows and flags without a leaf stay behind (and
    // `survey-server verify` names them).
    logged.sort_unstable();
    logged.dedup();
    zip.start_file("flags.csv", options)?;
    let flags_csv = flags_csv(pool, ctx.campaign.id, &flag_events)?;
    zip.write_all(&flags_csv)?;
    files.insert(
        "flags.csv".to_string(),
        hex::encode(Sha256::digest(&flags_csv)),
    );

    zip.start_file("responses.csv", options)?;
    let mut hashing = Hashing::new(&mut zip);
    hashing.write_all(&super::csv_stream::header(layout))?;
    let (mut count, mut first, mut last) = (0u64, None, None);
    // (unit id, respondent type) → responses: a handful of strata, looked up without a key
    // to allocate.
    let mut strata: Vec<((i32, Option<String>), u64)> = Vec::new();
    let mut scratch = Scratch::default();
    let mut chunk = Vec::with_capacity(1 << 20);
    'pages: for page in walk::responses(pool, ctx.campaign.id) {
        let page = page?;
        let rows: Vec<ExportRow> = page
            .into_iter()
            .filter(|r| logged.binary_search(&r.id).is_ok())
            .collect();
        chunk.clear();
        super::csv_stream::encode(layout, &rows, Cells::Raw, &mut scratch, &mut chunk)?;
        hashing.write_all(&chunk)?;
        for r in &rows {
            first = first.or(Some(r.submitted_at));
            last = Some(r.submitted_at);
            match strata
                .iter_mut()
                .find(|((unit, kind), _)| *unit == r.unit_id && *kind == r.respondent_type)
            {
                Some((_, n)) => *n += 1,
                None => strata.push(((r.unit_id, r.respondent_type.clone()), 1)),
            }
        }
        count += rows.len() as u64;
        if count == logged.len() as u64 {
            break 'pages;
        }
    }
    files.insert("responses.csv".to_string(), hashing.hex());
    let mut by_code: BTreeMap<(String, String), u64> = BTreeMap::new();
    for ((unit, kind), n) in strata {
        let key = (layout.unit_code(unit).to_string(), kind.unwrap_or_default());
        *by_code.entry(key).or_default() += n;
    }

    let mut codebook = Vec::from(super::csv_stream::BOM);
    {
        let mut writer = csv::Writer::from_writer(&mut codebook);
        for row in layout.codebook() {
            writer.write_record(&row).map_err(std::io::Error::other)?;
        }
        writer.flush()?;
    }
    let files_after = [
        Some(("codebook.csv", codebook)),
        Some((
            "questionnaire.toml",
            ctx.questionnaire.source.clone().into_bytes(),
        )),
        dispositions.map(|d| ("dispositions.csv", d)),
    ];
    for (name, bytes) in files_after.into_iter().flatten() {
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
        strata: by_code
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

/// A flag's event in the log: (response id, flag).
type FlagEvent = (i64, String);

/// Writes the first `size` leaves of the log as `log.csv`, a page at a time; returns the
/// response ids the log holds a response leaf for (4 bytes each: the log itself is never held)
/// and its flag events, (response id, flag), in leaf order.
fn log_csv(
    pool: &DbPool,
    campaign_id: i32,
    size: i64,
    out: &mut impl Write,
) -> Result<(Vec<i32>, Vec<FlagEvent>), BundleError> {
    let mut logged = Vec::new();
    let mut events = Vec::new();
    let mut writer = csv::Writer::from_writer(out);
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
    let mut from = 0;
    let leaves = ReadAhead::start(pool, move |conn| {
        let page = crate::db::log::leaves_from(conn, campaign_id, from, size, LEAF_PAGE)?;
        from = page.last().map_or(size, |l| l.leaf_index as i64 + 1);
        Ok((page, from < size))
    });
    let (mut salt, mut hash) = ([0u8; 32], [0u8; 64]);
    let mut number = String::new();
    for page in leaves {
        for leaf in page? {
            hex::encode_to_slice(leaf.salt, &mut salt).expect("a salt's hex length");
            hex::encode_to_slice(leaf.leaf_hash, &mut hash).expect("a hash's hex length");
            number.clear();
            write!(number, "{}", leaf.leaf_index).expect("writing to a string");
            let index_end = number.len();
            write!(number, "{}", leaf.response_id).expect("writing to a string");
            writer
                .write_record([
                    &number.as_bytes()[..index_end],
                    leaf.kind.as_str().as_bytes(),
                    &number.as_bytes()[index_end..],
                    leaf.event.as_bytes(),
                    &salt[..],
                    &hash[..],
                ])
                .map_err(std::io::Error::other)?;
            match leaf.kind {
                LeafKind::Response => {
                    logged.push(i32::try_from(leaf.response_id).map_err(|_| {
                        DbError::Invalid("a leaf's response id is out of range".into())
                    })?)
                }
                LeafKind::Flag => events.push((leaf.response_id, leaf.event)),
            }
        }
    }
    writer.flush()?;
    Ok((logged, events))
}

/// The flags whose events are among `events` (response id, flag), in leaf order, as
/// `flags.csv`.
fn flags_csv(
    pool: &DbPool,
    campaign_id: i32,
    events: &[FlagEvent],
) -> Result<Vec<u8>, BundleError> {
    let mut conn = pool.get()?;
    let mut stored: HashMap<(i64, String), minyi_integrity::FlagRow> =
        quality::flags_of(&mut conn, campaign_id)?
            .into_iter()
            .map(|f| ((f.response_id, f.flag.clone()), f))
            .collect();
    let mut out = Vec::new();
    let mut writer = csv::Writer::from_writer(&mut out);
    writer
        .write_record(minyi_integrity::bundle::FLAG_COLUMNS)
        .map_err(std::io::Error::other)?;
    for event in events {
        let Some(flag) = stored.remove(event) else {
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
