//! A wave's data, read and typed once: an export bundle (verified first with
//! `minyi-integrity`) or a CSV/XLSX/Parquet table with a column mapping. Bad input stops the
//! batch with an [`InputError`] naming the file and the row or column.

mod answers;
mod bundle;
mod table;
mod typed;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use minyi_questionnaire::Questionnaire;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use bundle::{held_heads, HeadRecord, Verification, VerificationStatus};
pub use table::{header, Format};

use crate::config::{Batch, WaveConfig};

/// Why a wave could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: cannot read: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: unknown format (expected .zip, .csv, .xlsx or .parquet)")]
    UnknownFormat { file: String },
    #[error("{file}: {key} names column {column:?}, which the file does not have")]
    MissingColumn {
        file: String,
        key: String,
        column: String,
    },
    #[error("{file}: {item:?} is not an item of the questionnaire")]
    UnknownItem { file: String, item: String },
    #[error("{file}: row {row}, column {column:?}: {message}")]
    BadValue {
        file: String,
        row: usize,
        column: String,
        message: String,
    },
    #[error("{file}: the bundle is not verified ({reason}); set allow_unverified = true to use it anyway, and the report will say so")]
    Unverified { file: String, reason: String },
    #[error("{file}: the file has no rows")]
    Empty { file: String },
}

/// One item's answers, typed by its kind; `None` is unanswered or 不了解/不适用.
#[derive(Debug, Clone, PartialEq)]
pub enum Answers {
    /// Likert 1–5 or 0–10.
    Score(Vec<Option<f64>>),
    YesNo(Vec<Option<bool>>),
    Choice(Vec<Option<String>>),
    Multi(Vec<Vec<String>>),
    Text(Vec<Option<String>>),
}

/// A wave's rows, column by column.
#[derive(Debug, Clone)]
pub struct WaveData {
    pub label: String,
    pub id: Vec<String>,
    pub unit: Vec<String>,
    /// Unit code → display name, where the input carries one.
    pub unit_names: BTreeMap<String, String>,
    pub respondent_type: Vec<Option<String>>,
    pub stratum: Vec<String>,
    pub weight: Option<Vec<f64>>,
    pub duration: Vec<Option<f64>>,
    /// Seconds since 1970.
    pub submitted: Vec<Option<i64>>,
    pub source: Vec<String>,
    pub version: Vec<String>,
    pub answers: BTreeMap<String, Answers>,
    /// Flags set by the server at collection (device repeat, honeypot, burst). Bundles do not
    /// carry them yet; this is where they will land.
    pub server_flags: Vec<Vec<String>>,
}

impl WaveData {
    pub fn rows(&self) -> usize {
        self.unit.len()
    }

    /// The scores of a Likert or 0–10 item (all `None` when the wave lacks it).
    pub fn scores(&self, item: &str) -> Cow<'_, [Option<f64>]> {
        match self.answers.get(item) {
            Some(Answers::Score(v)) => Cow::Borrowed(v),
            Some(Answers::YesNo(v)) => v.iter().map(|b| b.map(f64::from)).collect(),
            _ => Cow::Owned(vec![None; self.rows()]),
        }
    }

    /// The values of a grouping variable: `unit`, `respondent_type` or a single-choice item.
    pub fn variable(&self, name: &str) -> Vec<Option<String>> {
        match name {
            "unit" => self.unit.iter().cloned().map(Some).collect(),
            "respondent_type" => self.respondent_type.clone(),
            "stratum" => self.stratum.iter().cloned().map(Some).collect(),
            item => match self.answers.get(item) {
                Some(Answers::Choice(v)) => v.clone(),
                _ => vec![None; self.rows()],
            },
        }
    }

    /// Keeps only the rows where `keep` is true, in place.
    pub fn retain(mut self, keep: &[bool]) -> WaveData {
        fn pick<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut row = 0;
            v.retain(|_| {
                row += 1;
                keep[row - 1]
            });
        }
        for answers in self.answers.values_mut() {
            match answers {
                Answers::Score(v) => pick(v, keep),
                Answers::YesNo(v) => pick(v, keep),
                Answers::Choice(v) | Answers::Text(v) => pick(v, keep),
                Answers::Multi(v) => pick(v, keep),
            }
        }
        pick(&mut self.id, keep);
        pick(&mut self.unit, keep);
        pick(&mut self.respondent_type, keep);
        pick(&mut self.stratum, keep);
        if let Some(w) = self.weight.as_mut() {
            pick(w, keep);
        }
        pick(&mut self.duration, keep);
        pick(&mut self.submitted, keep);
        pick(&mut self.source, keep);
        pick(&mut self.version, keep);
        pick(&mut self.server_flags, keep);
        self
    }
}

/// What the report says about an input.
#[derive(Debug, Clone, Serialize)]
pub struct InputRecord {
    pub wave: String,
    pub path: String,
    pub format: Format,
    pub sha256: String,
    pub rows: usize,
    pub verification: Verification,
}

/// Reads one wave: verifies a bundle first, then types every mapped column.
pub fn read_wave(
    batch: &Batch,
    wave: &WaveConfig,
    questionnaire: &Questionnaire,
) -> Result<(WaveData, InputRecord), InputError> {
    let path = wave.input.path.as_path();
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::Unreadable {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let format = Format::of(path).ok_or(InputError::UnknownFormat { file: file.clone() })?;
    // A CSV file is parsed from the bytes just hashed; the other formats read their file.
    let mut bytes = Some(bytes).filter(|_| format == Format::Csv);
    let (frame, columns, verification) = match format {
        Format::Bundle => {
            let verification = bundle::verify(batch, path)?;
            let (frame, columns) = bundle::responses(path, &wave.input.columns)?;
            (frame, columns, verification)
        }
        Format::Csv => (
            table::csv_bytes(bytes.take().unwrap_or_default(), path)?,
            wave.input.columns.clone(),
            Verification::not_applicable(),
        ),
        Format::Xlsx => (
            table::read_xlsx(path, wave.input.sheet.as_deref())?,
            wave.input.columns.clone(),
            Verification::not_applicable(),
        ),
        Format::Parquet => (
            table::read_parquet(path)?,
            wave.input.columns.clone(),
            Verification::not_applicable(),
        ),
    };
    if format == Format::Bundle {
        let fixed = minyi_integrity::bundle::FIXED_COLUMNS;
        for name in frame.get_column_names() {
            let known = fixed.contains(&name.as_str()) || name.as_str() == "flags";
            if !known && questionnaire.item(name).is_none() {
                return Err(InputError::UnknownItem {
                    file,
                    item: name.to_string(),
                });
            }
        }
    }
    if frame.height() == 0 {
        return Err(InputError::Empty { file });
    }
    let resolved = typed::resolve(&frame, &file, &columns, &wave.input.items, questionnaire)?;
    let data = typed::typed(&frame, path, &wave.label, &resolved, questionnaire)?;
    let record = InputRecord {
        wave: wave.label.clone(),
        path: file,
        format,
        sha256,
        rows: data.rows(),
        verification,
    };
    Ok((data, record))
}

/// Whether `path` has a known input format (for `analysis check`).
pub fn known_format(path: &Path) -> bool {
    Format::of(path).is_some()
}
