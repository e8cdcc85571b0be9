//! Login throttling: after repeated failures for one username, further attempts are refused
//! for a while. The state lives in memory (a restart forgets it; nothing personal is kept).

use std::collections::HashMap;
use std::sync::Mutex;

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl LoginThrottle {
    /// Whether this username may try now.
    pub fn allowed(&self, username: &str, now: i64) -> bool {
        let mut map = self.failures.lock().expect("lock");
        let recent = map.entry(username.to_lowercase()).or_default();
        recent.retain(|t| now - t < WINDOW_MS);
        recent.len() < MAX_FAILURES
    }

    pub fn failed(&self, username: &str, now: i64) {
        let mut map = self.failures.lock().expect("lock");
        map.entry(username.to_lowercase()).or_default().push(now);
        // Keep the map from growing without bound under a spray of usernames.
        if map.len() > 10_000 {
            map.retain(|_, times| times.iter().any(|t| now - t < WINDOW_MS));
        }
    }

    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("lock")
            .remove(&username.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_username_for_the_window() {
        let t = LoginThrottle::default();
        for i in 0..5 {
            assert!(t.allowed("Eva", i));
            t.failed("Eva", i);
        }
        assert!(!t.allowed("eva", 10), "case-insensitive");
        assert!(t.allowed("other", 10));
        assert!(t.allowed("eva", WINDOW_MS + 5), "the window passes");
        t.succeeded("eva");
        assert!(t.allowed("eva", 11));
    }
}
