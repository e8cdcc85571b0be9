//! AAPOR outcome rates — response (RR1–RR6), cooperation (COOP1–COOP4), refusal (REF1–REF3)
//! and contact (CON1–CON3) — from counts of final dispositions (METHODS §10, FIELDWORK.md §2).

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use crate::disposition::{Class, Code};

/// Final dispositions counted by AAPOR class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Complete interviews (1.1).
    pub i: u64,
    /// Partial interviews (1.2).
    pub p: u64,
    /// Refusals and break-offs (2.1x).
    pub r: u64,
    /// Non-contacts (2.2x).
    pub nc: u64,
    /// Other eligible non-interviews (2.3x).
    pub o: u64,
    /// Unknown whether the number reaches anyone (3.1x).
    pub uh: u64,
    /// Unknown eligibility, other (3.2x, 3.90).
    pub uo: u64,
    /// Not eligible (4.x).
    pub ne: u64,
}

impl Counts {
    /// Counts one more case with this final code.
    pub fn add(&mut self, code: Code) {
        let count = match code.class() {
            Class::I => &mut self.i,
            Class::P => &mut self.p,
            Class::R => &mut self.r,
            Class::NC => &mut self.nc,
            Class::O => &mut self.o,
            Class::UH => &mut self.uh,
            Class::UO => &mut self.uo,
            Class::NE => &mut self.ne,
        };
        *count += 1;
    }

    /// The cases known to be eligible, `I + P + R + NC + O`.
    pub fn eligible(&self) -> u64 {
        self.i + self.p + self.r + self.nc + self.o
    }

    /// The cases of unknown eligibility, `UH + UO`.
    pub fn unknown(&self) -> u64 {
        self.uh + self.uo
    }

    /// Every case counted.
    pub fn total(&self) -> u64 {
        self.eligible() + self.unknown() + self.ne
    }

    /// The eligible share of resolved cases, `e = (I+P+R+NC+O) / (I+P+R+NC+O+NE)`; `None` when
    /// no case is resolved.
    pub fn estimated_e(&self) -> Option<f64> {
        ratio(self.eligible() as f64, (self.eligible() + self.ne) as f64)
    }
}

impl Extend<Code> for Counts {
    fn extend<T: IntoIterator<Item = Code>>(&mut self, codes: T) {
        for code in codes {
            self.add(code);
        }
    }
}

impl FromIterator<Code> for Counts {
    fn from_iter<T: IntoIterator<Item = Code>>(codes: T) -> Self {
        let mut counts = Counts::default();
        counts.extend(codes);
        counts
    }
}

/// Why an `e` given by the caller was refused.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum RatesError {
    /// `e` is a share: it must lie in [0, 1].
    #[error("e, the eligible share of unknown cases, must lie between 0 and 1, not {0}")]
    InvalidE(f64),
}

/// A caller's `e`, the share of unknown-eligibility cases assumed eligible: a number in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eligibility(f64);

impl Eligibility {
    /// `e` if it lies in [0, 1] (NaN is refused).
    pub fn new(e: f64) -> Result<Self, RatesError> {
        if (0.0..=1.0).contains(&e) {
            Ok(Eligibility(e))
        } else {
            Err(RatesError::InvalidE(e))
        }
    }

    /// The share.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// Where the `e` of RR3, RR4, REF2 and CON2 came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EBasis {
    /// Estimated from the resolved cases, [`Counts::estimated_e`].
    Estimated,
    /// Given by the caller.
    Override,
    /// No case was resolved, so every unknown case is assumed eligible: `e = 1`.
    Assumed,
}

