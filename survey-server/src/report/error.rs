//! Why a report was refused: each reason names the file at fault, in English for the command
//! line and in Chinese for the console.

use std::path::PathBuf;

use super::{ReportFile, GENERATOR_MARK, MB, UPLOAD_MAX_BYTES};

/// Why a report was refused; each names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{0} is missing")]
    Missing(ReportFile),
    #[error("{0} is larger than its limit of {limit} MB", limit = .0.max_bytes() / MB)]
    TooLarge(ReportFile),
    #[error("reading {file}: {source}")]
    Read {
        file: ReportFile,
        source: std::io::Error,
    },
    #[error("report.html is not UTF-8 text")]
    HtmlNotUtf8,
    #[error("report.html is not a minyi report (no {GENERATOR_MARK}…\">)")]
    NotOurReport,
    #[error("report.html contains a <script>; minyi reports have none")]
    HtmlScript,
    #[error("report.pdf is not a whole PDF (it must start with %PDF- and end with %%EOF)")]
    NotPdf,
    #[error("{file} is not the JSON expected: {detail}")]
    BadJson { file: ReportFile, detail: String },
    #[error("verdict.json: verdict must be met, not_met or inconclusive, not {0:?}")]
    BadVerdict(String),
    #[error("verdict.json: {0} is empty")]
    EmptySentence(&'static str),
    #[error("manifest.json: generated_at {0:?} is not an RFC 3339 time")]
    BadGeneratedAt(String),
    #[error("the upload is not a multipart/form-data form: {0}")]
    BadForm(String),
    #[error("the upload is larger than its limit of {} MB", UPLOAD_MAX_BYTES / MB)]
    UploadTooLarge,
}

impl ReportError {
    /// The refusal in the console's language, naming the file or field.
    pub fn message_zh(&self) -> String {
        match self {
            Self::NotAFolder(path) => format!("{} 不是文件夹。", path.display()),
            Self::Missing(file) => format!("缺少 {file}。"),
            Self::TooLarge(file) => {
                format!("{file} 超过 {} MB 的大小上限。", file.max_bytes() / MB)
            }
            Self::Read { file, source } => format!("无法读取 {file}：{source}"),
            Self::HtmlNotUtf8 => "report.html 不是 UTF-8 编码的文本。".into(),
            Self::NotOurReport => {
                "report.html 不是 minyi 生成的评估报告（缺少 minyi-reports 的 generator 标记）。"
                    .into()
            }
            Self::HtmlScript => {
                "report.html 含有脚本（<script>）；minyi 生成的报告不含脚本。".into()
            }
            Self::NotPdf => {
                "report.pdf 不是完整的 PDF 文件（应以 %PDF- 开头、以 %%EOF 结尾）。".into()
            }
            Self::BadJson { file, detail } => {
                format!("{file} 不是有效的 JSON 或缺少必需字段：{detail}")
            }
            Self::BadVerdict(value) => format!(
                "verdict.json 中的 verdict 应为 met、not_met 或 inconclusive，而不是“{value}”。"
            ),
            Self::EmptySentence(field) => format!("verdict.json 中的 {field} 为空。"),
            Self::BadGeneratedAt(value) => {
                format!("manifest.json 中的 generated_at（“{value}”）不是 RFC 3339 时间。")
            }
            Self::BadForm(detail) => {
                format!("上传的不是有效的文件表单（multipart/form-data）：{detail}")
            }
            Self::UploadTooLarge => format!("上传内容超过 {} MB 的上限。", UPLOAD_MAX_BYTES / MB),
        }
    }

    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge(_) | Self::UploadTooLarge)
    }
}
