//! Anti-stuffing, as evidence rather than silent drops: a signed device cookie, rate limits
//! per address and network, a honeypot, speed and straight-lining flags, burst detection. A
//! real respondent's answer is never thrown away unseen: what is refused gets a clear page,
//! what is suspicious is stored and flagged for the evaluator's quality report.

pub mod burst;
pub mod device;
pub mod flag_writer;
pub mod flags;
pub mod rate_limit;

use std::net::IpAddr;
use std::time::Duration;

use burst::BurstDetector;
use rate_limit::RateLimiter;

use crate::config::{ConfigError, Settings};

/// The anti-stuffing state of a running server (all in memory).
pub struct Guards {
    pub limiter: RateLimiter,
    pub trusted_proxies: Vec<IpAddr>,
    pub bursts: BurstDetector,
    pub speeder_ms: i64,
    /// Writes burst flags in batches; set once the database is open.
    pub flag_writer: Option<flag_writer::FlagWriter>,
}

impl Guards {
    pub fn from_settings(settings: &Settings) -> Result<Guards, ConfigError> {
        Ok(Guards {
            limiter: RateLimiter::new(
                settings.rate_limit_per_address,
                settings.rate_limit_per_network,
                Duration::from_secs(60),
            ),
            trusted_proxies: settings.trusted_proxy_addresses()?,
            bursts: BurstDetector::new(
                settings.burst_threshold as usize,
                i64::from(settings.burst_window_minutes) * 60_000,
            ),
            speeder_ms: settings.speeder_seconds as i64 * 1000,
            flag_writer: None,
        })
    }
}

/// Admits a submission past the rate limits; returns the client's network for burst
/// detection (held in memory only).
pub fn admit(
    state: &crate::startup::AppState,
    req: &actix_web::HttpRequest,
    lang: minyi_questionnaire::Lang,
) -> Result<Option<String>, crate::error::AppError> {
    let Some(ip) = rate_limit::client_address(req, &state.guards.trusted_proxies) else {
        return Ok(None);
    };
    state
        .guards
        .limiter
        .check(ip, std::time::Instant::now())
        .map_err(|l| crate::error::AppError::RateLimited(lang, l.retry_after.as_secs().max(1)))?;
    Ok(Some(rate_limit::network_of(ip).to_string()))
}
