//! Flags found after a response was stored (bursts) are written by a thread of their own, a
//! batch at a time, so that a burst costs the write path one small transaction a few times a
//! second instead of one per response. A crash can lose the last fraction of a second of such
//! flags; the responses themselves are never at stake.

use std::sync::mpsc;
use std::time::Duration;

use crate::db::{now_ms, quality, DbPool};

/// How long the writer gathers flags before writing them.
const GATHER: Duration = Duration::from_millis(200);

/// Writes `burst` flags (the only flag found after a commit).
pub struct FlagWriter {
    queue: mpsc::Sender<i32>,
}

impl FlagWriter {
    pub fn start(pool: DbPool) -> FlagWriter {
        let (queue, jobs) = mpsc::channel::<i32>();
        let started = std::thread::Builder::new()
            .name("minyi-flags".into())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    std::thread::sleep(GATHER);
                    let mut ids = vec![first];
                    ids.extend(jobs.try_iter());
                    let flag = super::flags::BURST;
                    let written = pool
                        .get()
                        .and_then(|mut c| quality::flag(&mut c, &ids, flag, now_ms()));
                    if let Err(e) = written {
                        tracing::error!(error = %e, count = ids.len(), "writing {flag} flags failed");
                    }
                }
            });
        if let Err(e) = started {
            tracing::error!(error = %e, "the flag writer did not start");
        }
        FlagWriter { queue }
    }

    pub fn burst(&self, ids: &[i32]) {
        for id in ids {
            let _ = self.queue.send(*id);
        }
    }
}
