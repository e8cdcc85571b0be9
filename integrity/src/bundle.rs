//! Verifying an export bundle offline: `manifest.json` carries the signed head the export was
//! cut at, `log.csv` the leaves (index, kind, response id, event, salt, leaf hash; a bundle of
//! format 2 has no kind or event columns: every leaf is a response), `responses.csv` the rows
//! and `flags.csv` the flags (response id, flag, detail, time).
//! The analysis calls [`verify_bundle`] before it reads a bundle.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use crate::event::LeafKind;
use crate::head::{PublicKey, SignedHead};
use crate::leaf::{Collection, LeafRecord, SALT_LEN};
use crate::verify::{self, FlagRow, LogEntry, Report};

/// The fixed columns of `responses.csv` before the item columns (as the server writes them).
/// The last three (how a response was collected, issue #13) are missing from older bundles,
/// which still verify: their responses were all self-selected web responses.
pub const FIXED_COLUMNS: [&str; 14] = [
    "response_id",
    "submitted_at",
    "unit",
    "unit_name",
    "site",
    "respondent_type",
    "lang",
    "duration_seconds",
    "link_check",
    "over_quota",
    "questionnaire_version",
    "mode",
    "stratum",
    "interviewer",
];

/// The fixed columns of a bundle written before fieldwork (without mode, stratum, interviewer).
pub const LEGACY_FIXED_COLUMNS: usize = 11;

