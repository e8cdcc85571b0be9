//! One chart from its plan to SVG and PNG: the same drawing code on both backends, with the
//! title above and the caption below inside the image, so that either file stands alone.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use plotters::prelude::*;

use super::ink::{self, Area, Drawn, Ink, Look};
use super::palette::{MUTED, PAPER};
use super::{Chart, ChartError};

/// A chart ready to draw: its words and its body, drawn on any plotters backend.
pub(super) trait Figure {
    /// The chart's id, as `doc::Block::Chart` names it.
    const ID: &'static str;
    fn title(&self) -> &str;
    fn caption(&self) -> &str;
    /// The body's height in pixels (the image is 1600 wide; title and caption come on top).
    fn body_height(&self) -> u32 {
        640
    }
    /// Draws the body into `area`, which excludes the title, the caption and the margins.
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB>;
}

pub(super) const WIDTH: u32 = 1600;
const MARGIN: u32 = 40;
/// The width of a chart's body.
pub(super) const BODY_WIDTH: u32 = WIDTH - 2 * MARGIN;
const TITLE: f64 = 40.0;
const CAPTION: f64 = 24.0;
const CAPTION_GAP: u32 = 34;

fn caption_lines<F: Figure>(figure: &F) -> Vec<String> {
    let look = Look::new(CAPTION);
    ink::wrap(figure.caption(), look, (WIDTH - 2 * MARGIN) as i32)
}

fn title_lines<F: Figure>(figure: &F) -> Vec<String> {
    let look = Look::new(TITLE).bold();
    ink::wrap(figure.title(), look, (WIDTH - 2 * MARGIN) as i32)
}

/// Pixel heights of the title band and the caption band.
fn bands<F: Figure>(figure: &F) -> (u32, u32) {
    let title = 30 + title_lines(figure).len() as u32 * 54;
    let caption = 24 + caption_lines(figure).len() as u32 * CAPTION_GAP;
    (title, caption)
}

fn paint<F: Figure, DB: DrawingBackend>(figure: &F, root: &Area<DB>, ink: Ink) -> Drawn<DB> {
    root.fill(&PAPER)?;
    let (title_h, caption_h) = bands(figure);
    let (_, height) = root.dim_in_pixel();
    let left = MARGIN as i32;
    ink.lines(
        root,
        &title_lines(figure),
        (left, 22),
        54,
        Look::new(TITLE).bold(),
    )?;
    let caption_top = (height - caption_h + 8) as i32;
    let look = Look::new(CAPTION).color(MUTED);
    ink.lines(
        root,
        &caption_lines(figure),
        (left, caption_top),
        CAPTION_GAP as i32,
        look,
    )?;
    let body = root.margin(title_h, caption_h, MARGIN, MARGIN);
    figure.draw(&body, ink)
}

/// Draws `figure` as SVG and PNG.
pub(super) fn render<F: Figure>(figure: &F) -> Result<Chart, ChartError> {
    let fail = |cause: String| ChartError {
        chart: F::ID.to_string(),
        cause,
    };
    ink::register().map_err(fail)?;
    let (title_h, caption_h) = bands(figure);
    let size = (WIDTH, title_h + figure.body_height() + caption_h);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        paint(figure, &root, Ink::svg()).map_err(|e| fail(format!("drawing the SVG: {e}")))?;
        root.present()
            .map_err(|e| fail(format!("writing the SVG: {e}")))?;
    }
    let mut rgb = vec![255u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        paint(figure, &root, Ink::png()).map_err(|e| fail(format!("drawing the PNG: {e}")))?;
        root.present()
            .map_err(|e| fail(format!("drawing the PNG: {e}")))?;
    }
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive)
        .write_image(&rgb, size.0, size.1, ExtendedColorType::Rgb8)
        .map_err(|e| fail(format!("encoding the PNG: {e}")))?;

    Ok(Chart {
        id: F::ID.to_string(),
        title: figure.title().to_string(),
        caption: figure.caption().to_string(),
        svg: described(&svg, figure.title(), figure.caption()),
        png,
        width: size.0,
        height: size.1,
    })
}

/// The SVG with a `<title>` and `<desc>` first, for screen readers and file browsers.
fn described(svg: &str, title: &str, caption: &str) -> String {
    let Some(open) = svg
        .find("<svg")
        .and_then(|s| svg[s..].find('>').map(|e| s + e + 1))
    else {
        return svg.to_string();
    };
    format!(
        "{}\n<title>{}</title>\n<desc>{}</desc>{}",
        &svg[..open],
        escape(title),
        escape(caption),
        &svg[open..]
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
