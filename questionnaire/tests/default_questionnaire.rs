//! The shipped default questionnaire (`questionnaires/default.toml`): it is valid and covers the
//! indicator system it is meant to measure.

use std::collections::{BTreeMap, BTreeSet};

use minyi_questionnaire::{
    likert_labels, not_applicable_label, yes_no_labels, Condition, Item, ItemKind, Lang,
    LikertScale, Questionnaire, Role, DEFAULT_TOML,
};

fn default() -> Questionnaire {
    match Questionnaire::parse(DEFAULT_TOML) {
        Ok(q) => q,
        Err(e) => panic!("the shipped questionnaire must be valid: {e}"),
    }
}

/// Ids of the indicators that have no children.
fn leaves(q: &Questionnaire) -> BTreeSet<&str> {
    let parents: BTreeSet<&str> = q
        .indicators
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    q.indicators
        .iter()
        .map(|i| i.id.as_str())
        .filter(|id| !parents.contains(id))
        .collect()
}

fn rated(q: &Questionnaire) -> impl Iterator<Item = &Item> {
    q.items().map(|(_, i)| i).filter(|i| i.is_rated())
}

/// Indicator id → ids of the items that measure it, in questionnaire order.
fn items_by_indicator(q: &Questionnaire) -> BTreeMap<&str, Vec<&str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, item) in q.items() {
        if let Some(ind) = &item.indicator {
            map.entry(ind.as_str()).or_default().push(item.id.as_str());
        }
    }
    map
}

#[test]
fn the_default_parses_and_is_the_built_in_one() {
    let q = default();
    assert_eq!(q.id, "enforcement-satisfaction");
    assert!(!q.version.trim().is_empty());
    assert_eq!(Questionnaire::default_questionnaire(), q);
}

#[test]
fn the_default_has_the_expected_sections_in_order() {
    let q = default();
    let sections: Vec<&str> = q.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        sections,
        [
            "profile",
            "conduct",
            "problems",
            "systems",
            "discretion",
            "business",
            "overall"
        ]
    );
}

#[test]
fn every_rated_item_names_a_leaf_indicator() {
    let q = default();
    let leaves = leaves(&q);
    let mut count = 0;
    for item in rated(&q) {
        count += 1;
        let ind = item
            .indicator
            .as_deref()
            .unwrap_or_else(|| panic!("rated item {:?} has no indicator", item.id));
        assert!(
            leaves.contains(ind),
            "item {:?} names {ind:?}, which is not a leaf indicator",
            item.id
        );
    }
    assert_eq!(count, 29, "likert5 + yes_no + scale10 items in the default");
}

#[test]
fn rated_items_are_exactly_the_likert_yes_no_and_scale10_items() {
    let q = default();
    for (_, item) in q.items() {
        let expected = matches!(
            item.kind,
            ItemKind::Likert5 { .. } | ItemKind::YesNo { .. } | ItemKind::Scale10 { .. }
        );
        assert_eq!(item.is_rated(), expected, "item {:?}", item.id);
    }
}

#[test]
fn the_default_covers_every_dimension_of_the_indicator_system() {
    let q = default();
    let covered: BTreeSet<&str> = rated(&q).filter_map(|i| i.indicator.as_deref()).collect();
    let expected: BTreeSet<&str> = [
        "conduct_strict",
        "conduct_standard",
        "conduct_fair",
        "conduct_civil",
        "problems",
        "systems_disclosure",
        "systems_recording",
        "systems_review",
        "discretion",
        "business",
        "trust",
        "overall",
    ]
    .into();
    assert_eq!(covered, expected);
    // …and no leaf of the tree is left without an item.
    assert_eq!(leaves(&q), expected);
}

#[test]
fn the_indicator_tree_groups_conduct_and_systems() {
    let q = default();
    let parent_of = |id: &str| {
        q.indicators
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("no indicator {id:?}"))
            .parent
            .as_deref()
    };
    for (child, parent) in [
        ("conduct_strict", Some("conduct")),
        ("conduct_standard", Some("conduct")),
        ("conduct_fair", Some("conduct")),
        ("conduct_civil", Some("conduct")),
        ("systems_disclosure", Some("systems")),
        ("systems_recording", Some("systems")),
        ("systems_review", Some("systems")),
        ("conduct", None),
        ("systems", None),
        ("problems", None),
        ("discretion", None),
        ("business", None),
        ("trust", None),
        ("overall", None),
    ] {
        assert_eq!(parent_of(child), parent, "parent of {child:?}");
    }
    assert_eq!(q.indicators.len(), 14);
}

#[test]
fn the_seven_prominent_problems_are_yes_no_items() {
    let q = default();
    let by_indicator = items_by_indicator(&q);
    assert_eq!(
        by_indicator["problems"],
        [
            "prob_campaign",
            "prob_one_size",
            "prob_crude",
            "prob_brutal",
            "prob_excessive",
            "prob_mechanical",
            "prob_profit"
        ]
    );
    for id in &by_indicator["problems"] {
        let item = q.item(id).unwrap();
        assert_eq!(
            item.kind,
            ItemKind::YesNo { allow_na: true },
            "{id:?} is a yes/no item with 记不清"
        );
        assert!(item.is_required(), "{id:?}");
    }
}

