//! Optional contact details (PIPL): only with explicit consent — an unticked box the respondent
//! ticks — and stored apart from the response, with no link to it.

use maud::{html, Markup};
use minyi_questionnaire::{FieldError, FieldProblem, Lang};

pub const CONTACT_FIELD: &str = "_contact";
pub const CONSENT_FIELD: &str = "_contact_consent";
pub const MAX_CHARS: usize = 100;

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// The contact to keep: `Ok(None)` when none was left; an error naming the field when one was
/// typed without the consent box ticked, or is too long.
pub fn parse(fields: &[(String, String)]) -> Result<Option<String>, FieldError> {
    let contact = value(fields, CONTACT_FIELD);
    if contact.is_empty() {
        return Ok(None);
    }
    if value(fields, CONSENT_FIELD) != "yes" {
        return Err(FieldError {
            item: CONSENT_FIELD.into(),
            problem: FieldProblem::Required,
        });
    }
    if contact.chars().count() > MAX_CHARS {
        return Err(FieldError {
            item: CONTACT_FIELD.into(),
            problem: FieldProblem::TooLong { max: MAX_CHARS },
        });
    }
    Ok(Some(contact.to_string()))
}

/// How an error on these fields is named in the error summary.
pub fn label(item: &str, lang: Lang) -> Option<&'static str> {
    match (item, lang) {
        (CONTACT_FIELD | CONSENT_FIELD, Lang::Zh) => Some("联系方式（同意回访）"),
        (CONTACT_FIELD | CONSENT_FIELD, Lang::En) => Some("contact details (consent)"),
        _ => None,
    }
}

pub fn markup(lang: Lang, submitted: &[(String, String)]) -> Markup {
    let (legend, consent, contact, note) = match lang {
        Lang::Zh => (
            "回访（可选）",
            "我同意留下联系方式，以便评估机构就我的意见回访。",
            "电话或邮箱",
            "联系方式加密保存，与问卷答案分开、互不关联，不会出现在任何导出数据中，调查结束后按期删除。",
        ),
        Lang::En => (
            "Follow-up (optional)",
            "I agree to leave contact details so the evaluator may follow up on my answers.",
            "Phone or e-mail",
            "Contact details are stored encrypted, apart from the answers and never linked to them or exported, and deleted a set period after the survey ends.",
        ),
    };
    let ticked = value(submitted, CONSENT_FIELD) == "yes";
    html! {
        fieldset id=(format!("q-{CONSENT_FIELD}")) {
            legend { (legend) }
            label class="c" { input type="checkbox" name=(CONSENT_FIELD) value="yes" checked[ticked]; (consent) }
            label for=(CONTACT_FIELD) { (contact) }
            input type="text" id=(CONTACT_FIELD) name=(CONTACT_FIELD) maxlength=(MAX_CHARS)
                autocomplete="off" value=(value(submitted, CONTACT_FIELD));
            p class="n" { (note) }
        }
    }
}
