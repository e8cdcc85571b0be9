//! `questionnaire check`: every problem in a questionnaire file is reported, with its place.
//!
//! Each test starts from `fixtures/minimal.toml` (a small questionnaire that passes every
//! check), breaks one thing, and states exactly which `(location, problem)` pairs
//! `Questionnaire::parse` must report — no more, no fewer, in file order.

use minyi_questionnaire::{LoadError, Questionnaire};

const MINIMAL: &str = include_str!("fixtures/minimal.toml");

const BAD_ID: &str = "must start with a-z and use only a-z, 0-9 and _ (at most 64)";
const BAD_CODE: &str = "option code must be 1–32 of a-z, A-Z, 0-9, _ and not \"na\"";
const UNKNOWN_INDICATOR: &str = "(items attach to indicators without children)";
const CYCLE: &str = "the indicator tree has a cycle through this indicator";

// ── helpers ──

/// `src` with `old`, which must occur exactly once, replaced by `new`.
fn edit(src: &str, old: &str, new: &str) -> String {
    assert_eq!(
        src.matches(old).count(),
        1,
        "the fixture must contain {old:?} exactly once"
    );
    src.replacen(old, new, 1)
}

/// `src` with `snippet` inserted at the marker comment `# @{marker}`.
fn insert(src: &str, marker: &str, snippet: &str) -> String {
    let marker = format!("# @{marker}");
    edit(src, &marker, &format!("{snippet}\n{marker}"))
}

/// Asserts that `src` is checked to exactly `expected` `(location, problem)` pairs, in order;
/// an empty `expected` means the file must be accepted.
fn check(src: &str, expected: &[(&str, &str)]) {
    match Questionnaire::parse(src) {
        Ok(_) => assert!(
            expected.is_empty(),
            "accepted, but expected {expected:#?}\n--- source ---\n{src}"
        ),
        Err(LoadError::Invalid(errors)) => {
            let got: Vec<(&str, &str)> = errors
                .iter()
                .map(|e| (e.location.as_str(), e.problem.as_str()))
                .collect();
            assert_eq!(got, expected, "\n--- source ---\n{src}");
        }
        Err(e @ LoadError::Syntax(_)) => {
            panic!("syntax error {e}, but expected {expected:#?}\n--- source ---\n{src}")
        }
    }
}

/// Asserts that `src` is refused before checking (`LoadError::Syntax`) with a message that
/// contains every one of `needles`.
fn check_syntax(src: &str, needles: &[&str]) {
    match Questionnaire::parse(src) {
        Err(LoadError::Syntax(e)) => {
            let message = e.to_string();
            for needle in needles {
                assert!(
                    message.contains(needle),
                    "message does not name {needle:?}:\n{message}"
                );
            }
        }
        Err(e @ LoadError::Invalid(_)) => panic!("expected a syntax error, got {e}"),
        Ok(_) => panic!("accepted, expected a syntax error naming {needles:?}\n{src}"),
    }
}

fn item(section: &str, item: &str) -> String {
    format!("section {section:?}, item {item:?}")
}

fn option(section: &str, item: &str, code: &str) -> String {
    format!("section {section:?}, item {item:?}, option {code:?}")
}

// ── the fixture itself ──

#[test]
fn the_minimal_fixture_is_valid() {
    check(MINIMAL, &[]);
    let q = Questionnaire::parse(MINIMAL).unwrap();
    assert_eq!(q.sections.len(), 2);
    assert_eq!(q.items().count(), 7);
}

#[test]
fn edit_refuses_an_ambiguous_anchor() {
    let result = std::panic::catch_unwind(|| edit(MINIMAL, "indicator = \"leaf\"", "x"));
    assert!(
        result.is_err(),
        "the helper must not guess which line to edit"
    );
}

// ── ids ──

#[test]
fn duplicate_item_id_in_the_same_section() {
    let src = insert(
        MINIMAL,
        "about-end",
        r#"
[[sections.items]]
id = "rate"
type = "likert5"
indicator = "leaf"
text = { zh = "再问一次", en = "Again" }"#,
    );
    check(&src, &[(&item("about", "rate"), "duplicate item id")]);
}

