//! A table of coloured cells with the value printed in each (units × dimensions, units ×
//! problems), and the colour scale as a legend under it. A flagged cell is hatched instead
//! of coloured and its value marked ※; a missing one shows a dash.

use plotters::prelude::*;

use super::axis::Scale;
use super::frame::BODY_WIDTH;
use super::ink::{self, Area, Drawn, Ink, Look};
use super::marks;
use super::palette::{text_on, Ramp, INK, MUTED, PAPER, RULE};
use super::words::FLAG;
use crate::tables::Batch;

pub(super) struct Grid {
    /// Row labels; the first row (the whole sample) is set off by a rule.
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Option<Cell>>>,
    pub ramp: Ramp,
    /// The values at the pale and the dark end of the ramp.
    pub domain: (f64, f64),
    /// The title of the colour scale.
    pub legend: String,
    /// What ※ means, shown beside the scale when a cell is flagged.
    pub flag_note: String,
    pub format: fn(f64) -> String,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    pub value: f64,
    pub flagged: bool,
}

/// A grid's rows: the whole sample first, then each unit with at least one cell, in the order
/// given; `cell(group_var, group, column)` is a cell's value.
pub(super) fn unit_rows(
    batch: &Batch,
    lang: crate::lang::Lang,
    units: &[&str],
    columns: &[&str],
    cell: impl Fn(&str, &str, &str) -> Option<Cell>,
) -> (Vec<String>, Vec<Vec<Option<Cell>>>) {
    let mut rows = vec![super::words::all(lang).to_string()];
    let mut cells = vec![columns.iter().map(|c| cell("overall", "all", c)).collect()];
    for unit in units {
        let row: Vec<Option<Cell>> = columns.iter().map(|c| cell("unit", unit, c)).collect();
        if row.iter().any(Option::is_some) {
            rows.push(batch.unit_name(unit).to_string());
            cells.push(row);
        }
    }
    (rows, cells)
}

const ROW: i32 = 50;
const LINE: i32 = 28;
const LEGEND: i32 = 100;
const HEADER: Look = Look::new(21.0);
const NAME: Look = Look::new(23.0);

impl Grid {
    fn label_width(&self) -> i32 {
        let widest = self
            .rows
            .iter()
            .map(|r| ink::width(r, NAME))
            .max()
            .unwrap_or(0);
        widest.min(340) + 24
    }

    fn column_width(&self) -> i32 {
        (BODY_WIDTH as i32 - self.label_width()) / self.columns.len().max(1) as i32
    }

    /// Each column's header in at most four lines.
    fn headers(&self) -> Vec<Vec<String>> {
        let max = self.column_width() - 12;
        self.columns
            .iter()
            .map(|c| {
                let mut lines = ink::wrap(c, HEADER, max);
                if lines.len() > 4 {
                    let rest = lines[3..].concat();
                    lines.truncate(3);
                    lines.push(ink::fit(&format!("{rest}…"), HEADER, max));
                }
                lines
            })
            .collect()
    }

    fn header_height(&self) -> i32 {
        let lines = self.headers().iter().map(Vec::len).max().unwrap_or(1) as i32;
        lines * LINE + 16
    }

    /// The body height the grid needs.
    pub fn height(&self) -> u32 {
        (self.header_height() + self.rows.len() as i32 * ROW + LEGEND) as u32
    }

    fn color(&self, value: f64) -> RGBColor {
        let (lo, hi) = self.domain;
        let t = if hi > lo {
            (value - lo) / (hi - lo)
        } else {
            0.5
        };
        self.ramp.at(t)
    }

