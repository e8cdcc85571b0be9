//! `render`: a batch folder in, `report.html`, `report.pdf` and `charts/` out.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::charts::{self, Chart};
use crate::lang::Lang;
use crate::sections::{self, ChartRef};
use crate::tables::{Batch, LoadError};
use crate::{html, pdf};

/// What to render.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The language; `None` takes the batch's `[report] language`, else Chinese.
    pub lang: Option<Lang>,
    /// Skip the PDF (the HTML and the charts are always written).
    pub skip_pdf: bool,
}

/// What was written, and how long each step took.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub html: PathBuf,
    pub pdf: Option<PathBuf>,
    pub charts: Vec<PathBuf>,
    pub timings: Vec<(&'static str, Duration)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("[report] language: {0}")]
    Language(String),
    #[error("drawing the charts: {0}")]
    Charts(#[from] charts::ChartError),
    #[error("typesetting the PDF: {0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("{path}: cannot write: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Renders the report of the batch folder `dir` into the same folder.
pub fn render(dir: &Path, options: &Options) -> Result<Rendered, ReportError> {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
        timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let batch = Batch::load(dir)?;
    let lang = match options.lang {
        Some(lang) => lang,
        None => batch
            .manifest
            .report_field("language")
            .map(Lang::parse)
            .transpose()
            .map_err(ReportError::Language)?
            .unwrap_or_default(),
    };
    lap("load", &mut timings);
    let drawn = charts::draw_all(&batch, lang)?;
    lap("charts", &mut timings);
    let chart_dir = dir.join("charts");
    std::fs::create_dir_all(&chart_dir).map_err(|e| write_error(&chart_dir, e))?;
    let mut chart_files = Vec::new();
    for chart in &drawn {
        for (ext, bytes) in [("svg", chart.svg.as_bytes()), ("png", chart.png.as_slice())] {
            let path = chart_dir.join(format!("{}.{ext}", chart.id));
            write_atomic(&path, bytes)?;
            chart_files.push(path);
        }
    }
    let refs: Vec<ChartRef> = drawn.iter().map(chart_ref).collect();
    let doc = sections::build(&batch, lang, &refs);
    let svgs: Vec<html::Svg> = drawn
        .iter()
        .map(|c| html::Svg {
            id: &c.id,
            svg: &c.svg,
        })
        .collect();
    let html_path = dir.join("report.html");
    write_atomic(&html_path, html::render(&doc, &svgs).as_bytes())?;
    lap("html", &mut timings);
    let pdf_path = if options.skip_pdf {
        None
    } else {
        let pngs: Vec<(String, Vec<u8>)> = drawn
            .iter()
            .map(|c| (c.id.clone(), c.png.clone()))
            .collect();
        let bytes = pdf::render(&doc, &pngs)?;
        let path = dir.join("report.pdf");
        write_atomic(&path, &bytes)?;
        lap("pdf", &mut timings);
        Some(path)
    };
    Ok(Rendered {
        html: html_path,
        pdf: pdf_path,
        charts: chart_files,
        timings,
    })
}

fn chart_ref(c: &Chart) -> ChartRef {
    ChartRef {
        id: c.id.clone(),
        title: c.title.clone(),
        caption: c.caption.clone(),
    }
}

fn write_error(path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `bytes` beside `path` and renames it into place: a failed render never leaves half
/// a report where a whole one was.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, bytes).map_err(|e| write_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}