#[test]
fn duplicate_item_id_across_sections() {
    let src = insert(
        MINIMAL,
        "more-end",
        r#"
[[sections.items]]
id = "rate"
type = "scale10"
indicator = "leaf"
text = { zh = "再问一次", en = "Again" }
low = { zh = "低", en = "Low" }
high = { zh = "高", en = "High" }"#,
    );
    check(&src, &[(&item("more", "rate"), "duplicate item id")]);
}

#[test]
fn conditions_look_at_the_first_item_of_a_duplicate_id() {
    // A second "kind" that is not a choice item: section "more" still conditions on the first.
    let src = insert(
        MINIMAL,
        "about-end",
        r#"
[[sections.items]]
id = "kind"
type = "likert5"
indicator = "leaf"
text = { zh = "再问一次", en = "Again" }"#,
    );
    check(&src, &[(&item("about", "kind"), "duplicate item id")]);
    // A second "kind" whose options lack "b": the condition on "b" is still good.
    let src = insert(
        MINIMAL,
        "about-end",
        r#"
[[sections.items]]
id = "kind"
type = "single"
text = { zh = "再问一次", en = "Again" }
options = [
  { code = "c", label = { zh = "丙", en = "C" } },
  { code = "d", label = { zh = "丁", en = "D" } },
]"#,
    );
    check(&src, &[(&item("about", "kind"), "duplicate item id")]);
}

