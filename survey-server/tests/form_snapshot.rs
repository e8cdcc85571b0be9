//! Snapshots of the rendered citizen form (a small questionnaire with every item type, a
//! condition and errors), so that any change to the markup is seen and reviewed.

use minyi_questionnaire::{answers, Lang, Questionnaire};
use survey_server::citizen::form_view::{render, FormView};
use survey_server::db::campaigns::{Campaign, Unit};

const SMALL: &str = r#"
id = "small"
version = "1"
title = { zh = "小问卷", en = "Small survey" }

[[indicators]]
id = "conduct"
name = { zh = "执法表现", en = "Conduct" }

[[sections]]
id = "about"
title = { zh = "基本情况", en = "About you" }

[[sections.items]]
id = "who"
type = "single"
role = "respondent_type"
text = { zh = "您的身份", en = "You are" }
options = [
  { code = "resident", label = { zh = "居民", en = "Resident" } },
  { code = "business", label = { zh = "经营者", en = "Business" } },
]

[[sections.items]]
id = "how"
type = "multi"
text = { zh = "接触方式", en = "Contact" }
options = [
  { code = "inspection", label = { zh = "检查", en = "Inspection" } },
  { code = "penalty", label = { zh = "处罚", en = "Penalty" } },
]

[[sections]]
id = "rate"
title = { zh = "评价", en = "Ratings" }

[[sections.items]]
id = "manner"
type = "likert5"
indicator = "conduct"
text = { zh = "态度", en = "Manner" }

[[sections.items]]
id = "shown"
type = "yes_no"
allow_na = true
indicator = "conduct"
text = { zh = "出示证件", en = "Certificate shown" }

[[sections.items]]
id = "score"
type = "scale10"
indicator = "conduct"
text = { zh = "打分", en = "Score" }
low = { zh = "差", en = "Poor" }
high = { zh = "好", en = "Good" }

[[sections]]
id = "biz"
title = { zh = "经营者", en = "Business" }
show_if = { item = "who", any_of = ["business"] }

[[sections.items]]
id = "burden"
type = "likert5"
scale = "agreement"
indicator = "conduct"
text = { zh = "检查负担合理", en = "Reasonable burden" }

[[sections.items]]
id = "note"
type = "text"
max_chars = 50
text = { zh = "建议", en = "Suggestions" }
"#;

fn campaign() -> Campaign {
    Campaign {
        id: 1,
        slug: "w".into(),
        label_zh: "2025年测评".into(),
        label_en: "2025 wave".into(),
        wave: "2025".into(),
        questionnaire_version_id: 1,
        starts_on: "2025-01-01".into(),
        ends_on: "2025-12-31".into(),
        status: "open".into(),
        device_policy: "flag".into(),
    }
}

fn unit() -> Unit {
    Unit {
        id: 1,
        code: "market".into(),
        name_zh: "市场监管局".into(),
        name_en: "Market Regulation".into(),
        kind: "department".into(),
    }
}

fn page(lang: Lang, submitted: &[(String, String)]) -> String {
    let q = Questionnaire::parse(SMALL).unwrap();
    let errors = match submitted {
        [] => Vec::new(),
        _ => answers::parse_submission(&q, submitted).unwrap_err(),
    };
    let (campaign, unit) = (campaign(), unit());
    let html = render(&FormView {
        questionnaire: &q,
        lang,
        campaign: &campaign,
        unit: Some(&unit),
        units: std::slice::from_ref(&unit),
        action: "/s/w/market".into(),
        token: "TOKEN".into(),
        submitted,
        errors: &errors,
        privacy: "",
    })
    .into_string();
    // The stylesheet has its own file; the snapshot is about the markup.
    let (head, rest) = html.split_once("<style>").unwrap();
    let (_, tail) = rest.split_once("</style>").unwrap();
    format!("{head}<style>…</style>{tail}").replace("><", ">\n<")
}

#[test]
fn empty_form_in_chinese() {
    insta::assert_snapshot!(page(Lang::Zh, &[]));
}

#[test]
fn form_with_errors_in_english_keeps_answers() {
    let submitted: Vec<(String, String)> = [
        ("who", "business"),
        ("how", "penalty"),
        ("manner", "7"),
        ("shown", "na"),
        ("note", "好"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    insta::assert_snapshot!(page(Lang::En, &submitted));
}
