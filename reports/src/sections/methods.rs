//! The methodology appendix: design and weights, formulas, reliability, sample sizes and
//! margins of error, the indicator weights, and the goal rule as it was stated.

use super::Context;
use crate::doc::{Block, Cell, Section, Table, Tone};
use crate::format;

pub fn methods(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let config = &b.manifest.configuration;
    let weighting = &config["weighting"];
    let calibration = weighting["calibration"].as_str().unwrap_or("none");
    let margins: Vec<&str> = weighting["margins"]
        .as_array()
        .map(|m| m.iter().filter_map(|m| m["variable"].as_str()).collect())
        .unwrap_or_default();
    let calibration = match calibration {
        "post_stratify" => format!(
            "{}{}",
            cx.t("事后分层，按 ", "post-stratified on "),
            margins.first().copied().unwrap_or("—")
        ),
        "rake" => format!(
            "{}{}",
            cx.t("多维加权（raking），按 ", "raked on "),
            margins.join(", ")
        ),
        _ => cx.t("不校准", "none"),
    };
    let trim = weighting["trim"]
        .as_f64()
        .map_or(cx.t("不截尾", "none"), |t| {
            format!("{t} × {}", cx.t("权数中位数", "the median weight"))
        });
    let method = config["indicators"]["method"]
        .as_str()
        .unwrap_or("equal")
        .to_string();
    let mut blocks = vec![
        Block::Subheading(cx.t("抽样设计与加权", "Design and weights")),
        Block::List(vec![
            cx.t(
                "分层抽样设计：以单位为层，设计权数为 N_h / n_h，方差含有限总体校正（与 R survey 包 svydesign(ids = ~1, strata, fpc) 一致）。",
                "A stratified design with the unit as stratum: design weight N_h / n_h, variances with the finite-population correction (as R survey's svydesign(ids = ~1, strata, fpc)).",
            ),
            format!("{}{}{calibration}", cx.t("校准", "Calibration"), cx.colon()),
            format!("{}{}{trim}", cx.t("权数截尾", "Trimming"), cx.colon()),
            format!("{}{}{method}", cx.t("指标权重方法", "Indicator weights"), cx.colon()),
        ]),
        Block::Subheading(cx.t("估计方法", "Estimators")),
        Block::List(vec![
            cx.t(
                "均值与比例：加权比率估计，标准误用泰勒线性化；分组估计按域处理（域外样本保留在设计中）。",
                "Means and shares: weighted ratio estimators with Taylor-linearized SEs; groups are domains (rows outside stay in the design).",
            ),
            cx.t(
                "指数：1–5 分题 (x − 1) / 4 × 100，0–10 分题 x × 10；综合指数为指标树加权和，标准误由同一线性化得到。",
                "Index: (x − 1) / 4 × 100 for 1–5 items, x × 10 for 0–10 items; the composite is the weighted sum through the indicator tree, its SE by the same linearization.",
            ),
            cx.t(
                "比例的置信区间用 logit 变换；比例为 0 或 1 时用 Clopper–Pearson 区间（以 Kish 有效样本量计）。",
                "Intervals for shares on the logit scale; Clopper–Pearson (with Kish's effective n) when the share is 0 or 1.",
            ),
            cx.t(
                "两轮变化：独立样本差值，标准误为两轮方差和的平方根；各单位的 p 值经 Holm 校正。",
                "Wave changes: independent samples, SE the square root of the summed variances; unit p-values Holm-adjusted.",
            ),
            cx.t(
                "样本少于 30 或相对标准误超过 30% 的估计予以标记，不作为结论依据。",
                "Estimates with n < 30 or a relative SE above 30% are flagged and never headlined.",
            ),
        ]),
    ];
    blocks.extend(goal_rule(cx));
    blocks.extend(reliability(cx));
    blocks.extend(sample(cx));
    Some(Section {
        id: "methods".into(),
        title: cx.t("附录：方法说明", "Appendix: methods"),
        blocks,
    })
}

