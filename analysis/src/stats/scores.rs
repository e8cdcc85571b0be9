//! Scores (METHODS §1): the 0–100 index of a K-point or 0–10 item, top-2-box, and 0/1
//! indicators for incidences.
//!
//! An index is a linear function of a mean, so R computes it with `svycontrast(svymean(~y,
//! design), quote((y - 1) / (K - 1) * 100))`; its SE scales by the same factor.

use crate::stats::error::AnalysisError;
use crate::stats::mean::Estimate;

/// How an item's mean maps onto 0–100.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndexScale {
    /// A K-point scale coded 1…K: `(mean − 1)/(K − 1) × 100`.
    Points(u32),
    /// A 0–10 item: `mean × 10`.
    ZeroToTen,
}

impl IndexScale {
    /// A K-point scale; K must be at least 2.
    pub fn points(k: u32) -> Result<Self, AnalysisError> {
        if k < 2 {
            return Err(AnalysisError::OutOfRange {
                what: "scale points K",
                allowed: "at least 2",
                value: f64::from(k),
            });
        }
        Ok(IndexScale::Points(k))
    }

    /// The factor a mean (and its SE) is multiplied by: `100/(K − 1)` or 10.
    pub fn factor(&self) -> f64 {
        match *self {
            IndexScale::Points(k) => 100.0 / f64::from(k - 1),
            IndexScale::ZeroToTen => 10.0,
        }
    }

    /// The mean that maps to 0: 1 on a K-point scale, 0 on a 0–10 item.
    pub fn origin(&self) -> f64 {
        match self {
            IndexScale::Points(_) => 1.0,
            IndexScale::ZeroToTen => 0.0,
        }
    }

    /// A mean on 0–100.
    pub fn index(&self, mean: f64) -> f64 {
        (mean - self.origin()) * self.factor()
    }

    /// A mean's estimate on 0–100: estimate and interval mapped, SE multiplied by the factor.
    pub fn rescale(&self, mean: &Estimate) -> Estimate {
        Estimate {
            estimate: self.index(mean.estimate),
            se: mean.se * self.factor(),
            lower: self.index(mean.lower),
            upper: self.index(mean.upper),
            ..*mean
        }
    }
}

/// Top-2-box of a K-point item: `Some(true)` for an answer of K − 1 or K (4 or 5 on a 5-point
/// scale; 9 or 10 on a 0–10 item), `Some(false)` for the other answers, `None` where
/// unanswered. Its proportion is the share answering 4 or 5 among those who answered. Answers
/// must be whole numbers on the item's scale.
pub fn top_two_box(
    y: &[Option<f64>],
    scale: IndexScale,
) -> Result<Vec<Option<bool>>, AnalysisError> {
    y.iter()
        .map(|v| v.map(|x| scale.top_two(x)).transpose())
        .collect()
}

impl IndexScale {
    /// The lowest answer in the top two categories (4 of 1–5, 9 of 0–10).
    pub fn top_two_from(&self) -> f64 {
        match self {
            IndexScale::Points(k) => f64::from(*k) - 1.0,
            IndexScale::ZeroToTen => 9.0,
        }
    }

    /// Whether answer `x` is in the top two categories of the scale (an error if `x` is not
    /// a whole number on it).
    pub fn top_two(&self, x: f64) -> Result<bool, AnalysisError> {
        let (low, high) = match self {
            IndexScale::Points(k) => (1.0, f64::from(*k)),
            IndexScale::ZeroToTen => (0.0, 10.0),
        };
        if x.fract() == 0.0 && (low..=high).contains(&x) {
            Ok(x >= self.top_two_from())
        } else {
            Err(AnalysisError::OutOfRange {
                what: "a scale answer",
                allowed: "a whole number on the item's scale",
                value: x,
            })
        }
    }
}

/// A yes/no (or any 0/1) answer as a number, for means and composites: `yes` → 1, `no` → 0.
/// The mean of this over the answered rows is the incidence (METHODS §1).
pub fn indicator(answers: &[Option<bool>]) -> Vec<Option<f64>> {
    answers
        .iter()
        .map(|a| a.map(|yes| if yes { 1.0 } else { 0.0 }))
        .collect()
}
