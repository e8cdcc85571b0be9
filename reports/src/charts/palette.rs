//! Colours that colour-blind readers can tell apart: Okabe–Ito for categories, viridis for
//! "more is better", a pale-to-dark orange for "more is worse", blue–orange for agreement.

use plotters::style::RGBColor;

pub(super) const INK: RGBColor = RGBColor(33, 33, 33);
pub(super) const MUTED: RGBColor = RGBColor(96, 96, 96);
pub(super) const RULE: RGBColor = RGBColor(200, 200, 200);
pub(super) const FAINT: RGBColor = RGBColor(236, 236, 236);
pub(super) const PAPER: RGBColor = RGBColor(255, 255, 255);

/// Okabe & Ito (2008).
pub(super) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(super) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(super) const VERMILION: RGBColor = RGBColor(213, 94, 0);
pub(super) const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub(super) const GREY: RGBColor = RGBColor(153, 153, 153);

/// A flagged estimate: drawn pale, whatever its colour would have been.
pub(super) const PALE: RGBColor = RGBColor(190, 190, 190);

/// Answer categories 1…5: dark orange (lowest) through grey (neutral) to dark blue (highest).
pub(super) const DIVERGING: [RGBColor; 5] = [
    RGBColor(179, 88, 6),
    RGBColor(241, 163, 64),
    RGBColor(210, 210, 210),
    RGBColor(116, 169, 207),
    RGBColor(4, 90, 141),
];

/// Stops of viridis (matplotlib), light end first so that low values are pale.
const VIRIDIS: [(u8, u8, u8); 6] = [
    (253, 231, 37),
    (122, 209, 81),
    (34, 168, 132),
    (42, 120, 142),
    (65, 68, 135),
    (68, 1, 84),
];

/// Pale yellow to dark red-brown (ColorBrewer YlOrBr), for incidences of problems.
const YLORBR: [(u8, u8, u8); 6] = [
    (255, 255, 229),
    (254, 227, 145),
    (254, 153, 41),
    (236, 112, 20),
    (204, 76, 2),
    (102, 37, 6),
];

/// The sequential scale a grid's cells are coloured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ramp {
    /// More is better: viridis, pale (low) to dark (high).
    Viridis,
    /// More is worse: pale yellow (low) to dark brown (high).
    Warm,
}

impl Ramp {
    /// The colour at `t` in 0…1 (clamped).
    pub fn at(self, t: f64) -> RGBColor {
        let stops = match self {
            Ramp::Viridis => &VIRIDIS,
            Ramp::Warm => &YLORBR,
        };
        let t = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
        let i = (t.floor() as usize).min(stops.len() - 2);
        let f = t - i as f64;
        let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}

/// Black or white, whichever reads better on `background`.
pub(super) fn text_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luma = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if luma > 140.0 {
        INK
    } else {
        PAPER
    }
}
