//! The checks behind `survey-server questionnaire check`: every problem, with its place.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::{Condition, Item, ItemKind, Localized, Questionnaire};

/// One problem in a questionnaire file, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    /// e.g. `section "business", item "biz_burden"`.
    pub location: String,
    pub problem: String,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

impl std::error::Error for CheckError {}

const MAX_TEXT_CHARS: usize = 2000;

struct Checker {
    errors: Vec<CheckError>,
}

impl Checker {
    fn fail(&mut self, location: &str, problem: impl Into<String>) {
        self.errors.push(CheckError {
            location: location.to_string(),
            problem: problem.into(),
        });
    }

    fn label(&mut self, location: &str, what: &str, text: &Localized) {
        if text.zh.trim().is_empty() {
            self.fail(location, format!("{what} has an empty Chinese (zh) text"));
        }
        if text.en.trim().is_empty() {
            self.fail(location, format!("{what} has an empty English (en) text"));
        }
    }

    fn id(&mut self, location: &str, id: &str) {
        let valid = !id.is_empty()
            && id.len() <= 64
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            self.fail(
                location,
                format!("id {id:?} must start with a-z and use only a-z, 0-9 and _ (at most 64)"),
            );
        }
    }
}

pub(crate) fn check(q: &Questionnaire) -> Vec<CheckError> {
    let mut c = Checker { errors: Vec::new() };
    if q.id.trim().is_empty() {
        c.fail("questionnaire", "id is empty");
    }
    if q.version.trim().is_empty() {
        c.fail("questionnaire", "version is empty");
    }
    c.label("questionnaire", "title", &q.title);
    if let Some(intro) = &q.intro {
        c.label("questionnaire", "intro", intro);
    }
    let leaves = check_indicators(&mut c, q);
    if q.sections.is_empty() {
        c.fail("questionnaire", "has no sections");
    }
    let mut section_ids = HashSet::new();
    // Items seen so far: a condition may only look back, at a choice item.
    let mut earlier: HashMap<&str, &Item> = HashMap::new();
    let mut roles = HashSet::new();
    for section in &q.sections {
        let at = format!("section {:?}", section.id);
        c.id(&at, &section.id);
        if !section_ids.insert(section.id.as_str()) {
            c.fail(&at, "duplicate section id");
        }
        c.label(&at, "title", &section.title);
        if let Some(note) = &section.note {
            c.label(&at, "note", note);
        }
        if let Some(cond) = &section.show_if {
            check_condition(&mut c, &at, cond, &earlier);
        }
        if section.items.is_empty() {
            c.fail(&at, "has no items");
        }
        for item in &section.items {
            let at = format!("section {:?}, item {:?}", section.id, item.id);
            check_item(&mut c, &at, item, &leaves);
            if let Some(cond) = &item.show_if {
                check_condition(&mut c, &at, cond, &earlier);
            }
            if let Some(role) = item.role {
                if !roles.insert(role) {
                    c.fail(
                        &at,
                        format!("role {:?} is already carried by another item", role.name()),
                    );
                }
                if !matches!(item.kind, ItemKind::Single { .. }) {
                    c.fail(&at, "an item with a role must be a single choice");
                }
            }
            // A repeated id is reported; conditions keep looking at the first item so named.
            match earlier.entry(item.id.as_str()) {
                Entry::Occupied(_) => c.fail(&at, "duplicate item id"),
                Entry::Vacant(slot) => {
                    slot.insert(item);
                }
            }
        }
    }
    c.errors
}