/// The rule exactly as the batch states it, with the date it was fixed.
fn goal_rule(cx: &Context) -> Vec<Block> {
    let goal = &cx.batch.manifest.configuration["goal"];
    let Some(statement) = goal["statement"].as_str() else {
        return Vec::new();
    };
    let mut lines = vec![format!("{}{}{statement}", cx.t("规则", "Rule"), cx.colon())];
    if let Some(d) = goal["stated_on"].as_str() {
        lines.push(format!(
            "{}{}{d}",
            cx.t("确定日期", "Stated on"),
            cx.colon()
        ));
    }
    if let Some(v) = goal["min_improvement"].as_f64() {
        lines.push(format!(
            "{}{}{v}",
            cx.t("最小提高（分）", "Minimum improvement (points)"),
            cx.colon()
        ));
    }
    if let Some(v) = goal["min_final"].as_f64() {
        lines.push(format!(
            "{}{}{v}",
            cx.t("终期最低指数", "Minimum final index"),
            cx.colon()
        ));
    }
    let significance = goal["require_significance"].as_bool().unwrap_or(true);
    lines.push(format!(
        "{}{}{}",
        cx.t("要求统计显著", "Requires significance"),
        cx.colon(),
        if significance {
            cx.t("是（单侧 α = 0.05）", "yes (one-sided α = 0.05)")
        } else {
            cx.t("否", "no")
        }
    ));
    vec![
        Block::Subheading(cx.t("事先确定的目标规则", "The goal rule as stated in advance")),
        Block::List(lines),
    ]
}

/// Cronbach's α per dimension and wave.
fn reliability(cx: &Context) -> Vec<Block> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut rows = Vec::new();
    for r in &cx.batch.reliability {
        if seen.contains(&(r.wave.as_str(), r.dimension.as_str())) {
            continue;
        }
        seen.push((&r.wave, &r.dimension));
        let weak = r.alpha.is_some_and(|a| a < 0.7);
        rows.push(vec![
            Cell::text(r.wave.clone()),
            Cell::text(cx.label(&r.dimension)),
            Cell::number(r.items.to_string()),
            Cell::number(format::optional(r.alpha, 3)).tone(if weak {
                Tone::Caution
            } else {
                Tone::Plain
            }),
            Cell::number(format::count(r.complete_rows)),
        ]);
    }
    if rows.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading(cx.t("信度", "Reliability")),
        Block::Table(Table {
            caption: cx.t("各维度的 Cronbach's α", "Cronbach's α by dimension"),
            header: vec![
                cx.t("轮次", "Wave"),
                cx.t("维度", "Dimension"),
                cx.t("题数", "Items"),
                "α".into(),
                cx.t("完整作答", "Complete rows"),
            ],
            rows,
            notes: vec![cx.t(
                "来源：reliability.csv。α < 0.7 以琥珀色标出。",
                "Source: reliability.csv. α below 0.7 marked amber.",
            )],
        }),
    ]
}

/// Sample sizes, effective n and margins of error, whole sample and per unit.
fn sample(cx: &Context) -> Vec<Block> {
    let rows: Vec<Vec<Cell>> = cx
        .batch
        .sample
        .iter()
        .filter(|s| s.group_var == "overall" || s.group_var == "unit")
        .map(|s| {
            let group = if s.group_var == "overall" {
                cx.t("全部", "All")
            } else {
                cx.unit(&s.group)
            };
            let tone = if s.meets_minimum {
                Tone::Plain
            } else {
                Tone::Flagged
            };
            vec![
                Cell::text(s.wave.clone()),
                Cell::text(group).tone(tone),
                Cell::number(format::count(s.n)).tone(tone),
                Cell::number(format::optional(s.population, 0)),
                Cell::number(format::optional(s.n_eff, 0)),
                Cell::number(
                    s.moe_proportion
                        .map_or("—".into(), |m| format!("±{}", format::percent(m))),
                ),
                Cell::number(s.moe_index.map_or("—".into(), |m| format!("±{m:.1}"))),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading(cx.t("样本量与误差范围", "Sample sizes and margins of error")),
        Block::Table(Table {
            caption: cx.t(
                "样本量、有效样本量与 95% 误差范围",
                "Sample size, effective n and 95% margins of error",
            ),
            header: vec![
                cx.t("轮次", "Wave"),
                cx.t("范围", "Group"),
                "n".into(),
                cx.t("总体规模", "Population"),
                cx.t("有效 n", "Effective n"),
                cx.t("比例误差", "MoE (share)"),
                cx.t("指数误差", "MoE (index)"),
            ],
            rows,
            notes: vec![cx.t(
                "来源：sample.csv。未达到最低样本量的组以灰色标出。",
                "Source: sample.csv. Groups below the minimum sample are greyed.",
            )],
        }),
    ]
}
