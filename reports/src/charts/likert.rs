//! `likert`: the answers of each dimension in the current wave as diverging stacked bars,
//! categories 1–2 left of the middle, 4–5 right, the neutral 3 split across it; the share of
//! "不了解" beside each bar (it is not on the scale, so not in the bar).

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{self, Area, Drawn, Ink, Look};
use super::marks::{self, Key};
use super::palette::{text_on, DIVERGING, FAINT, INK, MUTED};
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;

pub(super) struct Likert {
    title: String,
    caption: String,
    rows: Vec<Row>,
    lang: Lang,
}

struct Row {
    name: String,
    /// Shares of the answers 1…5 among the substantive answers.
    shares: [f64; 5],
    /// The share answering "不了解" among everyone asked.
    unknown: Option<f64>,
}

/// Each dimension's distribution among all respondents; `None` without any.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Likert> {
    let wave = batch.current_wave();
    let rows_of = batch
        .distribution
        .iter()
        .filter(|d| d.wave == wave && d.group_var == "overall" && d.level == "indicator");
    let mut ids: Vec<&str> = Vec::new();
    for d in rows_of.clone() {
        if !ids.contains(&d.indicator.as_str()) {
            ids.push(&d.indicator);
        }
    }
    // Tree order, as the report lists the dimensions.
    let order = batch.dimensions();
    ids.sort_by_key(|id| order.iter().position(|d| d == id).unwrap_or(usize::MAX));
    let rows: Vec<Row> = ids
        .iter()
        .map(|id| {
            let share = |category: &str| {
                rows_of
                    .clone()
                    .find(|d| d.indicator == *id && d.category == category)
                    .map(|d| d.share)
            };
            Row {
                name: batch.label(id, lang).to_string(),
                shares: ["1", "2", "3", "4", "5"].map(|c| share(c).unwrap_or(0.0)),
                unknown: share("na"),
            }
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut caption = vec![
        words::wave_source(batch, &wave, lang),
        lang.pick(
            "每行为该维度各题回答（1–5 分）的合并分布，以中间的 3 分为中心左右展开",
            "each bar pools the answers (1–5) to the dimension's items, centred on the neutral 3",
        )
        .to_string(),
    ];
    if rows.iter().any(|r| r.unknown.is_some()) {
        caption.push(
            lang.pick(
                "右列“不了解”为答“不了解”者在被问者中的比例，不计入条形",
                "right: the share answering “don't know” among all asked, not in the bar",
            )
            .to_string(),
        );
    }
    Some(Likert {
        title: words::titled(
            lang.pick("各维度评价的回答分布", "Answers by dimension"),
            &wave,
            lang,
        ),
        caption: words::join(&caption, lang),
        rows,
        lang,
    })
}

const ROW: i32 = 66;
const HEAD: i32 = 60;
const FOOT: i32 = 90;
const NAME: Look = Look::new(23.0);

impl Likert {
    fn names(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut lines = ink::wrap(&r.name, NAME, 320);
                if lines.len() > 2 {
                    let rest = lines[1..].concat();
                    lines.truncate(1);
                    lines.push(ink::fit(&rest, NAME, 320));
                }
                lines
            })
            .collect()
    }
}

impl Figure for Likert {
    const ID: &'static str = "likert";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }
    fn body_height(&self) -> u32 {
        (HEAD + self.rows.len() as i32 * ROW + FOOT) as u32
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let lang = self.lang;
        let names = self.names();
        let label_w = names
            .iter()
            .flatten()
            .map(|n| ink::width(n, NAME))
            .max()
            .unwrap_or(0)
            + 24;
        // The "不了解" column only when the batch gives those shares.
        let unknown = self.rows.iter().any(|r| r.unknown.is_some());
        // The longer side of the widest bar, to the next 20%.
        let side = |r: &Row, low: bool| {
            let (a, b) = if low { (0, 1) } else { (3, 4) };
            r.shares[a] + r.shares[b] + r.shares[2] / 2.0
        };
        let reach = self
            .rows
            .iter()
            .flat_map(|r| [side(r, true), side(r, false)]);
        let (_, extent) = axis::span(reach, 0.2, (0.0, 1.0));
        let scale = Scale {
            lo: -extent,
            hi: extent,
            from: label_w + 16,
            to: if unknown { w - 200 } else { w - 40 },
        };
        let bottom = h - FOOT + 8;

        let categories = lang.pick(
            "1 最低|2 较低|3 中立|4 较高|5 最高",
            "1 lowest|2 low|3 neutral|4 high|5 highest",
        );
        let legend: Vec<(Key, String)> = categories
            .split('|')
            .zip(DIVERGING)
            .map(|(text, color)| (Key::Square(color), text.to_string()))
            .collect();
        marks::legend(area, ink, &legend, (scale.from, 20))?;
        if unknown {
            let head = Look::new(22.0).color(MUTED).right();
            ink.text(area, lang.pick("不了解", "Don't know"), (w, 20), head)?;
        }

        for i in (0..self.rows.len()).step_by(2) {
            let top = HEAD + i as i32 * ROW;
            area.draw(&Rectangle::new(
                [(0, top + 2), (w, top + ROW - 2)],
                FAINT.filled(),
            ))?;
        }
        axis::x_axis(
            area,
            ink,
            scale,
            (HEAD, bottom),
            lang.pick("回答比例", "Share of answers"),
            |v| format!("{:.0}%", v.abs() * 100.0),
        )?;
        // The middle under the bars: it shows between them, never over a share.
        let centre = scale.at(0.0);
        let line = vec![(centre, HEAD - 4), (centre, bottom)];
        area.draw(&PathElement::new(line, INK.stroke_width(2)))?;
        for (i, (row, name)) in self.rows.iter().zip(&names).enumerate() {
            let middle = HEAD + i as i32 * ROW + ROW / 2;
            let top = middle - name.len() as i32 * 14;
            ink.lines(area, name, (label_w - 16, top), 28, NAME.right())?;
            self.bar(area, ink, row, scale, middle)?;
            if unknown {
                let share = row
                    .unknown
                    .map_or("—".to_string(), |u| format!("{:.1}%", u * 100.0));
                let look = Look::new(22.0).right().color(MUTED);
                ink.text(area, &share, (w, middle), look)?;
            }
        }
        Ok(())
    }
}

impl Likert {
    /// One diverging bar: 3 split at the middle, 2 then 1 to the left, 4 then 5 to the right.
    fn bar<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        row: &Row,
        scale: Scale,
        y: i32,
    ) -> Drawn<DB> {
        let s = row.shares;
        let half = s[2] / 2.0;
        let segments = [
            (0, -(half + s[1] + s[0]), -(half + s[1])),
            (1, -(half + s[1]), -half),
            (2, -half, half),
            (3, half, half + s[3]),
            (4, half + s[3], half + s[3] + s[4]),
        ];
        for (k, from, to) in segments {
            let (x0, x1) = (scale.at(from), scale.at(to));
            let color = DIVERGING[k];
            area.draw(&Rectangle::new(
                [(x0, y - 20), (x1, y + 20)],
                color.filled(),
            ))?;
            if s[k] >= 0.06 {
                let look = Look::new(20.0).center().color(text_on(color));
                ink.text(
                    area,
                    &format!("{:.0}%", s[k] * 100.0),
                    ((x0 + x1) / 2, y),
                    look,
                )?;
            }
        }
        Ok(())
    }
}
