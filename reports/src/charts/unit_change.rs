//! `unit_change`: each unit's composite index at the baseline and in the final wave (a
//! dumbbell), with the change and its 95% interval written beside it, largest gain first.

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{Area, Drawn, Ink, Look};
use super::marks::{self, Key, Mark};
use super::names::NameColumn;
use super::palette::{BLUE, GREY, INK, MUTED, ORANGE};
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;

pub(super) struct UnitChange {
    title: String,
    caption: String,
    rows: Vec<Row>,
    lang: Lang,
}

struct Row {
    name: String,
    base: f64,
    last: f64,
    /// The change with its interval, from `comparisons.csv` (none when only the two waves'
    /// estimates are there: the report does not subtract).
    change: Option<(f64, Option<f64>, Option<f64>)>,
    flagged: bool,
}

/// Baseline and final index per unit: from `comparisons.csv`, else from the two waves'
/// estimates (dots only); `None` without a baseline and a final wave.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<UnitChange> {
    let base_wave = batch.wave_with_role("baseline")?;
    let last_wave = batch.wave_with_role("final")?;
    let mut rows: Vec<Row> = batch
        .comparisons
        .iter()
        .filter(|c| c.group_var == "unit" && c.level == "index")
        .filter(|c| c.indicator == "index" && c.measure == "index")
        .map(|c| Row {
            name: batch.unit_name(&c.group).to_string(),
            base: c.base,
            last: c.final_value,
            change: Some((c.diff, c.ci_low, c.ci_high)),
            flagged: c.flagged,
        })
        .collect();
    if rows.is_empty() {
        rows = from_estimates(batch, &base_wave, &last_wave);
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| match (a.change, b.change) {
        (Some(x), Some(y)) => y.0.total_cmp(&x.0),
        _ => b.last.total_cmp(&a.last),
    });
    let n = |wave: &str| {
        batch
            .estimate(wave, "overall", "all", "index", "index")
            .map(|e| e.n)
    };
    let mut caption = vec![
        words::sources(
            batch,
            &[
                (base_wave.clone(), n(&base_wave)),
                (last_wave.clone(), n(&last_wave)),
            ],
            lang,
        ),
        lang.pick(
            "右列为变化及其 95% 置信区间",
            "right: the change with its 95% confidence interval",
        )
        .to_string(),
    ];
    if rows.iter().any(|r| r.flagged) {
        caption.push(words::flag_note(lang).to_string());
    }
    Some(UnitChange {
        title: match lang {
            Lang::Zh => format!("各单位综合满意度指数的变化：{base_wave} → {last_wave}"),
            Lang::En => format!("Change of the composite index by unit: {base_wave} → {last_wave}"),
        },
        caption: words::join(&caption, lang),
        rows,
        lang,
    })
}

fn from_estimates(batch: &Batch, base_wave: &str, last_wave: &str) -> Vec<Row> {
    let index = |wave: &str, unit: &str| batch.estimate(wave, "unit", unit, "index", "index");
    batch
        .units
        .iter()
        .filter_map(|u| {
            let (b, l) = (index(base_wave, &u.unit)?, index(last_wave, &u.unit)?);
            Some(Row {
                name: batch.unit_name(&u.unit).to_string(),
                base: b.estimate,
                last: l.estimate,
                change: None,
                flagged: b.flagged() || l.flagged(),
            })
        })
        .collect()
}

const ROW: u32 = 52;
const HEAD: i32 = 56;
const FOOT: u32 = 96;

impl Figure for UnitChange {
    const ID: &'static str = "unit_change";

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
        let (lo, hi) = axis::span(
            self.rows.iter().flat_map(|r| [r.base, r.last]),
            10.0,
            (0.0, 100.0),
        );
        let scale = Scale {
            lo,
            hi,
            from: names.right + 24,
            to: w - 360,
        };
        let bottom = h - FOOT as i32 + 8;

        let (base, last) = (
            Mark {
                color: ORANGE,
                flagged: false,
            },
            Mark {
                color: BLUE,
                flagged: false,
            },
        );
        let mut legend = vec![
            (Key::Dot(base), lang.pick("基线", "Baseline").to_string()),
            (Key::Dot(last), lang.pick("终期", "Final").to_string()),
        ];
        if self.rows.iter().any(|r| r.flagged) {
            legend.push((
                Key::Dot(Mark {
                    flagged: true,
                    ..last
                }),
                lang.pick("※ 仅供参考", "※ indicative only").to_string(),
            ));
        }
        marks::legend(area, ink, &legend, (scale.from, 18))?;
        let head = Look::new(22.0).color(MUTED);
        if self.rows.iter().any(|r| r.change.is_some()) {
            let text = lang.pick("变化（95% 置信区间）", "Change (95% CI)");
            ink.text(area, text, (w - 320, 18), head)?;
        }

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
        for (i, row) in self.rows.iter().enumerate() {
            let y = HEAD + i as i32 * ROW as i32 + ROW as i32 / 2;
            let color = if row.flagged { MUTED } else { INK };
            names.draw(area, ink, i, y, row.flagged)?;
            let (xb, xl) = (scale.at(row.base), scale.at(row.last));
            area.draw(&PathElement::new(
                vec![(xb, y), (xl, y)],
                GREY.stroke_width(4),
            ))?;
            marks::dot(
                area,
                (xb, y),
                10,
                Mark {
                    flagged: row.flagged,
                    ..base
                },
            )?;
            marks::dot(
                area,
                (xl, y),
                10,
                Mark {
                    flagged: row.flagged,
                    ..last
                },
            )?;
            if let Some((diff, low, high)) = row.change {
                let look = Look::new(24.0).color(color);
                ink.text(
                    area,
                    &format!("{diff:+.1}"),
                    (w - 320, y),
                    if row.flagged { look } else { look.bold() },
                )?;
                let interval = match (low, high) {
                    (Some(l), Some(h)) => format!("[{l:+.1}, {h:+.1}]"),
                    _ => "—".to_string(),
                };
                ink.text(area, &interval, (w - 230, y), Look::new(22.0).color(MUTED))?;
            }
        }
        Ok(())
    }
}
