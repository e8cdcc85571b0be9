//! The PDF backend: the document as typst markup (`markup`), compiled by typst as a library in a
//! closed world (`world`) with the shipped font and the chart PNGs, set by `style.typ`.

mod markup;
mod world;

use std::fmt::Write;

use typst::diag::SourceDiagnostic;
use typst::syntax::DiagSpan;
use typst::WorldExt;

use crate::doc::Document;
use world::ReportWorld;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A `Block::Chart` names an id that `charts` does not hold.
    #[error("the document shows chart {0:?}, but no PNG was given for it")]
    MissingChart(String),
    /// typst refused the generated markup (or a chart PNG); each error with its line.
    #[error("typesetting the report failed:\n{0}")]
    Typeset(String),
    #[error("writing the PDF failed:\n{0}")]
    Export(String),
}

/// The report as a PDF. `charts` holds each chart's PNG by chart id, as `Block::Chart` names it.
/// The same document and charts always give the same bytes: no system font, no date, no network.
pub fn render(doc: &Document, charts: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PdfError> {
    let (markup, files) = markup::main_file(doc, charts)?;
    let world = ReportWorld::new(markup, files);
    let compiled = typst::compile(&world)
        .output
        .map_err(|errors| PdfError::Typeset(explain(&world, &errors)))?;
    let pdf = typst_pdf::pdf(&compiled, &typst_pdf::PdfOptions::default())
        .map_err(|errors| PdfError::Export(explain(&world, &errors)));
    // typst memoises across compilations; a long-lived process should not keep old reports.
    typst::comemo::evict(10);
    pdf
}

/// Each diagnostic on its own lines: the message, where it is (file, line and that line of the
/// markup), the calls that led there (an error inside `style.typ` names the generated line that
/// called it), and typst's hints.
fn explain(world: &ReportWorld, errors: &[SourceDiagnostic]) -> String {
    let mut out = String::new();
    for error in errors {
        let _ = writeln!(out, "error: {}", error.message);
        if let Some(at) = location(world, error.span) {
            let _ = writeln!(out, "  at {at}");
        }
        for point in &error.trace {
            if let Some(at) = location(world, point.span.into()) {
                let _ = writeln!(out, "  {} at {at}", point.v);
            }
        }
        for hint in &error.hints {
            let _ = writeln!(out, "  hint: {}", hint.v);
        }
    }
    out.trim_end().to_string()
}

/// `path line N: text of the line`, the line cut at 160 characters.
fn location(world: &ReportWorld, span: DiagSpan) -> Option<String> {
    let id = span.id()?;
    let source = world.source_of(id)?;
    let line = source.lines().byte_to_line(world.range(span)?.start)?;
    let text = source.text().lines().nth(line).unwrap_or("");
    let mut shown: String = text.chars().take(160).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    let path = id.get().vpath().get_with_slash();
    Some(format!("{path} line {}: {shown}", line + 1))
}