    pub fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (label_w, col_w, top) = (
            self.label_width(),
            self.column_width(),
            self.header_height(),
        );
        for (j, lines) in self.headers().iter().enumerate() {
            let x = label_w + j as i32 * col_w + col_w / 2;
            let first = top - 8 - lines.len() as i32 * LINE;
            ink.lines(area, lines, (x, first), LINE, HEADER.center())?;
        }
        for (i, (name, cells)) in self.rows.iter().zip(&self.cells).enumerate() {
            let y = top + i as i32 * ROW;
            let name = ink::fit(name, NAME, label_w - 24);
            ink.text(area, &name, (label_w - 16, y + ROW / 2), NAME.right())?;
            for (j, cell) in cells.iter().enumerate() {
                let x = label_w + j as i32 * col_w;
                self.cell(area, ink, cell, (x, y), (x + col_w, y + ROW))?;
            }
        }
        let rows = self.rows.len() as i32;
        let end = label_w + col_w * self.columns.len() as i32;
        area.draw(&PathElement::new(
            vec![(0, top + ROW), (end, top + ROW)],
            INK.stroke_width(2),
        ))?;
        area.draw(&PathElement::new(
            vec![(0, top), (end, top)],
            RULE.stroke_width(2),
        ))?;
        self.scale(area, ink, (label_w, top + rows * ROW + 44))
    }

    fn cell<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        cell: &Option<Cell>,
        a: (i32, i32),
        b: (i32, i32),
    ) -> Drawn<DB> {
        let middle = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
        let look = Look::new(22.0).center();
        match cell {
            None => ink.text(area, "—", middle, look.color(MUTED)),
            Some(c) if c.flagged => {
                marks::hatch(area, (a.0 + 2, a.1 + 2), (b.0 - 2, b.1 - 2))?;
                let text = format!("{}{FLAG}", (self.format)(c.value));
                // The value on plain ground inside the hatching, to stay readable.
                let half = ink::width(&text, look) / 2 + 8;
                let plain = [
                    (middle.0 - half, middle.1 - 14),
                    (middle.0 + half, middle.1 + 14),
                ];
                area.draw(&Rectangle::new(plain, PAPER.filled()))?;
                ink.text(area, &text, middle, look.color(INK))
            }
            Some(c) => {
                let fill = self.color(c.value);
                area.draw(&Rectangle::new(
                    [(a.0 + 2, a.1 + 2), (b.0 - 2, b.1 - 2)],
                    fill.filled(),
                ))?;
                ink.text(
                    area,
                    &(self.format)(c.value),
                    middle,
                    look.color(text_on(fill)),
                )
            }
        }
    }

    /// The colour scale: a bar from the pale to the dark end with five values under it.
    fn scale<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        (x, y): (i32, i32),
    ) -> Drawn<DB> {
        let look = Look::new(22.0);
        ink.text(area, &self.legend, (x, y), look)?;
        let left = x + ink::width(&self.legend, look) + 24;
        let (width, steps) = (420, 84);
        for k in 0..steps {
            let x0 = left + k * width / steps;
            let x1 = left + (k + 1) * width / steps;
            let color = self.ramp.at(k as f64 / (steps - 1) as f64);
            area.draw(&Rectangle::new(
                [(x0, y - 12), (x1, y + 12)],
                color.filled(),
            ))?;
        }
        area.draw(&Rectangle::new(
            [(left, y - 12), (left + width, y + 12)],
            RULE.stroke_width(1),
        ))?;
        let (lo, hi) = self.domain;
        let bar = Scale {
            lo,
            hi,
            from: left,
            to: left + width,
        };
        for value in bar.ticks(5) {
            let tx = bar.at(value);
            area.draw(&PathElement::new(
                vec![(tx, y + 12), (tx, y + 18)],
                INK.stroke_width(1),
            ))?;
            ink.text(
                area,
                &(self.format)(value),
                (tx, y + 34),
                look.center().color(MUTED),
            )?;
        }
        let flagged = self.cells.iter().flatten().flatten().any(|c| c.flagged);
        if flagged {
            let x = left + width + 40;
            marks::hatch(area, (x, y - 12), (x + 40, y + 12))?;
            area.draw(&Rectangle::new(
                [(x, y - 12), (x + 40, y + 12)],
                RULE.stroke_width(1),
            ))?;
            ink.text(area, &self.flag_note, (x + 52, y), look)?;
        }
        Ok(())
    }
}

/// The units of `wave` best to worst by their composite index (the order of `unit_index`),
/// then any unit without one in the order of `units.csv`.
pub(super) fn units_in_order<'a>(batch: &'a Batch, wave: &str) -> Vec<&'a str> {
    let index = |unit: &str| {
        batch
            .estimate(wave, "unit", unit, "index", "index")
            .map_or(f64::NEG_INFINITY, |e| e.estimate)
    };
    let mut units: Vec<&str> = batch.units.iter().map(|u| u.unit.as_str()).collect();
    for e in batch
        .estimates
        .iter()
        .filter(|e| e.wave == wave && e.group_var == "unit")
    {
        if !units.contains(&e.group.as_str()) {
            units.push(&e.group);
        }
    }
    units.sort_by(|a, b| index(b).total_cmp(&index(a)));
    units
}