/// Checks the tree and returns the ids of its leaves (indicators items may point at).
fn check_indicators<'q>(c: &mut Checker, q: &'q Questionnaire) -> HashSet<&'q str> {
    let mut ids = HashSet::new();
    for ind in &q.indicators {
        let at = format!("indicator {:?}", ind.id);
        c.id(&at, &ind.id);
        if !ids.insert(ind.id.as_str()) {
            c.fail(&at, "duplicate indicator id");
        }
        c.label(&at, "name", &ind.name);
    }
    let parents: HashMap<&str, Option<&str>> = q
        .indicators
        .iter()
        .map(|i| (i.id.as_str(), i.parent.as_deref()))
        .collect();
    for ind in &q.indicators {
        let at = format!("indicator {:?}", ind.id);
        let Some(parent) = ind.parent.as_deref() else {
            continue;
        };
        if !ids.contains(parent) {
            c.fail(&at, format!("unknown parent indicator {parent:?}"));
            continue;
        }
        // Follow the parents up. Coming back to this indicator means it is on a cycle; meeting
        // another indicator twice means it only leads into a cycle, reported on that one's own.
        let mut seen = HashSet::new();
        let mut cursor = Some(parent);
        while let Some(id) = cursor {
            if id == ind.id {
                c.fail(&at, "the indicator tree has a cycle through this indicator");
                break;
            }
            if !seen.insert(id) {
                break;
            }
            cursor = parents.get(id).copied().flatten();
        }
    }
    let with_children: HashSet<&str> = q
        .indicators
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    ids.difference(&with_children).copied().collect()
}

fn check_item(c: &mut Checker, at: &str, item: &Item, leaves: &HashSet<&str>) {
    c.id(at, &item.id);
    c.label(at, "text", &item.text);
    match (&item.indicator, item.is_rated()) {
        (None, true) => c.fail(at, "a rated item must name its indicator"),
        (Some(ind), _) if !leaves.contains(ind.as_str()) => c.fail(
            at,
            format!("unknown indicator {ind:?} (items attach to indicators without children)"),
        ),
        _ => {}
    }
    match &item.kind {
        ItemKind::Single { options } | ItemKind::Multi { options, .. } => {
            if options.len() < 2 {
                c.fail(at, "a choice item needs at least two options");
            }
            let mut codes = HashSet::new();
            for opt in options {
                let opt_at = format!("{at}, option {:?}", opt.code);
                let valid = !opt.code.is_empty()
                    && opt.code.len() <= 32
                    && opt
                        .code
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
                if !valid || opt.code.eq_ignore_ascii_case("na") {
                    c.fail(
                        &opt_at,
                        "option code must be 1–32 of a-z, A-Z, 0-9, _ and not \"na\"",
                    );
                }
                if !codes.insert(opt.code.as_str()) {
                    c.fail(&opt_at, "duplicate option code");
                }
                c.label(&opt_at, "label", &opt.label);
            }
            if let ItemKind::Multi {
                max_choices: Some(max),
                ..
            } = item.kind
            {
                if max == 0 || max > options.len() {
                    c.fail(
                        at,
                        format!("max_choices {max} must be between 1 and the number of options"),
                    );
                }
            }
        }
        ItemKind::Scale10 { low, high } => {
            c.label(at, "low end label", low);
            c.label(at, "high end label", high);
        }
        ItemKind::Text { max_chars } => {
            if *max_chars == 0 || *max_chars > MAX_TEXT_CHARS {
                c.fail(
                    at,
                    format!("max_chars must be between 1 and {MAX_TEXT_CHARS}"),
                );
            }
        }
        ItemKind::Likert5 { .. } | ItemKind::YesNo { .. } => {}
    }
}

fn check_condition(c: &mut Checker, at: &str, cond: &Condition, earlier: &HashMap<&str, &Item>) {
    let Some(target) = earlier.get(cond.item.as_str()) else {
        c.fail(
            at,
            format!(
                "bad condition: {:?} is not an item that comes earlier",
                cond.item
            ),
        );
        return;
    };
    if !matches!(
        target.kind,
        ItemKind::Single { .. } | ItemKind::Multi { .. }
    ) {
        c.fail(
            at,
            format!("bad condition: {:?} is not a choice item", cond.item),
        );
        return;
    }
    if cond.any_of.is_empty() {
        c.fail(at, "bad condition: any_of is empty");
    }
    for code in &cond.any_of {
        if !target.options().iter().any(|o| &o.code == code) {
            c.fail(
                at,
                format!("bad condition: {:?} has no option {code:?}", cond.item),
            );
        }
    }
}
