//! `ipa`: importance–performance analysis of the scored items in the current wave: each item
//! a numbered point, the two lines from `importance.csv`, the quadrants named, and a key
//! from number to item beside the plot, grouped by quadrant.

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{self, Area, Drawn, Ink, Look};
use super::marks;
use super::palette::{BLUE, GREY, MUTED, PAPER, PURPLE, VERMILION};
use super::place;
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;

pub(super) struct Ipa {
    title: String,
    caption: String,
    /// In key order: by quadrant (the one to act on first), then most important first.
    points: Vec<Point>,
    lines: (f64, f64),
    lang: Lang,
}

struct Point {
    label: String,
    performance: f64,
    importance: f64,
    quadrant: String,
}

/// A quadrant as `importance.csv` names it, where it sits, its colour and its name.
struct Quadrant {
    id: &'static str,
    important: bool,
    performing: bool,
    color: RGBColor,
    zh: &'static str,
    en: &'static str,
}

/// In the key's order: the quadrant to act on first, first.
const QUADRANTS: [Quadrant; 4] = [
    Quadrant {
        id: "concentrate_here",
        important: true,
        performing: false,
        color: VERMILION,
        zh: "重点改进区",
        en: "Concentrate here",
    },
    Quadrant {
        id: "keep_up",
        important: true,
        performing: true,
        color: BLUE,
        zh: "继续保持区",
        en: "Keep up the good work",
    },
    Quadrant {
        id: "low_priority",
        important: false,
        performing: false,
        color: GREY,
        zh: "次要改进区",
        en: "Low priority",
    },
    Quadrant {
        id: "possible_overkill",
        important: false,
        performing: true,
        color: PURPLE,
        zh: "可能过度区",
        en: "Possible overkill",
    },
];

fn quadrant(id: &str) -> Option<&'static Quadrant> {
    QUADRANTS.iter().find(|q| q.id == id)
}

/// The scored items with a derived importance; `None` without any.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Ipa> {
    let wave = batch.current_wave();
    let rows: Vec<_> = batch.importance.iter().filter(|i| i.wave == wave).collect();
    let lines = rows
        .first()
        .map(|r| (r.performance_line, r.importance_line))?;
    let mut points: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            Some(Point {
                label: batch.label(&r.item, lang).to_string(),
                performance: r.performance,
                importance: r.importance?,
                quadrant: r.quadrant.clone(),
            })
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let rank = |q: &str| {
        QUADRANTS
            .iter()
            .position(|x| x.id == q)
            .unwrap_or(QUADRANTS.len())
    };
    points.sort_by(|a, b| {
        rank(&a.quadrant)
            .cmp(&rank(&b.quadrant))
            .then(b.importance.total_cmp(&a.importance))
    });
    let caption = vec![
        words::wave_source(batch, &wave, lang),
        lang.pick(
            "横轴为各题的表现（指数），纵轴为导出重要性（与总体满意度的加权相关系数）；两条线为各题的平均值",
            "across: each item's performance (its index); up: derived importance (weighted correlation with overall satisfaction); the lines are the means across items",
        )
        .to_string(),
    ];
    Some(Ipa {
        title: words::titled(
            lang.pick("重要性–表现分析", "Importance–performance analysis"),
            &wave,
            lang,
        ),
        caption: words::join(&caption, lang),
        points,
        lines,
        lang,
    })
}

const KEY_WIDTH: i32 = 560;
const KEY_LINE: i32 = 28;
const KEY: Look = Look::new(20.0);

