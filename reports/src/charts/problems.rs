//! `problems`: the incidence of each prominent problem (the items under the `problems`
//! indicator) by unit in the current wave, as a grid of percentages (darker is more often).

use super::frame::Figure;
use super::grid::{unit_rows, units_in_order, Cell, Grid};
use super::ink::{Area, Drawn, Ink};
use super::palette::Ramp;
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;
use plotters::prelude::DrawingBackend;

pub(super) struct Problems {
    title: String,
    caption: String,
    grid: Grid,
}

/// The incidences of every unit, the whole sample first; `None` without any.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Problems> {
    let wave = batch.current_wave();
    let incidence = |group_var: &str, group: &str, item: &str| {
        batch
            .estimate(&wave, group_var, group, item, "incidence")
            .filter(|e| e.level == "item")
            .map(|e| Cell {
                value: e.estimate,
                flagged: e.flagged(),
            })
    };
    let units = units_in_order(batch, &wave);
    let items: Vec<&str> = batch
        .items_under("problems")
        .into_iter()
        .filter(|i| {
            incidence("overall", "all", i).is_some()
                || units.iter().any(|u| incidence("unit", u, i).is_some())
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    let (rows, cells) = unit_rows(batch, lang, &units, &items, incidence);
    let highest = cells
        .iter()
        .flatten()
        .flatten()
        .map(|c| c.value)
        .fold(0.0, f64::max);
    // The dark end at the next 5% above the highest incidence, so that small differences show.
    let domain = (0.0, ((highest / 0.05).ceil() * 0.05).clamp(0.05, 1.0));
    let flagged = cells.iter().flatten().flatten().any(|c| c.flagged);
    let n = batch
        .estimate(&wave, "overall", "all", "problems", "incidence")
        .or_else(|| batch.estimate(&wave, "overall", "all", "index", "index"))
        .map(|e| e.n);
    let mut caption = vec![
        words::source(batch, &wave, n, lang),
        lang.pick(
            "单元格为回答“遇到过”的比例，颜色越深越常见；首行为全体受访者",
            "each cell is the share answering that they experienced it, darker is more often; the first row is all respondents",
        )
        .to_string(),
    ];
    if flagged {
        caption.push(words::flag_note(lang).to_string());
    }
    Some(Problems {
        title: words::titled(
            lang.pick(
                "各单位执法突出问题发生率",
                "Incidence of the prominent problems by unit",
            ),
            &wave,
            lang,
        ),
        caption: words::join(&caption, lang),
        grid: Grid {
            rows,
            columns: items
                .iter()
                .map(|i| batch.label(i, lang).to_string())
                .collect(),
            cells,
            ramp: Ramp::Warm,
            domain,
            legend: lang.pick("发生率", "Incidence").to_string(),
            flag_note: lang.pick("※ 仅供参考", "※ indicative only").to_string(),
            format: |v| format!("{:.1}%", v * 100.0),
        },
    })
}

impl Figure for Problems {
    const ID: &'static str = "problems";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }
    fn body_height(&self) -> u32 {
        self.grid.height()
    }
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        self.grid.draw(area, ink)
    }
}
