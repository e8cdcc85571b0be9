//! Data quality: each input's integrity-log verification and the signed head it was computed
//! from, the screens, and what excluding flagged responses does to the headline.

use super::{heads, Context};
use crate::doc::{Block, Cell, Section, Table, Tone};
use crate::format;
use crate::tables::Status;

pub fn quality(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let mut blocks = vec![Block::Subheading(
        cx.t("数据来源与完整性校验", "Inputs and integrity"),
    )];
    blocks.push(Block::Table(Table {
        caption: cx.t(
            "各数据文件的完整性日志校验",
            "Integrity-log verification of each input",
        ),
        header: vec![
            cx.t("轮次", "Wave"),
            cx.t("文件", "File"),
            cx.t("行数", "Rows"),
            cx.t("校验结果", "Verification"),
        ],
        rows: b
            .inputs
            .iter()
            .map(|i| {
                let (status, tone) = match i.verification.status {
                    Status::Verified => (
                        cx.t("已通过：与签名树头一致", "verified against the signed head"),
                        Tone::Good,
                    ),
                    Status::Failed => (
                        format!(
                            "{}{}",
                            cx.t("未通过（仅因设置而使用）：", "FAILED (used by override): "),
                            i.verification.problems.first().cloned().unwrap_or_default()
                        ),
                        Tone::Alert,
                    ),
                    Status::Unverifiable => (
                        cx.t(
                            "无法校验（仅因设置而使用）",
                            "could not be verified (used by override)",
                        ),
                        Tone::Alert,
                    ),
                    Status::NotApplicable => (
                        cx.t(
                            "普通表格，无完整性日志可校验",
                            "plain table: no log to verify against",
                        ),
                        Tone::Caution,
                    ),
                };
                vec![
                    Cell::text(i.wave.clone()),
                    Cell::text(i.path.clone()),
                    Cell::number(format::count(i.rows)),
                    Cell::text(status).tone(tone),
                ]
            })
            .collect(),
        notes: vec![cx.t("来源：inputs.json。", "Source: inputs.json.")],
    }));
    blocks.extend(heads::commitments(cx, false));
    blocks.push(Block::Subheading(cx.t("质量筛查", "Quality screens")));
    let excluded = b.quality.iter().any(|q| q.excluded);
    blocks.push(Block::Paragraph(if excluded {
        cx.t(
            "被标记的答卷（过快作答、直线作答、重复、服务器标记）已从估计中剔除；下表同时给出剔除与不剔除时的总体指数。",
            "Flagged responses (speeders, straight-liners, duplicates, server flags) are excluded from the estimates; the table below gives the overall index both ways.",
        )
    } else {
        cx.t(
            "被标记的答卷保留在估计中（批次未设置剔除）；下表同时给出剔除与不剔除时的总体指数。",
            "Flagged responses stay in the estimates (the batch does not exclude them); the table below gives the overall index both ways.",
        )
    }));
    blocks.push(Block::Table(Table {
        caption: cx.t("各单位质量筛查", "Quality screens by unit"),
        header: vec![
            cx.t("轮次", "Wave"),
            cx.t("单位", "Unit"),
            cx.t("答卷", "Responses"),
            cx.t("过快", "Speeders"),
            cx.t("直线作答", "Straight-lining"),
            cx.t("重复", "Duplicates"),
            cx.t("服务器标记", "Server flags"),
            cx.t("被标记", "Flagged"),
        ],
        rows: b
            .quality
            .iter()
            .map(|q| {
                let unit = if q.unit == "all" {
                    cx.t("全部", "All")
                } else {
                    cx.unit(&q.unit)
                };
                let share = q.flagged as f64 / q.responses.max(1) as f64;
                vec![
                    Cell::text(q.wave.clone()),
                    Cell::text(unit),
                    Cell::number(format::count(q.responses)),
                    Cell::number(format::count(q.speeders)),
                    Cell::number(format::count(q.straight_liners)),
                    Cell::number(format::count(q.duplicates)),
                    Cell::number(format::count(q.server_flags)),
                    Cell::number(format::count(q.flagged)).tone(if share > 0.1 {
                        Tone::Caution
                    } else {
                        Tone::Plain
                    }),
                ]
            })
            .collect(),
        notes: vec![cx.t(
            "来源：quality.csv。被标记超过一成的单位以琥珀色标出。",
            "Source: quality.csv. Units with more than a tenth flagged are marked amber.",
        )],
    }));
    let screening: Vec<_> = b
        .screening
        .iter()
        .filter(|e| e.level == "index" && e.measure == "index")
        .collect();
    if !screening.is_empty() {
        blocks.push(Block::Table(Table {
            caption: cx.t(
                "剔除与不剔除被标记答卷时的总体指数",
                "The overall index with and without flagged responses",
            ),
            header: vec![
                cx.t("轮次", "Wave"),
                cx.t("样本", "Sample"),
                cx.t("指数", "Index"),
                "95% CI".into(),
                "n".into(),
            ],
            rows: screening
                .iter()
                .map(|e| {
                    vec![
                        Cell::text(e.wave.clone()),
                        Cell::text(if e.group == "all" {
                            cx.t("全部答卷", "all responses")
                        } else {
                            cx.t("剔除被标记答卷", "without flagged")
                        }),
                        Cell::number(format::index(e.estimate)),
                        Cell::number(format::interval(e.ci_low, e.ci_high)),
                        Cell::number(format::count(e.n)),
                    ]
                })
                .collect(),
            notes: vec![cx.t("来源：screening.csv。", "Source: screening.csv.")],
        }));
    }
    blocks.extend(cx.chart("daily"));
    Some(Section {
        id: "quality".into(),
        title: cx.t("数据质量", "Data quality"),
        blocks,
    })
}