impl Figure for Ipa {
    const ID: &'static str = "ipa";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }
    fn body_height(&self) -> u32 {
        let key = (self.points.len() + QUADRANTS.len()) as i32 * KEY_LINE + 20;
        key.max(720) as u32
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let lang = self.lang;
        let plot_right = w - KEY_WIDTH - 40;
        let (left, bottom) = (110, h - 90);
        let xs = self
            .points
            .iter()
            .map(|p| p.performance)
            .chain([self.lines.0]);
        let ys = self
            .points
            .iter()
            .map(|p| p.importance)
            .chain([self.lines.1]);
        let (x_lo, x_hi) = axis::span(xs, 5.0, (0.0, 100.0));
        let (y_lo, y_hi) = axis::span(ys, 0.1, (-1.0, 1.0));
        let x = Scale {
            lo: x_lo,
            hi: x_hi,
            from: left + 10,
            to: plot_right - 10,
        };
        let y = Scale {
            lo: y_lo,
            hi: y_hi,
            from: bottom - 10,
            to: 50,
        };
        axis::x_axis(
            area,
            ink,
            x,
            (40, bottom),
            lang.pick("表现（指数 0–100）", "Performance (index 0–100)"),
            |v| format!("{v:.0}"),
        )?;
        axis::y_axis(
            area,
            ink,
            y,
            (left, plot_right),
            lang.pick("重要性（相关系数）", "Importance (correlation)"),
            |v| format!("{v:.2}"),
        )?;
        let (px, py) = (x.at(self.lines.0), y.at(self.lines.1));
        marks::dashed(area, (px, 40), (px, bottom), MUTED)?;
        marks::dashed(area, (left, py), (plot_right, py), MUTED)?;
        for q in &QUADRANTS {
            let look = Look::new(26.0).bold().color(q.color);
            let (at_x, look) = if q.performing {
                (plot_right - 12, look.right())
            } else {
                (left + 16, look)
            };
            // Outside the plot, so that no point hides a name: above it, or under its axis.
            let at_y = if q.important { 24 } else { bottom + 58 };
            ink.text(area, lang.pick(q.zh, q.en), (at_x, at_y), look)?;
        }
        let number = Look::new(20.0).bold();
        let at: Vec<(i32, i32)> = self
            .points
            .iter()
            .map(|p| (x.at(p.performance), y.at(p.importance)))
            .collect();
        let sizes: Vec<(i32, i32)> = (1..=at.len())
            .map(|i| (ink::width(&i.to_string(), number), 20))
            .collect();
        let places = place::labels(&at, &sizes, 9, (left, 40, plot_right, bottom));
        for (i, (p, (&dot, &label))) in self.points.iter().zip(at.iter().zip(&places)).enumerate() {
            let color = quadrant(&p.quadrant).map_or(GREY, |q| q.color);
            area.draw(&Circle::new(dot, 9, color.filled()))?;
            area.draw(&Circle::new(dot, 9, PAPER.stroke_width(2)))?;
            ink.text(area, &(i + 1).to_string(), label, number.color(color))?;
        }
        self.key(area, ink, (plot_right + 40, 10), w)
    }
}

impl Ipa {
    /// Number → item, under each quadrant's name.
    fn key<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        (x, top): (i32, i32),
        right: i32,
    ) -> Drawn<DB> {
        let mut y = top + KEY_LINE / 2;
        let mut shown = None;
        for (i, p) in self.points.iter().enumerate() {
            if shown != Some(p.quadrant.as_str()) {
                shown = Some(p.quadrant.as_str());
                let (color, name) = quadrant(&p.quadrant)
                    .map_or((GREY, p.quadrant.as_str()), |q| {
                        (q.color, self.lang.pick(q.zh, q.en))
                    });
                ink.text(area, name, (x, y), KEY.bold().color(color))?;
                y += KEY_LINE;
            }
            let color = quadrant(&p.quadrant).map_or(GREY, |q| q.color);
            ink.text(
                area,
                &(i + 1).to_string(),
                (x + 30, y),
                KEY.bold().color(color).right(),
            )?;
            let text = ink::fit(&p.label, KEY, right - x - 40);
            ink.text(area, &text, (x + 40, y), KEY)?;
            y += KEY_LINE;
        }
        Ok(())
    }
}
