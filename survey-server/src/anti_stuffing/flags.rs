//! Flags a submission earns on its own: the honeypot, speed, straight-lining. A flagged
//! response is stored and marked — evidence for the evaluator, never a silent drop.

use minyi_questionnaire::answers::Answers;
use minyi_questionnaire::{Answer, ItemKind, Questionnaire};

/// The hidden field people never see (off-screen, `aria-hidden`, no tab stop) and form-filling
/// robots fill in.
pub const HONEYPOT_FIELD: &str = "_homepage";

/// At least this many rated items answered all alike is straight-lining (METHODS §8).
pub const STRAIGHT_LINE_MIN_ITEMS: usize = 6;

pub const HONEYPOT: &str = "honeypot";
pub const SPEEDER: &str = "speeder";
pub const STRAIGHT_LINING: &str = "straight_lining";
pub const DEVICE_REPEAT: &str = "device_repeat";
pub const BURST: &str = "burst";

/// Every flag a response can carry, in the order reports list them.
pub const ALL: [&str; 5] = [DEVICE_REPEAT, HONEYPOT, SPEEDER, STRAIGHT_LINING, BURST];

/// (flag, detail) pairs for one submission.
pub fn of_submission(
    q: &Questionnaire,
    answers: &Answers,
    fields: &[(String, String)],
    duration_ms: i64,
    speeder_ms: i64,
) -> Vec<(String, String)> {
    let mut flags = Vec::new();
    let honeypot = fields
        .iter()
        .any(|(k, v)| k == HONEYPOT_FIELD && !v.trim().is_empty());
    if honeypot {
        flags.push((HONEYPOT.to_string(), String::new()));
    }
    if duration_ms < speeder_ms {
        flags.push((
            SPEEDER.to_string(),
            format!(
                "{:.1} s < {:.0} s",
                duration_ms as f64 / 1000.0,
                speeder_ms as f64 / 1000.0
            ),
        ));
    }
    // The questionnaire's rated items are one grid: its sections are short, and a robot or a
    // careless respondent ticks the same column throughout.
    let rated: Vec<u8> = q
        .items()
        .filter(|(_, i)| matches!(i.kind, ItemKind::Likert5 { .. }))
        .filter_map(|(_, i)| match answers.get(&i.id) {
            Some(Answer::Likert(v)) => Some(*v),
            _ => None,
        })
        .collect();
    if rated.len() >= STRAIGHT_LINE_MIN_ITEMS && rated.iter().all(|v| *v == rated[0]) {
        flags.push((
            STRAIGHT_LINING.to_string(),
            format!("{} × {}", rated.len(), rated[0]),
        ));
    }
    flags
}
