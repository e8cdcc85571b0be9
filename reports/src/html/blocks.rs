//! One block of a section as HTML. maud escapes every text; only the charts' SVG, made by
//! our own chart code, goes in unescaped (and only after it is checked to hold no script).

use maud::{html, Markup, PreEscaped};

use super::{tone_class, Svg};
use crate::doc::{Block, Span, Tone};
use crate::lang::Lang;

pub fn block(block: &Block, charts: &[Svg], lang: Lang) -> Markup {
    match block {
        Block::Verdict {
            tone,
            sentence,
            details,
        } => html! {
            div class={ "verdict " (tone_class(*tone)) } role="note" {
                div.status { (verdict_word(*tone, lang)) }
                p.sentence { (sentence) }
                ul { @for d in details { li { (d) } } }
            }
        },
        Block::Subheading(text) => html! { h3 { (text) } },
        Block::Paragraph(text) => html! { p { (text) } },
        Block::Figures(figures) => html! {
            div.figures {
                @for f in figures {
                    div class={ "figure " (tone_class(f.tone)) } {
                        div.label { (f.label) }
                        div.value { (f.value) @if f.tone == Tone::Flagged { " †" } }
                        div.fnote { (f.note) }
                    }
                }
            }
        },
        Block::Table(t) => html! {
            div.table-wrap {
                table {
                    caption { (t.caption) }
                    thead { tr { @for h in &t.header { th scope="col" { (h) } } } }
                    tbody {
                        @for row in &t.rows {
                            tr {
                                @for cell in row {
                                    td class={ (tone_class(cell.tone)) @if cell.numeric { " num" } } { (cell.text) }
                                }
                            }
                        }
                    }
                }
                @if !t.notes.is_empty() {
                    ul.tnotes { @for n in &t.notes { li { (n) } } }
                }
            }
        },
        Block::Chart { id, title, caption } => {
            let svg = charts
                .iter()
                .find(|c| c.id == id)
                .map(|c| responsive(c.svg));
            html! {
                figure.chart id={ "chart-" (id) } {
                    @if let Some(svg) = svg {
                        div role="img" aria-label=(title) { (PreEscaped(svg)) }
                    }
                    figcaption { strong { (title) } " " (caption) }
                }
            }
        }
        Block::Note { tone, text } => html! {
            div class={ "note " (tone_class(*tone)) } role=[(*tone == Tone::Alert).then_some("alert")] { (text) }
        },
        Block::List(items) => html! { ul { @for i in items { li { (i) } } } },
        Block::Spans { tone, spans } => html! {
            p class={ "note " (tone_class(*tone)) } {
                @for span in spans {
                    @match span {
                        Span::Text(text) => (text),
                        Span::Code(code) => code.hex { (code) },
                        Span::Break => br;
                    }
                }
            }
        },
    }
}

/// The word beside the colour, so that the verdict never rests on colour alone.
fn verdict_word(tone: Tone, lang: Lang) -> &'static str {
    match tone {
        Tone::Good => lang.pick("✔ 目标已达到", "✔ Goal met"),
        Tone::Alert => lang.pick("✘ 目标未达到", "✘ Goal not met"),
        _ => lang.pick("？ 尚不能判定", "? Not yet decided"),
    }
}

/// The chart's SVG scaled to the page: a viewBox from its size, and no fixed width or height.
/// An SVG holding a script, a `javascript:` link or foreign HTML is dropped (ours never do).
fn responsive(svg: &str) -> String {
    let lower = svg.to_ascii_lowercase();
    if ["<script", "javascript:", "<foreignobject"]
        .iter()
        .any(|bad| lower.contains(bad))
    {
        return String::new();
    }
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return String::new();
    };
    let tag = &svg[start..end];
    let number = |name: &str| {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[at..].find('"')?;
        tag[at..at + len].trim_end_matches("px").parse::<f64>().ok()
    };
    if tag.contains("viewBox") {
        return svg[start..].to_string();
    }
    match (number("width"), number("height")) {
        (Some(w), Some(h)) => format!(
            "<svg viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"xMidYMid meet\"{}",
            &svg[start + 4..]
                .replacen(&format!(" width=\"{w}\""), "", 1)
                .replacen(&format!(" height=\"{h}\""), "", 1)
        ),
        _ => svg[start..].to_string(),
    }
}
