//! Linear scales and their axes, drawn by hand so that every label is placed by the same
//! text code as the rest of the chart.

use super::ink::{Area, Drawn, Ink, Look};
use super::palette::{FAINT, MUTED, RULE};
use plotters::prelude::*;

/// Values `lo`…`hi` onto pixels `from`…`to` (`to` may be smaller: a vertical axis goes up).
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub from: i32,
    pub to: i32,
}

impl Scale {
    pub fn at(&self, value: f64) -> i32 {
        let t = if self.hi > self.lo {
            (value - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        };
        self.from + (t * (self.to - self.from) as f64).round() as i32
    }

    /// Round tick values inside the range: steps of 1, 2 or 5 times a power of ten, about
    /// `count` of them.
    pub fn ticks(&self, count: usize) -> Vec<f64> {
        let step = nice_step((self.hi - self.lo) / count.max(1) as f64);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }
}

fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// A range covering `values` with round ends (multiples of `step`), kept within `bounds`.
pub(super) fn span(
    values: impl IntoIterator<Item = f64>,
    step: f64,
    bounds: (f64, f64),
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return bounds;
    }
    let lo = ((lo / step).floor() * step).max(bounds.0);
    let hi = ((hi / step).ceil() * step).min(bounds.1);
    if hi - lo < step {
        ((lo - step).max(bounds.0), (hi + step).min(bounds.1))
    } else {
        (lo, hi)
    }
}

/// A horizontal axis at pixel row `bottom`: vertical grid lines up to `top`, tick labels
/// under the axis, then the axis title centred.
pub(super) fn x_axis<DB: DrawingBackend>(
    area: &Area<DB>,
    ink: Ink,
    scale: Scale,
    (top, bottom): (i32, i32),
    title: &str,
    label: impl Fn(f64) -> String,
) -> Drawn<DB> {
    let look = Look::new(22.0).color(MUTED).center();
    for t in scale.ticks(8) {
        let x = scale.at(t);
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            FAINT.stroke_width(2),
        ))?;
        ink.text(area, &label(t), (x, bottom + 22), look)?;
    }
    let axis = RULE.stroke_width(2);
    area.draw(&PathElement::new(
        vec![(scale.from, bottom), (scale.to, bottom)],
        axis,
    ))?;
    let middle = (scale.from + scale.to) / 2;
    ink.text(area, title, (middle, bottom + 58), Look::new(24.0).center())
}

/// A vertical axis at pixel column `left`: horizontal grid lines across to `right`, tick
/// labels left of the axis, the axis title turned up along it.
pub(super) fn y_axis<DB: DrawingBackend>(
    area: &Area<DB>,
    ink: Ink,
    scale: Scale,
    (left, right): (i32, i32),
    title: &str,
    label: impl Fn(f64) -> String,
) -> Drawn<DB> {
    let look = Look::new(22.0).color(MUTED).right();
    let mut widest = 0;
    for t in scale.ticks(6) {
        let y = scale.at(t);
        area.draw(&PathElement::new(
            vec![(left, y), (right, y)],
            FAINT.stroke_width(2),
        ))?;
        let text = label(t);
        widest = widest.max(super::ink::width(&text, look));
        ink.text(area, &text, (left - 12, y), look)?;
    }
    let axis = RULE.stroke_width(2);
    area.draw(&PathElement::new(
        vec![(left, scale.from), (left, scale.to)],
        axis,
    ))?;
    let middle = (scale.from + scale.to) / 2;
    ink.text_up(area, title, (left - widest - 56, middle), Look::new(24.0))
}
