//! The responses as CSV, streamed to the client page by page: UTF-8 with a BOM so that Excel
//! in China opens it as UTF-8 rather than GBK.

use std::sync::Arc;

use actix_web::web::{self, Bytes};
use futures::Stream;

use super::table::Layout;
use super::PAGE_SIZE;
use crate::db::responses::{self, ResponseWithAnswers};
use crate::db::{DbError, DbPool};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// CSV lines of `rows` (and the header first, with the BOM, when `header` is set).
pub fn encode(
    layout: &Layout,
    rows: &[ResponseWithAnswers],
    labels: bool,
    header: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 256 + 1024);
    if header {
        out.extend_from_slice(BOM);
    }
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        if header {
            writer
                .write_record(layout.header())
                .expect("writing to memory");
        }
        for row in rows {
            writer
                .write_record(layout.row(row, labels))
                .expect("writing to memory");
        }
        writer.flush().expect("writing to memory");
    }
    out
}

struct Cursor {
    after: i32,
    first: bool,
    done: bool,
}

/// The whole campaign as a stream of CSV chunks, one database page each.
pub fn stream(
    pool: DbPool,
    campaign_id: i32,
    layout: Arc<Layout>,
    labels: bool,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let start = Cursor {
        after: 0,
        first: true,
        done: false,
    };
    futures::stream::unfold(start, move |cursor| {
        let (pool, layout) = (pool.clone(), layout.clone());
        async move {
            if cursor.done {
                return None;
            }
            let after = cursor.after;
            let page = web::block(move || -> Result<_, DbError> {
                responses::page(&mut *pool.get()?, campaign_id, after, PAGE_SIZE)
            })
            .await;
            let page = match page {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => {
                    return Some((
                        Err(crate::error::AppError::from(e).into()),
                        Cursor {
                            done: true,
                            ..cursor
                        },
                    ))
                }
                Err(e) => {
                    return Some((
                        Err(e.into()),
                        Cursor {
                            done: true,
                            ..cursor
                        },
                    ))
                }
            };
            if page.is_empty() && !cursor.first {
                return None;
            }
            let next = Cursor {
                after: page.last().map_or(after, |(r, _)| r.id),
                first: false,
                done: (page.len() as i64) < PAGE_SIZE,
            };
            let chunk = encode(&layout, &page, labels, cursor.first);
            Some((Ok(Bytes::from(chunk)), next))
        }
    })
}
