//! A wave's rated items, ready for every group's estimates: each answer checked once against
//! its scale, then coded row by row (as a score, a 1/2 yes/no code, or a 1/0 top-2 or yes)
//! while a group is linearized, so that no coded copy of a column is kept.

use std::borrow::Cow;

use crate::input::WaveData;
use crate::stats::{AnalysisError, IndexScale};

use super::estimates::{ItemSpec, ItemType};

/// A wave's rated items, checked once and coded row by row for every group's estimates.
pub struct Prepared<'a> {
    pub(super) items: Vec<PreparedItem<'a>>,
    /// Design row → wave row, when the design is over some of the wave's rows.
    pub(super) map: Option<&'a [usize]>,
    /// Only the headline: the overall index and this item's mean and index.
    pub(super) headline: Option<&'a str>,
}

#[derive(Clone)]
pub(super) struct PreparedItem<'a> {
    pub(super) spec: &'a ItemSpec,
    pub(super) scores: Cow<'a, [Option<f64>]>,
    pub(super) scale: IndexScale,
}

/// An answer coded for means and composites: a scored item's score; yes/no as 2 (the good
/// answer) or 1 on a 2-point scale, so that its index is 100 × the share of good answers.
#[inline]
pub(super) fn code(kind: ItemType, v: Option<f64>) -> Option<f64> {
    match kind {
        ItemType::Score(_) => v,
        ItemType::YesNo { negative } => {
            v.map(|yes| if (yes == 1.0) != negative { 2.0 } else { 1.0 })
        }
    }
}

/// 1/0: top-2 box of a scored item (checked in [`Prepared::new`]), yes of a yes/no item.
#[inline]
pub(super) fn share(kind: ItemType, v: Option<f64>) -> Option<f64> {
    let one = |b: bool| if b { 1.0 } else { 0.0 };
    match kind {
        ItemType::Score(scale) => v.map(|x| one(x >= scale.top_two_from())),
        ItemType::YesNo { .. } => v.map(|x| one(x == 1.0)),
    }
}

impl<'a> Prepared<'a> {
    /// The rated items of `data`, every scored answer checked against its scale.
    pub fn new(data: &'a WaveData, items: &'a [ItemSpec]) -> Result<Self, AnalysisError> {
        Self::over(data, items, None)
    }

    /// As [`Prepared::new`], for a design whose row i is the wave's row `map[i]`.
    pub fn over(
        data: &'a WaveData,
        items: &'a [ItemSpec],
        map: Option<&'a [usize]>,
    ) -> Result<Self, AnalysisError> {
        let items = items
            .iter()
            .map(|spec| {
                let scores = data.scores(&spec.id);
                let scale = match spec.kind {
                    ItemType::Score(scale) => {
                        for x in scores.iter().flatten() {
                            scale.top_two(*x)?;
                        }
                        scale
                    }
                    ItemType::YesNo { .. } => IndexScale::Points(2),
                };
                Ok(PreparedItem {
                    spec,
                    scores,
                    scale,
                })
            })
            .collect::<Result<_, AnalysisError>>()?;
        Ok(Prepared {
            items,
            map,
            headline: None,
        })
    }

    /// The same checked items, for a design whose row i is the wave's row `map[i]` (`None`:
    /// every row, in order).
    pub fn over_rows<'b>(&self, map: Option<&'b [usize]>) -> Prepared<'b>
    where
        'a: 'b,
    {
        Prepared {
            items: self.items.clone(),
            map,
            headline: self.headline,
        }
    }

    /// The same items, for estimates of the headline only: the overall index (configured and
    /// equal weights) and the mean and index of `overall_item`.
    pub fn headline_only(self, overall_item: &'a str) -> Self {
        Prepared {
            headline: Some(overall_item),
            ..self
        }
    }
}
