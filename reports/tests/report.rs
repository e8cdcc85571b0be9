//! The report's content and its HTML, from the demo batch's tables: the verdict comes first
//! and says what `verdict.json` says, every scorecard number is a cell of `estimates.csv`
//! rounded, flagged estimates are never headlined, an unverified input is shouted about, the
//! signed head each wave was computed from is printed whole, text is escaped, nothing is
//! fetched from outside, and the structure is snapshotted.

use std::path::Path;

use minyi_reports::doc::{Block, Document, Span, Tone};
use minyi_reports::sections::{build, ChartRef};
use minyi_reports::tables::Status;
use minyi_reports::{format, html, Batch, Lang};

fn fixture() -> Batch {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    Batch::load(&dir).unwrap()
}

fn charts() -> Vec<ChartRef> {
    [
        "unit_index",
        "unit_change",
        "likert",
        "problems",
        "ipa",
        "heatmap",
        "daily",
    ]
    .into_iter()
    .map(|id| ChartRef {
        id: id.into(),
        title: format!("title of {id}"),
        caption: format!("caption of {id}"),
    })
    .collect()
}

fn section<'a>(doc: &'a Document, id: &str) -> &'a [Block] {
    &doc.sections
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no section {id}"))
        .blocks
}

fn tables(blocks: &[Block]) -> Vec<&minyi_reports::doc::Table> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn the_report_opens_with_the_verdict_of_verdict_json() {
    let batch = fixture();
    let verdict = batch.verdict.clone().unwrap();
    for lang in [Lang::Zh, Lang::En] {
        let doc = build(&batch, lang, &charts());
        assert_eq!(doc.sections[0].id, "verdict");
        let Block::Verdict {
            tone,
            sentence,
            details,
        } = &doc.sections[0].blocks[0]
        else {
            panic!("the first block is not the verdict");
        };
        assert_eq!(
            sentence,
            lang.pick(&verdict.sentence_zh, &verdict.sentence_en)
        );
        assert_eq!(verdict.verdict, "inconclusive");
        assert_eq!(*tone, Tone::Caution);
        let all = details.join("\n");
        assert!(all.contains(&verdict.rule.statement), "{all}");
        assert!(all.contains(&format::change(verdict.change.estimate)));
        assert!(all.contains(&format::index(verdict.final_level.estimate)));
    }
}

#[test]
fn every_scorecard_number_is_an_estimate_of_the_batch_rounded() {
    let batch = fixture();
    let doc = build(&batch, Lang::Zh, &charts());
    let table = tables(section(&doc, "units"))[0];
    let wave = batch.current_wave();
    assert_eq!(table.rows.len(), 12);
    let mut previous = f64::INFINITY;
    for row in &table.rows {
        let unit = batch
            .units
            .iter()
            .find(|u| u.name == row[0].text)
            .unwrap_or_else(|| panic!("{} is not a unit name", row[0].text));
        let e = batch
            .estimate(&wave, "unit", &unit.unit, "index", "index")
            .unwrap();
        assert_eq!(row[1].text, format::index(e.estimate));
        assert_eq!(row[2].text, format::interval(e.ci_low, e.ci_high));
        assert_eq!(row[6].text, format::count(e.n));
        let c = batch
            .comparison("unit", &unit.unit, "index", "index")
            .unwrap();
        assert_eq!(row[3].text, format::change(c.diff));
        assert!(e.estimate <= previous, "units are sorted best first");
        previous = e.estimate;
        assert_eq!(row[1].tone == Tone::Flagged, e.flagged());
    }
}

