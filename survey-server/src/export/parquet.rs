//! The responses as Parquet, for the analysis and any columnar tool: the same columns and
//! codes as the CSV (the codebook explains them), every column a nullable UTF-8 string so that
//! "na" and an unanswered item stay distinct; Snappy-compressed row groups of 20 000
//! responses, written to a temporary file.

use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use actix_web::web::Bytes;

use super::table::{Cells, Layout, Scratch};
use super::walk;
use crate::db::{DbError, DbPool};

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

/// One column of a row group being gathered: its values' bytes end to end (no allocation per
/// cell), where each ends, and whether each row has one (a definition level).
#[derive(Default)]
struct Column {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    levels: Vec<i16>,
}

/// Writes every response of the campaign; returns how many. Cells are the CSV's codes,
/// without the spreadsheet formula guard (Parquet is read by programs, not Excel).
///
/// Three threads: one reads the pages ([`walk::responses`]), this one gathers a row group's
/// columns, a third encodes and compresses the group before (one group waits at most).
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
    let writer = SerializedFileWriter::new(file, Arc::new(schema(&header)?), Arc::new(props))?;
    let (groups, received) = sync_channel::<Vec<Column>>(1);
    let encoder = std::thread::Builder::new()
        .name("minyi-export-parquet".into())
        .spawn(move || encode(writer, received))?;
    let gathered = gather(pool, campaign_id, layout, header.len(), &groups);
    drop(groups);
    let encoded = encoder
        .join()
        .unwrap_or_else(|_| Err(ParquetError::General("the Parquet encoder panicked".into())));
    // The encoder's error explains a gathering cut short by it.
    encoded?;
    gathered
}

/// Reads every response into row groups of [`ROW_GROUP`] and hands each to the encoder.
fn gather(
    pool: &DbPool,
    campaign_id: i32,
    layout: &Layout,
    width: usize,
    groups: &SyncSender<Vec<Column>>,
) -> Result<u64, ParquetExportError> {
    let stopped = || ParquetError::General("the Parquet encoder stopped".into());
    let new_group = || (0..width).map(|_| Column::default()).collect::<Vec<_>>();
    let mut columns = new_group();
    let mut scratch = Scratch::default();
    let (mut count, mut rows) = (0u64, 0usize);
    for page in walk::responses(pool, campaign_id) {
        let page = page?;
        for response in &page {
            let answers = response.answers()?;
            let mut k = 0;
            layout.each_cell(response, &answers, Cells::Raw, &mut scratch, |cell| {
                let column = &mut columns[k];
                k += 1;
                column.levels.push(i16::from(!cell.is_empty()));
                if !cell.is_empty() {
                    column.bytes.extend_from_slice(cell.as_bytes());
                    let end = u32::try_from(column.bytes.len())
                        .map_err(|_| ParquetError::General("a row group over 4 GiB".into()))?;
                    column.ends.push(end);
                }
                Ok::<_, ParquetError>(())
            })?;
            rows += 1;
            if rows == ROW_GROUP {
                groups
                    .send(std::mem::replace(&mut columns, new_group()))
                    .map_err(|_| stopped())?;
                rows = 0;
            }
        }
        count += page.len() as u64;
    }
    if rows > 0 {
        groups.send(columns).map_err(|_| stopped())?;
    }
    Ok(count)
}

/// Writes each row group received, then the footer.
fn encode<W: std::io::Write + Send>(
    mut writer: SerializedFileWriter<W>,
    groups: Receiver<Vec<Column>>,
) -> Result<(), ParquetError> {
    for columns in groups {
        let mut group = writer.next_row_group()?;
        for column in columns {
            let mut out = group.next_column()?.expect("one writer per schema column");
            let bytes = Bytes::from(column.bytes);
            let mut start = 0;
            let values: Vec<ByteArray> = column
                .ends
                .iter()
                .map(|&end| {
                    let end = end as usize;
                    let value = ByteArray::from(bytes.slice(start..end));
                    start = end;
                    value
                })
                .collect();
            out.typed::<ByteArrayType>()
                .write_batch(&values, Some(&column.levels), None)?;
            out.close()?;
        }
        group.close()?;
    }
    writer.close()?;
    Ok(())
}
