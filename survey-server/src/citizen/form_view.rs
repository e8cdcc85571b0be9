//! The citizen's form: the questionnaire rendered as plain HTML that works without JavaScript.
//!
//! Conditional sections use CSS `:has()` where the browser supports it; where it does not,
//! they stay visible and their title says who answers them, and the server ignores answers to
//! sections whose condition does not hold.

use std::collections::HashMap;
use std::fmt::Write;

use maud::{html, Markup};
use minyi_questionnaire::{
    likert_labels, not_applicable_label, yes_no_labels, Condition, FieldError, Item, ItemKind,
    Lang, Questionnaire,
};

use super::pages::layout;
use crate::db::campaigns::{Campaign, Unit};

/// The name of the unit picker's field, shown when the link names no unit.
pub const UNIT_FIELD: &str = "_unit";
/// The name of the form token's field.
pub const TOKEN_FIELD: &str = "_t";

pub struct FormView<'a> {
    pub questionnaire: &'a Questionnaire,
    pub lang: Lang,
    pub campaign: &'a Campaign,
    /// The unit the link names, or `None` to show a picker of `units`.
    pub unit: Option<&'a Unit>,
    pub units: &'a [Unit],
    pub action: String,
    pub token: String,
    /// What the citizen sent, kept when the form is shown again.
    pub submitted: &'a [(String, String)],
    pub errors: &'a [FieldError],
    /// A configured privacy notice replacing the default (empty: the default).
    pub privacy: &'a str,
}

impl FormView<'_> {
    fn values(&self, item: &str) -> Vec<&str> {
        self.submitted
            .iter()
            .filter(|(k, _)| k == item)
            .flat_map(|(_, v)| v.split(';'))
            .collect()
    }

    fn error(&self, item: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.item == item)
            .map(|e| e.problem.message(self.lang))
    }
}

pub fn render(view: &FormView<'_>) -> Markup {
    let lang = view.lang;
    let q = view.questionnaire;
    let (conditions, css) = condition_classes(q);
    let numbers: HashMap<&str, usize> = q
        .items()
        .enumerate()
        .map(|(n, (_, i))| (i.id.as_str(), n + 1))
        .collect();
    let t = Texts::for_lang(lang);
    let title = q.title.get(lang);
    layout(
        lang,
        title,
        &css,
        html! {
            h1 { (title) }
            p class="u" { (t.campaign) (campaign_label(view.campaign, lang)) }
            @if let Some(unit) = view.unit { p class="u" { (t.unit) (unit_name(unit, lang)) } }
            @if let Some(intro) = &q.intro { p { (intro.get(lang)) } }
            p class="n" { @if view.privacy.is_empty() { (t.privacy) } @else { (view.privacy) } }
            @if !view.errors.is_empty() { (error_summary(view, &numbers, &t)) }
            form method="post" action=(view.action) {
                input type="hidden" name=(TOKEN_FIELD) value=(view.token);
                // A honeypot: off-screen and out of the tab order, so only robots fill it in.
                div class="hp" aria-hidden="true" {
                    label { "Homepage" input type="text" name=(crate::anti_stuffing::flags::HONEYPOT_FIELD) tabindex="-1" autocomplete="off"; }
                }
                @if view.unit.is_none() { (unit_picker(view, &t)) }
                @for section in &q.sections {
                    section class=[section.show_if.as_ref().map(|c| conditions[&key(c)].as_str())] {
                        h2 { (section.title.get(lang)) }
                        @if let Some(note) = &section.note { p class="n" { (note.get(lang)) } }
                        @for item in &section.items {
                            (item_markup(view, item, numbers[item.id.as_str()], &conditions, &t))
                        }
                    }
                }
                (super::contact::markup(lang, view.submitted))
                button type="submit" { (t.submit) }
            }
        },
    )
}

