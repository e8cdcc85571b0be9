//! An assessment report as the evaluator publishes it: the files of an analysis batch folder
//! (`report.html`, `report.pdf`, `verdict.json`, `manifest.json`), checked before anything is
//! stored. Parse, don't validate: a [`Report`] exists only once every file has passed.

mod error;
pub mod publish;

pub use error::ReportError;

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub(crate) const MB: usize = 1 << 20;
/// The largest upload body: every file at its limit, plus the form's other fields.
pub const UPLOAD_MAX_BYTES: usize = 16 * MB + 32 * MB + 2 * MB + 64 * 1024;
/// What the reports crate writes into the head of every HTML report it renders.
pub(crate) const GENERATOR_MARK: &str = r#"<meta name="generator" content="minyi-reports"#;

/// One file of the batch folder, by the name it has there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFile {
    Html,
    Pdf,
    Verdict,
    Manifest,
}

impl ReportFile {
    pub const ALL: [ReportFile; 4] = [Self::Html, Self::Pdf, Self::Verdict, Self::Manifest];

    pub fn name(self) -> &'static str {
        match self {
            Self::Html => "report.html",
            Self::Pdf => "report.pdf",
            Self::Verdict => "verdict.json",
            Self::Manifest => "manifest.json",
        }
    }

    /// The upload form's field for the file.
    pub fn field(self) -> &'static str {
        match self {
            Self::Html => "report_html",
            Self::Pdf => "report_pdf",
            Self::Verdict => "verdict_json",
            Self::Manifest => "manifest_json",
        }
    }

    pub fn from_field(field: &str) -> Option<ReportFile> {
        Self::ALL.into_iter().find(|f| f.field() == field)
    }

    pub fn max_bytes(self) -> usize {
        match self {
            Self::Html => 16 * MB,
            Self::Pdf => 32 * MB,
            Self::Verdict | Self::Manifest => MB,
        }
    }
}

impl fmt::Display for ReportFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The verdict on the 2025 goal that the report states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    Inconclusive,
}

impl Verdict {
    pub fn parse(value: &str) -> Option<Verdict> {
        match value {
            "met" => Some(Self::Met),
            "not_met" => Some(Self::NotMet),
            "inconclusive" => Some(Self::Inconclusive),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::Inconclusive => "inconclusive",
        }
    }
}

/// The files as read from a folder or an upload, not yet checked.
#[derive(Debug, Default)]
pub struct ReportFiles {
    html: Option<Vec<u8>>,
    pdf: Option<Vec<u8>>,
    verdict: Option<Vec<u8>>,
    manifest: Option<Vec<u8>>,
}

impl ReportFiles {
    pub fn set(&mut self, file: ReportFile, bytes: Vec<u8>) {
        let slot = match file {
            ReportFile::Html => &mut self.html,
            ReportFile::Pdf => &mut self.pdf,
            ReportFile::Verdict => &mut self.verdict,
            ReportFile::Manifest => &mut self.manifest,
        };
        *slot = Some(bytes);
    }

    /// Reads a batch folder. `report.pdf` may be absent; the other three may not. A file over
    /// its limit is refused before it is read.
    pub fn read_dir(dir: &Path) -> Result<ReportFiles, ReportError> {
        if !dir.is_dir() {
            return Err(ReportError::NotAFolder(dir.to_path_buf()));
        }
        let mut files = ReportFiles::default();
        for file in ReportFile::ALL {
            let path = dir.join(file.name());
            let size = match std::fs::metadata(&path) {
                Ok(meta) => meta.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(ReportError::Read { file, source }),
            };
            if size > file.max_bytes() as u64 {
                return Err(ReportError::TooLarge(file));
            }
            let bytes =
                std::fs::read(&path).map_err(|source| ReportError::Read { file, source })?;
            files.set(file, bytes);
        }
        Ok(files)
    }

    /// Checks every file and keeps what is stored.
    pub fn check(self) -> Result<Report, ReportError> {
        let html = self.html.ok_or(ReportError::Missing(ReportFile::Html))?;
        let verdict = self
            .verdict
            .ok_or(ReportError::Missing(ReportFile::Verdict))?;
        let manifest = self
            .manifest
            .ok_or(ReportError::Missing(ReportFile::Manifest))?;
        for (file, bytes) in [
            (ReportFile::Html, Some(&html)),
            (ReportFile::Pdf, self.pdf.as_ref()),
            (ReportFile::Verdict, Some(&verdict)),
            (ReportFile::Manifest, Some(&manifest)),
        ] {
            if bytes.is_some_and(|b| b.len() > file.max_bytes()) {
                return Err(ReportError::TooLarge(file));
            }
        }
        check_html(&html)?;
        if let Some(pdf) = &self.pdf {
            check_pdf(pdf)?;
        }
        let stated: VerdictJson = json(ReportFile::Verdict, &verdict)?;
        let verdict =
            Verdict::parse(&stated.verdict).ok_or(ReportError::BadVerdict(stated.verdict))?;
        for (field, text) in [
            ("sentence_zh", &stated.sentence_zh),
            ("sentence_en", &stated.sentence_en),
        ] {
            if text.trim().is_empty() {
                return Err(ReportError::EmptySentence(field));
            }
        }
        let manifest: ManifestJson = json(ReportFile::Manifest, &manifest)?;
        let generated_at = chrono::DateTime::parse_from_rfc3339(&manifest.generated_at)
            .map_err(|_| ReportError::BadGeneratedAt(manifest.generated_at.clone()))?
            .timestamp_millis();
        Ok(Report {
            verdict,
            sentence_zh: stated.sentence_zh,
            sentence_en: stated.sentence_en,
            generated_at,
            html,
            pdf: self.pdf,
        })
    }
}

#[derive(Deserialize)]
struct VerdictJson {
    verdict: String,
    sentence_zh: String,
    sentence_en: String,
}

#[derive(Deserialize)]
struct ManifestJson {
    generated_at: String,
}

fn json<T: serde::de::DeserializeOwned>(file: ReportFile, bytes: &[u8]) -> Result<T, ReportError> {
    serde_json::from_slice(bytes).map_err(|e| ReportError::BadJson {
        file,
        detail: e.to_string(),
    })
}

fn check_html(html: &[u8]) -> Result<(), ReportError> {
    let text = std::str::from_utf8(html).map_err(|_| ReportError::HtmlNotUtf8)?;
    if !text.contains(GENERATOR_MARK) {
        return Err(ReportError::NotOurReport);
    }
    // The CSP it is served with stops any script anyway; a report with one is not ours.
    if html.windows(7).any(|w| w.eq_ignore_ascii_case(b"<script")) {
        return Err(ReportError::HtmlScript);
    }
    Ok(())
}

fn check_pdf(pdf: &[u8]) -> Result<(), ReportError> {
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    if pdf.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF") {
        Ok(())
    } else {
        Err(ReportError::NotPdf)
    }
}

/// A report whose files all passed their checks, as it is stored.
#[derive(Debug)]
pub struct Report {
    verdict: Verdict,
    sentence_zh: String,
    sentence_en: String,
    /// `manifest.json`'s `generated_at`, milliseconds since the Unix epoch.
    generated_at: i64,
    html: Vec<u8>,
    pdf: Option<Vec<u8>>,
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    pub fn sentences(&self) -> (&str, &str) {
        (&self.sentence_zh, &self.sentence_en)
    }

    pub fn generated_at(&self) -> i64 {
        self.generated_at
    }

    pub fn html(&self) -> &[u8] {
        &self.html
    }

    pub fn pdf(&self) -> Option<&[u8]> {
        self.pdf.as_deref()
    }
}

/// A file's SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
