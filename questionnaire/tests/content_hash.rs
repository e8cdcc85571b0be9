//! `Questionnaire::content_hash`: the same content gives the same hash whatever the file's
//! layout; any change of content, labels included, gives another.

use std::collections::BTreeMap;

use minyi_questionnaire::{Questionnaire, DEFAULT_TOML};

const MINIMAL: &str = include_str!("fixtures/minimal.toml");
const MINIMAL_REFORMATTED: &str = include_str!("fixtures/minimal_reformatted.toml");

/// The hash the shipped questionnaire had when it was released as this version. A stored
/// version is frozen: change the file and you must change `version` (and this pin) too.
const DEFAULT_VERSION: &str = "2025.1";
const DEFAULT_HASH: &str = "e37209c6ae2f0aa386859c42b67d1503a79ee70e697c4f047b761ebc48740d73";

fn hash(src: &str) -> String {
    match Questionnaire::parse(src) {
        Ok(q) => q.content_hash(),
        Err(e) => panic!("{e}\n--- source ---\n{src}"),
    }
}

/// `src` with `old`, which must occur exactly once, replaced by `new`.
fn edit(src: &str, old: &str, new: &str) -> String {
    assert_eq!(src.matches(old).count(), 1, "{old:?} must occur once");
    src.replacen(old, new, 1)
}

/// Asserts that `a` and `b` hash alike.
fn same(a: &str, b: &str) {
    assert_eq!(hash(a), hash(b), "\n--- a ---\n{a}\n--- b ---\n{b}");
}