#[test]
fn duplicate_section_id() {
    let src = edit(MINIMAL, r#"id = "more""#, r#"id = "about""#);
    check(&src, &[(r#"section "about""#, "duplicate section id")]);
}

#[test]
fn duplicate_indicator_id() {
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "leaf"
parent = "top"
name = { zh = "又一个", en = "Another" }"#,
    );
    check(&src, &[(r#"indicator "leaf""#, "duplicate indicator id")]);
}

#[test]
fn item_ids_must_be_lower_case_ascii_identifiers() {
    let sixty_five = format!("a{}", "b".repeat(64));
    for bad in [
        "Rate",
        "rate-1",
        "rate 1",
        "1rate",
        "_rate",
        "满意",
        "",
        sixty_five.as_str(),
    ] {
        let src = edit(MINIMAL, r#"id = "rate""#, &format!("id = {bad:?}"));
        let problem = format!("id {bad:?} {BAD_ID}");
        check(&src, &[(&item("about", bad), &problem)]);
    }
    let sixty_four = format!("a{}", "b".repeat(63));
    for good in ["r", "rate_1", "r2d2", "a__", sixty_four.as_str()] {
        check(
            &edit(MINIMAL, r#"id = "rate""#, &format!("id = {good:?}")),
            &[],
        );
    }
}

#[test]
fn section_ids_must_be_lower_case_ascii_identifiers() {
    for bad in ["More", "more-info", "9more", ""] {
        let src = edit(MINIMAL, r#"id = "more""#, &format!("id = {bad:?}"));
        let at = format!("section {bad:?}");
        check(&src, &[(&at, &format!("id {bad:?} {BAD_ID}"))]);
    }
}

#[test]
fn indicator_ids_must_be_lower_case_ascii_identifiers() {
    for bad in ["Side", "side.effect", "2side"] {
        let src = insert(
            MINIMAL,
            "indicators-end",
            &format!("[[indicators]]\nid = {bad:?}\nname = {{ zh = \"旁\", en = \"Side\" }}"),
        );
        let at = format!("indicator {bad:?}");
        check(&src, &[(&at, &format!("id {bad:?} {BAD_ID}"))]);
    }
}

#[test]
fn questionnaire_id_and_version_must_not_be_empty() {
    let src = edit(MINIMAL, r#"id = "mini""#, r#"id = " ""#);
    check(&src, &[("questionnaire", "id is empty")]);
    let src = edit(MINIMAL, r#"version = "1""#, r#"version = """#);
    check(&src, &[("questionnaire", "version is empty")]);
}

// ── indicators ──

#[test]
fn item_naming_an_unknown_indicator() {
    let src = edit(
        MINIMAL,
        "id = \"rate\"\ntype = \"likert5\"\nindicator = \"leaf\"",
        "id = \"rate\"\ntype = \"likert5\"\nindicator = \"leef\"",
    );
    let problem = format!("unknown indicator \"leef\" {UNKNOWN_INDICATOR}");
    check(&src, &[(&item("about", "rate"), &problem)]);
}

#[test]
fn item_naming_an_indicator_that_has_children() {
    let src = edit(
        MINIMAL,
        "id = \"seen\"\ntype = \"yes_no\"\nindicator = \"leaf\"",
        "id = \"seen\"\ntype = \"yes_no\"\nindicator = \"top\"",
    );
    let problem = format!("unknown indicator \"top\" {UNKNOWN_INDICATOR}");
    check(&src, &[(&item("more", "seen"), &problem)]);
}

#[test]
fn a_non_rated_item_may_name_a_leaf_indicator_but_not_a_parent() {
    let with = |indicator: &str| {
        edit(
            MINIMAL,
            "id = \"kind\"\ntype = \"single\"",
            &format!("id = \"kind\"\ntype = \"single\"\nindicator = {indicator:?}"),
        )
    };
    check(&with("leaf"), &[]);
    let problem = format!("unknown indicator \"top\" {UNKNOWN_INDICATOR}");
    check(&with("top"), &[(&item("about", "kind"), &problem)]);
}

#[test]
fn every_rated_item_type_must_name_its_indicator() {
    // (section, item, the lines just before its `indicator = "leaf"`)
    for (section, id, before) in [
        ("about", "rate", "id = \"rate\"\ntype = \"likert5\"\n"),
        ("more", "seen", "id = \"seen\"\ntype = \"yes_no\"\n"),
        ("more", "score", "id = \"score\"\ntype = \"scale10\"\n"),
        ("more", "firm", "allow_na = false\n"),
    ] {
        let src = edit(MINIMAL, &format!("{before}indicator = \"leaf\"\n"), before);
        check(
            &src,
            &[(&item(section, id), "a rated item must name its indicator")],
        );
    }
}

#[test]
fn unknown_parent_indicator() {
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "orphan"
parent = "nowhere"
name = { zh = "孤儿", en = "Orphan" }"#,
    );
    check(
        &src,
        &[(
            r#"indicator "orphan""#,
            r#"unknown parent indicator "nowhere""#,
        )],
    );
}

#[test]
fn indicator_cycle_is_reported_on_each_indicator_in_it() {
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "hen"
parent = "egg"
name = { zh = "鸡", en = "Hen" }

[[indicators]]
id = "egg"
parent = "hen"
name = { zh = "蛋", en = "Egg" }"#,
    );
    check(
        &src,
        &[(r#"indicator "hen""#, CYCLE), (r#"indicator "egg""#, CYCLE)],
    );
}

#[test]
fn an_indicator_leading_into_a_cycle_is_not_reported() {
    // lead → hen → egg → hen: only hen and egg are on the cycle.
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "lead"
parent = "hen"
name = { zh = "引", en = "Lead" }

[[indicators]]
id = "hen"
parent = "egg"
name = { zh = "鸡", en = "Hen" }

[[indicators]]
id = "egg"
parent = "hen"
name = { zh = "蛋", en = "Egg" }"#,
    );
    check(
        &src,
        &[(r#"indicator "hen""#, CYCLE), (r#"indicator "egg""#, CYCLE)],
    );
}

#[test]
fn a_chain_leading_into_a_self_loop_reports_only_the_loop() {
    // far → near → loop → loop
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "far"
parent = "near"
name = { zh = "远", en = "Far" }

[[indicators]]
id = "near"
parent = "loop"
name = { zh = "近", en = "Near" }

[[indicators]]
id = "loop"
parent = "loop"
name = { zh = "环", en = "Loop" }"#,
    );
    check(&src, &[(r#"indicator "loop""#, CYCLE)]);
}

#[test]
fn a_longer_cycle_is_reported_on_each_of_its_indicators() {
    // one → two → three → one, and four → two leads in.
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "one"
parent = "three"
name = { zh = "一", en = "One" }

[[indicators]]
id = "four"
parent = "two"
name = { zh = "四", en = "Four" }

[[indicators]]
id = "two"
parent = "one"
name = { zh = "二", en = "Two" }

[[indicators]]
id = "three"
parent = "two"
name = { zh = "三", en = "Three" }"#,
    );
    check(
        &src,
        &[
            (r#"indicator "one""#, CYCLE),
            (r#"indicator "two""#, CYCLE),
            (r#"indicator "three""#, CYCLE),
        ],
    );
}

#[test]
fn an_indicator_that_is_its_own_parent_is_a_cycle() {
    let src = insert(
        MINIMAL,
        "indicators-end",
        "[[indicators]]\nid = \"ouroboros\"\nparent = \"ouroboros\"\nname = { zh = \"衔尾蛇\", en = \"Ouroboros\" }",
    );
    check(&src, &[(r#"indicator "ouroboros""#, CYCLE)]);
}

#[test]
fn items_must_move_when_their_indicator_gets_children() {
    let src = insert(
        MINIMAL,
        "indicators-end",
        r#"
[[indicators]]
id = "mid"
parent = "leaf"
name = { zh = "中", en = "Mid" }

[[indicators]]
id = "deep"
parent = "mid"
name = { zh = "深", en = "Deep" }"#,
    );
    // "leaf" now has a child, so the items that point at it must move to "deep".
    let errors = match Questionnaire::parse(&src) {
        Err(LoadError::Invalid(errors)) => errors,
        other => panic!("expected the items on \"leaf\" to be refused, got {other:?}"),
    };
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors
        .iter()
        .all(|e| e.problem == format!("unknown indicator \"leaf\" {UNKNOWN_INDICATOR}")));
    check(
        &src.replace("indicator = \"leaf\"", "indicator = \"deep\""),
        &[],
    );
}

// ── labels ──

#[test]
fn empty_labels_in_either_language() {
    // (the text to blank, the location, what the problem calls it)
    let cases = [
        (
            r#"title = { zh = "小问卷","#,
            "questionnaire".to_string(),
            "title",
        ),
        (
            r#"intro = { zh = "匿名填写","#,
            "questionnaire".to_string(),
            "intro",
        ),
        (
            r#"name = { zh = "叶指标","#,
            r#"indicator "leaf""#.to_string(),
            "name",
        ),
        (
            r#"title = { zh = "更多","#,
            r#"section "more""#.to_string(),
            "title",
        ),
        (
            r#"note = { zh = "请如实作答","#,
            r#"section "about""#.to_string(),
            "note",
        ),
        (
            r#"text = { zh = "满意程度","#,
            item("about", "rate"),
            "text",
        ),
        (
            r#"label = { zh = "选项二","#,
            option("more", "pick", "y"),
            "label",
        ),
        (
            r#"low = { zh = "很差","#,
            item("more", "score"),
            "low end label",
        ),
        (
            r#"high = { zh = "很好","#,
            item("more", "score"),
            "high end label",
        ),
    ];
    for (old, at, what) in &cases {
        let key = old.split(" = ").next().unwrap();
        for blank in ["\"\"", "\"  \""] {
            let src = edit(MINIMAL, old, &format!("{key} = {{ zh = {blank},"));
            let problem = format!("{what} has an empty Chinese (zh) text");
            check(&src, &[(at, &problem)]);
        }
    }
}

#[test]
fn empty_english_labels() {
    let cases = [
        (
            r#"en = "Mini survey""#,
            "questionnaire".to_string(),
            "title",
        ),
        (r#"en = "Top""#, r#"indicator "top""#.to_string(), "name"),
        (
            r#"en = "About you""#,
            r#"section "about""#.to_string(),
            "title",
        ),
        (r#"en = "Why""#, item("more", "why"), "text"),
        (r#"en = "B""#, option("about", "kind", "b"), "label"),
        (r#"en = "Good""#, item("more", "score"), "high end label"),
    ];
    for (old, at, what) in &cases {
        for blank in [r#"en = """#, r#"en = "\t""#] {
            let src = edit(MINIMAL, old, blank);
            let problem = format!("{what} has an empty English (en) text");
            check(&src, &[(at, &problem)]);
        }
    }
}

#[test]
fn both_languages_empty_gives_two_problems() {
    let src = edit(
        MINIMAL,
        r#"text = { zh = "打分", en = "Score" }"#,
        r#"text = { zh = "", en = "" }"#,
    );
    let at = item("more", "score");
    check(
        &src,
        &[
            (&at, "text has an empty Chinese (zh) text"),
            (&at, "text has an empty English (en) text"),
        ],
    );
}

// ── conditions ──

#[test]
fn condition_on_an_unknown_item() {
    let src = edit(MINIMAL, r#"item = "kind""#, r#"item = "nope""#);
    check(
        &src,
        &[(
            r#"section "more""#,
            r#"bad condition: "nope" is not an item that comes earlier"#,
        )],
    );
}

#[test]
fn condition_on_a_later_item() {
    let src = edit(
        MINIMAL,
        "id = \"rate\"\n",
        "id = \"rate\"\nshow_if = { item = \"pick\", any_of = [\"x\"] }\n",
    );
    check(
        &src,
        &[(
            &item("about", "rate"),
            r#"bad condition: "pick" is not an item that comes earlier"#,
        )],
    );
}

#[test]
fn condition_on_the_item_itself() {
    let src = edit(MINIMAL, r#"item = "pick""#, r#"item = "why""#);
    check(
        &src,
        &[(
            &item("more", "why"),
            r#"bad condition: "why" is not an item that comes earlier"#,
        )],
    );
}

#[test]
fn section_condition_on_an_item_of_that_section() {
    let src = edit(
        MINIMAL,
        r#"show_if = { item = "kind", any_of = ["b"] }"#,
        r#"show_if = { item = "pick", any_of = ["x"] }"#,
    );
    check(
        &src,
        &[(
            r#"section "more""#,
            r#"bad condition: "pick" is not an item that comes earlier"#,
        )],
    );
}

#[test]
fn condition_on_a_non_choice_item() {
    for target in ["rate", "seen", "score", "firm"] {
        // Items of "more" only come earlier for items after them: condition the last item.
        let src = insert(
            MINIMAL,
            "more-end",
            &format!(
                "[[sections.items]]\nid = \"last\"\ntype = \"text\"\nmax_chars = 5\n\
                 show_if = {{ item = {target:?}, any_of = [\"yes\"] }}\n\
                 text = {{ zh = \"最后\", en = \"Last\" }}"
            ),
        );
        let problem = format!("bad condition: {target:?} is not a choice item");
        check(&src, &[(&item("more", "last"), &problem)]);
    }
}

#[test]
fn a_condition_may_look_at_a_multiple_choice_item() {
    // `why` in the fixture already does; it must stay valid.
    let q = Questionnaire::parse(MINIMAL).unwrap();
    let why = q.item("why").unwrap();
    assert_eq!(why.show_if.as_ref().unwrap().item, "pick");
}

#[test]
fn condition_naming_an_option_the_item_lacks() {
    let src = edit(MINIMAL, r#"any_of = ["b"]"#, r#"any_of = ["b", "c", "B"]"#);
    check(
        &src,
        &[
            (
                r#"section "more""#,
                r#"bad condition: "kind" has no option "c""#,
            ),
            (
                r#"section "more""#,
                r#"bad condition: "kind" has no option "B""#,
            ),
        ],
    );
}

#[test]
fn condition_with_an_empty_any_of() {
    let src = edit(MINIMAL, r#"any_of = ["z"]"#, "any_of = []");
    check(
        &src,
        &[(&item("more", "why"), "bad condition: any_of is empty")],
    );
}

// ── choice items ──

#[test]
fn single_choice_with_fewer_than_two_options() {
    let one = edit(
        MINIMAL,
        "  { code = \"a\", label = { zh = \"甲\", en = \"A\" } },\n",
        "",
    );
    check(
        &one,
        &[(
            &item("about", "kind"),
            "a choice item needs at least two options",
        )],
    );
}

#[test]
fn multi_choice_with_fewer_than_two_options() {
    for options in [
        "options = []",
        "options = [{ code = \"only\", label = { zh = \"唯一\", en = \"Only\" } }]",
    ] {
        let src = insert(
            MINIMAL,
            "about-end",
            &format!(
                "[[sections.items]]\nid = \"lonely\"\ntype = \"multi\"\n\
                 text = {{ zh = \"孤单\", en = \"Lonely\" }}\n{options}"
            ),
        );
        check(
            &src,
            &[(
                &item("about", "lonely"),
                "a choice item needs at least two options",
            )],
        );
    }
}

#[test]
fn duplicate_option_code() {
    let src = edit(
        MINIMAL,
        "  { code = \"b\", label = { zh = \"乙\", en = \"B\" } },\n",
        "  { code = \"b\", label = { zh = \"乙\", en = \"B\" } },\n  { code = \"a\", label = { zh = \"丙\", en = \"C\" } },\n",
    );
    check(
        &src,
        &[(&option("about", "kind", "a"), "duplicate option code")],
    );
}

#[test]
fn option_codes_must_be_short_ascii_words_and_not_na() {
    let thirty_three = "c".repeat(33);
    for bad in [
        "na",
        "NA",
        "Na",
        "nA",
        "",
        "a;b",
        "a b",
        "a-b",
        "丙",
        thirty_three.as_str(),
    ] {
        let src = edit(MINIMAL, r#"code = "y""#, &format!("code = {bad:?}"));
        check(&src, &[(&option("more", "pick", bad), BAD_CODE)]);
    }
    let thirty_two = "c".repeat(32);
    for good in ["Y", "0", "6_plus", thirty_two.as_str()] {
        check(
            &edit(MINIMAL, r#"code = "y""#, &format!("code = {good:?}")),
            &[],
        );
    }
}

#[test]
fn multi_max_choices_must_be_between_one_and_the_number_of_options() {
    for (max, ok) in [(0, false), (1, true), (3, true), (4, false), (99, false)] {
        let src = edit(MINIMAL, "max_choices = 2", &format!("max_choices = {max}"));
        let problem = format!("max_choices {max} must be between 1 and the number of options");
        if ok {
            check(&src, &[]);
        } else {
            check(&src, &[(&item("more", "pick"), &problem)]);
        }
    }
}

// ── text items ──

#[test]
fn text_max_chars_must_be_between_1_and_2000() {
    for (max, ok) in [
        (0, false),
        (1, true),
        (2000, true),
        (2001, false),
        (5000, false),
    ] {
        let src = edit(MINIMAL, "max_chars = 10", &format!("max_chars = {max}"));
        if ok {
            check(&src, &[]);
        } else {
            check(
                &src,
                &[(&item("more", "why"), "max_chars must be between 1 and 2000")],
            );
        }
    }
}

// ── roles ──

#[test]
fn two_items_with_the_respondent_type_role() {
    let src = insert(
        MINIMAL,
        "about-end",
        r#"
[[sections.items]]
id = "kind_again"
type = "single"
role = "respondent_type"
text = { zh = "再问身份", en = "You are, again" }
options = [
  { code = "a", label = { zh = "甲", en = "A" } },
  { code = "b", label = { zh = "乙", en = "B" } },
]"#,
    );
    check(
        &src,
        &[(
            &item("about", "kind_again"),
            r#"role "respondent_type" is already carried by another item"#,
        )],
    );
}

#[test]
fn a_role_on_an_item_that_is_not_a_single_choice() {
    let without_role = edit(MINIMAL, "role = \"respondent_type\"\n", "");
    check(&without_role, &[]);
    for (section, id, kind) in [
        ("more", "pick", "multi"),
        ("about", "rate", "likert5"),
        ("more", "why", "text"),
        ("more", "seen", "yes_no"),
    ] {
        let head = format!("id = \"{id}\"\ntype = \"{kind}\"\n");
        let src = edit(
            &without_role,
            &head,
            &format!("{head}role = \"respondent_type\"\n"),
        );
        check(
            &src,
            &[(
                &item(section, id),
                "an item with a role must be a single choice",
            )],
        );
    }
}

// ── structure ──

#[test]
fn a_section_without_items() {
    let src = insert(
        MINIMAL,
        "more-end",
        "[[sections]]\nid = \"empty\"\ntitle = { zh = \"空\", en = \"Empty\" }\nitems = []",
    );
    check(&src, &[(r#"section "empty""#, "has no items")]);
}

#[test]
fn a_questionnaire_without_sections() {
    let src =
        "id = \"q\"\nversion = \"1\"\ntitle = { zh = \"空\", en = \"Empty\" }\nsections = []\n";
    check(src, &[("questionnaire", "has no sections")]);
}

// ── every problem is reported ──

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let mut src = MINIMAL.to_string();
    for (old, new) in [
        (r#"version = "1""#, r#"version = """#),
        (
            r#"name = { zh = "总指标", en = "Top" }"#,
            r#"name = { zh = "总指标", en = "" }"#,
        ),
        (r#"id = "rate""#, r#"id = "Rate""#),
        (
            "type = \"likert5\"\nindicator = \"leaf\"\ntext = { zh = \"满意程度\"",
            "type = \"likert5\"\ntext = { zh = \"满意程度\"",
        ),
        (r#"any_of = ["b"]"#, r#"any_of = ["c"]"#),
        ("max_choices = 2", "max_choices = 5"),
        (r#"code = "z""#, r#"code = "na""#),
        ("max_chars = 10", "max_chars = 0"),
        (r#"id = "firm""#, r#"id = "seen""#),
    ] {
        src = edit(&src, old, new);
    }
    check(
        &src,
        &[
            ("questionnaire", "version is empty"),
            (r#"indicator "top""#, "name has an empty English (en) text"),
            (&item("about", "Rate"), &format!("id \"Rate\" {BAD_ID}")),
            (
                &item("about", "Rate"),
                "a rated item must name its indicator",
            ),
            (
                r#"section "more""#,
                r#"bad condition: "kind" has no option "c""#,
            ),
            (&option("more", "pick", "na"), BAD_CODE),
            (
                &item("more", "pick"),
                "max_choices 5 must be between 1 and the number of options",
            ),
            (&item("more", "why"), "max_chars must be between 1 and 2000"),
            (
                &item("more", "why"),
                r#"bad condition: "pick" has no option "z""#,
            ),
            (&item("more", "seen"), "duplicate item id"),
        ],
    );
}

#[test]
fn the_invalid_error_message_lists_every_problem() {
    let src = edit(
        &edit(MINIMAL, r#"version = "1""#, r#"version = """#),
        "max_chars = 10",
        "max_chars = 0",
    );
    let message = Questionnaire::parse(&src).unwrap_err().to_string();
    assert!(
        message.starts_with("2 problem(s) in the questionnaire:"),
        "{message}"
    );
    assert!(
        message.contains("  - questionnaire: version is empty"),
        "{message}"
    );
    assert!(
        message.contains(r#"  - section "more", item "why": max_chars must be between 1 and 2000"#),
        "{message}"
    );
}

// ── syntax-level errors: refused while reading, before the checks ──

#[test]
fn type_specific_fields_are_checked_while_reading() {
    // (old, new, what the message must name)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            r#"type = "scale10""#,
            r#"type = "scale7""#,
            &[r#"item "score""#, r#"unknown type "scale7""#],
        ),
        (
            "id = \"rate\"\ntype = \"likert5\"\n",
            "id = \"rate\"\ntype = \"likert5\"\noptions = []\n",
            &[r#"item "rate""#, "type likert5 does not take `options`"],
        ),
        (
            "id = \"rate\"\ntype = \"likert5\"\n",
            "id = \"rate\"\ntype = \"likert5\"\nlow = { zh = \"低\", en = \"Low\" }\n",
            &[r#"item "rate""#, "type likert5 does not take `low`"],
        ),
        (
            "id = \"seen\"\ntype = \"yes_no\"\n",
            "id = \"seen\"\ntype = \"yes_no\"\nscale = \"agreement\"\n",
            &[r#"item "seen""#, "type yes_no does not take `scale`"],
        ),
        (
            "id = \"kind\"\ntype = \"single\"\n",
            "id = \"kind\"\ntype = \"single\"\nmax_choices = 1\n",
            &[r#"item "kind""#, "type single does not take `max_choices`"],
        ),
        (
            "max_choices = 2\n",
            "max_choices = 2\nmax_chars = 5\n",
            &[r#"item "pick""#, "type multi does not take `max_chars`"],
        ),
        (
            "id = \"score\"\ntype = \"scale10\"\n",
            "id = \"score\"\ntype = \"scale10\"\nallow_na = true\n",
            &[r#"item "score""#, "type scale10 does not take `allow_na`"],
        ),
        (
            "max_chars = 10\n",
            "max_chars = 10\nallow_na = true\n",
            &[r#"item "why""#, "type text does not take `allow_na`"],
        ),
        (
            "max_chars = 10\n",
            "",
            &[r#"item "why""#, "type text needs `max_chars`"],
        ),
        (
            "high = { zh = \"很好\", en = \"Good\" }\n",
            "",
            &[r#"item "score""#, "type scale10 needs `high`"],
        ),
        (
            "low = { zh = \"很差\", en = \"Poor\" }\n",
            "",
            &[r#"item "score""#, "type scale10 needs `low`"],
        ),
    ];
    for (old, new, needles) in cases {
        check_syntax(&edit(MINIMAL, old, new), needles);
    }
}

#[test]
fn single_choice_without_options_is_a_syntax_error_naming_the_item() {
    let start = MINIMAL.find("options = [\n  { code = \"a\"").unwrap();
    let end = start + MINIMAL[start..].find("]\n").unwrap() + 2;
    let src = format!("{}{}", &MINIMAL[..start], &MINIMAL[end..]);
    check_syntax(&src, &[r#"item "kind""#, "type single needs `options`"]);
}

#[test]
fn unknown_fields_are_refused() {
    // (old, new, what the message must name)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "id = \"rate\"\ntype = \"likert5\"\nindicator",
            "id = \"rate\"\ntype = \"likert5\"\nindicater",
            &["unknown field `indicater`"],
        ),
        (
            "title = { zh = \"更多\", en = \"More\" }",
            "title = { zh = \"更多\", en = \"More\" }\ntitel = \"x\"",
            &["unknown field `titel`"],
        ),
        (
            r#"version = "1""#,
            "version = \"1\"\nauthor = \"me\"",
            &["unknown field `author`"],
        ),
        (
            r#"name = { zh = "总指标", en = "Top" }"#,
            r#"name = { zh = "总指标", en = "Top", fr = "Haut" }"#,
            &["unknown field `fr`"],
        ),
        (
            r#"any_of = ["b"]"#,
            r#"any_of = ["b"], none_of = ["a"]"#,
            &["unknown field `none_of`"],
        ),
        (
            r#"role = "respondent_type""#,
            r#"role = "region""#,
            &["unknown variant `region`"],
        ),
        (
            r#"scale = "agreement""#,
            r#"scale = "frequency""#,
            &["unknown variant `frequency`"],
        ),
    ];
    for (old, new, needles) in cases {
        check_syntax(&edit(MINIMAL, old, new), needles);
    }
}

/// A syntax error inside an item names the item, as the type-specific errors above do.
#[test]
fn an_unknown_field_on_an_item_names_the_item() {
    let src = edit(
        MINIMAL,
        "id = \"rate\"\ntype = \"likert5\"\nindicator",
        "id = \"rate\"\ntype = \"likert5\"\nindicater",
    );
    check_syntax(
        &src,
        &[
            r#"item "rate": unknown field `indicater`"#,
            // The message lists the fields an item may have.
            "expected one of `id`, `type`, `text`, `indicator`, `required`",
            "`max_chars`",
        ],
    );
}

#[test]
fn every_unknown_field_on_an_item_is_named() {
    let src = edit(
        MINIMAL,
        "id = \"seen\"\ntype = \"yes_no\"\n",
        "id = \"seen\"\ntype = \"yes_no\"\nallow_none = true\nhint = { zh = \"提示\", en = \"Hint\" }\n",
    );
    check_syntax(
        &src,
        &[r#"item "seen": unknown fields `allow_none`, `hint`"#],
    );
}

#[test]
fn a_missing_id_or_type_is_still_named() {
    // Serde still names a missing field of an item, also when a misspelling of it is there.
    let src = edit(MINIMAL, "id = \"rate\"\n", "");
    check_syntax(&src, &["missing field `id`"]);
    let src = edit(MINIMAL, "id = \"rate\"\n", "ids = \"rate\"\n");
    check_syntax(&src, &["missing field `id`"]);
    let src = edit(
        MINIMAL,
        "id = \"rate\"\ntype = \"likert5\"\n",
        "id = \"rate\"\nkind = \"likert5\"\n",
    );
    check_syntax(&src, &["missing field `type`"]);
}
