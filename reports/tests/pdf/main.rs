//! The PDF read back with poppler (`pdftotext`, `pdffonts`, `pdfinfo`): the text a reader sees,
//! the font that is embedded, the pages.

mod helpers;

use std::path::Path;
use std::time::Instant;

use helpers::{page_count, pdftotext, png, poppler, render, report, squeeze, HOSTILE, VERDICT};
use minyi_reports::doc::{Block, Cell, Cover, Document, Section, Table, Tone};
use minyi_reports::pdf::{self, PdfError};
use minyi_reports::sections::build;
use minyi_reports::{format, Batch, Lang};

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

/// The demo fixture's report (its final wave a verified bundle): the root of the signed head
/// comes out whole, in four groups of 16 on one line, in the data-quality section and in the
/// appendix; the appendix's signature, 128 digits over two lines, comes out whole too.
#[test]
fn the_signed_head_root_comes_out_whole_in_four_groups() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    let batch = Batch::load(&dir).unwrap();
    let head = batch.inputs[1].verification.head.clone().unwrap();
    let root = format::hex_groups(&head.root);
    for lang in [Lang::Zh, Lang::En] {
        let text = poppler(
            "pdftotext",
            &pdf::render(&build(&batch, lang, &[]), &[]).unwrap(),
            &[],
        );
        assert_eq!(text.matches(&root).count(), 2, "{root} twice in:\n{text}");
        assert!(squeeze(&text).contains(&head.signature), "{text}");
        assert!(text.contains("2025-11-30T08:00:00.250Z"), "{text}");
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
    assert!(render(&doc) == render(&doc));
}

/// A report of about 15 pages with eight 1600×900 charts (PNGs of 770 KB, more than a real
/// chart's) renders in well under the 5 s that the HTML and the PDF together may take.
#[test]
fn a_realistic_report_renders_in_time() {
    let mut doc = report(Lang::Zh, 5);
    let mut charts = vec![("unit_index".to_string(), png(1600, 900, 8))];
    for i in 0..7 {
        charts.push((format!("c{i}"), png(1600, 900, i as u32)));
        doc.sections[i % 2].blocks.push(Block::Chart {
            id: format!("c{i}"),
            title: format!("图表 {i}"),
            caption: "来源：测试".into(),
        });
    }
    let start = Instant::now();
    let bytes = pdf::render(&doc, &charts).unwrap();
    let took = start.elapsed();
    let pages = page_count(&bytes);
    eprintln!("{pages} pages, {} KiB, in {took:?}", bytes.len() / 1024);
    assert!((13..=20).contains(&pages), "{pages} pages");
    assert!(took.as_secs_f64() < 2.5, "{took:?}");
}
