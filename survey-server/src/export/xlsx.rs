//! The responses as an Excel workbook: a responses sheet with value labels and a codebook
//! sheet, written in rust_xlsxwriter's constant-memory mode to a temporary file.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::table::Layout;
use super::PAGE_SIZE;
use crate::db::responses;
use crate::db::{DbError, DbPool};

#[derive(Debug, thiserror::Error)]
pub enum XlsxExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("a worksheet holds at most 1 048 575 responses; export CSV or Parquet instead")]
    TooManyRows,
}

/// Writes the workbook; returns the number of responses written.
pub fn write(
    pool: &DbPool,
    campaign_id: i32,
    layout: &Layout,
    path: &Path,
) -> Result<u64, XlsxExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name("responses")?;
    for (col, name) in layout.header().iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &bold)?;
    }
    let (mut row, mut after) = (1u32, 0);
    loop {
        let page = responses::page(&mut *pool.get()?, campaign_id, after, PAGE_SIZE)?;
        for response in &page {
            if row >= 1_048_576 {
                return Err(XlsxExportError::TooManyRows);
            }
            for (col, cell) in layout.row(response, true).iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(row, col as u16, cell)?;
                }
            }
            row += 1;
        }
        match page.last() {
            Some((last, _)) if page.len() as i64 == PAGE_SIZE => after = last.id,
            _ => break,
        }
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
    workbook.save(path)?;
    Ok(u64::from(row - 1))
}
