//! The responses as an Excel workbook: a responses sheet with value labels and a codebook
//! sheet, written to a temporary file.
//!
//! rust_xlsxwriter writes the workbook around the rows — styles, the header row in bold, the
//! codebook sheet — as a small template; the responses sheet's rows are then written here,
//! straight into the template's `<sheetData>`, as rust_xlsxwriter's constant-memory mode writes
//! them (inline strings), while another thread compresses them. (Through rust_xlsxwriter a
//! million rows took three quarters of a minute: it allocates and formats every cell twice.)

use std::io::{Read, Write};
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zip::write::SimpleFileOptions;

use super::table::{Cells, Layout, Scratch};
use super::walk;
use super::zip_pipe::ZipPipe;
use crate::db::responses;
use crate::db::{DbError, DbPool};

/// The responses sheet, in the template.
const SHEET: &str = "xl/worksheets/sheet1.xml";
/// Rows of a worksheet, the header's included.
const MAX_ROWS: i64 = 1_048_576;
/// Excel's longest cell, in characters.
const MAX_STRING_LEN: usize = 32_767;
/// The deflate level of the responses sheet (the rest keep rust_xlsxwriter's 6). A million
/// responses are 2.3 GB of XML; compressing them is most of the export's work: level 4 takes
/// about two thirds of level 6's time for an 11% larger file (zlib-rs on the bench's sheet).
const SHEET_LEVEL: i64 = 4;

#[derive(Debug, thiserror::Error)]
pub enum XlsxExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("writing the workbook: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the workbook: {0}")]
    Io(#[from] std::io::Error),
    #[error("a worksheet holds at most 1 048 575 responses; export CSV or Parquet instead")]
    TooManyRows,
}

/// The workbook without its responses: the header row and the codebook sheet.
fn template(layout: &Layout) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name("responses")?;
    for (col, name) in layout.header().iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &bold)?;
    }
    let codebook = workbook.add_worksheet();
    codebook.set_name("codebook")?;
    for (r, line) in layout.codebook().iter().enumerate() {
        for (c, cell) in line.iter().enumerate() {
            if r == 0 {
                codebook.write_string_with_format(0, c as u16, cell, &bold)?;
            } else {
                codebook.write_string(r as u32, c as u16, cell)?;
            }
        }
    }
    workbook.save_to_buffer()
}

/// Writes the workbook; returns the number of responses written.
pub fn write(
    pool: &DbPool,
    campaign_id: i32,
    layout: &Layout,
    path: &Path,
) -> Result<u64, XlsxExportError> {
    // The sheet's dimension comes before its rows: count them first, and write those.
    let (count, last_id) = responses::export_extent(&mut *pool.get()?, campaign_id)?;
    if count >= MAX_ROWS {
        return Err(XlsxExportError::TooManyRows);
    }
    let template = template(layout)?;
    let mut template = zip::ZipArchive::new(std::io::Cursor::new(template))?;
    let mut out = ZipPipe::create(path)?;
    let mut written = None;
    for index in 0..template.len() {
        let mut entry = template.by_index(index)?;
        let mut options = SimpleFileOptions::default()
            .compression_method(entry.compression())
            .last_modified_time(entry.last_modified().unwrap_or_default());
        if let Some(mode) = entry.unix_mode() {
            options = options.unix_permissions(mode);
        }
        let name = entry.name().to_string();
        if name == SHEET {
            options = options.compression_level(Some(SHEET_LEVEL));
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        drop(entry);
        out.start_file(&name, options)?;
        if name != SHEET {
            out.write_all(&bytes)?;
            continue;
        }
        let xml = String::from_utf8(bytes).map_err(std::io::Error::other)?;
        let (head, tail) = split_sheet(&xml, count + 1)?;
        out.write_all(head.as_bytes())?;
        written = Some(write_rows(pool, campaign_id, last_id, layout, &mut out)?);
        out.write_all(tail.as_bytes())?;
    }
    let written = written
        .ok_or_else(|| std::io::Error::other("the workbook template has no responses sheet"))?;
    out.finish()?;
    Ok(written)
}

/// The template's responses sheet around the point the rows go (after the header row), its
/// dimension made to span `rows` rows.
fn split_sheet(xml: &str, rows: i64) -> Result<(String, &str), XlsxExportError> {
    let unexpected = || {
        XlsxExportError::Io(std::io::Error::other(
            "the workbook template's responses sheet is not as expected",
        ))
    };
    let at = xml.find("</sheetData>").ok_or_else(unexpected)?;
    let (head, tail) = xml.split_at(at);
    let start = head.find("<dimension ref=\"").ok_or_else(unexpected)? + 16;
    let end = start + head[start..].find('"').ok_or_else(unexpected)?;
    let range = &head[start..end];
    // `A1:AT1`: the last cell's column, then the row count.
    let last = range
        .rfind(|c: char| !c.is_ascii_digit())
        .ok_or_else(unexpected)?
        + 1;
    let head = format!("{}{}{rows}{}", &head[..start], &range[..last], &head[end..]);
    Ok((head, tail))
}

/// Writes every response (ids up to `last_id`) as a sheet row, after the header row.
fn write_rows(
    pool: &DbPool,
    campaign_id: i32,
    last_id: i32,
    layout: &Layout,
    out: &mut impl Write,
) -> Result<u64, XlsxExportError> {
    let columns: Vec<String> = (0..layout.width()).map(column_name).collect();
    let mut scratch = Scratch::default();
    let mut xml: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut reference = String::new();
    let mut row = 1u64;
    'pages: for page in walk::responses(pool, campaign_id) {
        for response in &page? {
            if response.id > last_id {
                break 'pages;
            }
            row += 1;
            if row as i64 > MAX_ROWS {
                return Err(XlsxExportError::TooManyRows);
            }
            let number = row.to_string();
            xml.extend_from_slice(b"<row r=\"");
            xml.extend_from_slice(number.as_bytes());
            xml.extend_from_slice(b"\">");
            let answers = response.answers()?;
            let mut col = 0;
            layout.each_cell(response, &answers, Cells::Labels, &mut scratch, |cell| {
                let name = &columns[col];
                col += 1;
                if cell.is_empty() {
                    return Ok(());
                }
                reference.clear();
                reference.push_str(name);
                reference.push_str(&number);
                inline_string_cell(&mut xml, &reference, cell)
            })?;
            xml.extend_from_slice(b"</row>");
            if xml.len() >= 1 << 20 {
                out.write_all(&xml)?;
                xml.clear();
            }
        }
    }
    out.write_all(&xml)?;
    Ok(row - 1)
}

