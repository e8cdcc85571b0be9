//! Reading a table file (CSV, XLSX, Parquet, or a bundle's `responses.csv`) into a polars
//! DataFrame whose every column is text: typing happens once, against the questionnaire, in
//! [`super::typed`], so that a bad value is reported with its row and column.

use std::io::Cursor;
use std::path::Path;

use calamine::Reader;
use polars::prelude::*;

use super::InputError;

/// The table formats a wave can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Bundle,
    Csv,
    Xlsx,
    Parquet,
}

impl Format {
    /// The format named by a file's extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "zip" => Some(Format::Bundle),
            "csv" => Some(Format::Csv),
            "xlsx" | "xls" => Some(Format::Xlsx),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

fn polars_error(path: &Path) -> impl Fn(PolarsError) -> InputError + '_ {
    move |e| InputError::Unreadable {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// CSV bytes (UTF-8, a BOM allowed) as text columns.
pub fn csv_bytes(bytes: Vec<u8>, path: &Path) -> Result<DataFrame, InputError> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(polars_error(path))
}

/// A Parquet file, every column cast to text.
pub fn read_parquet(path: &Path) -> Result<DataFrame, InputError> {
    let file = std::fs::File::open(path).map_err(|e| InputError::Unreadable {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(polars_error(path))?;
    let columns = frame
        .columns()
        .iter()
        .map(|c| c.cast(&DataType::String))
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(polars_error(path))?;
    DataFrame::new(frame.height(), columns).map_err(polars_error(path))
}

/// A sheet of an XLSX workbook (the first unless named), its first row the header.
pub fn read_xlsx(path: &Path, sheet: Option<&str>) -> Result<DataFrame, InputError> {
    let unreadable = |message: String| InputError::Unreadable {
        file: path.display().to_string(),
        message,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| unreadable(e.to_string()))?;
    let name = match sheet {
        Some(name) => name.to_string(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| unreadable("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| unreadable(format!("sheet {name:?}: {e}")))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| unreadable(format!("sheet {name:?} is empty")))?
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for row in rows {
        for (j, column) in cells.iter_mut().enumerate() {
            let text = row.get(j).map(|c| c.to_string()).unwrap_or_default();
            column.push((!text.is_empty()).then_some(text));
        }
    }
    let height = cells.first().map_or(0, Vec::len);
    let columns = header
        .iter()
        .zip(cells)
        .map(|(h, values)| Column::new(h.as_str().into(), values))
        .collect();
    DataFrame::new(height, columns).map_err(polars_error(path))
}

/// Every cell of a column in order, as text trimmed (`None` for null or empty).
pub fn cells(column: &StringChunked) -> impl Iterator<Item = Option<&str>> + '_ {
    column
        .iter()
        .map(|v| v.map(str::trim).filter(|s| !s.is_empty()))
}

/// A bundle's `responses.csv` as text columns. The server writes the respondent type both as
/// a fixed column and as its item's column; a repeated column name keeps its first column.
pub fn bundle_csv(bytes: &[u8], path: &Path) -> Result<DataFrame, InputError> {
    let unreadable = |message: String| InputError::Unreadable {
        file: format!("{}: responses.csv", path.display()),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| unreadable(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&j| !header[..j].contains(&header[j]))
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); keep.len()];
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(e.to_string()))?;
        for (column, &j) in cells.iter_mut().zip(&keep) {
            column.push(record.get(j).filter(|s| !s.is_empty()).map(String::from));
        }
    }
    let height = cells.first().map_or(0, Vec::len);
    let columns = keep
        .iter()
        .zip(cells)
        .map(|(&j, values)| Column::new(header[j].as_str().into(), values))
        .collect();
    DataFrame::new(height, columns).map_err(polars_error(path))
}

/// The column names of a table input, read without typing anything (for `analysis check`).
pub fn header(path: &Path, sheet: Option<&str>) -> Result<Vec<String>, InputError> {
    let unreadable = |message: String| InputError::Unreadable {
        file: path.display().to_string(),
        message,
    };
    match Format::of(path) {
        Some(Format::Csv) => csv::Reader::from_path(path)
            .and_then(|mut r| r.headers().cloned())
            .map(|h| {
                h.iter()
                    .map(|s| s.trim_start_matches('\u{feff}').to_string())
                    .collect()
            })
            .map_err(|e| unreadable(e.to_string())),
        Some(Format::Parquet) => {
            let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
            let schema = ParquetReader::new(file)
                .schema()
                .map_err(|e| unreadable(e.to_string()))?;
            Ok(schema.iter_names().map(|n| n.to_string()).collect())
        }
        Some(Format::Xlsx) => Ok(read_xlsx(path, sheet)?
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()),
        Some(Format::Bundle) | None => Ok(Vec::new()),
    }
}
