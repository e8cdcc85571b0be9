//! `unit_index`: each unit's composite index in the current wave with its 95% interval, best
//! to worst; a flagged estimate hatched, hollow and marked ※.

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{Area, Drawn, Ink, Look};
use super::marks::{self, Key, Mark};
use super::names::NameColumn;
use super::palette::{BLUE, INK, MUTED, VERMILION};
use super::words;
use crate::lang::Lang;
use crate::tables::{Batch, Estimate};

pub(super) struct UnitIndex {
    title: String,
    caption: String,
    rows: Vec<Row>,
    /// The whole sample's index, drawn as a reference line.
    overall: Option<f64>,
    lang: Lang,
}

/// One unit's row, as the chart and its test read it.
pub(super) struct Row {
    pub name: String,
    pub estimate: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub flagged: bool,
}

impl Row {
    pub fn of(batch: &Batch, e: &Estimate) -> Row {
        Row {
            name: batch.unit_name(&e.group).to_string(),
            estimate: e.estimate,
            low: e.ci_low,
            high: e.ci_high,
            n: e.n,
            flagged: e.flagged(),
        }
    }
}

/// The current wave's index per unit; `None` when the batch has no unit estimates.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<UnitIndex> {
    let wave = batch.current_wave();
    let mut rows: Vec<Row> = batch
        .estimates
        .iter()
        .filter(|e| e.wave == wave && e.group_var == "unit")
        .filter(|e| e.level == "index" && e.indicator == "index" && e.measure == "index")
        .map(|e| Row::of(batch, e))
        .collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
    let overall = batch.estimate(&wave, "overall", "all", "index", "index");
    let mut caption = vec![
        words::source(batch, &wave, overall.map(|o| o.n), lang),
        lang.pick(
            "点为综合满意度指数，横线为 95% 置信区间，虚线为全体指数",
            "dots are the composite index, bars its 95% confidence interval, the dashed line the index of all respondents",
        )
        .to_string(),
    ];
    if rows.iter().any(|r| r.flagged) {
        caption.push(words::flag_note(lang).to_string());
    }
    Some(UnitIndex {
        title: words::titled(
            lang.pick(
                "各单位综合满意度指数",
                "Composite satisfaction index by unit",
            ),
            &wave,
            lang,
        ),
        caption: words::join(&caption, lang),
        rows,
        overall: overall.map(|o| o.estimate),
        lang,
    })
}

const ROW: u32 = 52;
const HEAD: i32 = 56;
const FOOT: u32 = 96;

impl Figure for UnitIndex {
    const ID: &'static str = "unit_index";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }
    fn body_height(&self) -> u32 {
        HEAD as u32 + self.rows.len() as u32 * ROW + FOOT
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let lang = self.lang;
        let names = NameColumn::new(self.rows.iter().map(|r| (r.name.as_str(), r.flagged)));
        let values = [self.overall.unwrap_or(f64::NAN)];
        let ends = self.rows.iter().flat_map(|r| {
            [
                r.estimate,
                r.low.unwrap_or(r.estimate),
                r.high.unwrap_or(r.estimate),
            ]
        });
        let (lo, hi) = axis::span(ends.chain(values), 10.0, (0.0, 100.0));
        let scale = Scale {
            lo,
            hi,
            from: names.right + 16,
            to: w - 250,
        };
        let bottom = h - FOOT as i32 + 8;

        let mut legend = vec![
            (
                Key::Dot(Mark {
                    color: BLUE,
                    flagged: false,
                }),
                lang.pick("估计值", "Estimate").to_string(),
            ),
            (
                Key::Whisker(BLUE),
                lang.pick("95% 置信区间", "95% confidence interval")
                    .to_string(),
            ),
        ];
        if let Some(all) = self.overall {
            legend.push((
                Key::Dashed(VERMILION),
                format!("{} {all:.1}", words::all(lang)),
            ));
        }
        if self.rows.iter().any(|r| r.flagged) {
            legend.push((
                Key::Dot(Mark {
                    color: BLUE,
                    flagged: true,
                }),
                lang.pick("※ 仅供参考", "※ indicative only").to_string(),
            ));
        }
        marks::legend(area, ink, &legend, (scale.from, 18))?;
        let head = Look::new(22.0).color(MUTED).right();
        ink.text(area, lang.pick("指数", "Index"), (w - 140, 18), head)?;
        ink.text(area, lang.pick("样本量", "n"), (w, 18), head)?;

        let flags: Vec<bool> = self.rows.iter().map(|r| r.flagged).collect();
        let plot = (scale.from - 12, scale.to + 12);
        marks::row_bands(area, &flags, (HEAD, ROW as i32), w, plot)?;
        axis::x_axis(
            area,
            ink,
            scale,
            (HEAD, bottom),
            words::index_axis(lang),
            |v| format!("{v:.0}"),
        )?;
        if let Some(all) = self.overall {
            marks::dashed(
                area,
                (scale.at(all), HEAD - 6),
                (scale.at(all), bottom),
                VERMILION,
            )?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = HEAD + i as i32 * ROW as i32 + ROW as i32 / 2;
            let mark = Mark {
                color: BLUE,
                flagged: row.flagged,
            };
            let color = if row.flagged { MUTED } else { INK };
            names.draw(area, ink, i, y, row.flagged)?;
            if let (Some(low), Some(high)) = (row.low, row.high) {
                marks::whisker(area, (scale.at(low), scale.at(high)), y, mark)?;
            }
            marks::dot(area, (scale.at(row.estimate), y), 10, mark)?;
            let value = Look::new(24.0).right().color(color);
            ink.text(
                area,
                &format!("{:.1}", row.estimate),
                (w - 140, y),
                if row.flagged { value } else { value.bold() },
            )?;
            ink.text(
                area,
                &words::count(row.n),
                (w, y),
                Look::new(22.0).right().color(MUTED),
            )?;
        }
        Ok(())
    }
}
