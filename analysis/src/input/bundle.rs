//! An export bundle: verified against the evaluator's key and held heads before a row is
//! read; its `responses.csv` read with the bundle's fixed columns.

use std::io::Read;
use std::path::Path;

use minyi_integrity::bundle::verify_bundle;
use minyi_integrity::{PublicKey, SignedHead};
use polars::prelude::{Column, DataFrame};
use serde::Serialize;

use super::table::bundle_csv;
use super::InputError;
use crate::config::{Batch, ColumnMap};

/// How an input was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// The bundle's log, head and rows all check out.
    Verified,
    /// The bundle was checked and something does not fit (used only by override).
    Failed,
    /// The bundle could not be checked (no key given, no head in it; used only by override).
    Unverifiable,
    /// A plain table: there is nothing to verify it against.
    NotApplicable,
}

/// The verification of one input, for `manifest.json` and the report.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub status: VerificationStatus,
    /// What does not fit, the first bad record first.
    pub problems: Vec<String>,
    /// The signed head the bundle was cut at (checked only when `status` is `verified`).
    pub head: Option<HeadRecord>,
    /// Whether the batch used the input only because `allow_unverified` is set.
    pub overridden: bool,
}

/// A bundle's signed head as `inputs.json` records it: everything a reader of the report needs
/// to check the commitment it prints (the message is `minyi-sth/1`, see `minyi_integrity::head`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeadRecord {
    pub campaign: String,
    pub tree_size: u64,
    /// The log's Merkle root after `tree_size` responses, 64 lower-case hex digits.
    pub root: String,
    /// The signing time in UTC, ISO 8601 with `Z` and milliseconds; `None` only for a time
    /// outside the calendar (a head no server of ours signed).
    pub signed_at: Option<String>,
    /// The signing time as signed: milliseconds since 1970-01-01 UTC.
    pub timestamp_ms: i64,
    /// The Ed25519 key the head says signed it, 64 hex digits.
    pub public_key: String,
    /// The Ed25519 signature, 128 hex digits.
    pub signature: String,
}

impl From<SignedHead> for HeadRecord {
    fn from(signed: SignedHead) -> Self {
        let head = signed.head;
        HeadRecord {
            signed_at: chrono::DateTime::from_timestamp_millis(head.timestamp_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            campaign: head.campaign,
            tree_size: head.tree_size,
            root: hex::encode(head.root),
            timestamp_ms: head.timestamp_ms,
            public_key: signed.public_key,
            signature: signed.signature,
        }
    }
}

impl Verification {
    pub fn not_applicable() -> Self {
        Verification {
            status: VerificationStatus::NotApplicable,
            problems: Vec::new(),
            head: None,
            overridden: false,
        }
    }
}

/// Loads the held heads named by the batch (a JSON array of signed heads).
pub fn held_heads(batch: &Batch) -> Result<Vec<SignedHead>, String> {
    let Some(path) = &batch.held_heads else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Verifies a bundle; an unverified one is an error unless the batch allows it.
pub fn verify(batch: &Batch, path: &Path) -> Result<Verification, InputError> {
    let file = path.display().to_string();
    let outcome = match &batch.public_key {
        None => Err("no public_key is configured".to_string()),
        Some(hex) => match PublicKey::from_hex(hex) {
            Err(e) => Err(e.to_string()),
            Ok(key) => {
                let held = held_heads(batch).map_err(|message| InputError::Unreadable {
                    file: file.clone(),
                    message,
                })?;
                verify_bundle(path, &[key], &held).map_err(|e| e.to_string())
            }
        },
    };
    let verification = match outcome {
        Ok(report) => Verification {
            status: if report.ok() {
                VerificationStatus::Verified
            } else {
                VerificationStatus::Failed
            },
            problems: report.problems.iter().map(|p| p.to_string()).collect(),
            head: Some(report.head.into()),
            overridden: false,
        },
        Err(reason) => Verification {
            status: VerificationStatus::Unverifiable,
            problems: vec![reason],
            head: minyi_integrity::bundle::head_of(path).ok().map(Into::into),
            overridden: false,
        },
    };
    if verification.status == VerificationStatus::Verified {
        return Ok(verification);
    }
    if !batch.allow_unverified {
        return Err(InputError::Unverified {
            file,
            reason: verification.problems.join("; "),
        });
    }
    Ok(Verification {
        overridden: true,
        ..verification
    })
}

/// `responses.csv` as text columns, and the mapping of its fixed columns (a configured
/// stratum or weight column is kept).
pub fn responses(path: &Path, columns: &ColumnMap) -> Result<(DataFrame, ColumnMap), InputError> {
    let file = path.display().to_string();
    let unreadable = |message: String| InputError::Unreadable {
        file: file.clone(),
        message,
    };
    let handle = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(handle).map_err(|e| unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    zip.by_name("responses.csv")
        .map_err(|_| unreadable("the bundle has no responses.csv".into()))?
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    let mut frame = bundle_csv(&bytes, path)?;
    // The server's flags (verified against their log events with the rows) as one `flags`
    // column, `;`-joined per response, as a table input would carry them.
    if let Some(flags) = bundle_flags(&mut zip).map_err(unreadable)? {
        let ids = frame
            .column("response_id")
            .and_then(|c| c.str().cloned())
            .map_err(|e| unreadable(format!("responses.csv: {e}")))?;
        let joined: Vec<Option<String>> = ids
            .iter()
            .map(|id| id.and_then(|id| flags.get(id).map(|f| f.join(";"))))
            .collect();
        frame
            .with_column(Column::new("flags".into(), joined))
            .map_err(|e| unreadable(e.to_string()))?;
    }
    let has_flags = frame
        .get_column_names()
        .iter()
        .any(|n| n.as_str() == "flags");
    let fixed = ColumnMap {
        unit: Some("unit".into()),
        unit_name: Some("unit_name".into()),
        respondent_type: Some("respondent_type".into()),
        stratum: columns.stratum.clone(),
        weight: columns.weight.clone(),
        duration: Some("duration_seconds".into()),
        submitted: Some("submitted_at".into()),
        source: Some("site".into()),
        version: Some("questionnaire_version".into()),
        id: Some("response_id".into()),
        // From `flags.csv` (bundles of format 3 on); none in older bundles.
        flags: has_flags.then(|| "flags".to_string()),
    };
    Ok((frame, fixed))
}

/// `flags.csv` of a bundle by response id (the flags of each in file order), or `None` for a
/// bundle of format 2, which has none.
fn bundle_flags(
    zip: &mut zip::ZipArchive<std::fs::File>,
) -> Result<Option<std::collections::HashMap<String, Vec<String>>>, String> {
    let Ok(mut file) = zip.by_name("flags.csv") else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    let mut flags: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("flags.csv line {}: {e}", n + 2))?;
        let (Some(id), Some(flag)) = (record.get(0), record.get(1)) else {
            return Err(format!("flags.csv line {}: fewer than two columns", n + 2));
        };
        flags
            .entry(id.to_string())
            .or_default()
            .push(flag.to_string());
    }
    Ok(Some(flags))
}
