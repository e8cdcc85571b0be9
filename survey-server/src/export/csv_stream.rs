//! The responses as CSV, streamed to the client page by page: UTF-8 with a BOM so that Excel
//! in China opens it as UTF-8 rather than GBK.

use std::sync::Arc;

use actix_web::web::Bytes;
use futures::Stream;

use super::table::{Cells, Layout, Scratch};
use super::walk;
use crate::db::responses::ExportRow;
use crate::db::{DbError, DbPool};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Chunks encoded ahead of the client at most.
const AHEAD: usize = 2;

/// The BOM and the header line.
pub fn header(layout: &Layout) -> Vec<u8> {
    let mut out = Vec::from(BOM);
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(layout.header())
            .expect("writing to memory");
        writer.flush().expect("writing to memory");
    }
    out
}

/// CSV lines of `rows`, appended to `out`.
pub fn encode(
    layout: &Layout,
    rows: &[ExportRow],
    cells: Cells,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Result<(), DbError> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        let answers = row.answers()?;
        layout
            .each_cell(row, &answers, cells, scratch, |cell| {
                writer.write_field(cell)
            })
            .and_then(|()| writer.write_record(None::<&[u8]>))
            .expect("writing to memory");
    }
    writer.flush().expect("writing to memory");
    Ok(())
}

/// The whole campaign as a stream of CSV chunks, one database page each: read on one thread,
/// encoded on another, sent as the client takes them.
pub fn stream(
    pool: DbPool,
    campaign_id: i32,
    layout: Arc<Layout>,
    labels: bool,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let cells = if labels { Cells::Labels } else { Cells::Codes };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, DbError>>(AHEAD);
    let spawned = std::thread::Builder::new()
        .name("minyi-export-csv".into())
        .spawn({
            let tx = tx.clone();
            move || {
                if tx.blocking_send(Ok(Bytes::from(header(&layout)))).is_err() {
                    return;
                }
                let mut scratch = Scratch::default();
                for page in walk::responses(&pool, campaign_id) {
                    let chunk = page.and_then(|rows| {
                        let mut out = Vec::with_capacity(rows.len() * 320);
                        encode(&layout, &rows, cells, &mut scratch, &mut out)?;
                        Ok(Bytes::from(out))
                    });
                    let failed = chunk.is_err();
                    // A closed channel: the client went away.
                    if tx.blocking_send(chunk).is_err() || failed {
                        return;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        let _ = tx.try_send(Err(DbError::Invalid(format!(
            "the export's thread did not start: {e}"
        ))));
    }
    drop(tx);
    futures::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((
            chunk.map_err(|e| crate::error::AppError::from(e).into()),
            rx,
        ))
    })
}