/// The AAPOR outcome rates. A rate is `None` when its denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    /// `I / ((I+P) + (R+NC+O) + (UH+UO))`.
    pub rr1: Option<f64>,
    /// `(I+P) / ((I+P) + (R+NC+O) + (UH+UO))`.
    pub rr2: Option<f64>,
    /// `I / ((I+P) + (R+NC+O) + e(UH+UO))`.
    pub rr3: Option<f64>,
    /// `(I+P) / ((I+P) + (R+NC+O) + e(UH+UO))`.
    pub rr4: Option<f64>,
    /// `I / ((I+P) + (R+NC+O))`.
    pub rr5: Option<f64>,
    /// `(I+P) / ((I+P) + (R+NC+O))`.
    pub rr6: Option<f64>,
    /// `I / ((I+P) + R + O)`.
    pub coop1: Option<f64>,
    /// `(I+P) / ((I+P) + R + O)`.
    pub coop2: Option<f64>,
    /// `I / ((I+P) + R)`.
    pub coop3: Option<f64>,
    /// `(I+P) / ((I+P) + R)`.
    pub coop4: Option<f64>,
    /// `R / ((I+P) + (R+NC+O) + (UH+UO))`.
    pub ref1: Option<f64>,
    /// `R / ((I+P) + (R+NC+O) + e(UH+UO))`.
    pub ref2: Option<f64>,
    /// `R / ((I+P) + (R+NC+O))`.
    pub ref3: Option<f64>,
    /// `((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO))`.
    pub con1: Option<f64>,
    /// `((I+P) + R + O) / ((I+P) + (R+NC+O) + e(UH+UO))`.
    pub con2: Option<f64>,
    /// `((I+P) + R + O) / ((I+P) + (R+NC+O))`.
    pub con3: Option<f64>,
    /// The `e` used in RR3, RR4, REF2 and CON2.
    pub e: f64,
    /// Where `e` came from.
    pub e_basis: EBasis,
}

/// `num / den`, `None` when `den` is 0.
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

/// The AAPOR rates of `counts`. `e` is `e_override` when given, else estimated from the
/// resolved cases ([`Counts::estimated_e`]), else — no case resolved — 1.
pub fn rates(counts: &Counts, e_override: Option<Eligibility>) -> Rates {
    let (e, e_basis) = match (e_override, counts.estimated_e()) {
        (Some(e), _) => (e.value(), EBasis::Override),
        (None, Some(e)) => (e, EBasis::Estimated),
        (None, None) => (1.0, EBasis::Assumed),
    };
    let f = |n: u64| n as f64;
    let interviews = f(counts.i + counts.p);
    let i = f(counts.i);
    let r = f(counts.r);
    let contacted = interviews + r + f(counts.o);
    let known = f(counts.eligible());
    let all = known + f(counts.unknown());
    let estimated = known + e * f(counts.unknown());
    Rates {
        rr1: ratio(i, all),
        rr2: ratio(interviews, all),
        rr3: ratio(i, estimated),
        rr4: ratio(interviews, estimated),
        rr5: ratio(i, known),
        rr6: ratio(interviews, known),
        coop1: ratio(i, contacted),
        coop2: ratio(interviews, contacted),
        coop3: ratio(i, interviews + r),
        coop4: ratio(interviews, interviews + r),
        ref1: ratio(r, all),
        ref2: ratio(r, estimated),
        ref3: ratio(r, known),
        con1: ratio(contacted, all),
        con2: ratio(contacted, estimated),
        con3: ratio(contacted, known),
        e,
        e_basis,
    }
}

/// Counts and rates per group (stratum, unit, interviewer, wave…) of `(group, final code)`
/// pairs. Each group's `e` is estimated from that group's own resolved cases unless
/// `e_override` is given, which then applies to every group.
pub fn by_group<K: Ord>(
    cases: impl IntoIterator<Item = (K, Code)>,
    e_override: Option<Eligibility>,
) -> BTreeMap<K, (Counts, Rates)> {
    let mut counts: BTreeMap<K, Counts> = BTreeMap::new();
    for (group, code) in cases {
        counts.entry(group).or_default().add(code);
    }
    counts
        .into_iter()
        .map(|(group, counts)| (group, (counts, rates(&counts, e_override))))
        .collect()
}