#[test]
fn a_flagged_headline_is_marked_not_headlined() {
    let mut batch = fixture();
    let wave = batch.current_wave();
    for e in batch.estimates.iter_mut().filter(|e| {
        e.wave == wave && e.group_var == "overall" && e.indicator == "index" && e.measure == "index"
    }) {
        e.flag_small = true;
    }
    batch.verdict.as_mut().unwrap().final_level.flagged = true;
    let doc = build(&batch, Lang::Zh, &charts());
    let figures = section(&doc, "key-figures")
        .iter()
        .find_map(|b| match b {
            Block::Figures(f) => Some(f),
            _ => None,
        })
        .unwrap();
    assert_eq!(figures[0].tone, Tone::Flagged);
    assert!(section(&doc, "verdict").iter().any(|b| matches!(
        b,
        Block::Note {
            tone: Tone::Flagged,
            ..
        }
    )));
    // Unflagged, the same figure is plain.
    let doc = build(&fixture(), Lang::Zh, &charts());
    let figures = section(&doc, "key-figures")
        .iter()
        .find_map(|b| match b {
            Block::Figures(f) => Some(f.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(figures[0].tone, Tone::Plain);
}

#[test]
fn an_unverified_input_is_said_in_red_before_anything_else() {
    let mut batch = fixture();
    batch.inputs[0].verification.status = Status::Unverifiable;
    batch.inputs[0].verification.overridden = true;
    let doc = build(&batch, Lang::Zh, &charts());
    let first = &doc.sections[0].blocks;
    assert!(
        first.iter().any(|b| matches!(b, Block::Note { tone: Tone::Alert, text } if text.contains(&batch.inputs[0].path))),
        "{first:?}"
    );
    let page = html::render(&doc, &[]);
    assert!(page.contains("class=\"note tone-alert\" role=\"alert\""));
    // The plain fixture has no such alert.
    let page = html::render(&build(&fixture(), Lang::Zh, &charts()), &[]);
    assert!(!page.contains("tone-alert\" role=\"alert\""));
}

/// The `Block::Spans` of a section, each as its text (code runs in `[…]`, breaks as `\n`) and
/// its tone.
fn spans(doc: &Document, id: &str) -> Vec<(String, Tone)> {
    section(doc, id)
        .iter()
        .filter_map(|b| match b {
            Block::Spans { tone, spans } => Some((
                spans
                    .iter()
                    .map(|s| match s {
                        Span::Text(t) => t.clone(),
                        Span::Code(c) => format!("[{c}]"),
                        Span::Break => "\n".into(),
                    })
                    .collect(),
                *tone,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn the_signed_head_of_each_wave_is_printed_whole_near_its_verification_and_in_the_appendix() {
    let batch = fixture();
    let head = batch.inputs[1].verification.head.clone().unwrap();
    let root = format::hex_groups(&head.root);
    assert_eq!(root.len(), 64 + 3, "four groups of 16: {root}");
    let key = format::hex_groups(&head.public_key);
    let signature = format::hex_groups(&head.signature);
    for (lang, computed_from, unverified, appendix) in [
        (
            Lang::Zh,
            format!("2025 轮数据依据：2025-final 日志签名树头，规模 782 条，签名时间 2025-11-30T08:00:00.250Z。\n根哈希：[{root}]"),
            "2024 轮数据未经日志核验：来自普通表格（csv），没有签名树头。",
            format!("\n公钥：[{key}]\n签名：[{signature}]"),
        ),
        (
            Lang::En,
            format!("Wave 2025 is computed from the signed log head of 2025-final: size 782, signed at 2025-11-30T08:00:00.250Z.\nRoot: [{root}]"),
            "Wave 2024 is not from a verified log: a plain table (csv) carries no signed head.",
            format!("\nPublic key: [{key}]\nSignature: [{signature}]"),
        ),
    ] {
        let doc = build(&batch, lang, &charts());
        let quality = spans(&doc, "quality");
        assert_eq!(
            quality,
            [
                (unverified.to_string(), Tone::Caution),
                (computed_from.clone(), Tone::Good)
            ]
        );
        let provenance = spans(&doc, "provenance");
        assert_eq!(
            provenance,
            [
                (unverified.to_string(), Tone::Caution),
                (computed_from + &appendix, Tone::Good)
            ]
        );
        let page = html::render(&doc, &[]);
        let code = format!("<code class=\"hex\">{root}</code>");
        assert_eq!(
            page.matches(&code).count(),
            2,
            "{code} in quality and provenance"
        );
    }
}

#[test]
fn a_head_that_did_not_verify_is_not_called_the_basis_of_the_report() {
    let mut batch = fixture();
    batch.inputs[1].verification.status = Status::Failed;
    batch.inputs[1].verification.overridden = true;
    let root = format::hex_groups(&batch.inputs[1].verification.head.as_ref().unwrap().root);
    let doc = build(&batch, Lang::Zh, &charts());
    let (text, tone) = &spans(&doc, "quality")[1];
    assert_eq!(*tone, Tone::Alert);
    assert_eq!(
        *text,
        format!(
            "2025 轮数据未经日志核验：数据包未通过校验，仅因批次设置 allow_unverified 而使用。\
             数据包自称的树头（未经证实）：规模 782 条，签名时间 2025-11-30T08:00:00.250Z。\n根哈希：[{root}]"
        )
    );
}

#[test]
fn text_from_the_tables_is_escaped_and_nothing_is_fetched() {
    let mut batch = fixture();
    batch.units[0].name = "<script>alert(1)</script>=HYPERLINK(\"http://x\")".into();
    let doc = build(&batch, Lang::Zh, &charts());
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\"><text>图</text></svg>";
    let hostile = "<svg width=\"1\" height=\"1\"><script>alert(2)</script></svg>";
    let page = html::render(
        &doc,
        &[
            html::Svg {
                id: "unit_index",
                svg,
            },
            html::Svg {
                id: "likert",
                svg: hostile,
            },
        ],
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script"), "no script in the report");
    assert!(
        page.contains("viewBox=\"0 0 100 50\""),
        "charts scale with the page"
    );
    for outside in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<link",
        "<iframe",
    ] {
        assert!(!page.contains(outside), "{outside} in the report");
    }
}

/// The report's structure — sections, subheadings, table captions and headers, charts — as an
/// outline, snapshotted: a change to the report's shape shows up in review.
#[test]
fn html_structure_snapshot() {
    let page = html::render(&build(&fixture(), Lang::Zh, &charts()), &[]);
    let mut outline = String::new();
    let mut rest = page.as_str();
    let tags = [
        "<h1",
        "<h2",
        "<h3",
        "<caption",
        "<th ",
        "<figure",
        "<div class=\"verdict",
    ];
    while let Some((at, tag)) = tags
        .iter()
        .filter_map(|t| rest.find(t).map(|i| (i, *t)))
        .min_by_key(|(i, _)| *i)
    {
        rest = &rest[at..];
        let close = rest.find('>').unwrap();
        let open_tag = &rest[..close];
        let text_end = rest[close..].find('<').map_or(rest.len(), |e| close + e);
        let text = rest[close + 1..text_end].trim();
        let indent = match tag {
            "<h1" | "<h2" => "",
            "<h3" | "<caption" | "<figure" | "<div class=\"verdict" => "  ",
            _ => "    ",
        };
        let label = if tag == "<figure" {
            open_tag
                .split("id=\"")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches('"')
                .to_string()
        } else if tag.starts_with("<div") {
            open_tag
                .split("verdict ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches("\" role=\"note\"")
                .to_string()
        } else {
            text.to_string()
        };
        let name = if tag.starts_with("<div") {
            "verdict"
        } else {
            tag.trim_start_matches('<').trim()
        };
        outline.push_str(&format!("{indent}{name} {label}\n"));
        rest = &rest[close..];
    }
    insta::assert_snapshot!(outline);
}
