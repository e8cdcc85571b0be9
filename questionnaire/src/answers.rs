//! A citizen's submitted fields, parsed into typed answers against a questionnaire.
//!
//! Parse, don't validate: once a submission is an [`Answers`], every value is in range, every
//! required item is answered, and items hidden by a condition carry nothing.

use std::collections::BTreeMap;

use crate::{Condition, Item, ItemKind, Lang, Questionnaire};

/// One typed answer. `NotApplicable` is "不了解/不适用" (or "记不清"): missing, never a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Likert(u8),
    NotApplicable,
    Choice(String),
    Choices(Vec<String>),
    YesNo(bool),
    Scale10(u8),
    Text(String),
}

impl Answer {
    /// The stored text form: `1`–`5`, `0`–`10`, `na`, `yes`/`no`, an option code, option codes
    /// joined by `;`, or the text itself. [`Answer::decode`] reads it back.
    pub fn encode(&self) -> String {
        match self {
            Answer::Likert(v) | Answer::Scale10(v) => v.to_string(),
            Answer::NotApplicable => "na".into(),
            Answer::Choice(code) => code.clone(),
            Answer::Choices(codes) => codes.join(";"),
            Answer::YesNo(yes) => if *yes { "yes" } else { "no" }.into(),
            Answer::Text(text) => text.clone(),
        }
    }

    /// Reads a stored value of `item` back; `None` if it is not a valid value of that item.
    pub fn decode(item: &Item, stored: &str) -> Option<Answer> {
        parse_value(item, &[stored]).ok()
    }
}

/// A whole submission's answers, keyed by item id, only for answered, shown items.
pub type Answers = BTreeMap<String, Answer>;

/// A problem with one submitted field, named by its item id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub item: String,
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    Required,
    UnknownItem,
    NotAnOption(String),
    OutOfRange(String),
    MoreThanOne,
    TooManyChoices {
        max: usize,
    },
    TooLong {
        max: usize,
    },
    /// A control character (NUL and the like) a form never sends.
    ControlCharacter,
    /// A form field no form of this server has.
    UnknownField,
}

impl FieldProblem {
    /// The message shown next to the field.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (FieldProblem::Required, Lang::Zh) => "此题为必答题，请作答".into(),
            (FieldProblem::Required, Lang::En) => "Please answer this question".into(),
            (FieldProblem::UnknownItem, Lang::Zh) => "问卷中没有这道题".into(),
            (FieldProblem::UnknownItem, Lang::En) => "No such question in this survey".into(),
            (FieldProblem::NotAnOption(v), Lang::Zh) => format!("“{v}”不是本题的选项"),
            (FieldProblem::NotAnOption(v), Lang::En) => format!("“{v}” is not an option here"),
            (FieldProblem::OutOfRange(v), Lang::Zh) => format!("“{v}”超出了本题的取值范围"),
            (FieldProblem::OutOfRange(v), Lang::En) => format!("“{v}” is outside this scale"),
            (FieldProblem::MoreThanOne, Lang::Zh) => "本题只能选一项".into(),
            (FieldProblem::MoreThanOne, Lang::En) => "Choose only one".into(),
            (FieldProblem::TooManyChoices { max }, Lang::Zh) => format!("最多选 {max} 项"),
            (FieldProblem::TooManyChoices { max }, Lang::En) => format!("Choose at most {max}"),
            (FieldProblem::TooLong { max }, Lang::Zh) => format!("请不超过 {max} 个字"),
            (FieldProblem::TooLong { max }, Lang::En) => {
                format!("Please keep it within {max} characters")
            }
            (FieldProblem::ControlCharacter, Lang::Zh) => {
                "含有不允许的控制字符（如空字符），请删除后再提交".into()
            }
            (FieldProblem::ControlCharacter, Lang::En) => {
                "Contains a control character (such as NUL) that is not allowed; please remove it"
                    .into()
            }
            (FieldProblem::UnknownField, Lang::Zh) => "表单中没有这个字段".into(),
            (FieldProblem::UnknownField, Lang::En) => "No such field in this form".into(),
        }
    }
}

