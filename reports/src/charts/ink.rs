//! Text in a chart: the shipped font, registered once for plotters' PNG backend and named in
//! the SVG with fallbacks, measured and placed the same way in both.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontFamily, FontStyle, FontTransform};

use super::glyphs;
use crate::font;

/// The font-family of every text. plotters looks the whole string up among the registered
/// fonts for the PNG and writes it as it is into the SVG, where a browser reads it as a CSS
/// list: the shipped font first, then common CJK fonts, then any sans-serif.
pub(super) const FAMILY: &str =
    "Minyi Sans SC, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif";

/// ab_glyph scales a font so that its ascent − descent (1.448 em in Noto Sans CJK) is the
/// size; plotters' SVG writes size / 1.24 as the em. Scaling SVG sizes by this ratio gives
/// one em the same number of pixels in both images.
const SVG_SIZE: f64 = 1.24 / 1.448;

/// Registers the shipped font under [`FAMILY`] (once per process).
pub(super) fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        for (style, bytes) in [
            (FontStyle::Normal, font::REGULAR),
            (FontStyle::Bold, font::BOLD),
        ] {
            register_font(FAMILY, style, bytes)
                .map_err(|_| format!("the shipped font {} is not a valid font", font::FAMILY))?;
        }
        Ok(())
    })
    .clone()
}

pub(super) type Area<DB> = DrawingArea<DB, Shift>;
pub(super) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A text's look: size in pixels (the PNG's), weight, colour and horizontal anchor.
#[derive(Clone, Copy)]
pub(super) struct Look {
    pub size: f64,
    pub bold: bool,
    pub color: RGBColor,
    pub align: HPos,
}

impl Look {
    pub const fn new(size: f64) -> Look {
        Look {
            size,
            bold: false,
            color: RGBColor(33, 33, 33),
            align: HPos::Left,
        }
    }
    pub const fn bold(self) -> Look {
        Look { bold: true, ..self }
    }
    pub const fn color(self, color: RGBColor) -> Look {
        Look { color, ..self }
    }
    pub const fn center(self) -> Look {
        Look {
            align: HPos::Center,
            ..self
        }
    }
    pub const fn right(self) -> Look {
        Look {
            align: HPos::Right,
            ..self
        }
    }
    fn weight(self) -> FontStyle {
        if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        }
    }
}

/// Draws text for one backend: in the SVG as text elements, their sizes scaled (see
/// [`SVG_SIZE`]); in the PNG as glyphs rasterised by `glyphs`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ink {
    scale: f64,
    bitmap: bool,
}

impl Ink {
    pub fn svg() -> Ink {
        Ink {
            scale: SVG_SIZE,
            bitmap: false,
        }
    }
    pub fn png() -> Ink {
        Ink {
            scale: 1.0,
            bitmap: true,
        }
    }

    fn style(&self, look: Look, transform: FontTransform) -> TextStyle<'static> {
        FontDesc::new(
            FontFamily::Name(FAMILY),
            look.size * self.scale,
            look.weight(),
        )
        .transform(transform)
        .color(&look.color)
        .pos(Pos::new(look.align, VPos::Top))
    }

    /// Writes `text` with its middle at height `y`, anchored at `x` as `look` says.
    pub fn text<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        text: &str,
        (x, y): (i32, i32),
        look: Look,
    ) -> Drawn<DB> {
        // The middle of a CJK glyph or a digit sits about a quarter size above its baseline;
        // the SVG puts the baseline about half a size below a top-anchored text's y.
        if self.bitmap {
            let w = width(text, look);
            let left = match look.align {
                HPos::Left => x,
                HPos::Center => x - w / 2,
                HPos::Right => x - w,
            };
            let baseline = y + (0.26 * look.size).round() as i32;
            let ink = (look.size, look.bold, look.color);
            return glyphs::draw(area, text, ink, |gx, gy| (left + gx, baseline + gy));
        }
        let top = y - (0.24 * look.size).round() as i32;
        area.draw_text(text, &self.style(look, FontTransform::None), (x, top))
    }

    /// Writes `text` turned a quarter anticlockwise, centred on `(x, y)` along its length,
    /// its glyphs to the right of `x`.
    pub fn text_up<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        text: &str,
        (x, y): (i32, i32),
        look: Look,
    ) -> Drawn<DB> {
        if self.bitmap {
            // The baseline half a size right of x, the text read upwards from y + w / 2.
            let (w, half) = (width(text, look), (look.size / 2.0).round() as i32);
            let ink = (look.size, look.bold, look.color);
            return glyphs::draw(area, text, ink, |gx, gy| (x + half + gy, y + w / 2 - gx));
        }
        let style = self.style(look.center(), FontTransform::Rotate270);
        area.draw_text(text, &style, (x, y))
    }

    /// Several lines from `top`, `gap` pixels apart.
    pub fn lines<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        lines: &[String],
        (x, top): (i32, i32),
        gap: i32,
        look: Look,
    ) -> Drawn<DB> {
        for (i, line) in lines.iter().enumerate() {
            let y = top + gap / 2 + i as i32 * gap;
            self.text(area, line, (x, y), look)?;
        }
        Ok(())
    }
}

/// The width of `text` in PNG pixels (the same in the SVG, see [`SVG_SIZE`]).
pub(super) fn width(text: &str, look: Look) -> i32 {
    glyphs::width(text, look.size, look.bold)
        .unwrap_or(text.chars().count() as f64 * look.size * 0.7)
        .round() as i32
}

/// `text` broken into lines no wider than `max` pixels: at spaces for Latin text, between
/// any two characters for Chinese (never before closing punctuation).
pub(super) fn wrap(text: &str, look: Look, max: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in pieces(text) {
        let candidate = format!("{line}{word}");
        let closing = word.starts_with(|c: char| "，。、；：）》」,.;:)".contains(c));
        if line.is_empty() || width(candidate.trim_end(), look) <= max || closing {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = word.trim_start().to_string();
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Words with their trailing space for Latin text; single characters for CJK.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            word.push(c);
            if c == ' ' {
                out.push(std::mem::take(&mut word));
            }
        } else {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `text` cut to `max` pixels with an ellipsis when it is longer.
pub(super) fn fit(text: &str, look: Look, max: i32) -> String {
    if width(text, look) <= max {
        return text.to_string();
    }
    let mut cut: String = text.to_string();
    while !cut.is_empty() && width(&format!("{cut}…"), look) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}