/// How many fixed columns a `responses.csv` header has: all of [`FIXED_COLUMNS`], or the
/// legacy eleven.
pub fn fixed_columns_in<'h>(header: impl IntoIterator<Item = &'h str>) -> usize {
    let names: Vec<&str> = header.into_iter().take(FIXED_COLUMNS.len()).collect();
    if names == FIXED_COLUMNS {
        FIXED_COLUMNS.len()
    } else {
        LEGACY_FIXED_COLUMNS
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: cannot open the bundle: {message}")]
    Open { path: String, message: String },
    #[error("{path}: the bundle has no {file}")]
    Missing { path: String, file: &'static str },
    #[error("{path}: manifest.json: {message}")]
    Manifest { path: String, message: String },
    #[error("{path}: the manifest carries no signed tree head: the bundle cannot be verified")]
    NoHead { path: String },
    #[error("{path}: log.csv line {line}: {message}")]
    Log {
        path: String,
        line: u64,
        message: String,
    },
    #[error("{path}: responses.csv: {message}")]
    Responses { path: String, message: String },
}

#[derive(Debug, Deserialize)]
struct Manifest {
    campaign: String,
    questionnaire: QuestionnaireRef,
    log: Option<LogRef>,
}

#[derive(Debug, Deserialize)]
struct QuestionnaireRef {
    content_hash: String,
}

#[derive(Debug, Deserialize)]
struct LogRef {
    head: SignedHead,
}

fn read(
    zip: &mut zip::ZipArchive<std::fs::File>,
    path: &str,
    file: &'static str,
) -> Result<Vec<u8>, BundleError> {
    let mut entry = zip.by_name(file).map_err(|_| BundleError::Missing {
        path: path.to_string(),
        file,
    })?;
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| BundleError::Open {
            path: path.to_string(),
            message: e.to_string(),
        })?;
    Ok(bytes)
}

/// The signed head in a bundle's manifest (for showing before verifying).
pub fn head_of(path: &Path) -> Result<SignedHead, BundleError> {
    let name = path.display().to_string();
    let mut zip = open(path)?;
    manifest(&mut zip, &name)?
        .log
        .map(|l| l.head)
        .ok_or(BundleError::NoHead { path: name })
}

fn open(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, BundleError> {
    let open_error = |message: String| BundleError::Open {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| open_error(e.to_string()))?;
    zip::ZipArchive::new(file).map_err(|e| open_error(e.to_string()))
}

fn manifest(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Result<Manifest, BundleError> {
    let bytes = read(zip, name, "manifest.json")?;
    serde_json::from_slice(&bytes).map_err(|e| BundleError::Manifest {
        path: name.to_string(),
        message: e.to_string(),
    })
}

/// Verifies the bundle at `path` against the evaluator's public keys (the current one, and the
/// retired ones after a rotation) and the heads the evaluator fetched during collection. `Err` when the bundle cannot be read at all; otherwise
/// the report lists what does not fit, the first bad record first.
pub fn verify_bundle(
    path: &Path,
    keys: &[PublicKey],
    held: &[SignedHead],
) -> Result<Report, BundleError> {
    let name = path.display().to_string();
    let mut zip = open(path)?;
    let manifest = manifest(&mut zip, &name)?;
    let head = manifest
        .log
        .ok_or(BundleError::NoHead { path: name.clone() })?
        .head;
    let log = parse_log(&read(&mut zip, &name, "log.csv")?, &name)?;
    let responses = read(&mut zip, &name, "responses.csv")?;
    let rows = Rows::new(
        &responses,
        &manifest.campaign,
        &manifest.questionnaire.content_hash,
    )
    .map_err(|message| BundleError::Responses {
        path: name.clone(),
        message,
    })?;
    let held: Vec<SignedHead> = held
        .iter()
        .filter(|h| h.head.campaign == head.head.campaign)
        .cloned()
        .collect();
    // A bundle of format 2 has no flags.csv: its log has no flag events either.
    let flags = match zip.index_for_name("flags.csv") {
        Some(_) => parse_flags(&read(&mut zip, &name, "flags.csv")?),
        None => Vec::new(),
    };
    Ok(verify::check(
        &head,
        keys,
        &held,
        &log,
        rows,
        flags.into_iter(),
    ))
}

/// The columns of `flags.csv`.
pub const FLAG_COLUMNS: [&str; 4] = ["response_id", "flag", "detail", "flagged_at"];

/// `flags.csv` as flag rows; a malformed line is an `Err` naming it (the check reports it).
fn parse_flags(bytes: &[u8]) -> Vec<Result<FlagRow, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    match reader.headers() {
        Ok(h) if h.iter().eq(FLAG_COLUMNS) => {}
        Ok(h) => {
            return vec![Err(format!(
                "flags.csv header should be {FLAG_COLUMNS:?}, is {h:?}"
            ))]
        }
        Err(e) => return vec![Err(format!("flags.csv: {e}"))],
    }
    reader
        .records()
        .enumerate()
        .map(|(n, record)| {
            let line = n + 2;
            let record = record.map_err(|e| format!("flags.csv line {line}: {e}"))?;
            let cell = |i: usize| record.get(i).unwrap_or_default();
            let at = chrono::DateTime::parse_from_rfc3339(cell(3)).map_err(|_| {
                format!(
                    "flags.csv line {line}: flagged_at {:?} is not an RFC 3339 time",
                    cell(3)
                )
            })?;
            Ok(FlagRow {
                response_id: cell(0).parse().map_err(|_| {
                    format!(
                        "flags.csv line {line}: response_id {:?} is not a number",
                        cell(0)
                    )
                })?,
                flag: cell(1).to_string(),
                detail: cell(2).to_string(),
                at_ms: at.timestamp_millis(),
            })
        })
        .collect()
}

fn parse_log(bytes: &[u8], path: &str) -> Result<Vec<LogEntry>, BundleError> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header_error = |message: String| BundleError::Log {
        path: path.to_string(),
        line: 1,
        message,
    };
    let header = reader
        .headers()
        .map_err(|e| header_error(e.to_string()))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| header_error(format!("log.csv has no column {name:?}")))
    };
    let (index_col, id_col, salt_col, hash_col) = (
        required("leaf_index")?,
        required("response_id")?,
        required("salt")?,
        required("leaf_hash")?,
    );
    let (kind_col, event_col) = (column("kind"), column("event"));
    let mut log = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let bad = |message: String| BundleError::Log {
            path: path.to_string(),
            line,
            message,
        };
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let salt: [u8; SALT_LEN] = hex::decode(field(salt_col))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad(format!("salt {:?} is not 32 hex digits", field(salt_col))))?;
        let leaf_hash: [u8; 32] = hex::decode(field(hash_col))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                bad(format!(
                    "leaf hash {:?} is not 64 hex digits",
                    field(hash_col)
                ))
            })?;
        let kind = match kind_col {
            None => LeafKind::Response,
            Some(i) => LeafKind::parse(field(i))
                .ok_or_else(|| bad(format!("kind {:?} is not response or flag", field(i))))?,
        };
        log.push(LogEntry {
            leaf_index: field(index_col)
                .parse()
                .map_err(|_| bad(format!("leaf index {:?} is not a number", field(index_col))))?,
            kind,
            response_id: field(id_col)
                .parse()
                .map_err(|_| bad(format!("response id {:?} is not a number", field(id_col))))?,
            event: event_col.map(field).unwrap_or_default().to_string(),
            salt,
            leaf_hash,
        });
    }
    Ok(log)
}

