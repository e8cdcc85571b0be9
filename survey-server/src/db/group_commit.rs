//! Group commit: concurrent submissions are gathered into one transaction and one flush.
//! A single writer thread takes whatever has queued up (up to `MAX_BATCH`), stores it with
//! [`responses::store_batch`], and only then answers each waiting request — so every
//! acknowledgement still follows a durable commit, but a busy minute costs one flush per batch
//! instead of one per response.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::responses::{self, NewResponse, Stored};
use super::{DbError, DbPool};

pub const MAX_BATCH: usize = 64;

type Reply = oneshot::Sender<Result<Stored, DbError>>;

/// The handle requests use; the writer thread ends when the last handle is dropped.
pub struct GroupCommitter {
    queue: mpsc::Sender<(NewResponse, Reply)>,
}

impl GroupCommitter {
    pub fn start(pool: DbPool) -> GroupCommitter {
        let (queue, jobs) = mpsc::channel::<(NewResponse, Reply)>();
        std::thread::Builder::new()
            .name("minyi-group-commit".into())
            .spawn(move || writer(pool, jobs))
            .expect("the writer thread starts");
        GroupCommitter { queue }
    }

    /// Stores one response; returns once its batch has committed (or failed).
    pub async fn store(&self, new: NewResponse) -> Result<Stored, DbError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((new, reply))
            .map_err(|_| DbError::Invalid("the writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbError::Invalid("the writer thread dropped a response".into()))?
    }
}

/// The crash test's negative control, in debug builds only: with
/// `MINYI_TEST_ACK_BEFORE_COMMIT=1` the writer acknowledges a batch *before* committing it (and
/// takes its time committing), which the crash test must catch as lost responses.
fn ack_before_commit() -> bool {
    cfg!(debug_assertions) && std::env::var_os("MINYI_TEST_ACK_BEFORE_COMMIT").is_some()
}

fn writer(pool: DbPool, jobs: mpsc::Receiver<(NewResponse, Reply)>) {
    let early = ack_before_commit();
    if early {
        tracing::warn!("MINYI_TEST_ACK_BEFORE_COMMIT: acknowledging before commit (a test's negative control; never in production)");
    }
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if early {
            let (news, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            for reply in replies {
                let _ = reply.send(Ok(Stored::New(0)));
            }
            std::thread::sleep(std::time::Duration::from_millis(150));
            let news: Vec<&NewResponse> = news.iter().collect();
            let _ = pool
                .get()
                .and_then(|mut c| responses::store_batch(&mut c, &news));
            continue;
        }
        let news: Vec<&NewResponse> = batch.iter().map(|(new, _)| new).collect();
        let outcome = pool
            .get()
            .and_then(|mut conn| responses::store_batch(&mut conn, &news));
        tracing::debug!(size = batch.len(), ok = outcome.is_ok(), "group commit");
        match outcome {
            Ok(results) => {
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, size = batch.len(), "group commit failed; nothing of the batch was stored");
                let message = e.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(DbError::Invalid(format!(
                        "the batch could not be committed: {message}"
                    ))));
                }
            }
        }
    }
}
