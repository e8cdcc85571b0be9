//! The responses as Parquet, for the analysis and any columnar tool: the same columns and
//! codes as the CSV (the codebook explains them), every column a nullable UTF-8 string so that
//! "na" and an unanswered item stay distinct; Snappy-compressed row groups of 20 000
//! responses, written to a temporary file.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::table::Layout;
use super::PAGE_SIZE;
use crate::db::{responses, DbError, DbPool};

const ROW_GROUP: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ParquetExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("writing Parquet: {0}")]
    Parquet(#[from] ParquetError),
    #[error("writing Parquet: {0}")]
    Io(#[from] std::io::Error),
}

fn schema(header: &[String]) -> Result<Type, ParquetError> {
    let fields = header
        .iter()
        .map(|name| {
            Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                .with_repetition(Repetition::OPTIONAL)
                .with_converted_type(ConvertedType::UTF8)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder("responses")
        .with_fields(fields)
        .build()
}

/// Writes every response of the campaign; returns how many. Cells are the CSV's codes,
/// without the spreadsheet formula guard (Parquet is read by programs, not Excel).
pub fn write(
    pool: &DbPool,
    campaign_id: i32,
    layout: &Layout,
    path: &Path,
) -> Result<u64, ParquetExportError> {
    let header = layout.header();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(path)?;
    let mut writer = SerializedFileWriter::new(file, Arc::new(schema(&header)?), Arc::new(props))?;
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    let (mut after, mut count) = (0, 0u64);
    loop {
        let page = responses::page(&mut *pool.get()?, campaign_id, after, PAGE_SIZE)?;
        for response in &page {
            for (column, cell) in columns.iter_mut().zip(layout.raw_row(response)) {
                column.push((!cell.is_empty()).then_some(cell));
            }
        }
        count += page.len() as u64;
        let last_page = (page.len() as i64) < PAGE_SIZE;
        if columns[0].len() >= ROW_GROUP || (last_page && !columns[0].is_empty()) {
            flush(&mut writer, &mut columns)?;
        }
        match page.last() {
            Some((r, _)) if !last_page => after = r.id,
            _ => break,
        }
    }
    writer.close()?;
    Ok(count)
}

fn flush(
    writer: &mut SerializedFileWriter<std::fs::File>,
    columns: &mut [Vec<Option<String>>],
) -> Result<(), ParquetError> {
    let mut group = writer.next_row_group()?;
    for column in columns.iter_mut() {
        let mut out = group.next_column()?.expect("one writer per schema column");
        let levels: Vec<i16> = column.iter().map(|c| i16::from(c.is_some())).collect();
        let values: Vec<ByteArray> = column
            .iter()
            .flatten()
            .map(|s| ByteArray::from(s.as_str()))
            .collect();
        out.typed::<ByteArrayType>()
            .write_batch(&values, Some(&levels), None)?;
        out.close()?;
        column.clear();
    }
    group.close()?;
    Ok(())
}
