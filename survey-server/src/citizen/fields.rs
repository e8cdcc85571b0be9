//! What a submission may carry besides answers, checked the same way for the HTML form and the
//! JSON API: only the form machinery's own `_…` fields, and no control characters — PostgreSQL
//! text cannot hold NUL at all, and no form sends the others (a textarea's tab and line breaks
//! aside).

use minyi_questionnaire::{FieldError, FieldProblem, ItemKind, Questionnaire};

use super::contact::{CONSENT_FIELD, CONTACT_FIELD};
use super::form_view::{TOKEN_FIELD, UNIT_FIELD};
use crate::anti_stuffing::flags::HONEYPOT_FIELD;

/// Every `_…` field a form of this server sends.
pub const INTERNAL_FIELDS: [&str; 5] = [
    TOKEN_FIELD,
    UNIT_FIELD,
    HONEYPOT_FIELD,
    CONTACT_FIELD,
    CONSENT_FIELD,
];

/// The problems with the submitted fields themselves, one per field, in the order sent.
pub fn problems(questionnaire: &Questionnaire, fields: &[(String, String)]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in fields {
        if errors.iter().any(|e| &e.item == name) {
            continue;
        }
        let textarea = matches!(
            questionnaire.item(name).map(|item| &item.kind),
            Some(ItemKind::Text { .. })
        );
        let problem = if name.starts_with('_') && !INTERNAL_FIELDS.contains(&name.as_str()) {
            Some(FieldProblem::UnknownField)
        } else if name.chars().any(|c| refused(c, false))
            || value.chars().any(|c| refused(c, textarea))
        {
            Some(FieldProblem::ControlCharacter)
        } else {
            None
        };
        if let Some(problem) = problem {
            errors.push(FieldError {
                item: name.clone(),
                problem,
            });
        }
    }
    errors
}

/// The problems of `first`, then those of `then` with fields `first` does not name: one
/// message per field is enough.
pub fn merge(mut first: Vec<FieldError>, then: Vec<FieldError>) -> Vec<FieldError> {
    for e in then {
        if !first.iter().any(|known| known.item == e.item) {
            first.push(e);
        }
    }
    first
}

/// A C0 control character or DEL; a textarea may hold tabs and line breaks.
fn refused(c: char, textarea: bool) -> bool {
    let allowed = textarea && matches!(c, '\t' | '\r' | '\n');
    c.is_ascii_control() && !allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn named(errors: &[FieldError]) -> Vec<(&str, &FieldProblem)> {
        errors
            .iter()
            .map(|e| (e.item.as_str(), &e.problem))
            .collect()
    }

    fn questionnaire() -> Questionnaire {
        Questionnaire::parse(minyi_questionnaire::DEFAULT_TOML).unwrap()
    }

    #[test]
    fn the_form_machinery_fields_pass_and_other_underscored_fields_are_named() {
        let q = questionnaire();
        let sent = fields(&[
            ("_t", "x"),
            ("_unit", "market"),
            ("_homepage", ""),
            ("_contact", "138"),
            ("_contact_consent", "yes"),
            ("_admin", "1"),
            ("_admin", "2"),
        ]);
        assert_eq!(
            named(&problems(&q, &sent)),
            [("_admin", &FieldProblem::UnknownField)]
        );
    }

    #[test]
    fn control_characters_are_refused_but_a_textarea_keeps_its_line_breaks() {
        let q = questionnaire();
        let sent = fields(&[
            ("suggestion", "第一行\r\n第二行\t完"),
            ("overall_sat", "4\n"),
            ("_contact", "a\u{0}b"),
            ("strict_duty", "\u{1b}[31m"),
            ("fair_equal", "4\u{7f}"),
        ]);
        let problem = &FieldProblem::ControlCharacter;
        assert_eq!(
            named(&problems(&q, &sent)),
            [
                ("overall_sat", problem),
                ("_contact", problem),
                ("strict_duty", problem),
                ("fair_equal", problem)
            ]
        );
        let nul_in_text = fields(&[("suggestion", "a\u{0}b")]);
        assert_eq!(
            named(&problems(&q, &nul_in_text)),
            [("suggestion", problem)]
        );
    }

    #[test]
    fn a_field_already_named_is_not_named_twice() {
        let first = vec![FieldError {
            item: "suggestion".into(),
            problem: FieldProblem::ControlCharacter,
        }];
        let then = vec![
            FieldError {
                item: "suggestion".into(),
                problem: FieldProblem::TooLong { max: 500 },
            },
            FieldError {
                item: "overall_sat".into(),
                problem: FieldProblem::Required,
            },
        ];
        assert_eq!(
            named(&merge(first, then)),
            [
                ("suggestion", &FieldProblem::ControlCharacter),
                ("overall_sat", &FieldProblem::Required)
            ]
        );
    }
}