/// Parses submitted `(field, value)` pairs (repeated fields for multiple choice). Fields whose
/// names start with `_` belong to the form machinery and are skipped here.
pub fn parse_submission(
    questionnaire: &Questionnaire,
    fields: &[(String, String)],
) -> Result<Answers, Vec<FieldError>> {
    let mut raw: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, value) in fields {
        if name.starts_with('_') {
            continue;
        }
        if questionnaire.item(name).is_none() {
            if !errors.iter().any(|e: &FieldError| &e.item == name) {
                errors.push(FieldError {
                    item: name.clone(),
                    problem: FieldProblem::UnknownItem,
                });
            }
            continue;
        }
        let value = value.trim();
        if !value.is_empty() {
            raw.entry(name.as_str()).or_default().push(value);
        }
    }
    let mut answers = Answers::new();
    for (section, item) in questionnaire.items() {
        let shown = [&section.show_if, &item.show_if]
            .into_iter()
            .flatten()
            .all(|cond| holds(cond, &answers));
        if !shown {
            continue;
        }
        match raw.get(item.id.as_str()) {
            None if item.is_required() => errors.push(FieldError {
                item: item.id.clone(),
                problem: FieldProblem::Required,
            }),
            None => {}
            Some(values) => match parse_value(item, values) {
                Ok(answer) => {
                    answers.insert(item.id.clone(), answer);
                }
                Err(problem) => errors.push(FieldError {
                    item: item.id.clone(),
                    problem,
                }),
            },
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// Whether a condition holds for the answers given so far (conditions only look back).
pub fn holds(cond: &Condition, answers: &Answers) -> bool {
    match answers.get(&cond.item) {
        Some(Answer::Choice(code)) => cond.any_of.contains(code),
        Some(Answer::Choices(codes)) => codes.iter().any(|c| cond.any_of.contains(c)),
        _ => false,
    }
}

fn parse_value(item: &Item, values: &[&str]) -> Result<Answer, FieldProblem> {
    let single = || match values {
        [one] => Ok(*one),
        _ => Err(FieldProblem::MoreThanOne),
    };
    match &item.kind {
        ItemKind::Likert5 { allow_na, .. } => match single()? {
            "na" if *allow_na => Ok(Answer::NotApplicable),
            v => in_range(v, 1, 5).map(Answer::Likert),
        },
        ItemKind::Scale10 { .. } => in_range(single()?, 0, 10).map(Answer::Scale10),
        ItemKind::YesNo { allow_na } => match single()? {
            "yes" => Ok(Answer::YesNo(true)),
            "no" => Ok(Answer::YesNo(false)),
            "na" if *allow_na => Ok(Answer::NotApplicable),
            v => Err(FieldProblem::NotAnOption(v.to_string())),
        },
        ItemKind::Single { options } => {
            let v = single()?;
            match options.iter().find(|o| o.code == v) {
                Some(o) => Ok(Answer::Choice(o.code.clone())),
                None => Err(FieldProblem::NotAnOption(v.to_string())),
            }
        }
        ItemKind::Multi {
            options,
            max_choices,
        } => {
            let stored: Vec<&str> = values.iter().flat_map(|v| v.split(';')).collect();
            if let Some(bad) = stored
                .iter()
                .find(|v| !options.iter().any(|o| o.code == **v))
            {
                return Err(FieldProblem::NotAnOption(bad.to_string()));
            }
            // Keep the questionnaire's option order and drop repeats.
            let chosen: Vec<String> = options
                .iter()
                .filter(|o| stored.contains(&o.code.as_str()))
                .map(|o| o.code.clone())
                .collect();
            match max_choices {
                Some(max) if chosen.len() > *max => Err(FieldProblem::TooManyChoices { max: *max }),
                _ => Ok(Answer::Choices(chosen)),
            }
        }
        ItemKind::Text { max_chars } => {
            let text = single()?;
            if text.chars().count() > *max_chars {
                Err(FieldProblem::TooLong { max: *max_chars })
            } else {
                Ok(Answer::Text(text.to_string()))
            }
        }
    }
}

/// Reads `value` as a number from `low` to `high`, written only in canonical decimal: ASCII
/// digits, no sign, no surrounding space and no leading zero (but `0` itself), so that every
/// stored number has exactly one spelling.
fn in_range(value: &str, low: u8, high: u8) -> Result<u8, FieldProblem> {
    let canonical = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    match value.parse::<u8>() {
        Ok(v) if canonical && (low..=high).contains(&v) => Ok(v),
        _ => Err(FieldProblem::OutOfRange(value.to_string())),
    }
}
