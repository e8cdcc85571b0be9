//! Provenance: what this report was made from, so that anyone can reproduce it.

use super::{heads, Context};
use crate::doc::{Block, Cell, Section, Table};
use crate::format;

pub fn provenance(cx: &Context) -> Option<Section> {
    let b = cx.batch;
    let m = &b.manifest;
    let mut facts = vec![
        (cx.t("生成时间", "Generated"), m.generated_at.clone()),
        (
            cx.t("分析工具版本", "Analysis version"),
            m.analysis_version.clone(),
        ),
        (
            cx.t("polars 版本", "polars version"),
            m.polars_version.clone(),
        ),
        (
            cx.t("报告工具版本", "Report version"),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            cx.t("问卷", "Questionnaire"),
            format!(
                "{} {} ({})",
                m.questionnaire.id, m.questionnaire.version, m.questionnaire.path
            ),
        ),
        (
            cx.t("问卷内容哈希", "Questionnaire hash"),
            m.questionnaire.content_hash.clone(),
        ),
    ];
    facts.push((
        cx.t("批次目录", "Batch folder"),
        b.dir.display().to_string(),
    ));
    let mut blocks = vec![Block::Table(Table {
        caption: cx.t("版本与配置", "Versions and configuration"),
        header: vec![cx.t("项目", "What"), cx.t("值", "Value")],
        rows: facts.into_iter().map(|(k, v)| vec![Cell::text(k), Cell::text(v)]).collect(),
        notes: vec![cx.t(
            "完整的批次配置见 manifest.json；以相同输入与配置重跑 analysis run 可得到相同的表格。",
            "The full batch configuration is in manifest.json; rerunning analysis run on the same inputs and configuration gives the same tables.",
        )],
    })];
    blocks.push(Block::Table(Table {
        caption: cx.t("输入文件及其 SHA-256", "Inputs and their SHA-256"),
        header: vec![
            cx.t("轮次", "Wave"),
            cx.t("文件", "File"),
            cx.t("格式", "Format"),
            cx.t("行数", "Rows"),
            "SHA-256".into(),
        ],
        rows: b
            .inputs
            .iter()
            .map(|i| {
                vec![
                    Cell::text(i.wave.clone()),
                    Cell::text(i.path.clone()),
                    Cell::text(i.format.clone()),
                    Cell::number(format::count(i.rows)),
                    Cell::text(i.sha256.clone()),
                ]
            })
            .collect(),
        notes: vec![cx.t("来源：inputs.json。", "Source: inputs.json.")],
    }));
    blocks.push(Block::Subheading(
        cx.t("计算所依据的签名树头", "The signed log heads computed from"),
    ));
    blocks.push(Block::Paragraph(cx.t(
        "服务器对每轮调查的完整性日志签名：在给定规模处，根哈希唯一地确定了此前的每一份答卷。本报告的数字由下列树头所对应的数据算出；发布本报告即公开承诺了这些树头。任何人可用服务器公钥核对签名（Ed25519，消息格式 minyi-sth/1），并用 survey-server verify-bundle 核对数据包。",
        "The server signs each wave's integrity log: at a given size, the root determines every response before it. This report's numbers were computed from the data of the heads below; publishing the report commits to them in public. Anyone can check each signature with the server's public key (Ed25519, message format minyi-sth/1), and a bundle with survey-server verify-bundle.",
    )));
    blocks.extend(heads::commitments(cx, true));
    if !m.notes.is_empty() {
        blocks.push(Block::Subheading(cx.t("批次说明", "Notes of the batch")));
        blocks.push(Block::List(m.notes.clone()));
    }
    Some(Section {
        id: "provenance".into(),
        title: cx.t("附录：数据来源与可复现性", "Appendix: provenance"),
        blocks,
    })
}
