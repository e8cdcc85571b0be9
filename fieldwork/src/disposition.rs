//! AAPOR final disposition codes for a list sample of case parties reached by telephone
//! (AAPOR *Standard Definitions*, telephone and list-sample tables; METHODS §10), the rule that
//! turns a case's attempts into its one final code, and when a case is closed.
//!
//! FIELDWORK.md §1 has the table of codes with their classes and labels.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One AAPOR disposition code. The variants are in the order of [`Code::ALL`], which is the
/// order of the AAPOR table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// 1.1 — complete interview.
    Complete,
    /// 1.2 — partial interview.
    Partial,
    /// 2.11 — refusal.
    Refusal,
    /// 2.12 — break-off: the interview began and was abandoned before it counted as partial.
    BreakOff,
    /// 2.20 — non-contact with a known case party.
    NonContact,
    /// 2.21 — the case party is never available.
    NeverAvailable,
    /// 2.22 — answering machine or voice mail that identifies the case party, message left.
    MessageLeft,
    /// 2.31 — the case party has died.
    Deceased,
    /// 2.32 — the case party is physically or mentally unable to answer.
    Unable,
    /// 2.33 — language barrier.
    Language,
    /// 2.35 — other eligible non-interview.
    OtherEligible,
    /// 3.11 — the number was never called.
    NotAttempted,
    /// 3.12 — always busy.
    AlwaysBusy,
    /// 3.13 — no answer.
    NoAnswer,
    /// 3.14 — answering machine that does not tell whether the number is the case party's.
    MachineUnknown,
    /// 3.15 — call blocking.
    CallBlocking,
    /// 3.16 — technical phone problem.
    TechnicalProblem,
    /// 3.21 — someone answered, but whether the case party can be reached was not established.
    NoScreener,
    /// 3.90 — other, eligibility unknown.
    OtherUnknown,
    /// 4.10 — out of sample.
    OutOfSample,
    /// 4.20 — fax or data line.
    FaxDataLine,
    /// 4.31 — non-working number (空号).
    NonWorking,
    /// 4.32 — disconnected number (停机).
    Disconnected,
    /// 4.33 — wrong number: the number is not the case party's.
    WrongNumber,
    /// 4.70 — the person is not a party to a case: no eligible respondent.
    NotCaseParty,
    /// 4.80 — the stratum's quota was filled.
    QuotaFilled,
    /// 4.90 — other ineligible.
    OtherIneligible,
}

/// The AAPOR class of a code, the unit the outcome rates count (METHODS §10).
#[allow(clippy::upper_case_acronyms)] // AAPOR's own symbols, as the rate formulas write them
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Class {
    /// Complete interview (1.1).
    I,
    /// Partial interview (1.2).
    P,
    /// Refusal and break-off (2.1x).
    R,
    /// Non-contact (2.2x, and 2.20).
    NC,
    /// Other eligible non-interview (2.3x).
    O,
    /// Unknown whether the number reaches anyone (3.1x).
    UH,
    /// Unknown eligibility, other (3.2x, 3.90).
    UO,
    /// Not eligible (4.x).
    NE,
}

/// The AAPOR number, simplified-Chinese and English labels of each code, in [`Code::ALL`] order.
const INFO: [(&str, &str, &str); 27] = [
    ("1.1", "完成访问", "Complete"),
    ("1.2", "部分完成", "Partial"),
    ("2.11", "拒访", "Refusal"),
    ("2.12", "中途终止", "Break-off"),
    ("2.20", "未接触到本人", "Non-contact"),
    ("2.21", "本人始终不便", "Respondent never available"),
    (
        "2.22",
        "已留言（确认本人）",
        "Answering machine, message left",
    ),
    ("2.31", "已故", "Deceased"),
    (
        "2.32",
        "身体或精神原因无法受访",
        "Physically or mentally unable",
    ),
    ("2.33", "语言障碍", "Language barrier"),
    ("2.35", "其他（合格未访）", "Other eligible non-interview"),
    ("3.11", "未拨打", "Not attempted"),
    ("3.12", "始终占线", "Always busy"),
    ("3.13", "无人接听", "No answer"),
    (
        "3.14",
        "语音信箱（身份不明）",
        "Answering machine, eligibility unknown",
    ),
    ("3.15", "呼叫被拦截", "Call blocking"),
    ("3.16", "线路技术故障", "Technical phone problem"),
    ("3.21", "未确认是否本人", "Eligibility not established"),
    ("3.90", "其他（资格不明）", "Other, eligibility unknown"),
    ("4.10", "样本外", "Out of sample"),
    ("4.20", "传真或数据线路", "Fax or data line"),
    ("4.31", "空号", "Non-working number"),
    ("4.32", "停机", "Disconnected number"),
    ("4.33", "号码错误（非当事人）", "Wrong number"),
    ("4.70", "非案件当事人", "Not a case party"),
    ("4.80", "配额已满", "Quota filled"),
    ("4.90", "其他不合格", "Other ineligible"),
];

