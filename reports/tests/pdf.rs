//! The PDF read back with poppler (`pdftotext`, `pdffonts`): the text a reader sees, the font
//! that is embedded, the pages.

use std::io::Cursor;
use std::process::Command;
use std::time::Instant;

use minyi_reports::doc::{Block, Cell, Cover, Document, Figure, Section, Table, Tone};
use minyi_reports::pdf::{self, PdfError};
use minyi_reports::Lang;

const VERDICT: &str = "满意度指数提高了 4.4 分（95% 置信区间 2.8 至 6.0）";
const HOSTILE: [&str; 9] = [
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

#[test]
fn the_report_text_comes_out_literally() {
    let text = pdftotext(&render(&report(Lang::Zh, 1)));
    let flat = squeeze(&text);
    for expected in [
        VERDICT,
        "一、总体结论",
        "二、各单位",
        "● 积极",
        "综合指数",
        "76.1",
        "72.0 †",
        "表 1",
        "图 1",
        "各单位综合指数",
        "来源：estimates.csv，n = 1,834",
        "第 2 页 / 共",
        "目录",
    ] {
        assert!(
            flat.contains(&squeeze(expected)),
            "{expected:?} not in:\n{text}"
        );
    }
    for hostile in HOSTILE {
        assert!(
            flat.contains(&squeeze(hostile)),
            "{hostile:?} not in:\n{text}"
        );
    }
}

#[test]
fn the_shipped_font_is_the_only_font_and_is_embedded() {
    let fonts = poppler("pdffonts", &render(&report(Lang::Zh, 1)), &[]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(row.contains("MinyiSansSC"), "{fonts}");
        // name, type…, then the columns emb sub uni: the first "yes"/"no" is `emb`.
        let emb = row.split_whitespace().find(|w| *w == "yes" || *w == "no");
        assert_eq!(emb, Some("yes"), "{fonts}");
    }
}

#[test]
fn a_long_report_spans_pages_and_repeats_the_table_header() {
    let pdf = render(&report(Lang::Zh, 6));
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = page_count(&pdf);
    assert!(pages > 4, "{pages} pages");
    let last = poppler(
        "pdftotext",
        &pdf,
        &[
            "-layout",
            "-f",
            &pages.to_string(),
            "-l",
            &pages.to_string(),
        ],
    );
    assert!(
        squeeze(&last).contains(&squeeze(&format!("第 {pages} 页 / 共 {pages} 页"))),
        "{last}"
    );
    let header_pages = (2..=pages)
        .filter(|p| {
            let page = poppler(
                "pdftotext",
                &pdf,
                &["-layout", "-f", &p.to_string(), "-l", &p.to_string()],
            );
            page.contains("95% 置信区间")
        })
        .count();
    assert!(
        header_pages > 1,
        "the table header is on {header_pages} page(s)"
    );
}

#[test]
fn english_reports_number_pages_in_english() {
    let mut doc = report(Lang::En, 1);
    doc.sections[0]
        .blocks
        .insert(0, Block::Paragraph("The index rose by 4.4 points.".into()));
    let flat = squeeze(&pdftotext(&render(&doc)));
    for expected in [
        "Page 2 of",
        "Contents",
        "1.总体结论",
        "● Positive",
        "The index rose by 4.4 points.",
    ] {
        assert!(
            flat.contains(&squeeze(expected)),
            "{expected:?} not in {flat}"
        );
    }
}

#[test]
fn an_empty_or_odd_document_still_renders() {
    let empty = Document {
        lang: Lang::Zh,
        cover: Cover {
            title: String::new(),
            subtitle: String::new(),
            facts: vec![],
        },
        sections: vec![],
    };
    assert!(render(&empty).starts_with(b"%PDF-"));
    let ragged = Table {
        caption: String::new(),
        header: vec![],
        rows: vec![
            vec![Cell::number("1")],
            vec![],
            vec![Cell::text("a"), Cell::text("b").tone(Tone::Flagged)],
        ],
        notes: vec![],
    };
    let blocks = vec![
        Block::Verdict {
            tone: Tone::Plain,
            sentence: String::new(),
            details: vec![],
        },
        Block::Figures(vec![]),
        Block::List(vec![]),
        Block::Subheading(String::new()),
        Block::Paragraph("\u{0}\t\r\n".into()),
        Block::Note {
            tone: Tone::Flagged,
            text: String::new(),
        },
        Block::Table(Table {
            caption: "空表".into(),
            header: vec![],
            rows: vec![],
            notes: vec![],
        }),
        Block::Table(ragged),
    ];
    let odd = Document {
        sections: vec![Section {
            id: "x".into(),
            title: String::new(),
            blocks,
        }],
        ..empty
    };
    let flat = squeeze(&pdftotext(&render(&odd)));
    assert!(flat.contains("空表") && flat.contains("b†"), "{flat}");
}

#[test]
fn a_missing_chart_is_an_error_naming_it() {
    let err = pdf::render(&report(Lang::Zh, 1), &[]).unwrap_err();
    assert!(
        matches!(&err, PdfError::MissingChart(id) if id == "unit_index"),
        "{err}"
    );
}

#[test]
fn a_typst_error_names_the_line_of_the_markup() {
    let charts = [("unit_index".to_string(), b"not a png".to_vec())];
    let err = pdf::render(&report(Lang::Zh, 1), &charts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/main.typ line") && err.contains("#chart(image(\"/charts/0.png\""),
        "{err}"
    );
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let doc = report(Lang::Zh, 1);
    std::fs::write("/tmp/minyi-zh.pdf", render(&report(Lang::Zh, 2))).unwrap();
    std::fs::write("/tmp/minyi-en.pdf", render(&report(Lang::En, 1))).unwrap();
    assert!(render(&doc) == render(&doc));
}

/// A report of about 15 pages with eight 1600×900 charts must render in well under 5 s (the
/// HTML and the PDF together). Run with `cargo test -p minyi-reports --test pdf -- --ignored`.
#[test]
#[ignore = "timing: run alone"]
fn a_realistic_report_renders_in_time() {
    let mut doc = report(Lang::Zh, 3);
    let charts: Vec<(String, Vec<u8>)> =
        (0..8).map(|i| (format!("c{i}"), png(1600, 900))).collect();
    for (i, (id, _)) in charts.iter().enumerate() {
        let section = &mut doc.sections[i % 2].blocks;
        section.push(Block::Chart {
            id: id.clone(),
            title: format!("图表 {i}"),
            caption: "来源：测试".into(),
        });
    }
    let mut charts = charts;
    charts.push(("unit_index".into(), png(1600, 900)));
    let start = Instant::now();
    let bytes = pdf::render(&doc, &charts).unwrap();
    let took = start.elapsed();
    let pages = page_count(&bytes);
    eprintln!(
        "{pages} pages, {} KiB, rendered in {took:?}",
        bytes.len() / 1024
    );
    assert!((12..=20).contains(&pages), "{pages} pages");
    assert!(took.as_secs_f64() < 4.0, "{took:?}");
}

/// A report with `repeat` copies of its units table, verdict and text.
fn report(lang: Lang, repeat: usize) -> Document {
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

fn render(doc: &Document) -> Vec<u8> {
    pdf::render(doc, &[("unit_index".into(), png(320, 180))]).unwrap()
}

/// A chart-like PNG: white, with coloured bars.
fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let bar = (x * 12 / width) as u8;
        if y > height / 10 + u32::from(bar) * height / 16 && x % (width / 12) > width / 60 {
            image::Rgb([40 + bar * 15, 110, 200 - bar * 10])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-layout"])
}

fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", pdf, &[]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo prints Pages:");
    pages.trim().parse().unwrap()
}

/// Runs a poppler tool on the PDF and returns its standard output.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
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
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