/// A column's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

/// One cell as rust_xlsxwriter writes an inline string without a format:
/// `<c r="B2" t="inlineStr"><is><t>…</t></is></c>`, with its escapes.
fn inline_string_cell(out: &mut Vec<u8>, reference: &str, text: &str) -> Result<(), XlsxError> {
    if text.len() > MAX_STRING_LEN && text.chars().count() > MAX_STRING_LEN {
        return Err(XlsxError::MaxStringLengthExceeded);
    }
    let whitespace = ['\t', '\n', ' '];
    let preserve = text.starts_with(whitespace) || text.ends_with(whitespace);
    out.extend_from_slice(b"<c r=\"");
    out.extend_from_slice(reference.as_bytes());
    out.extend_from_slice(b"\" t=\"inlineStr\"><is><t");
    if preserve {
        out.extend_from_slice(b" xml:space=\"preserve\"");
    }
    out.push(b'>');
    let plain = !text.contains("_x")
        && !text
            .bytes()
            .any(|b| matches!(b, b'&' | b'<' | b'>') || (b < 0x20 && b != b'\t' && b != b'\n'));
    if plain {
        out.extend_from_slice(text.as_bytes());
    } else {
        escape_xml_data(out, &escape_xml_escapes(text));
    }
    out.extend_from_slice(b"</t></is></c>");
    Ok(())
}

/// Excel writes control characters as `_xHHHH_`, so a literal `_xHHHH` gets its underscore
/// escaped (`_x005F_xHHHH`), as rust_xlsxwriter does.
fn escape_xml_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = 7;
    if !text.contains("_x") {
        return text.into();
    }
    let mut escaped = text.to_string();
    for (index, _) in text.rmatch_indices("_x") {
        if index + LEN > text.len() || !text.is_char_boundary(index + LEN - 1) {
            continue;
        }
        if text[index + 2..index + LEN - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
        {
            escaped.replace_range(index..index, "_x005F");
        }
    }
    escaped.into()
}

/// `& < >` as entities and control characters (but tab and newline) as `_xHHHH_`.
fn escape_xml_data(out: &mut Vec<u8>, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(c as u8),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("_x{:04X}_", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        let names: Vec<String> = [0, 25, 26, 45, 51, 52, 701, 702]
            .into_iter()
            .map(column_name)
            .collect();
        assert_eq!(names, ["A", "Z", "AA", "AT", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn cells_are_written_as_rust_xlsxwriter_writes_them() {
        let texts = [
            "比较满意",
            "a<b & c>d",
            "\r_x00AB_ _x12 _xABC_x _x00_x0041_",
            " x\t",
            "\n",
            "=HYPERLINK(\"http://x\")",
            "\u{1}\u{1f}\u{7f}é",
        ];
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory();
        for (row, text) in texts.iter().enumerate() {
            sheet.write_string(row as u32 + 1, 45, *text).unwrap();
        }
        let book = workbook.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
        let mut xml = String::new();
        zip.by_name(SHEET)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        for (row, text) in texts.iter().enumerate() {
            let reference = format!("{}{}", column_name(45), row + 2);
            let start = xml.find(&format!("<c r=\"{reference}\"")).unwrap();
            let end = start + xml[start..].find("</c>").unwrap() + 4;
            let mut ours = Vec::new();
            inline_string_cell(&mut ours, &reference, text).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                &xml[start..end],
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_sheet_is_split_where_its_rows_go() {
        let xml = r#"<worksheet><dimension ref="A1:AT1"/><sheetData><row r="1"></row></sheetData><pageMargins/></worksheet>"#;
        let (head, tail) = split_sheet(xml, 1_000_001).unwrap();
        assert_eq!(
            head,
            r#"<worksheet><dimension ref="A1:AT1000001"/><sheetData><row r="1"></row>"#
        );
        assert_eq!(tail, "</sheetData><pageMargins/></worksheet>");
    }
}
