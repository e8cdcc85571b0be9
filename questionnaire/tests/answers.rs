//! `answers::parse_submission`: a citizen's submitted form fields become typed answers, or every
//! problem is named by its item; `Answer::encode`/`Answer::decode` are the stored text form.
//!
//! Most tests start from a complete, valid submission of the default questionnaire and change
//! one field; `fixtures/minimal.toml` covers what the default does not have (yes/no without
//! 记不清, a Likert item without 不了解/不适用, a capped multiple choice, a condition on a
//! multiple choice).

use minyi_questionnaire::answers::{holds, parse_submission};
use minyi_questionnaire::{
    Answer, Answers, Condition, FieldError, FieldProblem, Item, ItemKind, Lang, Questionnaire,
};

use Answer::{Choice, Choices, Likert, NotApplicable, Scale10, Text, YesNo};
use FieldProblem::{
    MoreThanOne, NotAnOption, OutOfRange, Required, TooLong, TooManyChoices, UnknownItem,
};

const MINIMAL: &str = include_str!("fixtures/minimal.toml");

type Fields = Vec<(&'static str, &'static str)>;

// ── helpers ──

fn default_q() -> Questionnaire {
    Questionnaire::default_questionnaire()
}

fn minimal_q() -> Questionnaire {
    Questionnaire::parse(MINIMAL).unwrap()
}

/// A complete, valid submission of the default questionnaire by a local resident.
fn resident() -> Fields {
    vec![
        ("_csrf", "token-value"),
        ("respondent_type", "resident"),
        ("township", "taihuai"),
        ("contact_kind", "penalty"),
        ("contact_kind", "inspection"),
        ("contact_when", "m6"),
        ("strict_duty", "5"),
        ("strict_consistent", "4"),
        ("standard_procedure", "3"),
        ("standard_documents", "2"),
        ("fair_equal", "1"),
        ("fair_outcome", "na"),
        ("civil_manner", "4"),
        ("civil_listen", "4"),
        ("prob_campaign", "no"),
        ("prob_one_size", "yes"),
        ("prob_crude", "na"),
        ("prob_brutal", "no"),
        ("prob_excessive", "no"),
        ("prob_mechanical", "no"),
        ("prob_profit", "no"),
        ("sys_certificate", "yes"),
        ("sys_rights", "yes"),
        ("sys_recorded", "na"),
        ("sys_lawful", "4"),
        ("disc_proportion", "3"),
        ("disc_leniency", "5"),
        ("trust_law", "4"),
        ("trust_result", "3"),
        ("overall_sat", "4"),
        ("overall_score", "8"),
        ("suggestion", "希望多一些耐心"),
    ]
}

/// A complete, valid submission of the default questionnaire by a business operator.
fn business() -> Fields {
    let mut fields = with(&resident(), "respondent_type", &["business"]);
    fields.extend([
        ("biz_inspections", "1_2"),
        ("biz_burden", "4"),
        ("biz_random", "na"),
        ("biz_flexible", "5"),
        ("biz_complaint", "2"),
    ]);
    fields
}

/// `base` with the field `name` given `values` instead (none: left out), at its old place.
fn with<'a>(
    base: &[(&'a str, &'a str)],
    name: &'a str,
    values: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let at = base
        .iter()
        .position(|(n, _)| *n == name)
        .unwrap_or(base.len());
    let mut fields: Vec<_> = base.iter().copied().filter(|(n, _)| *n != name).collect();
    for (i, v) in values.iter().enumerate() {
        fields.insert(at + i, (name, v));
    }
    fields
}