/// The summary groups fields by problem — "此题为必答题：第 3 题 第 4 题 …" — so that even a
/// form sent empty keeps the page small; each field is a link to it.
fn error_summary(view: &FormView<'_>, numbers: &HashMap<&str, usize>, t: &Texts) -> Markup {
    let mut groups: Vec<(String, Vec<&FieldError>)> = Vec::new();
    for e in view.errors.iter().filter(|e| e.item != TOKEN_FIELD) {
        let message = e.problem.message(view.lang);
        match groups.iter_mut().find(|(m, _)| *m == message) {
            Some((_, group)) => group.push(e),
            None => groups.push((message, vec![e])),
        }
    }
    let label = |e: &FieldError| match numbers.get(e.item.as_str()) {
        Some(n) => t.numbered(*n),
        None if e.item == UNIT_FIELD => t.unit_question.to_string(),
        None if super::contact::label(&e.item, view.lang).is_some() => {
            super::contact::label(&e.item, view.lang)
                .unwrap_or_default()
                .to_string()
        }
        None => e.item.clone(),
    };
    html! {
        div class="sum" role="alert" id="errors" tabindex="-1" {
            h2 { (t.fix(view.errors.len())) }
            ul {
                @if view.errors.iter().any(|e| e.item == TOKEN_FIELD) { li { (t.expired) } }
                @for (message, group) in &groups {
                    li {
                        (message) (t.colon)
                        @for e in group { " " a href=(format!("#q-{}", e.item)) { (label(e)) } }
                    }
                }
            }
        }
    }
}

fn unit_picker(view: &FormView<'_>, t: &Texts) -> Markup {
    let chosen = view.values(UNIT_FIELD);
    let error = view.error(UNIT_FIELD);
    html! {
        div id=(format!("q-{UNIT_FIELD}")) class=[error.as_ref().map(|_| "bad")] {
            label for="unit-select" class="u" { (t.unit_question) }
            @if let Some(e) = &error { p class="err" id="e-unit" { (e) } }
            select id="unit-select" name=(UNIT_FIELD) {
                option value="" { (t.choose) }
                @for unit in view.units {
                    option value=(unit.code) selected[chosen.contains(&unit.code.as_str())] {
                        (unit_name(unit, view.lang))
                    }
                }
            }
        }
    }
}

fn item_markup(
    view: &FormView<'_>,
    item: &Item,
    number: usize,
    conditions: &HashMap<String, String>,
    t: &Texts,
) -> Markup {
    let lang = view.lang;
    let id = &item.id;
    let values = view.values(id);
    let error = view.error(id);
    let class = [
        error.as_ref().map(|_| "bad"),
        item.show_if.as_ref().map(|c| conditions[&key(c)].as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let class = (!class.is_empty()).then_some(class);
    let legend = format!("{number}. {}", item.text.get(lang));
    let err = html! { @if let Some(e) = &error { p class="err" id=(format!("e-{id}")) { (e) } } };
    let described = error.as_ref().map(|_| format!("e-{id}"));
    if let ItemKind::Text { max_chars } = item.kind {
        return html! {
            div class=[class] {
                label for=(format!("q-{id}")) class="u" { (legend) }
                (err)
                textarea id=(format!("q-{id}")) name=(id) maxlength=(max_chars)
                    aria-describedby=[described] { (values.first().copied().unwrap_or_default()) }
            }
        };
    }
    let (grid, choices) = choices(item, lang);
    let targeted = conditions
        .keys()
        .any(|k| k.split('=').next() == Some(id.as_str()));
    let kind = if matches!(item.kind, ItemKind::Multi { .. }) {
        "checkbox"
    } else {
        "radio"
    };
    let ends = match &item.kind {
        ItemKind::Scale10 { low, high } => Some((low, high)),
        _ => None,
    };
    html! {
        fieldset id=(format!("q-{id}")) class=[class] aria-describedby=[described] {
            legend { (legend) }
            @if let Some((low, high)) = ends {
                p class="n" { "0 = " (low.get(lang)) (t.comma) "10 = " (high.get(lang)) }
            }
            (err)
            div class=(format!("o{grid}")) {
                @for (value, label, wide) in &choices {
                    label class=(if *wide { "c w" } else { "c" }) {
                        // Only a condition's target needs ids, for the `:has()` rule: bytes count.
                        input type=(kind) name=(id) id=[targeted.then(|| format!("{id}-{value}"))]
                            value=(value) checked[values.contains(&value.as_str())];
                        (label)
                    }
                }
            }
        }
    }
}

/// (value, label, spans the whole row) for each option of a choice-like item, and its grid.
fn choices(item: &Item, lang: Lang) -> (&'static str, Vec<(String, String, bool)>) {
    let na = |allow: bool| {
        allow.then(|| {
            (
                "na".to_string(),
                not_applicable_label(lang).to_string(),
                true,
            )
        })
    };
    match &item.kind {
        ItemKind::Likert5 { scale, allow_na } => {
            let mut all: Vec<_> = likert_labels(*scale, lang)
                .iter()
                .enumerate()
                .map(|(i, label)| ((i + 1).to_string(), label.to_string(), false))
                .collect();
            all.extend(na(*allow_na));
            (" l5", all)
        }
        ItemKind::YesNo { allow_na } => {
            let [yes, no, unsure] = yes_no_labels(lang);
            let mut all = vec![
                ("yes".into(), yes.into(), false),
                ("no".into(), no.into(), false),
            ];
            if *allow_na {
                all.push(("na".into(), unsure.into(), false));
            }
            (" yn", all)
        }
        ItemKind::Scale10 { .. } => (
            " s11",
            (0..=10)
                .map(|v| (v.to_string(), v.to_string(), false))
                .collect(),
        ),
        ItemKind::Single { options } | ItemKind::Multi { options, .. } => (
            "",
            options
                .iter()
                .map(|o| (o.code.clone(), o.label.get(lang).to_string(), false))
                .collect(),
        ),
        ItemKind::Text { .. } => ("", Vec::new()),
    }
}

fn key(c: &Condition) -> String {
    format!("{}={}", c.item, c.any_of.join(","))
}

/// A CSS class per distinct condition, and the `:has()` rules that show each one.
fn condition_classes(q: &Questionnaire) -> (HashMap<String, String>, String) {
    let all = q
        .sections
        .iter()
        .filter_map(|s| s.show_if.as_ref())
        .chain(q.items().filter_map(|(_, i)| i.show_if.as_ref()));
    let mut classes = HashMap::new();
    let mut css = String::new();
    for cond in all {
        let next = format!("k{}", classes.len());
        let class = classes.entry(key(cond)).or_insert(next).clone();
        let shown: Vec<String> = cond
            .any_of
            .iter()
            .map(|code| format!("form:has(#{}-{code}:checked) .{class}", cond.item))
            .collect();
        let _ = write!(
            css,
            ".{class}{{display:none}}{}{{display:block}}",
            shown.join(",")
        );
    }
    if !css.is_empty() {
        css = format!("@supports selector(:has(a)){{{css}}}");
    }
    (classes, css)
}

pub fn campaign_label(c: &Campaign, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &c.label_zh,
        Lang::En => &c.label_en,
    }
}

pub fn unit_name(u: &Unit, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &u.name_zh,
        Lang::En => &u.name_en,
    }
}

