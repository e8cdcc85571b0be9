//! The file's bytes as a table of text: the format told from the content, CSV decoded from
//! UTF-8 or GB18030, XLSX cells of any type written as text.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The header and the rows after it, entirely blank rows left out.
pub(super) struct Table {
    /// The index of the sheet's first used column (A is 0), for column letters in messages.
    pub first_column: usize,
    pub header: Row,
    pub rows: Vec<Row>,
}

pub(super) struct Row {
    /// The spreadsheet row number (1 for the first row).
    pub line: usize,
    pub cells: Vec<String>,
}

/// Why the file as a whole cannot be read.
pub(super) struct Unreadable {
    pub zh: String,
    pub en: String,
}

fn unreadable(zh: impl Into<String>, en: impl Into<String>) -> Unreadable {
    Unreadable {
        zh: zh.into(),
        en: en.into(),
    }
}

pub(super) fn read(file_name: &str, bytes: &[u8]) -> Result<Table, Unreadable> {
    let (first_column, rows) = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(
            "不支持 Excel 97-2003 工作簿（.xls）：请在 Excel 中另存为 .xlsx 或 CSV",
            "Excel 97-2003 workbooks (.xls) are not supported: save it as .xlsx or CSV in Excel",
        ));
    } else if has_extension(file_name, &["xlsx", "xlsm", "xls"]) {
        return Err(unreadable(
            "文件名是 Excel 工作簿，但内容不是（文件损坏或被改了扩展名？）",
            "the file is named as an Excel workbook but is not one (damaged, or renamed?)",
        ));
    } else {
        (0, csv_rows(&decode(bytes)?)?)
    };
    let mut rows = rows
        .into_iter()
        .filter(|row| row.cells.iter().any(|cell| !cell.trim().is_empty()));
    let Some(header) = rows.next() else {
        return Err(unreadable("文件是空的", "the file is empty"));
    };
    let rows: Vec<Row> = rows.collect();
    if rows.is_empty() {
        return Err(unreadable(
            "只有表头，没有数据行",
            "the file has a header but no data rows",
        ));
    }
    Ok(Table {
        first_column,
        header,
        rows,
    })
}

fn has_extension(file_name: &str, extensions: &[&str]) -> bool {
    let Some((_, extension)) = file_name.rsplit_once('.') else {
        return false;
    };
    extensions.iter().any(|e| extension.eq_ignore_ascii_case(e))
}

/// UTF-8 (a BOM dropped) when the bytes are valid UTF-8, otherwise GB18030, the superset of
/// GBK that Excel in China writes when saving "CSV (comma delimited)".
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Unreadable> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(unreadable(
            "文件是 UTF-16（“Unicode 文本”）格式：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
            "the file is UTF-16 (\"Unicode text\"): save it as \"CSV UTF-8 (comma delimited)\" in Excel",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            unreadable(
                "无法识别文件的编码：请保存为 UTF-8 或 GBK/GB18030 编码的 CSV，或 .xlsx",
                "the file's encoding is neither UTF-8 nor GBK/GB18030: save it as CSV in one of \
                 those, or as .xlsx",
            )
        })
}

/// Rows numbered as a spreadsheet shows them: a blank line is a row (the csv crate skips
/// it), a value spanning several lines is one row.
fn csv_rows(text: &str) -> Result<Vec<Row>, Unreadable> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line breaks in `text[..counted_to]`, and those of them inside quoted values.
    let (mut counted_to, mut breaks, mut inner_breaks) = (0, 0, 0);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(unreadable(
                    format!("无法读取 CSV：{e}"),
                    format!("the CSV cannot be read: {e}"),
                ))
            }
        }
        // The record's position is where the reader stood, before the blank lines (or the
        // LF of a CRLF) it skipped.
        let stood = record.position().map_or(0, |p| p.byte() as usize);
        let start = stood
            + (text.as_bytes()[stood..].iter())
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        breaks += line_breaks(&text[counted_to..start]);
        counted_to = start;
        rows.push(Row {
            line: breaks - inner_breaks + 1,
            cells: record.iter().map(str::to_owned).collect(),
        });
        inner_breaks += record.iter().map(line_breaks).sum::<usize>();
    }
    Ok(rows)
}

/// CRLF, LF and a lone CR each end a line.
fn line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    (bytes.iter().enumerate())
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The first worksheet's used range: the index of its first column, and its rows.
fn xlsx_rows(bytes: &[u8]) -> Result<(usize, Vec<Row>), Unreadable> {
    let not_a_workbook = |e: &dyn std::fmt::Display| {
        unreadable(
            format!("无法读取 Excel 工作簿：{e}"),
            format!("the Excel workbook cannot be read: {e}"),
        )
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => return Err(not_a_workbook(&e)),
        None => {
            return Err(unreadable(
                "工作簿中没有工作表",
                "the workbook has no worksheet",
            ))
        }
    };
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            line: first_row as usize + i + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect();
    Ok((first_column as usize, rows))
}

/// A cell as the text a person reads in it: whole numbers without `.0` (a phone number or
/// case id stored as a number is 13812345678, not 13812345678.0 or 1.38E+10), dates as
/// ISO 8601.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(x) => number_text(*x),
        Data::DateTime(date) => date_text(date.as_f64()),
        other => other.to_string(),
    }
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// An Excel serial date (days since 1899-12-30, in the 1900 date system) as
/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or, for a time alone, `HH:MM:SS`.
fn date_text(serial: f64) -> String {
    let seconds = (serial * 86_400.0).round() as i64;
    let (mut days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let clock = format!("{:02}:{:02}:{:02}", time / 3600, time / 60 % 60, time % 60);
    if days == 0 {
        return clock;
    }
    // Excel counts a 29 February 1900 that never was.
    if days < 60 {
        days += 1;
    }
    let (y, m, d) = civil_from_days(days - 25_569);
    if time == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {clock}")
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_lose_their_point_zero() {
        assert_eq!(number_text(13_812_345_678.0), "13812345678");
        assert_eq!(number_text(2_025_001.0), "2025001");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(2.5), "2.5");
    }

    #[test]
    fn excel_serial_dates_become_iso_dates() {
        assert_eq!(date_text(45_658.0), "2025-01-01");
        assert_eq!(date_text(45_658.5), "2025-01-01 12:00:00");
        assert_eq!(date_text(61.0), "1900-03-01");
        assert_eq!(date_text(1.0), "1900-01-01");
        assert_eq!(date_text(0.75), "18:00:00");
    }
}
