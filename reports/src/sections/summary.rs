//! The verdict on the goal rule, and the key figures beside it.

use super::Context;
use crate::doc::{Block, Figure, Section, Tone};
use crate::format;
use crate::tables::Status;

/// Section 1: the verdict in one sentence, then the numbers and the rule as stated.
pub fn verdict(cx: &Context) -> Option<Section> {
    let mut blocks = integrity_alerts(cx);
    let Some(v) = &cx.batch.verdict else {
        blocks.push(Block::Note {
            tone: Tone::Caution,
            text: cx.t(
                "本批次没有同时包含基线和终期两轮调查，无法按目标规则作出判定。",
                "This batch does not hold both a baseline and a final wave, so the goal rule cannot be judged.",
            ),
        });
        return Some(section(cx, blocks));
    };
    let tone = match v.verdict.as_str() {
        "met" => Tone::Good,
        "not_met" => Tone::Alert,
        _ => Tone::Caution,
    };
    let lang = cx.lang;
    let mut details = vec![
        format!(
            "{}{}{}{}",
            cx.t("事先确定的目标规则", "The goal rule, fixed in advance"),
            cx.colon(),
            v.rule.statement,
            v.rule
                .stated_on
                .as_ref()
                .map(|d| cx.paren(&format!("{}{d}", cx.t("确定于 ", "stated on "))))
                .unwrap_or_default()
        ),
        level(cx, &v.base, cx.t("基线指数", "baseline index")),
        level(cx, &v.final_level, cx.t("终期指数", "final index")),
        format!(
            "{}{}{}{}",
            cx.t("变化", "Change"),
            cx.colon(),
            format::change(v.change.estimate),
            cx.paren(&format!(
                "95% CI {}{}{} p = {}",
                format::change_interval(Some(v.change.ci_low), Some(v.change.ci_high), lang),
                cx.semi(),
                cx.t("单侧检验", "one-sided"),
                format::p_value(Some(v.p_one_sided)),
            )),
        ),
    ];
    if let Some(raw) = &v.uncalibrated_change {
        details.push(format!(
            "{}{}{}{}",
            cx.t(
                "仅用设计权数（未校准）的变化",
                "The change with design weights only (uncalibrated)"
            ),
            cx.colon(),
            format::change(raw.estimate),
            cx.paren(&format!(
                "95% CI {}",
                format::change_interval(Some(raw.ci_low), Some(raw.ci_high), lang)
            )),
        ));
    }
    if let Some(note) = &v.note {
        details.push(note.clone());
    }
    let sentence = lang.pick(&v.sentence_zh, &v.sentence_en).to_string();
    blocks.insert(
        0,
        Block::Verdict {
            tone,
            sentence,
            details,
        },
    );
    if v.base.flagged || v.final_level.flagged {
        blocks.push(Block::Note {
            tone: Tone::Flagged,
            text: cx.t(
                "总体指数的样本量过小或精度不足，判定结论仅供参考。",
                "The overall index rests on too small or too imprecise a sample; read the verdict with care.",
            ),
        });
    }
    Some(section(cx, blocks))
}

/// "2025 终期指数：76.1（95% CI 74.9–77.3，n = 1,834）".
fn level(cx: &Context, l: &crate::tables::Level, name: String) -> String {
    format!(
        "{} {name}{}{}{}",
        l.wave,
        cx.colon(),
        format::index(l.estimate),
        cx.paren(&format!(
            "95% CI {}{}n = {}",
            format::interval(Some(l.ci_low), Some(l.ci_high)),
            cx.lang.pick("，", ", "),
            format::count(l.n)
        )),
    )
}

fn section(cx: &Context, blocks: Vec<Block>) -> Section {
    Section {
        id: "verdict".into(),
        title: cx.t("评估结论", "The verdict"),
        blocks,
    }
}

/// Inputs that failed verification or could not be verified, in red, before anything else.
fn integrity_alerts(cx: &Context) -> Vec<Block> {
    cx.batch
        .inputs
        .iter()
        .filter(|i| {
            matches!(
                i.verification.status,
                Status::Failed | Status::Unverifiable
            )
        })
        .map(|i| Block::Note {
            tone: Tone::Alert,
            text: format!(
                "{}{}{}{}",
                cx.t("警告：数据文件 ", "Warning: the input "),
                i.path,
                cx.paren(&i.wave),
                cx.t(
                    " 未能通过完整性日志校验，仅因批次设置 allow_unverified 而被使用。其数据可能不完整或被改动。",
                    " did not verify against the integrity log and was used only because the batch sets allow_unverified. Its data may be incomplete or altered.",
                ),
            ),
        })
        .collect()
}

/// Section 2: the figures leadership quotes, each with its interval and n.
pub fn key_figures(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let wave = b.current_wave();
    let mut figures = Vec::new();
    if let Some(e) = b.estimate(&wave, "overall", "all", "index", "index") {
        figures.push(Figure {
            label: format!("{} {}", wave, cx.t("综合满意度指数", "composite index")),
            value: format::index(e.estimate),
            note: format!("95% CI {}", format::interval(e.ci_low, e.ci_high)),
            tone: flagged_or(e.flagged(), Tone::Plain),
        });
    }
    if let Some(v) = &b.verdict {
        figures.push(Figure {
            label: cx.t("比基线变化（分）", "Change from baseline (points)"),
            value: format::change(v.change.estimate),
            note: format!(
                "95% CI {}",
                format::change_interval(Some(v.change.ci_low), Some(v.change.ci_high), cx.lang)
            ),
            tone: Tone::Plain,
        });
    }
    if let Some(e) = b.estimate(&wave, "overall", "all", "overall_sat", "top2") {
        figures.push(Figure {
            label: cx.t(
                "总体满意率（满意与非常满意）",
                "Satisfied overall (top two boxes)",
            ),
            value: format::percent(e.estimate),
            note: format!("95% CI {}", format::percent_interval(e.ci_low, e.ci_high)),
            tone: flagged_or(e.flagged(), Tone::Plain),
        });
    }
    if let Some(s) = b
        .sample
        .iter()
        .find(|s| s.wave == wave && s.group_var == "overall")
    {
        figures.push(Figure {
            label: cx.t("分析的答卷数", "Responses analysed"),
            value: format::count(s.n),
            note: format!(
                "{} {}",
                cx.t("有效样本量（Kish）", "Kish effective n"),
                format::optional(s.n_eff, 0)
            ),
            tone: Tone::Plain,
        });
    }
    if figures.is_empty() {
        return None;
    }
    let mut blocks = vec![Block::Figures(figures)];
    blocks.extend(cx.chart("waves"));
    Some(Section {
        id: "key-figures".into(),
        title: cx.t("关键数字", "Key figures"),
        blocks,
    })
}

/// `Flagged` for a flagged estimate, else `tone`.
pub fn flagged_or(flagged: bool, tone: Tone) -> Tone {
    if flagged {
        Tone::Flagged
    } else {
        tone
    }
}
