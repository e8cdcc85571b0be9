//! The walk every export makes: a campaign's responses page by page, in id order, read ahead
//! on a thread of its own so that reading the next page overlaps writing this one.

use std::sync::mpsc::{sync_channel, Receiver};

use super::PAGE_SIZE;
use crate::db::responses::{self, ExportRow};
use crate::db::{DbConn, DbError, DbPool};

/// Pages read ahead of the writer: two pages wait at most (memory stays flat).
const AHEAD: usize = 2;

/// Pages of something read from the database by a thread that stays [`AHEAD`] pages in front
/// of whoever iterates. Dropping it stops the thread at its next page.
pub struct ReadAhead<T> {
    pages: Receiver<Result<Vec<T>, DbError>>,
}

impl<T: Send + 'static> ReadAhead<T> {
    /// `next` reads the next page and says whether more may follow; the thread stops after a
    /// page that says not, or an error.
    pub fn start<F>(pool: &DbPool, mut next: F) -> ReadAhead<T>
    where
        F: FnMut(&mut DbConn) -> Result<(Vec<T>, bool), DbError> + Send + 'static,
    {
        let (tx, pages) = sync_channel(AHEAD);
        let pool = pool.clone();
        let spawned = std::thread::Builder::new()
            .name("minyi-export-read".into())
            .spawn(move || loop {
                // A connection per page, given back before waiting on the writer: a slow
                // client never holds one of the pool's connections.
                let (page, more) = match pool.get().and_then(|mut conn| next(&mut conn)) {
                    Ok((page, more)) => (Ok(page), more),
                    Err(e) => (Err(e), false),
                };
                // A closed channel: the export stopped (its client went away).
                if tx.send(page).is_err() || !more {
                    return;
                }
            });
        if let Err(e) = spawned {
            let (tx, failed) = sync_channel(1);
            let _ = tx.send(Err(DbError::Invalid(format!(
                "the export's reading thread did not start: {e}"
            ))));
            return ReadAhead { pages: failed };
        }
        ReadAhead { pages }
    }
}

impl<T> Iterator for ReadAhead<T> {
    type Item = Result<Vec<T>, DbError>;

    /// The next page (never an empty one); `None` after the last.
    fn next(&mut self) -> Option<Self::Item> {
        match self.pages.recv().ok()? {
            Ok(page) if page.is_empty() => None,
            other => Some(other),
        }
    }
}

/// Every response of a campaign, in id order, a page ([`PAGE_SIZE`]) at a time.
pub fn responses(pool: &DbPool, campaign_id: i32) -> ReadAhead<ExportRow> {
    let mut after = 0;
    ReadAhead::start(pool, move |conn| {
        let page = responses::export_page(conn, campaign_id, after, PAGE_SIZE)?;
        after = page.last().map_or(after, |r| r.id);
        let more = page.len() as i64 == PAGE_SIZE;
        Ok((page, more))
    })
}
