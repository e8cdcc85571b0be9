//! The document as typst markup: one call of a `style.typ` function per block, every text of the
//! document a typst string literal. A string is never parsed as markup, so `#`, `*`, `$`, `<`,
//! `//` or a leading `=` in the text come out literally; only `"` and `\` need escaping inside
//! the literal.

use std::fmt::Write;

use super::world::STYLE_PATH;
use super::PdfError;
use crate::doc::{Block, Cell, Document, Figure, Span, Table, Tone};
use crate::lang::Lang;

/// Virtual files of the typst world: (path, bytes).
pub(super) type Files = Vec<(String, Vec<u8>)>;

/// The main file for `doc`, and the virtual files it reads: one PNG per chart.
pub(super) fn main_file(
    doc: &Document,
    charts: &[(String, Vec<u8>)],
) -> Result<(String, Files), PdfError> {
    let lang = doc.lang;
    let mut out = String::new();
    let mut line = |call: String| {
        out.push_str(&call);
        out.push_str("\n\n");
    };
    line(format!("#import {}: *", lit(STYLE_PATH)));
    line(format!(
        "#show: report.with(lang: {}, title: {}, page-of: {})",
        lit(lang.pick("zh", "en")),
        lit(&doc.cover.title),
        strings([
            lang.pick("第 ", "Page "),
            lang.pick(" 页 / 共 ", " of "),
            lang.pick(" 页", ""),
        ]),
    ));
    let facts = doc
        .cover
        .facts
        .iter()
        .map(|(label, value)| strings([label, value]));
    line(format!(
        "#cover({}, {}, {})",
        lit(&doc.cover.title),
        lit(&doc.cover.subtitle),
        array(facts)
    ));
    line(format!("#contents({})", lit(lang.pick("目录", "Contents"))));
    for section in &doc.sections {
        line(format!("#section({})", lit(&section.title)));
        for block in &section.blocks {
            line(call(block, lang, charts)?);
        }
    }
    Ok((out, chart_files(charts)))
}

/// Chart `i` of the slice is the virtual file `/charts/<i>.png`: ids need no escaping in paths.
fn chart_path(index: usize) -> String {
    format!("/charts/{index}.png")
}

fn chart_files(charts: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    charts
        .iter()
        .enumerate()
        .map(|(i, (_, png))| (chart_path(i), png.clone()))
        .collect()
}

fn call(block: &Block, lang: Lang, charts: &[(String, Vec<u8>)]) -> Result<String, PdfError> {
    Ok(match block {
        Block::Verdict {
            tone,
            sentence,
            details,
        } => format!(
            "#verdict({}, {}, {}, {})",
            tone_name(*tone),
            lit(tone_word(*tone, lang)),
            lit(sentence),
            strings(details)
        ),
        Block::Subheading(title) => format!("#subheading({})", lit(title)),
        Block::Paragraph(text) => format!("#paragraph({})", lit(text)),
        Block::Figures(figures) => format!("#figures({})", array(figures.iter().map(figure))),
        Block::Table(table) => table_call(table),
        Block::Chart { id, title, caption } => {
            let index = charts
                .iter()
                .position(|(chart, _)| chart == id)
                .ok_or_else(|| PdfError::MissingChart(id.clone()))?;
            format!(
                "#chart(image({}, width: 100%), {}, {})",
                lit(&chart_path(index)),
                lit(title),
                lit(caption)
            )
        }
        Block::Note { tone, text } => format!(
            "#note({}, {}, {})",
            tone_name(*tone),
            lit(tone_word(*tone, lang)),
            lit(text)
        ),
        Block::List(items) => format!("#bullets({})", strings(items)),
        Block::Spans { tone, spans } => format!(
            "#spans({}, {})",
            tone_name(*tone),
            array(spans.iter().map(span))
        ),
    })
}