#[test]
fn items_per_indicator() {
    let q = default();
    let counts: Vec<(&str, usize)> = items_by_indicator(&q)
        .into_iter()
        .map(|(ind, items)| (ind, items.len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("business", 4),
            ("conduct_civil", 2),
            ("conduct_fair", 2),
            ("conduct_standard", 2),
            ("conduct_strict", 2),
            ("discretion", 2),
            ("overall", 2),
            ("problems", 7),
            ("systems_disclosure", 2),
            ("systems_recording", 1),
            ("systems_review", 1),
            ("trust", 2),
        ]
    );
}

#[test]
fn the_business_section_is_shown_to_business_operators_only() {
    let q = default();
    let business = q.sections.iter().find(|s| s.id == "business").unwrap();
    assert_eq!(
        business.show_if,
        Some(Condition {
            item: "respondent_type".into(),
            any_of: vec!["business".into()],
        })
    );
    let conditional: Vec<&str> = q
        .sections
        .iter()
        .filter(|s| s.show_if.is_some())
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(conditional, ["business"]);
    assert!(q.items().all(|(_, i)| i.show_if.is_none()));
}

#[test]
fn exactly_one_item_carries_the_respondent_type_role() {
    let q = default();
    let with_role: Vec<&str> = q
        .items()
        .filter(|(_, i)| i.role == Some(Role::RespondentType))
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(with_role, ["respondent_type"]);
    let item = q.item_with_role(Role::RespondentType).unwrap();
    assert_eq!(item.id, "respondent_type");
    let codes: Vec<&str> = item.options().iter().map(|o| o.code.as_str()).collect();
    assert_eq!(codes, ["resident", "visitor", "business", "party", "other"]);
    assert!(matches!(item.kind, ItemKind::Single { .. }));
}

#[test]
fn only_the_suggestion_is_optional() {
    let q = default();
    let optional: Vec<&str> = q
        .items()
        .filter(|(_, i)| !i.is_required())
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(optional, ["suggestion"]);
    assert_eq!(
        q.item("suggestion").unwrap().kind,
        ItemKind::Text { max_chars: 300 }
    );
}

#[test]
fn item_kinds_of_the_default() {
    let q = default();
    let kind = |id: &str| {
        q.item(id)
            .unwrap_or_else(|| panic!("no item {id:?}"))
            .kind
            .clone()
    };
    assert_eq!(
        kind("strict_duty"),
        ItemKind::Likert5 {
            scale: LikertScale::Satisfaction,
            allow_na: true
        }
    );
    assert_eq!(
        kind("sys_lawful"),
        ItemKind::Likert5 {
            scale: LikertScale::Agreement,
            allow_na: true
        }
    );
    assert!(matches!(kind("overall_score"), ItemKind::Scale10 { .. }));
    assert!(matches!(
        kind("contact_kind"),
        ItemKind::Multi {
            max_choices: None,
            ..
        }
    ));
    assert_eq!(q.items().count(), 35);
    assert!(q.item("no_such_item").is_none());
}

#[test]
fn every_label_of_the_default_is_in_both_languages() {
    let q = default();
    let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for (section, item) in q.items() {
        for (what, text) in [("section", &section.title), ("item", &item.text)] {
            assert!(
                has_cjk(&text.zh),
                "{what} of {:?}: zh {:?}",
                item.id,
                text.zh
            );
            assert!(
                !text.en.trim().is_empty() && !has_cjk(&text.en),
                "{:?}",
                item.id
            );
            assert_eq!(text.get(Lang::Zh), text.zh);
            assert_eq!(text.get(Lang::En), text.en);
        }
        for option in item.options() {
            assert!(has_cjk(&option.label.zh), "{:?} {:?}", item.id, option.code);
            assert!(!option.label.en.trim().is_empty(), "{:?}", option.code);
        }
    }
}

#[test]
fn fixed_answer_labels() {
    let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for scale in [LikertScale::Satisfaction, LikertScale::Agreement] {
        assert!(likert_labels(scale, Lang::Zh).iter().all(|l| has_cjk(l)));
        assert!(likert_labels(scale, Lang::En).iter().all(|l| !has_cjk(l)));
    }
    assert_eq!(
        likert_labels(LikertScale::Satisfaction, Lang::Zh)[4],
        "非常满意"
    );
    assert_eq!(
        likert_labels(LikertScale::Agreement, Lang::En)[0],
        "Strongly disagree"
    );
    assert_eq!(not_applicable_label(Lang::Zh), "不了解/不适用");
    assert_eq!(yes_no_labels(Lang::En), ["Yes", "No", "Can't remember"]);
}

#[test]
fn lang_from_param() {
    for (param, lang) in [
        (None, Lang::Zh),
        (Some("en"), Lang::En),
        (Some("EN"), Lang::En),
        (Some("zh"), Lang::Zh),
        (Some("fr"), Lang::Zh),
        (Some(""), Lang::Zh),
    ] {
        assert_eq!(Lang::from_param(param), lang, "{param:?}");
    }
    assert_eq!(Lang::Zh.code(), "zh-CN");
    assert_eq!(Lang::En.code(), "en");
    assert_eq!(Lang::default(), Lang::Zh);
}
