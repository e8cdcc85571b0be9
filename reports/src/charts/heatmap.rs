//! `heatmap`: units × dimensions of the index in the current wave, the value in each cell,
//! coloured on viridis (darker is higher).

use super::axis;
use super::frame::Figure;
use super::grid::{unit_rows, units_in_order, Cell, Grid};
use super::ink::{Area, Drawn, Ink};
use super::palette::Ramp;
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;
use plotters::prelude::DrawingBackend;

pub(super) struct Heatmap {
    title: String,
    caption: String,
    grid: Grid,
}

/// The dimension indices of every unit, the whole sample first; `None` when no unit has any.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Heatmap> {
    let wave = batch.current_wave();
    let units = units_in_order(batch, &wave);
    let index = |group_var: &str, group: &str, dimension: &str| {
        batch
            .estimates
            .iter()
            .find(|e| {
                e.wave == wave
                    && e.group_var == group_var
                    && e.group == group
                    && e.level == "indicator"
                    && e.indicator == dimension
                    && e.measure == "index"
            })
            .map(|e| Cell {
                value: e.estimate,
                flagged: e.flagged(),
            })
    };
    let dimensions: Vec<&str> = batch
        .dimensions()
        .into_iter()
        .filter(|d| units.iter().any(|u| index("unit", u, d).is_some()))
        .collect();
    if dimensions.is_empty() {
        return None;
    }
    let (rows, cells) = unit_rows(batch, lang, &units, &dimensions, index);
    let values = cells.iter().flatten().flatten().map(|c| c.value);
    let domain = axis::span(values, 10.0, (0.0, 100.0));
    let flagged = cells.iter().flatten().flatten().any(|c| c.flagged);
    let mut caption = vec![
        words::wave_source(batch, &wave, lang),
        lang.pick(
            "单元格为各维度指数（0–100），颜色越深指数越高；首行为全体受访者",
            "each cell is a dimension's index (0–100), darker is higher; the first row is all respondents",
        )
        .to_string(),
    ];
    // A problem dimension is scored 100 × (1 - incidence): say so beside its incidence name.
    let negative = &batch.manifest.configuration["indicators"]["negative"];
    for d in dimensions.iter().filter(|d| {
        negative
            .as_array()
            .is_some_and(|n| n.iter().any(|v| v.as_str() == Some(**d)))
    }) {
        caption.push(match lang {
            Lang::Zh => format!(
                "“{}”按 100 ×（1 - 发生率）计，越高表示问题越少",
                batch.label(d, lang)
            ),
            Lang::En => format!(
                "“{}” is scored 100 × (1 - incidence): higher means fewer problems",
                batch.label(d, lang)
            ),
        });
    }
    if flagged {
        caption.push(words::flag_note(lang).to_string());
    }
    Some(Heatmap {
        title: words::titled(
            lang.pick("各单位分维度指数", "Dimension indices by unit"),
            &wave,
            lang,
        ),
        caption: words::join(&caption, lang),
        grid: Grid {
            rows,
            columns: dimensions
                .iter()
                .map(|d| batch.label(d, lang).to_string())
                .collect(),
            cells,
            ramp: Ramp::Viridis,
            domain,
            legend: lang.pick("指数（0–100）", "Index (0–100)").to_string(),
            flag_note: lang.pick("※ 仅供参考", "※ indicative only").to_string(),
            format: |v| format!("{v:.1}"),
        },
    })
}

impl Figure for Heatmap {
    const ID: &'static str = "heatmap";

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
