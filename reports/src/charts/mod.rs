//! The report's charts, drawn from the batch's tables with plotters: each as SVG (for the
//! HTML) and PNG (for the PDF), title and caption inside the image. A chart whose table has
//! no rows for it is left out, never drawn empty.
//!
//! One file per chart: `plan` selects and sorts the rows it shows and writes its words (no
//! arithmetic beyond rounding), `draw` lays them out on any plotters backend. The shared
//! parts: `frame` (SVG and PNG, title, caption), `ink` (the shipped font, text), `axis`,
//! `marks`, `grid` (a table of coloured cells), `palette` (colour-blind-safe colours) and
//! `words`.

mod axis;
mod daily;
mod frame;
mod glyphs;
mod grid;
mod heatmap;
mod ink;
mod ipa;
mod likert;
mod marks;
mod names;
mod palette;
mod place;
mod problems;
mod unit_change;
mod unit_index;
mod waves;
mod words;

use crate::lang::Lang;
use crate::tables::Batch;
use frame::Figure;

/// One chart, drawn twice: `svg` for the HTML report, `png` (same size) for the PDF.
#[derive(Debug, Clone)]
pub struct Chart {
    /// A stable id: `unit_index`, `unit_change`, `likert`, `problems`, `ipa`, `heatmap`,
    /// `daily`, `waves`.
    pub id: String,
    pub title: String,
    /// The source and n in words, and what the marks mean.
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
    /// The size of both images in pixels.
    pub width: u32,
    pub height: u32,
}

/// A chart that could not be drawn, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("chart {chart}: {cause}")]
pub struct ChartError {
    pub chart: String,
    pub cause: String,
}

/// Every chart the batch has data for, in the report's order.
pub fn draw_all(batch: &Batch, lang: Lang) -> Result<Vec<Chart>, ChartError> {
    let mut charts = Vec::new();
    add(&mut charts, unit_index::plan(batch, lang))?;
    add(&mut charts, unit_change::plan(batch, lang))?;
    add(&mut charts, likert::plan(batch, lang))?;
    add(&mut charts, problems::plan(batch, lang))?;
    add(&mut charts, ipa::plan(batch, lang))?;
    add(&mut charts, heatmap::plan(batch, lang))?;
    add(&mut charts, daily::plan(batch, lang))?;
    add(&mut charts, waves::plan(batch, lang))?;
    Ok(charts)
}

fn add<F: Figure>(charts: &mut Vec<Chart>, figure: Option<F>) -> Result<(), ChartError> {
    if let Some(figure) = figure {
        charts.push(frame::render(&figure)?);
    }
    Ok(())
}
