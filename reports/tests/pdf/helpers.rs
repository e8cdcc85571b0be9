//! A report built by hand, chart PNGs, and poppler's tools.

use std::io::Cursor;
use std::process::Command;

use minyi_reports::doc::{Block, Cell, Cover, Document, Figure, Section, Table, Tone};
use minyi_reports::pdf;
use minyi_reports::Lang;

pub const VERDICT: &str = "满意度指数提高了 4.4 分（95% 置信区间 2.8 至 6.0）";
pub const HOSTILE: [&str; 9] = [
    "<script>alert(1)</script>",
    "#panic()",
    "$x$ 与 *bold* 与 _em_",
    "=HYPERLINK(\"http://x\")",
    r"C:\temp\new \\ 双反斜杠",
    "`raw` @label <label> [链接]",
    "// 不是注释",
    "= 不是标题",
    "- 不是列表 + 也不是",
];

/// A report with `repeat` copies of its units table, verdict and text.
pub fn report(lang: Lang, repeat: usize) -> Document {
    let header = ["单位", "综合指数", "95% 置信区间", "变化", "n"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<Cell>> = (1..=40)
        .map(|i| {
            let tone = if i % 7 == 0 {
                Tone::Flagged
            } else {
                Tone::Plain
            };
            vec![
                Cell::text(format!("第 {i} 执法大队")),
                Cell::number(if i == 7 {
                    "72.0".into()
                } else {
                    format!("{}.{}", 60 + i % 30, i % 10)
                })
                .tone(tone),
                Cell::number(format!("{}–{}", 58 + i % 30, 63 + i % 30)),
                Cell::number("+4.4").tone(Tone::Good),
                Cell::number(format!("{}", 30 + i * 3)),
            ]
        })
        .collect();
    let figure = |label: &str, value: &str, tone| Figure {
        label: label.into(),
        value: value.into(),
        note: "n = 1,834".into(),
        tone,
    };
    let mut summary = vec![
        Block::Verdict {
            tone: Tone::Good,
            sentence: VERDICT.into(),
            details: vec!["基线 71.7，终期 76.1。".into(), "目标为提高 3 分。".into()],
        },
        Block::Figures(vec![
            figure("综合指数", "76.1", Tone::Plain),
            figure("变化", "+4.4", Tone::Good),
            figure("七类问题发生率", "6.2%", Tone::Alert),
            figure("小样本单位", "3", Tone::Flagged),
            figure("回收率", "81%", Tone::Caution),
        ]),
        Block::Chart {
            id: "unit_index".into(),
            title: "各单位综合指数".into(),
            caption: "来源：estimates.csv，n = 1,834".into(),
        },
        Block::Note {
            tone: Tone::Caution,
            text: "第 7 执法大队样本量不足 30。".into(),
        },
        Block::List(HOSTILE.iter().map(|s| s.to_string()).collect()),
    ];
    summary.extend(HOSTILE.iter().map(|s| Block::Paragraph(s.to_string())));
    let mut units = Vec::new();
    for _ in 0..repeat {
        units.push(Block::Subheading("各单位综合指数".into()));
        units.push(Block::Paragraph(
            "各单位按终期综合指数从高到低排列，范围重叠的单位之间不宜排先后。".repeat(4),
        ));
        let notes = vec!["来源：estimates.csv。† 样本量小或精度不足，仅供参考。".into()];
        units.push(Block::Table(Table {
            caption: "各单位综合指数".into(),
            header: header.clone(),
            rows: rows.clone(),
            notes,
        }));
    }
    Document {
        lang,
        cover: Cover {
            title: "行政执法群众满意度第三方评估报告".into(),
            subtitle: "2025 年目标评估".into(),
            facts: vec![
                ("评估机构".into(), "某某大学第三方评估中心".into()),
                ("报告日期".into(), "2025-11-30".into()),
            ],
        },
        sections: vec![
            Section {
                id: "verdict".into(),
                title: "总体结论".into(),
                blocks: summary,
            },
            Section {
                id: "units".into(),
                title: "各单位".into(),
                blocks: units,
            },
        ],
    }
}

pub fn render(doc: &Document) -> Vec<u8> {
    pdf::render(doc, &[("unit_index".into(), png(320, 180, 0))]).unwrap()
}

/// A chart-like PNG: white, grid lines, coloured bars, and a jitter in the colours that
/// compresses as badly as anti-aliased edges do.
pub fn png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let bar = (x * 12 / width) as u8;
        let jitter = ((x * 7 + y * 13 + seed) % 5) as u8;
        if y > height / 10 + u32::from(bar) * height / 16 && x % (width / 12) > width / 60 {
            image::Rgb([40 + bar * 15 + jitter, 110 + seed as u8, 200 - bar * 10])
        } else if (x + y) % 97 < 2 {
            image::Rgb([200 + jitter, 200, 200])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-layout"])
}

pub fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", pdf, &[]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo prints Pages:");
    pages.trim().parse().unwrap()
}

/// Runs a poppler tool on the PDF and returns its standard output.
pub fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
    assert!(
        output.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Text without whitespace: line breaks and justification put spaces where the source had none.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