/// The rows of `responses.csv` as leaf records (without salts).
struct Rows<'a> {
    records: csv::StringRecordsIntoIter<&'a [u8]>,
    /// 14, or 11 in a bundle written before fieldwork.
    fixed: usize,
    items: Vec<String>,
    campaign: String,
    questionnaire: String,
}

impl<'a> Rows<'a> {
    fn new(bytes: &'a [u8], campaign: &str, questionnaire: &str) -> Result<Rows<'a>, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::Reader::from_reader(bytes);
        let header = reader.headers().map_err(|e| e.to_string())?.clone();
        let fixed = fixed_columns_in(header.iter());
        for (i, expected) in FIXED_COLUMNS[..fixed].iter().enumerate() {
            if header.get(i) != Some(*expected) {
                return Err(format!("column {} should be {expected:?}", i + 1));
            }
        }
        Ok(Rows {
            fixed,
            items: header.iter().skip(fixed).map(String::from).collect(),
            records: reader.into_records(),
            campaign: campaign.to_string(),
            questionnaire: questionnaire.to_string(),
        })
    }

    fn record(&self, row: &csv::StringRecord) -> Result<LeafRecord, String> {
        let cell = |i: usize| row.get(i).unwrap_or_default();
        let submitted = chrono::DateTime::parse_from_rfc3339(cell(1))
            .map_err(|_| format!("submitted_at {:?} is not an RFC 3339 time", cell(1)))?;
        Ok(LeafRecord {
            salt: [0; SALT_LEN],
            campaign: self.campaign.clone(),
            response_id: cell(0)
                .parse()
                .map_err(|_| format!("response_id {:?} is not a number", cell(0)))?,
            unit: cell(2).to_string(),
            site: cell(4).to_string(),
            respondent_type: cell(5).to_string(),
            lang: cell(6).to_string(),
            questionnaire: self.questionnaire.clone(),
            submitted_at_ms: submitted.timestamp_millis(),
            duration_ms: milliseconds(cell(7))
                .ok_or_else(|| format!("duration_seconds {:?} is not seconds", cell(7)))?,
            link_check: cell(8).to_string(),
            over_quota: cell(9) == "1",
            collection: if self.fixed == LEGACY_FIXED_COLUMNS {
                Collection::default()
            } else {
                Collection {
                    mode: cell(11).to_string(),
                    stratum: cell(12).to_string(),
                    interviewer: cell(13).to_string(),
                }
            },
            answers: self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let value = cell(self.fixed + i);
                    (!value.is_empty()).then(|| (item.clone(), value.to_string()))
                })
                .collect(),
        })
    }
}

/// "12.345" seconds as 12 345 ms, exactly (no floating point).
pub fn milliseconds(seconds: &str) -> Option<i64> {
    let (sign, digits) = match seconds.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, seconds),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.len() > 3 || !(fraction.is_empty() || all_digits(fraction)) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<3}").parse().ok()?;
    Some(sign * (whole * 1000 + fraction))
}

impl Iterator for Rows<'_> {
    type Item = Result<LeafRecord, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.records.next()?;
        Some(row.map_err(|e| e.to_string()).and_then(|r| self.record(&r)))
    }
}
