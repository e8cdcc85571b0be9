//! The marks the charts share: estimate dots with interval whiskers, the hatching of a
//! flagged estimate, dashed reference lines and legend keys.

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::ink::{self, Area, Drawn, Ink, Look};
use super::palette::{GREY, PALE, PAPER};

/// How an estimate is drawn: in full, or pale and hollow when it is flagged.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    pub color: RGBColor,
    pub flagged: bool,
}

impl Mark {
    fn line(self) -> RGBColor {
        if self.flagged {
            GREY
        } else {
            self.color
        }
    }
}

/// A dot; a flagged one is a hollow ring.
pub(super) fn dot<DB: DrawingBackend>(
    area: &Area<DB>,
    at: (i32, i32),
    r: i32,
    mark: Mark,
) -> Drawn<DB> {
    if mark.flagged {
        area.draw(&Circle::new(at, r, PAPER.filled()))?;
        area.draw(&Circle::new(at, r, mark.color.stroke_width(3)))
    } else {
        area.draw(&Circle::new(at, r, mark.color.filled()))?;
        area.draw(&Circle::new(at, r, PAPER.stroke_width(2)))
    }
}

/// A horizontal interval from `x0` to `x1` at height `y`, with end caps.
pub(super) fn whisker<DB: DrawingBackend>(
    area: &Area<DB>,
    (x0, x1): (i32, i32),
    y: i32,
    mark: Mark,
) -> Drawn<DB> {
    let style = mark.line().stroke_width(if mark.flagged { 2 } else { 3 });
    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], style))?;
    for x in [x0, x1] {
        area.draw(&PathElement::new(vec![(x, y - 8), (x, y + 8)], style))?;
    }
    Ok(())
}

/// A vertical interval from `y0` to `y1` at `x`, with end caps.
pub(super) fn whisker_up<DB: DrawingBackend>(
    area: &Area<DB>,
    x: i32,
    (y0, y1): (i32, i32),
    mark: Mark,
) -> Drawn<DB> {
    let style = mark.line().stroke_width(if mark.flagged { 2 } else { 3 });
    area.draw(&PathElement::new(vec![(x, y0), (x, y1)], style))?;
    for y in [y0, y1] {
        area.draw(&PathElement::new(vec![(x - 8, y), (x + 8, y)], style))?;
    }
    Ok(())
}

/// Diagonal hatching over a rectangle: the background of a flagged estimate.
pub(super) fn hatch<DB: DrawingBackend>(
    area: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> Drawn<DB> {
    let h = y1 - y0;
    let style = PALE.stroke_width(2);
    let mut s = x0 - h;
    while s < x1 {
        // The line from (s, y1) up to (s + h, y0), clipped to the rectangle.
        let (mut a, mut b) = ((s, y1), (s + h, y0));
        if a.0 < x0 {
            a = (x0, y1 - (x0 - s));
        }
        if b.0 > x1 {
            b = (x1, y0 + (s + h - x1));
        }
        area.draw(&PathElement::new(vec![a, b], style))?;
        s += 14;
    }
    Ok(())
}

/// A dashed line from `a` to `b`.
pub(super) fn dashed<DB: DrawingBackend>(
    area: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
) -> Drawn<DB> {
    area.draw(&DashedPathElement::new(
        vec![a, b],
        10,
        8,
        color.stroke_width(2),
    ))
}

/// The key of a legend entry.
#[derive(Debug, Clone, Copy)]
pub(super) enum Key {
    Dot(Mark),
    Square(RGBColor),
    Whisker(RGBColor),
    Dashed(RGBColor),
}

/// A legend in one row from `(x, y)` (the row's middle); returns the x where it ends.
pub(super) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    ink: Ink,
    entries: &[(Key, String)],
    (x, y): (i32, i32),
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let look = Look::new(22.0);
    let mut x = x;
    for (key, text) in entries {
        match *key {
            Key::Dot(mark) => dot(area, (x + 12, y), 9, mark)?,
            Key::Square(color) => area.draw(&Rectangle::new(
                [(x + 2, y - 10), (x + 22, y + 10)],
                color.filled(),
            ))?,
            Key::Whisker(color) => whisker(
                area,
                (x, x + 24),
                y,
                Mark {
                    color,
                    flagged: false,
                },
            )?,
            Key::Dashed(color) => dashed(area, (x + 12, y - 14), (x + 12, y + 14), color)?,
        }
        ink.text(area, text, (x + 32, y), look)?;
        x += 32 + ink::width(text, look) + 32;
    }
    Ok(x)
}

/// The background of a table of rows from `top`, `row` pixels each, across `width`: every
/// other row shaded for the eye to follow, a flagged row hatched between `plot.0` and
/// `plot.1` (the names and numbers beside it stay on plain ground, marked ※).
pub(super) fn row_bands<DB: DrawingBackend>(
    area: &Area<DB>,
    flagged: &[bool],
    (top, row): (i32, i32),
    width: i32,
    plot: (i32, i32),
) -> Drawn<DB> {
    for (i, flagged) in flagged.iter().enumerate() {
        let y = top + i as i32 * row;
        if i % 2 == 0 {
            let band = [(0, y + 2), (width, y + row - 2)];
            area.draw(&Rectangle::new(band, super::palette::FAINT.filled()))?;
        }
        if *flagged {
            area.draw(&Rectangle::new(
                [(plot.0, y + 2), (plot.1, y + row - 2)],
                PAPER.filled(),
            ))?;
            hatch(area, (plot.0, y + 2), (plot.1, y + row - 2))?;
        }
    }
    Ok(())
}
