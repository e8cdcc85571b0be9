//! Per-unit scorecards: index, change, intervals, n, rank range and flags.

use super::summary::flagged_or;
use super::Context;
use crate::doc::{Block, Cell, Section, Table, Tone};
use crate::format;

pub fn scorecards(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let wave = b.current_wave();
    let mut units: Vec<_> = b
        .estimates
        .iter()
        .filter(|e| {
            e.wave == wave && e.group_var == "unit" && e.level == "index" && e.measure == "index"
        })
        .collect();
    if units.is_empty() {
        return None;
    }
    units.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
    let header = [
        cx.t("单位", "Unit"),
        cx.t("指数", "Index"),
        "95% CI".into(),
        cx.t("变化", "Change"),
        cx.t("变化 95% CI", "Change 95% CI"),
        cx.t("p（Holm）", "p (Holm)"),
        "n".into(),
        cx.t("排名范围", "Rank range"),
        cx.t("标记", "Flags"),
    ];
    let rows = units
        .iter()
        .map(|e| {
            let tone = flagged_or(e.flagged(), Tone::Plain);
            let change = b.comparison("unit", &e.group, "index", "index");
            let rank = b
                .ranking
                .iter()
                .find(|r| r.wave == wave && r.unit == e.group);
            let quality = b
                .quality
                .iter()
                .find(|q| q.wave == wave && q.unit == e.group);
            let mut flags = Vec::new();
            if e.flag_small {
                flags.push(cx.t("样本少于 30", "n < 30"));
            }
            if e.flag_imprecise {
                flags.push(cx.t("相对标准误超过 30%", "relative SE > 30%"));
            }
            if let Some(q) = quality.filter(|q| q.flagged > 0) {
                flags.push(format!(
                    "{} {}",
                    cx.t("质量标记", "quality flags"),
                    q.flagged
                ));
            }
            let significant = change.and_then(|c| c.p_holm).is_some_and(|p| p < 0.05);
            let change_tone = match change {
                Some(c) if significant && c.diff > 0.0 => Tone::Good,
                Some(c) if significant && c.diff < 0.0 => Tone::Alert,
                _ => Tone::Plain,
            };
            vec![
                Cell::text(cx.unit(&e.group)).tone(tone),
                Cell::number(format::index(e.estimate)).tone(tone),
                Cell::number(format::interval(e.ci_low, e.ci_high)).tone(tone),
                Cell::number(change.map_or("—".into(), |c| format::change(c.diff)))
                    .tone(flagged_or(change.is_some_and(|c| c.flagged), change_tone)),
                Cell::number(change.map_or("—".into(), |c| {
                    format::change_interval(c.ci_low, c.ci_high, cx.lang)
                })),
                Cell::number(format::p_value(change.and_then(|c| c.p_holm))),
                Cell::number(format::count(e.n)),
                Cell::number(rank.map_or("—".into(), |r| {
                    if r.rank_best == r.rank_worst {
                        r.rank_best.to_string()
                    } else {
                        format!("{}–{}", r.rank_best, r.rank_worst)
                    }
                })),
                Cell::text(flags.join(cx.lang.pick("；", "; "))).tone(if e.flagged() {
                    Tone::Flagged
                } else if flags.is_empty() {
                    Tone::Plain
                } else {
                    Tone::Caution
                }),
            ]
        })
        .collect();
    let mut blocks = vec![Block::Paragraph(cx.t(
        "各单位按终期综合指数从高到低排列。排名范围给出在抽样误差下该单位可能的名次：范围重叠的单位之间不宜排先后。变化的 p 值已按 Holm 方法对各单位多重比较作了校正。标记的估计样本少或精度不足，仅供参考。",
        "Units in order of the final composite index. The rank range is where sampling error could put the unit: units whose ranges overlap should not be ranked against each other. The p-values of the changes are Holm-adjusted across units. Flagged estimates rest on a small or imprecise sample and are shown for reference only.",
    ))];
    blocks.push(Block::Table(Table {
        caption: format!(
            "{} {}",
            wave,
            cx.t("各单位综合指数", "composite index by unit")
        ),
        header: header.to_vec(),
        rows,
        notes: vec![cx.t(
            "来源：estimates.csv、comparisons.csv、ranking.csv、quality.csv。指数为 0–100 分。",
            "Source: estimates.csv, comparisons.csv, ranking.csv, quality.csv. Index on 0–100.",
        )],
    }));
    blocks.extend(cx.chart("unit_index"));
    blocks.extend(cx.chart("unit_change"));
    Some(Section {
        id: "units".into(),
        title: cx.t("各单位评分卡", "Unit scorecards"),
        blocks,
    })
}
