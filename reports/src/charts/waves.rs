//! `waves`: the overall composite index of every wave with its 95% interval, drawn only when
//! the batch has more than two waves (with two, `unit_change` and the verdict say it all).

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{Area, Drawn, Ink, Look};
use super::marks::{self, Mark};
use super::palette::{BLUE, INK, MUTED};
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;

pub(super) struct Waves {
    title: String,
    caption: String,
    points: Vec<Point>,
    lang: Lang,
}

struct Point {
    wave: String,
    role: String,
    estimate: f64,
    low: Option<f64>,
    high: Option<f64>,
    n: u64,
    flagged: bool,
}

/// The overall index per wave; `None` unless more than two waves have one.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Waves> {
    let points: Vec<Point> = batch
        .manifest
        .waves()
        .into_iter()
        .filter_map(|(wave, role)| {
            let e = batch.estimate(&wave, "overall", "all", "index", "index")?;
            Some(Point {
                estimate: e.estimate,
                low: e.ci_low,
                high: e.ci_high,
                n: e.n,
                flagged: e.flagged(),
                wave,
                role,
            })
        })
        .collect();
    if points.len() <= 2 {
        return None;
    }
    let sizes: Vec<(String, Option<u64>)> =
        points.iter().map(|p| (p.wave.clone(), Some(p.n))).collect();
    let mut caption = vec![
        words::sources(batch, &sizes, lang),
        lang.pick("竖线为 95% 置信区间", "bars are 95% confidence intervals")
            .to_string(),
    ];
    if points.iter().any(|p| p.flagged) {
        caption.push(words::flag_note(lang).to_string());
    }
    Some(Waves {
        title: lang
            .pick(
                "历次调查的综合满意度指数",
                "The composite index across waves",
            )
            .to_string(),
        caption: words::join(&caption, lang),
        points,
        lang,
    })
}

impl Figure for Waves {
    const ID: &'static str = "waves";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let (left, bottom) = (110, h - 90);
        let ends = self.points.iter().flat_map(|p| {
            [
                p.estimate,
                p.low.unwrap_or(p.estimate),
                p.high.unwrap_or(p.estimate),
            ]
        });
        let (lo, hi) = axis::span(ends, 5.0, (0.0, 100.0));
        let y = Scale {
            lo,
            hi,
            from: bottom,
            to: 30,
        };
        axis::y_axis(area, ink, y, (left, w), words::index_axis(self.lang), |v| {
            format!("{v:.0}")
        })?;
        let slot = (w - left) / self.points.len() as i32;
        let x = |i: usize| left + slot / 2 + i as i32 * slot;
        let line: Vec<(i32, i32)> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), y.at(p.estimate)))
            .collect();
        area.draw(&PathElement::new(line, BLUE.stroke_width(3)))?;
        for (i, p) in self.points.iter().enumerate() {
            let mark = Mark {
                color: BLUE,
                flagged: p.flagged,
            };
            if let (Some(low), Some(high)) = (p.low, p.high) {
                marks::whisker_up(area, x(i), (y.at(low), y.at(high)), mark)?;
            }
            marks::dot(area, (x(i), y.at(p.estimate)), 11, mark)?;
            let value = words::marked(&format!("{:.1}", p.estimate), p.flagged);
            ink.text(
                area,
                &value,
                (x(i) + 18, y.at(p.estimate) - 18),
                Look::new(24.0).bold(),
            )?;
            ink.text(
                area,
                &p.wave,
                (x(i), bottom + 26),
                Look::new(24.0).center().color(INK),
            )?;
            let role = match p.role.as_str() {
                "baseline" => self.lang.pick("基线", "baseline"),
                "final" => self.lang.pick("终期", "final"),
                _ => "",
            };
            ink.text(
                area,
                role,
                (x(i), bottom + 58),
                Look::new(22.0).center().color(MUTED),
            )?;
        }
        Ok(())
    }
}