fn without<'a>(base: &[(&'a str, &'a str)], name: &'a str) -> Vec<(&'a str, &'a str)> {
    with(base, name, &[])
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Parses `fields`, which must be accepted.
fn accepts(q: &Questionnaire, fields: &[(&str, &str)]) -> Answers {
    match parse_submission(q, &owned(fields)) {
        Ok(answers) => answers,
        Err(errors) => panic!("refused: {errors:#?}\n--- fields ---\n{fields:?}"),
    }
}

/// Parses `fields`, which must be refused with exactly `expected`, in order.
fn rejects(q: &Questionnaire, fields: &[(&str, &str)], expected: &[(&str, FieldProblem)]) {
    match parse_submission(q, &owned(fields)) {
        Ok(answers) => panic!("accepted as {answers:#?}, expected {expected:#?}"),
        Err(errors) => {
            let expected: Vec<FieldError> = expected
                .iter()
                .map(|(item, problem)| FieldError {
                    item: item.to_string(),
                    problem: problem.clone(),
                })
                .collect();
            assert_eq!(errors, expected, "\n--- fields ---\n{fields:?}");
        }
    }
}

/// The resident's submission with `item` given `values` parses to `answer`, stored as `encoded`,
/// and the stored text decodes back to the same answer.
fn check(item: &str, values: &[&str], answer: Answer, encoded: &str) {
    let q = default_q();
    let answers = accepts(&q, &with(&resident(), item, values));
    assert_eq!(answers.get(item), Some(&answer), "{item} = {values:?}");
    assert_eq!(answer.encode(), encoded, "{item} = {values:?}");
    let decoded = Answer::decode(q.item(item).unwrap(), encoded);
    assert_eq!(decoded, Some(answer), "decoding {encoded:?} for {item}");
}

/// The resident's submission with `item` given `values` is refused with `problem` on `item` only.
fn refused(item: &str, values: &[&str], problem: FieldProblem) {
    rejects(
        &default_q(),
        &with(&resident(), item, values),
        &[(item, problem)],
    );
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The minimal questionnaire's respondent of kind "b", who sees the second section.
fn minimal_b() -> Fields {
    vec![
        ("kind", "b"),
        ("rate", "3"),
        ("pick", "x"),
        ("seen", "no"),
        ("score", "7"),
        ("firm", "2"),
    ]
}

// ── a complete submission ──

#[test]
fn a_complete_resident_submission() {
    let answers = accepts(&default_q(), &resident());
    let expected: Answers = [
        ("respondent_type", Choice("resident".into())),
        ("township", Choice("taihuai".into())),
        (
            "contact_kind",
            Choices(vec!["inspection".into(), "penalty".into()]),
        ),
        ("contact_when", Choice("m6".into())),
        ("strict_duty", Likert(5)),
        ("strict_consistent", Likert(4)),
        ("standard_procedure", Likert(3)),
        ("standard_documents", Likert(2)),
        ("fair_equal", Likert(1)),
        ("fair_outcome", NotApplicable),
        ("civil_manner", Likert(4)),
        ("civil_listen", Likert(4)),
        ("prob_campaign", YesNo(false)),
        ("prob_one_size", YesNo(true)),
        ("prob_crude", NotApplicable),
        ("prob_brutal", YesNo(false)),
        ("prob_excessive", YesNo(false)),
        ("prob_mechanical", YesNo(false)),
        ("prob_profit", YesNo(false)),
        ("sys_certificate", YesNo(true)),
        ("sys_rights", YesNo(true)),
        ("sys_recorded", NotApplicable),
        ("sys_lawful", Likert(4)),
        ("disc_proportion", Likert(3)),
        ("disc_leniency", Likert(5)),
        ("trust_law", Likert(4)),
        ("trust_result", Likert(3)),
        ("overall_sat", Likert(4)),
        ("overall_score", Scale10(8)),
        ("suggestion", Text("希望多一些耐心".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(answers, expected);
}

#[test]
fn the_optional_suggestion_may_be_left_out() {
    let answers = accepts(&default_q(), &without(&resident(), "suggestion"));
    assert_eq!(answers.len(), 29);
    assert!(!answers.contains_key("suggestion"));
}

#[test]
fn the_order_of_fields_does_not_matter() {
    let mut reversed = resident();
    reversed.reverse();
    assert_eq!(
        accepts(&default_q(), &reversed),
        accepts(&default_q(), &resident())
    );
}

// ── encoding: what each answer is stored as ──

#[test]
fn likert_answers_are_stored_as_1_to_5_or_na() {
    check("strict_duty", &["1"], Likert(1), "1");
    check("strict_duty", &["2"], Likert(2), "2");
    check("strict_duty", &["3"], Likert(3), "3");
    check("strict_duty", &["4"], Likert(4), "4");
    check("strict_duty", &["5"], Likert(5), "5");
    check("strict_duty", &["na"], NotApplicable, "na");
    check("sys_lawful", &["1"], Likert(1), "1");
    check("sys_lawful", &[" 5 "], Likert(5), "5");
}

#[test]
fn yes_no_answers_are_stored_as_yes_no_or_na() {
    check("prob_brutal", &["yes"], YesNo(true), "yes");
    check("prob_brutal", &["no"], YesNo(false), "no");
    check("prob_brutal", &["na"], NotApplicable, "na");
}

#[test]
fn scale10_answers_are_stored_as_0_to_10() {
    for (value, n) in [("0", 0), ("1", 1), ("5", 5), ("9", 9), ("10", 10)] {
        check("overall_score", &[value], Scale10(n), value);
    }
}

#[test]
fn single_choices_are_stored_as_their_option_code() {
    check(
        "respondent_type",
        &["visitor"],
        Choice("visitor".into()),
        "visitor",
    );
    check(
        "respondent_type",
        &["other"],
        Choice("other".into()),
        "other",
    );
    check("township", &["shizui"], Choice("shizui".into()), "shizui");
    check("contact_when", &["older"], Choice("older".into()), "older");
}

#[test]
fn multiple_choices_are_stored_in_questionnaire_order_without_repeats() {
    let codes = |c: &[&str]| Choices(c.iter().map(|s| s.to_string()).collect());
    check("contact_kind", &["permit"], codes(&["permit"]), "permit");
    check(
        "contact_kind",
        &["observed", "inspection"],
        codes(&["inspection", "observed"]),
        "inspection;observed",
    );
    check(
        "contact_kind",
        &["penalty", "penalty"],
        codes(&["penalty"]),
        "penalty",
    );
    check(
        "contact_kind",
        &["complaint;inspection", "inspection"],
        codes(&["inspection", "complaint"]),
        "inspection;complaint",
    );
    check(
        "contact_kind",
        &["observed", "complaint", "permit", "penalty", "inspection"],
        codes(&["inspection", "penalty", "permit", "complaint", "observed"]),
        "inspection;penalty;permit;complaint;observed",
    );
}

#[test]
fn text_answers_are_stored_as_given_less_surrounding_space() {
    check("suggestion", &["无"], Text("无".into()), "无");
    check(
        "suggestion",
        &["  a; b = c  "],
        Text("a; b = c".into()),
        "a; b = c",
    );
    check(
        "suggestion",
        &["第一行\n第二行"],
        Text("第一行\n第二行".into()),
        "第一行\n第二行",
    );
}

/// Every value an item can store, as text.
fn every_stored_value(item: &Item) -> Vec<String> {
    let numbers = |low: u8, high: u8| (low..=high).map(|n| n.to_string()).collect::<Vec<_>>();
    match &item.kind {
        ItemKind::Likert5 { allow_na, .. } => {
            let mut v = numbers(1, 5);
            if *allow_na {
                v.push("na".into());
            }
            v
        }
        ItemKind::YesNo { allow_na } => {
            let mut v = vec!["yes".to_string(), "no".to_string()];
            if *allow_na {
                v.push("na".into());
            }
            v
        }
        ItemKind::Scale10 { .. } => numbers(0, 10),
        ItemKind::Single { options } => options.iter().map(|o| o.code.clone()).collect(),
        ItemKind::Multi {
            options,
            max_choices,
        } => {
            // Every non-empty subset, in option order.
            let max = max_choices.unwrap_or(options.len());
            (1u32..(1 << options.len()))
                .filter(|mask| mask.count_ones() as usize <= max)
                .map(|mask| {
                    options
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, o)| o.code.as_str())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .collect()
        }
        ItemKind::Text { max_chars } => vec![
            "x".into(),
            "意见".into(),
            "😀 emoji".into(),
            "好".repeat(*max_chars),
        ],
    }
}

#[test]
fn every_stored_value_decodes_and_encodes_back() {
    // default: 18 likert × 6 + 10 yes/no × 3 + 11 + 17 single codes + 31 subsets + 4 texts
    for (q, values) in [(default_q(), 201), (minimal_q(), 36)] {
        let mut count = 0;
        for (_, item) in q.items() {
            for stored in every_stored_value(item) {
                let answer = Answer::decode(item, &stored)
                    .unwrap_or_else(|| panic!("{:?} does not decode {stored:?}", item.id));
                assert_eq!(answer.encode(), stored, "item {:?}", item.id);
                assert_eq!(Answer::decode(item, &answer.encode()), Some(answer));
                count += 1;
            }
        }
        assert_eq!(count, values, "values tried for {:?}", q.id);
    }
}

#[test]
fn decode_refuses_what_the_item_cannot_store() {
    let dq = default_q();
    let mq = minimal_q();
    let cases: &[(&Questionnaire, &str, &[&str])] = &[
        (
            &dq,
            "strict_duty",
            &["0", "6", "abc", "", "3.5", "-1", "yes"],
        ),
        (&mq, "firm", &["na"]),
        (&dq, "prob_brutal", &["YES", "1", "", "maybe"]),
        (&mq, "seen", &["na"]),
        (&dq, "overall_score", &["11", "-1", "256", "na", ""]),
        (
            &dq,
            "respondent_type",
            &["Resident", "alien", "", "resident;visitor"],
        ),
        (
            &dq,
            "contact_kind",
            &["", "teleport", "inspection;teleport", "inspection;"],
        ),
        (&mq, "pick", &["x;y;z"]),
    ];
    for (q, id, bad) in cases {
        let item = q.item(id).unwrap();
        for stored in *bad {
            assert_eq!(Answer::decode(item, stored), None, "{id} {stored:?}");
        }
    }
    let suggestion = dq.item("suggestion").unwrap();
    assert_eq!(Answer::decode(suggestion, &"好".repeat(301)), None);
}

// ── invalid values ──

#[test]
fn likert_values_outside_1_to_5() {
    for bad in ["0", "6", "abc", "-1", "3.5", "10", "256", "五"] {
        refused("strict_duty", &[bad], OutOfRange(bad.into()));
    }
}

#[test]
fn scale10_values_outside_0_to_10() {
    for bad in ["11", "-1", "ten", "100", "256", "na"] {
        refused("overall_score", &[bad], OutOfRange(bad.into()));
    }
}

/// Numbers are read only in canonical decimal: ASCII digits, no sign, no leading zero but `0`
/// itself, no decimal point. Anything else would give one answer several stored spellings.
const NON_CANONICAL_NUMBERS: [&str; 12] = [
    "+3", "03", "3.0", "+0010", "00", "010", "+0", "-0", "0x3", "3e0", "３", "1_0",
];

#[test]
fn likert_values_must_be_canonical_decimal() {
    for bad in NON_CANONICAL_NUMBERS {
        refused("strict_duty", &[bad], OutOfRange(bad.into()));
    }
    // Surrounding space is trimmed from a submitted field before the number is read.
    check("strict_duty", &[" 3"], Likert(3), "3");
}

#[test]
fn scale10_values_must_be_canonical_decimal() {
    for bad in NON_CANONICAL_NUMBERS {
        refused("overall_score", &[bad], OutOfRange(bad.into()));
    }
    check("overall_score", &["0"], Scale10(0), "0");
    check("overall_score", &["10 "], Scale10(10), "10");
}

#[test]
fn decode_reads_only_canonical_numbers() {
    let q = default_q();
    let likert = q.item("strict_duty").unwrap();
    let scale10 = q.item("overall_score").unwrap();
    let untrimmed = [" 3", "3 ", "\t3", "3\n", ""];
    for stored in NON_CANONICAL_NUMBERS.iter().chain(&untrimmed) {
        assert_eq!(Answer::decode(likert, stored), None, "likert {stored:?}");
        assert_eq!(Answer::decode(scale10, stored), None, "scale10 {stored:?}");
    }
    assert_eq!(Answer::decode(likert, "3"), Some(Likert(3)));
    assert_eq!(Answer::decode(scale10, "0"), Some(Scale10(0)));
    assert_eq!(Answer::decode(scale10, "10"), Some(Scale10(10)));
}

#[test]
fn yes_no_values_other_than_yes_no_na() {
    for bad in ["YES", "true", "1", "是"] {
        refused("prob_profit", &[bad], NotAnOption(bad.into()));
    }
}

#[test]
fn options_not_in_the_list() {
    refused("respondent_type", &["alien"], NotAnOption("alien".into()));
    refused(
        "respondent_type",
        &["Resident"],
        NotAnOption("Resident".into()),
    );
    refused("township", &["beijing"], NotAnOption("beijing".into()));
    refused(
        "contact_kind",
        &["inspection", "teleport"],
        NotAnOption("teleport".into()),
    );
    refused(
        "contact_kind",
        &["inspection;teleport"],
        NotAnOption("teleport".into()),
    );
}

#[test]
fn two_values_for_an_item_that_takes_one() {
    refused("respondent_type", &["resident", "visitor"], MoreThanOne);
    refused("respondent_type", &["resident", "resident"], MoreThanOne);
    refused("contact_when", &["m1", "m6"], MoreThanOne);
    refused("strict_duty", &["4", "5"], MoreThanOne);
    refused("prob_crude", &["yes", "no"], MoreThanOne);
    refused("overall_score", &["7", "8"], MoreThanOne);
    refused("suggestion", &["一", "二"], MoreThanOne);
}

#[test]
fn na_where_the_item_does_not_allow_it() {
    let q = minimal_q();
    rejects(
        &q,
        &with(&minimal_b(), "seen", &["na"]),
        &[("seen", NotAnOption("na".into()))],
    );
    rejects(
        &q,
        &with(&minimal_b(), "firm", &["na"]),
        &[("firm", OutOfRange("na".into()))],
    );
    // …while the same values are fine on items that allow them.
    let answers = accepts(&q, &with(&minimal_b(), "rate", &["na"]));
    assert_eq!(answers["rate"], NotApplicable);
}

#[test]
fn too_many_choices_for_a_capped_multiple_choice() {
    let q = minimal_q();
    // `pick` takes at most 2 of x, y, z.
    rejects(
        &q,
        &with(&minimal_b(), "pick", &["x", "y", "z"]),
        &[("pick", TooManyChoices { max: 2 })],
    );
    rejects(
        &q,
        &with(&minimal_b(), "pick", &["x;y;z"]),
        &[("pick", TooManyChoices { max: 2 })],
    );
    // Repeats count once.
    let answers = accepts(&q, &with(&minimal_b(), "pick", &["y", "x", "y", "x;y"]));
    assert_eq!(answers["pick"], Choices(vec!["x".into(), "y".into()]));
}

#[test]
fn text_length_is_counted_in_characters_not_bytes() {
    let q = default_q();
    let ok = "意".repeat(300);
    assert_eq!(ok.len(), 900, "900 bytes, 300 characters");
    let answers = accepts(&q, &with(&resident(), "suggestion", &[&ok]));
    assert_eq!(answers["suggestion"], Text(ok.clone()));
    refused("suggestion", &[&"意".repeat(301)], TooLong { max: 300 });

    refused("suggestion", &[&"a".repeat(301)], TooLong { max: 300 });
    accepts(&q, &with(&resident(), "suggestion", &[&"🙂".repeat(300)]));
    // Surrounding space is trimmed before counting.
    accepts(
        &q,
        &with(&resident(), "suggestion", &[&format!("  {ok}  ")]),
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let mut fields = resident();
    for (name, value) in [
        ("strict_duty", "6"),
        ("prob_campaign", "maybe"),
        ("overall_score", "11"),
    ] {
        fields = with(&fields, name, &[value]);
    }
    fields = without(&fields, "trust_law");
    rejects(
        &default_q(),
        &fields,
        &[
            ("strict_duty", OutOfRange("6".into())),
            ("prob_campaign", NotAnOption("maybe".into())),
            ("trust_law", Required),
            ("overall_score", OutOfRange("11".into())),
        ],
    );
}

// ── required, unknown and ignored fields ──

#[test]
fn every_missing_required_item_is_listed() {
    let required = [
        "respondent_type",
        "township",
        "contact_kind",
        "contact_when",
        "strict_duty",
        "strict_consistent",
        "standard_procedure",
        "standard_documents",
        "fair_equal",
        "fair_outcome",
        "civil_manner",
        "civil_listen",
        "prob_campaign",
        "prob_one_size",
        "prob_crude",
        "prob_brutal",
        "prob_excessive",
        "prob_mechanical",
        "prob_profit",
        "sys_certificate",
        "sys_rights",
        "sys_recorded",
        "sys_lawful",
        "disc_proportion",
        "disc_leniency",
        "trust_law",
        "trust_result",
        "overall_sat",
        "overall_score",
    ];
    let expected: Vec<(&str, FieldProblem)> = required.iter().map(|id| (*id, Required)).collect();
    rejects(&default_q(), &[], &expected);
    rejects(&default_q(), &[("_csrf", "x")], &expected);
}

#[test]
fn each_required_item_left_out_is_named() {
    let q = default_q();
    for (name, _) in resident() {
        if name.starts_with('_') || name == "suggestion" {
            continue;
        }
        rejects(&q, &without(&resident(), name), &[(name, Required)]);
    }
}

#[test]
fn empty_values_count_as_unanswered() {
    let q = default_q();
    for blank in ["", "   ", "\t\n"] {
        rejects(
            &q,
            &with(&resident(), "strict_duty", &[blank]),
            &[("strict_duty", Required)],
        );
        rejects(
            &q,
            &with(&resident(), "contact_kind", &[blank, blank]),
            &[("contact_kind", Required)],
        );
        let answers = accepts(&q, &with(&resident(), "suggestion", &[blank]));
        assert!(!answers.contains_key("suggestion"));
    }
    // A blank next to a real value is not a second value.
    check(
        "respondent_type",
        &["", "party"],
        Choice("party".into()),
        "party",
    );
    check(
        "contact_kind",
        &["", "permit", " "],
        Choices(vec!["permit".into()]),
        "permit",
    );
}

#[test]
fn unknown_items_are_named_once_and_first() {
    let mut fields = with(&resident(), "no_such_item", &["1", "2"]);
    fields.push(("Strict_duty", "3"));
    fields = without(&fields, "overall_sat");
    rejects(
        &default_q(),
        &fields,
        &[
            ("no_such_item", UnknownItem),
            ("Strict_duty", UnknownItem),
            ("overall_sat", Required),
        ],
    );
}

#[test]
fn an_unknown_item_is_reported_even_if_empty() {
    rejects(
        &default_q(),
        &with(&resident(), "ghost", &[""]),
        &[("ghost", UnknownItem)],
    );
}

#[test]
fn fields_starting_with_underscore_are_ignored() {
    let mut fields = resident();
    fields.extend([
        ("_lang", "en"),
        ("_", "x"),
        ("_strict_duty", "99"),
        ("_started", ""),
    ]);
    assert_eq!(
        accepts(&default_q(), &fields),
        accepts(&default_q(), &resident())
    );
}

// ── the business section ──

#[test]
fn business_items_are_answered_by_business_operators() {
    let answers = accepts(&default_q(), &business());
    assert_eq!(answers.len(), 35);
    for (id, answer) in [
        ("respondent_type", Choice("business".into())),
        ("biz_inspections", Choice("1_2".into())),
        ("biz_burden", Likert(4)),
        ("biz_random", NotApplicable),
        ("biz_flexible", Likert(5)),
        ("biz_complaint", Likert(2)),
    ] {
        assert_eq!(answers.get(id), Some(&answer), "{id}");
    }
}

#[test]
fn business_items_are_required_of_business_operators() {
    let q = default_q();
    let biz = [
        "biz_inspections",
        "biz_burden",
        "biz_random",
        "biz_flexible",
        "biz_complaint",
    ];
    let mut fields = business();
    for id in biz {
        rejects(&q, &without(&business(), id), &[(id, Required)]);
        fields = without(&fields, id);
    }
    let expected: Vec<(&str, FieldProblem)> = biz.iter().map(|id| (*id, Required)).collect();
    rejects(&q, &fields, &expected);
    rejects(
        &q,
        &with(&business(), "biz_burden", &["6"]),
        &[("biz_burden", OutOfRange("6".into()))],
    );
}

#[test]
fn business_items_are_ignored_for_everyone_else() {
    let q = default_q();
    for kind in ["resident", "visitor", "party", "other"] {
        // Valid business answers are dropped…
        let from_business = with(&business(), "respondent_type", &[kind]);
        let answers = accepts(&q, &from_business);
        assert!(
            answers.keys().all(|k| !k.starts_with("biz_")),
            "{kind}: {answers:?}"
        );
        assert_eq!(answers["respondent_type"], Choice(kind.into()));
        assert_eq!(answers.len(), 30);
        // …and so are invalid ones.
        let mut junk = with(&resident(), "respondent_type", &[kind]);
        junk.extend([("biz_burden", "99"), ("biz_inspections", "lots")]);
        assert_eq!(accepts(&q, &junk).len(), 30);
    }
}

#[test]
fn without_a_valid_respondent_type_the_business_section_is_hidden() {
    let q = default_q();
    rejects(
        &q,
        &without(&business(), "respondent_type"),
        &[("respondent_type", Required)],
    );
    rejects(
        &q,
        &with(&resident(), "respondent_type", &["Business"]),
        &[("respondent_type", NotAnOption("Business".into()))],
    );
}

// ── conditions in the minimal questionnaire ──

#[test]
fn a_hidden_section_carries_nothing() {
    let q = minimal_q();
    let answers = accepts(
        &q,
        &[
            ("kind", "a"),
            ("rate", "3"),
            ("pick", "nonsense"),
            ("firm", "na"),
        ],
    );
    let expected: Answers = [
        ("kind".to_string(), Choice("a".into())),
        ("rate".to_string(), Likert(3)),
    ]
    .into();
    assert_eq!(answers, expected);
    rejects(
        &q,
        &[("kind", "b"), ("rate", "3")],
        &[
            ("pick", Required),
            ("seen", Required),
            ("score", Required),
            ("firm", Required),
        ],
    );
}

#[test]
fn a_condition_on_a_multiple_choice_holds_if_any_choice_matches() {
    let q = minimal_q();
    // `why` (required text, at most 10 characters) is shown when `pick` includes z.
    let answers = accepts(&q, &with(&minimal_b(), "why", &["no reason"]));
    assert!(!answers.contains_key("why"), "hidden when z is not picked");
    let with_z = with(&minimal_b(), "pick", &["x", "z"]);
    rejects(&q, &with_z, &[("why", Required)]);
    let answers = accepts(&q, &with(&with_z, "why", &["一二三四五六七八九十"]));
    assert_eq!(answers["why"], Text("一二三四五六七八九十".into()));
    rejects(
        &q,
        &with(&with_z, "why", &["一二三四五六七八九十一"]),
        &[("why", TooLong { max: 10 })],
    );
    // An invalid `pick` is not an answer, so `why` stays hidden.
    rejects(
        &q,
        &with(&minimal_b(), "pick", &["x", "y", "z"]),
        &[("pick", TooManyChoices { max: 2 })],
    );
}

#[test]
fn holds_looks_at_earlier_choice_answers() {
    let cond = |any_of: &[&str]| Condition {
        item: "q".into(),
        any_of: any_of.iter().map(|s| s.to_string()).collect(),
    };
    let answers = |answer: Answer| -> Answers { [("q".to_string(), answer)].into() };
    for (answer, any_of, expected) in [
        (Choice("a".into()), &["a", "b"][..], true),
        (Choice("c".into()), &["a", "b"][..], false),
        (Choices(vec!["c".into(), "b".into()]), &["a", "b"][..], true),
        (Choices(vec!["c".into()]), &["a", "b"][..], false),
        (Choices(vec![]), &["a"][..], false),
        (Likert(3), &["3"][..], false),
        (NotApplicable, &["na"][..], false),
        (Text("a".into()), &["a"][..], false),
    ] {
        assert_eq!(
            holds(&cond(any_of), &answers(answer.clone())),
            expected,
            "{answer:?}"
        );
    }
    assert!(!holds(&cond(&["a"]), &Answers::new()));
}

// ── messages ──

#[test]
fn every_problem_has_a_message_in_both_languages() {
    let problems = [
        Required,
        UnknownItem,
        NotAnOption("teleport".into()),
        OutOfRange("11".into()),
        MoreThanOne,
        TooManyChoices { max: 2 },
        TooLong { max: 300 },
    ];
    for problem in &problems {
        let zh = problem.message(Lang::Zh);
        let en = problem.message(Lang::En);
        assert!(!zh.trim().is_empty() && has_cjk(&zh), "{problem:?}: {zh:?}");
        assert!(
            !en.trim().is_empty() && !has_cjk(&en),
            "{problem:?}: {en:?}"
        );
        assert_ne!(zh, en);
    }
    // The value or the limit is part of the message.
    for (problem, needle) in [
        (NotAnOption("teleport".into()), "teleport"),
        (OutOfRange("11".into()), "11"),
        (TooManyChoices { max: 2 }, "2"),
        (TooLong { max: 300 }, "300"),
    ] {
        for lang in [Lang::Zh, Lang::En] {
            let message = problem.message(lang);
            assert!(message.contains(needle), "{lang:?}: {message:?}");
        }
    }
}

#[test]
fn the_messages_of_a_refused_submission() {
    let q = default_q();
    let fields = with(&with(&resident(), "strict_duty", &["6"]), "township", &[]);
    let errors = parse_submission(&q, &owned(&fields)).unwrap_err();
    let messages: Vec<(String, String, String)> = errors
        .iter()
        .map(|e| {
            (
                e.item.clone(),
                e.problem.message(Lang::Zh),
                e.problem.message(Lang::En),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (
                "township".to_string(),
                "此题为必答题，请作答".to_string(),
                "Please answer this question".to_string()
            ),
            (
                "strict_duty".to_string(),
                "“6”超出了本题的取值范围".to_string(),
                "“6” is outside this scale".to_string()
            ),
        ]
    );
}
