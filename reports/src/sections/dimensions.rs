//! The dimensions of the indicator tree, and the drivers of satisfaction (IPA).

use super::findings::overall_table;
use super::Context;
use crate::doc::{Block, Cell, Section, Table};
use crate::format;

/// Every first-level dimension: index and change, the answer distribution, units × dimensions.
pub fn dimensions(cx: &Context) -> Option<Section> {
    let mut ids = vec!["index"];
    ids.extend(cx.batch.dimensions());
    let table = overall_table(
        cx,
        &ids,
        "index",
        cx.t("各维度指数（0–100）", "Index by dimension (0–100)"),
    )?;
    let mut blocks = vec![table];
    blocks.extend(cx.chart("likert"));
    blocks.extend(cx.chart("heatmap"));
    Some(Section {
        id: "dimensions".into(),
        title: cx.t("各维度表现", "The dimensions"),
        blocks,
    })
}

/// Derived importance against performance: the items to concentrate on first.
pub fn drivers(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let wave = b.current_wave();
    let rows: Vec<_> = b.importance.iter().filter(|r| r.wave == wave).collect();
    if rows.is_empty() {
        return None;
    }
    let mut focus: Vec<_> = rows
        .iter()
        .filter(|r| r.quadrant == "concentrate_here")
        .collect();
    focus.sort_by(|a, b| {
        b.importance
            .unwrap_or(0.0)
            .total_cmp(&a.importance.unwrap_or(0.0))
    });
    let mut blocks = vec![Block::Paragraph(cx.t(
        "派生重要性是各题得分与总体满意度的相关系数。重要性高而表现低于平均的题目落在“重点改进区”，是最值得投入的环节。",
        "Derived importance is each item's correlation with overall satisfaction. Items of high importance and below-average performance fall in \"concentrate here\": the best places to invest.",
    ))];
    blocks.extend(cx.chart("ipa"));
    if focus.is_empty() {
        blocks.push(Block::Paragraph(cx.t(
            "本轮没有题目落在重点改进区。",
            "No item falls in \"concentrate here\" this wave.",
        )));
    } else {
        blocks.push(Block::Table(Table {
            caption: cx.t("重点改进的题目", "Items to concentrate on"),
            header: vec![
                cx.t("题目", "Item"),
                cx.t("表现（指数）", "Performance (index)"),
                cx.t("重要性（相关系数）", "Importance (correlation)"),
            ],
            rows: focus
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(cx.label(&r.item)),
                        Cell::number(format::index(r.performance)),
                        Cell::number(format::optional(r.importance, 2)),
                    ]
                })
                .collect(),
            notes: vec![format!(
                "{}{}{}{}",
                cx.t(
                    "来源：importance.csv。表现线 ",
                    "Source: importance.csv. Performance line "
                ),
                format::index(rows[0].performance_line),
                cx.t("，重要性线 ", ", importance line "),
                format::optional(Some(rows[0].importance_line), 2),
            )],
        }));
    }
    Some(Section {
        id: "drivers".into(),
        title: cx.t("满意度驱动因素与改进重点", "Drivers and where to improve"),
        blocks,
    })
}
