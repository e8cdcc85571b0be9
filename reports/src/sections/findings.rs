//! The findings the assessment is asked for by name: the seven problems, the three
//! enforcement systems, the business environment, and what people wrote.

use super::summary::flagged_or;
use super::Context;
use crate::doc::{Block, Cell, Section, Table, Tone};
use crate::format;

/// A table of indicators or items for the whole sample: the current wave's value with its
/// interval and n, and the change from the baseline with its interval and p.
pub fn overall_table(cx: &Context, ids: &[&str], measure: &str, caption: String) -> Option<Block> {
    let b = cx.batch;
    let wave = b.current_wave();
    let percent = matches!(measure, "top2" | "incidence");
    let value = |v: f64| {
        if percent {
            format::percent(v)
        } else {
            format::index(v)
        }
    };
    let rows: Vec<Vec<Cell>> = ids
        .iter()
        .filter_map(|id| {
            let e = b.estimate(&wave, "overall", "all", id, measure)?;
            let tone = flagged_or(e.flagged(), Tone::Plain);
            let c = b.comparison("overall", "all", id, measure);
            let diff = |v: f64| {
                if percent {
                    format!("{:+.1}", v * 100.0)
                } else {
                    format::change(v)
                }
            };
            let scale = if percent { 100.0 } else { 1.0 };
            Some(vec![
                Cell::text(cx.label(id)).tone(tone),
                Cell::number(value(e.estimate)).tone(tone),
                Cell::number(if percent {
                    format::percent_interval(e.ci_low, e.ci_high)
                } else {
                    format::interval(e.ci_low, e.ci_high)
                })
                .tone(tone),
                Cell::number(format::count(e.n)),
                Cell::number(c.map_or("—".into(), |c| diff(c.diff)))
                    .tone(flagged_or(c.is_some_and(|c| c.flagged), Tone::Plain)),
                Cell::number(c.map_or("—".into(), |c| {
                    format::change_interval(
                        c.ci_low.map(|v| v * scale),
                        c.ci_high.map(|v| v * scale),
                        cx.lang,
                    )
                })),
                Cell::number(format::p_value(c.and_then(|c| c.p_two_sided))),
            ])
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let unit = if percent {
        cx.t("（百分点）", " (points)")
    } else {
        cx.t("（分）", " (points)")
    };
    Some(Block::Table(Table {
        caption,
        header: vec![
            cx.t("指标", "Indicator"),
            format!("{wave}"),
            "95% CI".into(),
            "n".into(),
            format!("{}{unit}", cx.t("变化", "Change")),
            cx.t("变化 95% CI", "Change 95% CI"),
            "p".into(),
        ],
        rows,
        notes: vec![cx.t(
            "来源：estimates.csv、comparisons.csv（全样本）。p 为双侧检验。",
            "Source: estimates.csv, comparisons.csv (whole sample). Two-sided p.",
        )],
    }))
}

/// The seven problems named in the goal document: how often people met each.
pub fn problems(cx: &Context) -> Option<Section> {
    let items = cx.batch.items_under("problems");
    let table = overall_table(
        cx,
        &items,
        "incidence",
        cx.t(
            "七类突出问题的遭遇率",
            "How often people met the seven problems",
        ),
    )?;
    let mut blocks = vec![
        Block::Paragraph(cx.t(
            "遭遇率是回答“遇到过”的受访者比例（不了解者除外），越低越好；变化为负表示问题减少。",
            "Incidence is the share answering that they met the problem (\"don't know\" left out): lower is better, and a negative change means fewer problems.",
        )),
        table,
    ];
    blocks.extend(cx.chart("problems"));
    Some(Section {
        id: "problems".into(),
        title: cx.t("七类突出问题", "The seven problems"),
        blocks,
    })
}

/// The three enforcement systems (disclosure, full recording, legal review).
pub fn systems(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let mut ids: Vec<&str> = b
        .labels
        .iter()
        .filter(|l| l.kind == "indicator" && l.parent == "systems")
        .map(|l| l.id.as_str())
        .collect();
    ids.insert(0, "systems");
    let table = overall_table(
        cx,
        &ids,
        "index",
        cx.t(
            "行政执法三项制度的落实（指数 0–100）",
            "The three enforcement systems (index 0–100)",
        ),
    )?;
    Some(Section {
        id: "systems".into(),
        title: cx.t("三项制度", "The three enforcement systems"),
        blocks: vec![
            Block::Paragraph(cx.t(
                "三项制度指行政执法公示、执法全过程记录和重大执法决定法制审核，由受访者的亲身经历测得。",
                "The three systems are public disclosure, recording of the whole process, and legal review of major decisions, measured by what respondents experienced.",
            )),
            table,
        ],
    })
}

/// The business environment, as business operators rated it.
pub fn business(cx: &Context) -> Option<Section> {
    let mut ids = vec!["business"];
    ids.extend(cx.batch.items_under("business"));
    let table = overall_table(
        cx,
        &ids,
        "index",
        cx.t(
            "营商环境（经营者评价，指数 0–100）",
            "Doing business (operators' ratings, index 0–100)",
        ),
    )?;
    Some(Section {
        id: "business".into(),
        title: cx.t("营商环境", "The business environment"),
        blocks: vec![
            Block::Paragraph(cx.t(
                "本节只含经营者的回答；n 为作答的经营者人数。",
                "Only business operators answer this part; n counts the operators who did.",
            )),
            table,
        ],
    })
}

/// The most frequent words of the open-text answers.
pub fn open_text(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let wave = b.current_wave();
    let words: Vec<_> = b
        .keywords
        .iter()
        .filter(|k| k.wave == wave && k.unit == "all")
        .take(20)
        .collect();
    if words.is_empty() {
        return None;
    }
    let rows = words
        .iter()
        .map(|k| {
            vec![
                Cell::number(k.rank.to_string()),
                Cell::text(k.word.clone()),
                Cell::number(format::count(k.count)),
            ]
        })
        .collect();
    Some(Section {
        id: "open-text".into(),
        title: cx.t("意见与建议", "What people wrote"),
        blocks: vec![
            Block::Paragraph(cx.t(
                "开放题答案经中文分词（jieba）并去除停用词后，按出现次数排列的关键词。",
                "Keywords of the open answers after Chinese word segmentation (jieba) and stop-word removal, by frequency.",
            )),
            Block::Table(Table {
                caption: format!("{wave} {}", cx.t("高频关键词", "most frequent keywords")),
                header: vec![
                    cx.t("序", "#"),
                    cx.t("关键词", "Word"),
                    cx.t("次数", "Count"),
                ],
                rows,
                notes: vec![format!(
                    "{}{}",
                    cx.t("来源：keywords.csv。有文字的答案共 ", "Source: keywords.csv. Answers with text: "),
                    format::count(words[0].answers)
                )],
            }),
        ],
    })
}
