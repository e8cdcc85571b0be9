//! Text in the PNG, rasterised here with ab_glyph rather than by plotters' bitmap text:
//! plotters drops each glyph's left side bearing and rounds every pen position to a whole
//! pixel, which leaves gaps after narrow glyphs (日, i, l) and uneven Latin spacing. Sizes
//! are plotters' (the font's ascent − descent), so layout is the same as in the SVG.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters::prelude::*;

use super::ink::{Area, Drawn};
use crate::font;

fn face(bold: bool) -> Option<&'static FontRef<'static>> {
    static FACES: OnceLock<Option<(FontRef<'static>, FontRef<'static>)>> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        Some((
            FontRef::try_from_slice(font::REGULAR).ok()?,
            FontRef::try_from_slice(font::BOLD).ok()?,
        ))
    });
    faces
        .as_ref()
        .map(|(regular, bold_face)| if bold { bold_face } else { regular })
}

/// The pen position of each glyph and the whole advance, in pixels.
fn layout(face: &FontRef<'static>, size: f64, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
    let scaled = face.as_scaled(PxScale::from(size as f32));
    let mut caret = 0.0;
    let mut prev: Option<GlyphId> = None;
    let mut out = Vec::new();
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        out.push((id, caret));
        caret += scaled.h_advance(id);
        prev = Some(id);
    }
    (out, caret)
}

/// The advance width of `text`; `None` if the shipped font cannot be read.
pub(super) fn width(text: &str, size: f64, bold: bool) -> Option<f64> {
    face(bold).map(|f| layout(f, size, text).1 as f64)
}

/// Draws `text` with its pen starting at 0 on the baseline of a local frame that `place`
/// maps to the area's pixels (a shift, or a shift and a turn).
pub(super) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    (size, bold, color): (f64, bool, RGBColor),
    place: impl Fn(i32, i32) -> (i32, i32),
) -> Drawn<DB> {
    let Some(face) = face(bold) else {
        return Ok(());
    };
    let scale = PxScale::from(size as f32);
    let (glyphs, _) = layout(face, size, text);
    let mut result = Ok(());
    for (id, caret) in glyphs {
        let glyph = id.with_scale_and_position(scale, point(caret, 0.0));
        let Some(outline) = face.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
        outline.draw(|x, y, coverage| {
            if result.is_ok() && coverage > 0.0 {
                let at = place(left + x as i32, top + y as i32);
                result = area.draw_pixel(at, &color.mix(coverage.min(1.0) as f64));
            }
        });
        if result.is_err() {
            break;
        }
    }
    result
}