fn is_hex_sha256(h: &str) -> bool {
    h.len() == 64 && h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

#[test]
fn the_hash_is_64_lower_case_hex_digits() {
    for src in [MINIMAL, DEFAULT_TOML] {
        let h = hash(src);
        assert!(is_hex_sha256(&h), "{h:?}");
    }
}

#[test]
fn the_hash_is_stable_for_the_same_content() {
    same(MINIMAL, MINIMAL);
    same(DEFAULT_TOML, DEFAULT_TOML);
    let q = Questionnaire::default_questionnaire();
    assert_eq!(q.content_hash(), q.clone().content_hash());
    assert_ne!(hash(MINIMAL), hash(DEFAULT_TOML));
}

#[test]
fn the_default_hash_is_pinned_for_its_version() {
    let q = Questionnaire::default_questionnaire();
    if q.version == DEFAULT_VERSION {
        assert_eq!(
            q.content_hash(),
            DEFAULT_HASH,
            "questionnaires/default.toml (or the canonical form) changed without a new version"
        );
    }
}

#[test]
fn a_reformatted_file_hashes_alike() {
    // Comments, blank lines, key order, inline tables vs table headers, dotted keys,
    // literal strings, escapes, 0x2 and 1_0 for 2 and 10.
    assert_eq!(
        Questionnaire::parse(MINIMAL_REFORMATTED).unwrap(),
        Questionnaire::parse(MINIMAL).unwrap()
    );
    same(MINIMAL, MINIMAL_REFORMATTED);
}

#[test]
fn whitespace_and_comments_do_not_count() {
    let variants = [
        MINIMAL.replace('\n', "\r\n"),
        MINIMAL.replace('\n', "\n\n"),
        MINIMAL.replace(" = ", "   =\t"),
        MINIMAL
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n"),
        MINIMAL
            .lines()
            .map(|l| format!("  {l}  # a trailing comment"))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for variant in &variants {
        same(MINIMAL, variant);
    }
}

#[test]
fn the_default_without_its_comments_hashes_alike() {
    let bare: String = DEFAULT_TOML
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| format!("{}\n", l.trim()))
        .collect();
    assert!(bare.len() < DEFAULT_TOML.len());
    same(DEFAULT_TOML, &bare);
}

#[test]
fn the_default_written_back_as_toml_hashes_alike() {
    let q = Questionnaire::default_questionnaire();
    let written = toml::to_string(&q).unwrap();
    assert_ne!(written, DEFAULT_TOML);
    same(DEFAULT_TOML, &written);
}

#[test]
fn spelling_out_a_types_default_does_not_count() {
    // likert5 defaults to the satisfaction scale with 不了解/不适用; yes_no to no 记不清.
    let explicit = edit(
        MINIMAL,
        "type = \"likert5\"\nindicator = \"leaf\"\ntext = { zh = \"满意程度\"",
        "type = \"likert5\"\nscale = \"satisfaction\"\nallow_na = true\nindicator = \"leaf\"\ntext = { zh = \"满意程度\"",
    );
    same(MINIMAL, &explicit);
    let explicit = edit(
        MINIMAL,
        "type = \"yes_no\"\n",
        "type = \"yes_no\"\nallow_na = false\n",
    );
    same(MINIMAL, &explicit);
}

#[test]
fn spelling_out_the_default_of_required_does_not_count() {
    // Every kind but open text is required unless it says otherwise.
    for head in [
        "id = \"rate\"\ntype = \"likert5\"\n",
        "id = \"firm\"\ntype = \"likert5\"\n",
        "id = \"seen\"\ntype = \"yes_no\"\n",
        "id = \"score\"\ntype = \"scale10\"\n",
        "id = \"kind\"\ntype = \"single\"\n",
        "id = \"pick\"\ntype = \"multi\"\n",
    ] {
        let explicit = edit(MINIMAL, head, &format!("{head}required = true\n"));
        same(MINIMAL, &explicit);
        let q = Questionnaire::parse(&explicit).unwrap();
        assert!(q.items().all(|(_, i)| i.is_required()), "{head}");
    }
    // Open text is optional unless it says otherwise.
    let optional = edit(MINIMAL, "required = true\n", "");
    let explicit = edit(MINIMAL, "required = true\n", "required = false\n");
    same(&optional, &explicit);
    assert!(!Questionnaire::parse(&explicit)
        .unwrap()
        .item("why")
        .unwrap()
        .is_required());
    // Saying the opposite of the default does count.
    assert_ne!(hash(&optional), hash(MINIMAL));
    let optional_rate = edit(
        MINIMAL,
        "type = \"likert5\"\nindicator",
        "type = \"likert5\"\nrequired = false\nindicator",
    );
    assert_ne!(hash(&optional_rate), hash(MINIMAL));
    assert!(!Questionnaire::parse(&optional_rate)
        .unwrap()
        .item("rate")
        .unwrap()
        .is_required());
}

#[test]
fn the_default_with_required_spelt_out_keeps_its_pinned_hash() {
    // The shipped file leaves `required` to each kind's default; writing it out changes nothing.
    let q = Questionnaire::default_questionnaire();
    let explicit: String = DEFAULT_TOML
        .lines()
        .map(|l| match l.trim() {
            "type = \"likert5\"" | "type = \"yes_no\"" | "type = \"scale10\""
            | "type = \"single\"" | "type = \"multi\"" => format!("{l}\nrequired = true\n"),
            "type = \"text\"" => format!("{l}\nrequired = false\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    assert_eq!(explicit.matches("required = ").count(), q.items().count());
    same(DEFAULT_TOML, &explicit);
    if q.version == DEFAULT_VERSION {
        assert_eq!(hash(&explicit), DEFAULT_HASH);
    }
}

#[test]
fn any_change_of_a_label_changes_the_hash() {
    // (what changes, old, new)
    let cases = [
        ("title zh", r#"zh = "小问卷""#, r#"zh = "小问卷！""#),
        (
            "title en",
            r#"en = "Mini survey""#,
            r#"en = "Mini  survey""#,
        ),
        ("intro zh", r#"zh = "匿名填写""#, r#"zh = "实名填写""#),
        ("intro en", r#"en = "Anonymous""#, r#"en = "anonymous""#),
        ("indicator zh", r#"zh = "叶指标""#, r#"zh = "叶子指标""#),
        ("indicator en", r#"en = "Leaf""#, r#"en = "Leaf.""#),
        ("section title zh", r#"zh = "更多""#, r#"zh = "更多问题""#),
        (
            "section title en",
            r#"en = "About you""#,
            r#"en = "About You""#,
        ),
        (
            "section note zh",
            r#"zh = "请如实作答""#,
            r#"zh = "请认真作答""#,
        ),
        (
            "section note en",
            r#"en = "Please answer truthfully""#,
            r#"en = "Please answer""#,
        ),
        ("item text zh", r#"zh = "满意程度""#, r#"zh = "满意度""#),
        (
            "item text en",
            r#"en = "How satisfied""#,
            r#"en = "How satisfied?""#,
        ),
        ("option label zh", r#"zh = "选项二""#, r#"zh = "选项 二""#),
        ("option label en", r#"en = "Three""#, r#"en = "3""#),
        ("low end zh", r#"zh = "很差""#, r#"zh = "差""#),
        ("high end en", r#"en = "Good""#, r#"en = "Very good""#),
    ];
    let base = hash(MINIMAL);
    let mut seen = BTreeMap::new();
    for (what, old, new) in cases {
        let h = hash(&edit(MINIMAL, old, new));
        assert!(is_hex_sha256(&h));
        assert_ne!(h, base, "changing the {what} must change the hash");
        if let Some(other) = seen.insert(h, what) {
            panic!("changing the {what} and the {other} give the same hash");
        }
    }
}

#[test]
fn any_change_of_structure_changes_the_hash() {
    let cases = [
        ("version", r#"version = "1""#, r#"version = "2""#),
        ("questionnaire id", r#"id = "mini""#, r#"id = "mini2""#),
        ("item id", r#"id = "rate""#, r#"id = "rating""#),
        ("option code", r#"code = "x""#, r#"code = "w""#),
        ("max_chars", "max_chars = 10", "max_chars = 11"),
        ("max_choices", "max_choices = 2", "max_choices = 3"),
        ("scale", r#"scale = "agreement""#, r#"scale = "satisfaction""#),
        ("allow_na", "allow_na = false", "allow_na = true"),
        ("required", "required = true", "required = false"),
        ("condition", r#"any_of = ["z"]"#, r#"any_of = ["y", "z"]"#),
        ("role", "role = \"respondent_type\"\n", ""),
        ("type", r#"type = "yes_no""#, r#"type = "likert5""#),
        (
            "option order",
            "  { code = \"a\", label = { zh = \"甲\", en = \"A\" } },\n  { code = \"b\", label = { zh = \"乙\", en = \"B\" } },\n",
            "  { code = \"b\", label = { zh = \"乙\", en = \"B\" } },\n  { code = \"a\", label = { zh = \"甲\", en = \"A\" } },\n",
        ),
    ];
    let base = hash(MINIMAL);
    for (what, old, new) in cases {
        assert_ne!(
            hash(&edit(MINIMAL, old, new)),
            base,
            "changing the {what} must change the hash"
        );
    }
}