struct Texts {
    campaign: &'static str,
    unit: &'static str,
    unit_question: &'static str,
    choose: &'static str,
    privacy: &'static str,
    submit: &'static str,
    expired: &'static str,
    colon: &'static str,
    comma: &'static str,
    lang: Lang,
}

impl Texts {
    fn for_lang(lang: Lang) -> Texts {
        match lang {
            Lang::Zh => Texts {
                campaign: "调查：",
                unit: "评价单位：",
                unit_question: "您这次接触的执法单位",
                choose: "请选择",
                privacy: "隐私说明：本调查匿名进行，除您自愿留下的回访联系方式外不收集姓名、电话等个人信息，也不保存您的 IP 地址；回答仅用于行政执法满意度评估，由第三方机构统计分析。",
                submit: "提交",
                expired: "页面已过期或无法识别，您的回答已保留，请核对后再次提交。",
                colon: "：",
                comma: "，",
                lang,
            },
            Lang::En => Texts {
                campaign: "Survey: ",
                unit: "Unit rated: ",
                unit_question: "The enforcement unit you dealt with",
                choose: "Choose one",
                privacy: "Privacy: this survey is anonymous. We collect no name or phone number unless you choose to leave contact details, and do not keep your IP address; answers are used only to evaluate enforcement, analysed by an independent evaluator.",
                submit: "Submit",
                expired: "This page had expired or could not be read. Your answers are kept: please check them and submit again.",
                colon: ":",
                comma: ", ",
                lang,
            },
        }
    }

    fn numbered(&self, n: usize) -> String {
        match self.lang {
            Lang::Zh => format!("第 {n} 题"),
            Lang::En => format!("Question {n}"),
        }
    }

    fn fix(&self, n: usize) -> String {
        match self.lang {
            Lang::Zh => format!("请修改以下 {n} 处后再提交"),
            Lang::En => format!("Please correct {n} answer(s) before submitting"),
        }
    }
}