impl Code {
    /// Every code, in the order of the AAPOR table.
    pub const ALL: [Code; 27] = [
        Code::Complete,
        Code::Partial,
        Code::Refusal,
        Code::BreakOff,
        Code::NonContact,
        Code::NeverAvailable,
        Code::MessageLeft,
        Code::Deceased,
        Code::Unable,
        Code::Language,
        Code::OtherEligible,
        Code::NotAttempted,
        Code::AlwaysBusy,
        Code::NoAnswer,
        Code::MachineUnknown,
        Code::CallBlocking,
        Code::TechnicalProblem,
        Code::NoScreener,
        Code::OtherUnknown,
        Code::OutOfSample,
        Code::FaxDataLine,
        Code::NonWorking,
        Code::Disconnected,
        Code::WrongNumber,
        Code::NotCaseParty,
        Code::QuotaFilled,
        Code::OtherIneligible,
    ];

    /// The AAPOR number, e.g. `"2.11"`.
    pub fn code(self) -> &'static str {
        INFO[self as usize].0
    }

    /// The code written as AAPOR numbers it (`"2.11"`, `"4.31"`; surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::ALL.into_iter().find(|code| code.code() == text)
    }

    /// A short simplified-Chinese label, e.g. 拒访, 空号.
    pub fn label_zh(self) -> &'static str {
        INFO[self as usize].1
    }

    /// A short English label, e.g. "Refusal", "Non-working number".
    pub fn label_en(self) -> &'static str {
        INFO[self as usize].2
    }

    /// The code's class: its first digit, with 3.1x = UH and 3.2x, 3.90 = UO.
    pub fn class(self) -> Class {
        use Code::*;
        match self {
            Complete => Class::I,
            Partial => Class::P,
            Refusal | BreakOff => Class::R,
            NonContact | NeverAvailable | MessageLeft => Class::NC,
            Deceased | Unable | Language | OtherEligible => Class::O,
            NotAttempted | AlwaysBusy | NoAnswer | MachineUnknown | CallBlocking
            | TechnicalProblem => Class::UH,
            NoScreener | OtherUnknown => Class::UO,
            OutOfSample | FaxDataLine | NonWorking | Disconnected | WrongNumber | NotCaseParty
            | QuotaFilled | OtherIneligible => Class::NE,
        }
    }

    /// Whether an interviewer may record this code as the outcome of one call: every code
    /// except 3.11, which says that no call was made.
    pub fn is_attempt_outcome(self) -> bool {
        self != Code::NotAttempted
    }

    /// Whether one attempt with this code closes the case: a complete (1.1), a refusal (2.11 —
    /// a case party who declines is not called again), death, incapacity or a language barrier
    /// (2.31–2.33), and every ineligible code (4.x). A partial (1.2) and a break-off (2.12) do
    /// not close the case: the case party may be called back to finish the interview.
    pub fn ends_case(self) -> bool {
        matches!(
            self,
            Code::Complete | Code::Refusal | Code::Deceased | Code::Unable | Code::Language
        ) || self.class() == Class::NE
    }

    /// The rank of the code in the final-code priority, 0 the strongest:
    /// 1.1 > 1.2 > 4.x > 2.1x > 2.3x > 2.2x > 3.x.
    pub fn priority(self) -> u8 {
        match self.class() {
            Class::I => 0,
            Class::P => 1,
            Class::NE => 2,
            Class::R => 3,
            Class::O => 4,
            Class::NC => 5,
            Class::UH | Class::UO => 6,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A code crosses a boundary (JSON, the database) as its AAPOR number, e.g. `"2.11"`.
impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not an AAPOR disposition code"))
        })
    }
}

/// One call to a case: when it was made (epoch milliseconds) and its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When the call was made, epoch milliseconds.
    pub at_ms: i64,
    /// The outcome the interviewer recorded.
    pub code: Code,
}

/// The case's final code. The strongest code by [`Code::priority`] wins —
/// 1.1 > 1.2 > 4.x (ineligibility established) > 2.1x > 2.3x > 2.2x > 3.x — and among codes
/// of the same priority the latest attempt wins (by `at_ms`; at equal times, the later in the
/// slice). A case with no attempts is 3.11, not attempted.
pub fn final_code(attempts: &[Attempt]) -> Code {
    attempts
        .iter()
        .enumerate()
        // The position in the slice breaks a tie of times: the later attempt wins.
        .max_by_key(|(index, attempt)| {
            (
                std::cmp::Reverse(attempt.code.priority()),
                attempt.at_ms,
                *index,
            )
        })
        .map_or(Code::NotAttempted, |(_, attempt)| attempt.code)
}

/// Whether the case needs no more calls: an attempt whose code [ends the case](Code::ends_case)
/// (1.1, 2.11, 2.31–2.33, 4.x), or `max_attempts` attempts made.
pub fn case_is_closed(attempts: &[Attempt], max_attempts: u32) -> bool {
    attempts.iter().any(|attempt| attempt.code.ends_case())
        || attempts.len() as u64 >= u64::from(max_attempts)
}
