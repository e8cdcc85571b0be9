//! The unit names down the left of a one-row-per-unit chart: a flagged unit's name marked ※
//! and greyed, every name fitted to one column whose width the longest name sets (capped).

use plotters::prelude::*;

use super::ink::{self, Area, Drawn, Ink, Look};
use super::palette::{INK, MUTED};
use super::words;

const LOOK: Look = Look::new(24.0).right();
/// The widest a name column gets; a longer name is shortened with "…".
const MAX_WIDTH: i32 = 380;
const GAP: i32 = 24;

pub(super) struct NameColumn {
    names: Vec<String>,
    /// Where the names end (they are right-aligned there).
    pub right: i32,
}

impl NameColumn {
    /// The column for `(name, flagged)` rows, in order.
    pub fn new<'a>(rows: impl Iterator<Item = (&'a str, bool)>) -> Self {
        let names: Vec<String> = rows.map(|(n, f)| words::marked(n, f)).collect();
        let widest = names.iter().map(|n| ink::width(n, LOOK)).max().unwrap_or(0);
        NameColumn {
            names,
            right: widest.min(MAX_WIDTH) + GAP,
        }
    }

    /// Row `i`'s name, centred on `y`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        i: usize,
        y: i32,
        flagged: bool,
    ) -> Drawn<DB> {
        let color = if flagged { MUTED } else { INK };
        let name = ink::fit(&self.names[i], LOOK, self.right - GAP);
        ink.text(area, &name, (self.right, y), LOOK.color(color))
    }
}