/// A text run, or a code run as its lines: four groups to a line, so that a 64-digit hash
/// stays whole on paper (`style.typ` sets each line unbreakable).
fn span(span: &Span) -> String {
    match span {
        Span::Text(text) => format!("(kind: \"text\", text: {})", lit(text)),
        Span::Code(code) => {
            let groups: Vec<&str> = code.split_whitespace().collect();
            let lines = groups.chunks(4).map(|line| line.join(" "));
            format!("(kind: \"code\", lines: {})", strings(lines))
        }
        Span::Break => "(kind: \"break\",)".into(),
    }
}

fn figure(f: &Figure) -> String {
    format!(
        "(tone: {}, label: {}, value: {}, note: {})",
        tone_name(f.tone),
        lit(&f.label),
        lit(&f.value),
        lit(&f.note)
    )
}

/// Rows are padded to the widest of the header and the rows: typst fills a table cell by cell,
/// so a short row would pull the next row's cells into it.
fn table_call(table: &Table) -> String {
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.header.len()])
        .max()
        .unwrap_or(0);
    // A column of numbers has its heading right-aligned over them.
    let header = (0..columns).map(|i| {
        let numeric = !table.rows.is_empty()
            && table
                .rows
                .iter()
                .all(|row| row.get(i).is_some_and(|c| c.numeric));
        let text = table.header.get(i).map_or("", String::as_str);
        format!("(text: {}, numeric: {numeric})", lit(text))
    });
    let blank = Cell::text("");
    let rows = table.rows.iter().map(|row| {
        array((0..columns).map(|i| {
            let cell = row.get(i).unwrap_or(&blank);
            format!(
                "(text: {}, tone: {}, numeric: {})",
                lit(&cell.text),
                tone_name(cell.tone),
                cell.numeric
            )
        }))
    });
    format!(
        "#report-table({}, {}, {}, {})",
        lit(&table.caption),
        array(header),
        array(rows),
        strings(&table.notes)
    )
}

/// The tone as a string literal naming an entry of `tones` in `style.typ`.
fn tone_name(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "\"plain\"",
        Tone::Good => "\"good\"",
        Tone::Caution => "\"caution\"",
        Tone::Alert => "\"alert\"",
        Tone::Flagged => "\"flagged\"",
    }
}

/// The word beside a tone's icon, so a tone never rests on colour alone.
fn tone_word(tone: Tone, lang: Lang) -> &'static str {
    match tone {
        Tone::Plain => "",
        Tone::Good => lang.pick("积极", "Positive"),
        Tone::Caution => lang.pick("注意", "Caution"),
        Tone::Alert => lang.pick("警示", "Alert"),
        Tone::Flagged => lang.pick("仅供参考", "For reference only"),
    }
}

/// A typst array literal of already-written values; the trailing comma keeps a single value an
/// array (`("a",)`, not the parenthesised `("a")`).
fn array(values: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("(");
    for value in values {
        let _ = write!(out, "{value}, ");
    }
    if out.len() > 1 {
        out.truncate(out.len() - 1);
    }
    out.push(')');
    out
}

fn strings<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> String {
    array(texts.into_iter().map(|text| lit(text.as_ref())))
}

/// `text` as a typst string literal. Control characters other than line breaks are invisible in
/// print and some are not allowed in a PDF's text, so they are dropped; a tab becomes a space.
pub(super) fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        assert_eq!(lit(text), expected);
    }

    #[test]
    fn literals_escape_quotes_and_backslashes_only() {
        check("满意度 #panic() $x$", "\"满意度 #panic() $x$\"");
        check(r#"a "b" \c"#, r#""a \"b\" \\c""#);
        check("line\r\nnext\tcol\u{0}", "\"line\\nnext col\"");
    }

    #[test]
    fn arrays_keep_a_single_value_an_array() {
        assert_eq!(strings(Vec::<String>::new()), "()");
        assert_eq!(strings(["a"]), "(\"a\",)");
        assert_eq!(strings(["a", "b"]), "(\"a\", \"b\",)");
    }
}
