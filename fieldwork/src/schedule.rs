//! The "next case" queue of telephone interviewers (CATI): which case may be called now, why
//! another may not, and which to call first (FIELDWORK.md §4). Pure: the caller passes the
//! time. Times are epoch milliseconds; calling windows are local China Standard Time (UTC+8,
//! no daylight saving time).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
/// China Standard Time is UTC+8 all year.
pub const CST_OFFSET_MS: i64 = 8 * 60 * MINUTE_MS;
/// An appointment is due this long before its time.
pub const APPOINTMENT_LEAD_MS: i64 = 5 * MINUTE_MS;

/// Milliseconds since local (CST) midnight at `epoch_ms`.
pub fn cst_time_of_day_ms(epoch_ms: i64) -> i64 {
    (epoch_ms + CST_OFFSET_MS).rem_euclid(DAY_MS)
}

/// A calling window within one local day, `start..end` in minutes after local midnight (the end
/// excluded). Windows do not cross midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    start: u16,
    end: u16,
}

/// Why a window or a list of windows was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WindowError {
    /// No window was written.
    #[error("no calling window given; write e.g. \"09:00-12:00,18:30-21:00\"")]
    Empty,
    /// A window is not written as `HH:MM-HH:MM`.
    #[error("calling window {0:?} is not written as HH:MM-HH:MM")]
    Format(String),
    /// A time is not a time of day.
    #[error("{0:?} is not a time of day between 00:00 and 24:00")]
    Time(String),
    /// A window ends at or before its start.
    #[error("calling window {0:?} must end after it starts (a window cannot cross midnight)")]
    Order(String),
    /// Two windows overlap.
    #[error("calling windows {0} and {1} overlap")]
    Overlap(Window, Window),
}

impl Window {
    /// The window from `start` to `end` minutes after local midnight; `start < end ≤ 1440`.
    pub fn new(start: u16, end: u16) -> Result<Window, WindowError> {
        if start < end && end <= 24 * 60 {
            Ok(Window { start, end })
        } else {
            Err(WindowError::Order(format!("{start}-{end} minutes")))
        }
    }

    /// The start, minutes after local midnight.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// The end (excluded), minutes after local midnight.
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Whether the local time of `epoch_ms` falls in the window.
    pub fn contains(self, epoch_ms: i64) -> bool {
        let time = cst_time_of_day_ms(epoch_ms);
        i64::from(self.start) * MINUTE_MS <= time && time < i64::from(self.end) * MINUTE_MS
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

/// A window crosses a boundary (JSON, settings) written as `"18:30-21:00"`.
impl Serialize for Window {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_window(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses windows written like `"09:00-12:00,18:30-21:00"`: windows separated by `,` or `，`,
/// each `H:MM-H:MM` (`-`, `–` or `~` between the times, `24:00` allowed as an end, spaces
/// ignored). The windows come back sorted; overlapping windows are refused.
pub fn parse_windows(text: &str) -> Result<Vec<Window>, WindowError> {
    if text.trim().is_empty() {
        return Err(WindowError::Empty);
    }
    let mut windows = text
        .split([',', '，'])
        .map(parse_window)
        .collect::<Result<Vec<_>, _>>()?;
    windows.sort();
    if let Some(pair) = windows.windows(2).find(|pair| pair[1].start < pair[0].end) {
        return Err(WindowError::Overlap(pair[0], pair[1]));
    }
    Ok(windows)
}

fn parse_window(text: &str) -> Result<Window, WindowError> {
    let text = text.trim();
    let (start, end) = text
        .split_once(['-', '–', '~'])
        .ok_or_else(|| WindowError::Format(text.to_owned()))?;
    let (start, end) = (parse_time(start)?, parse_time(end)?);
    Window::new(start, end).map_err(|_| WindowError::Order(text.to_owned()))
}

fn parse_time(text: &str) -> Result<u16, WindowError> {
    let text = text.trim();
    let bad = || WindowError::Time(text.to_owned());
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || minutes.len() != 2 || !digits(minutes) {
        return Err(bad());
    }
    let (hours, minutes): (u16, u16) = (
        hours.parse().map_err(|_| bad())?,
        minutes.parse().map_err(|_| bad())?,
    );
    if minutes > 59 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(bad());
    }
    Ok(hours * 60 + minutes)
}

/// The earliest window start after `now_ms`, in epoch milliseconds; `None` without windows.
pub fn next_window_start(windows: &[Window], now_ms: i64) -> Option<i64> {
    let midnight = now_ms - cst_time_of_day_ms(now_ms);
    [midnight, midnight + DAY_MS]
        .into_iter()
        .flat_map(|day| {
            windows
                .iter()
                .map(move |w| day + i64::from(w.start) * MINUTE_MS)
        })
        .filter(|&start| start > now_ms)
        .min()
}

/// The calling rules of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRules {
    /// When cases may be called; an empty list puts no limit on the time of day.
    pub windows: Vec<Window>,
    /// Attempts after which a case is not called again.
    pub max_attempts: u32,
    /// Minutes to wait after an attempt before the next.
    pub min_gap_minutes: u32,
    /// Whether cases of the strata furthest from their targets come first.
    pub responsive: bool,
}

/// What the queue knows of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseView {
    /// The caller's key for the case.
    pub key: usize,
    /// The index of the case's stratum in the `strata` slice of [`next_case`].
    pub stratum: usize,
    /// Attempts made.
    pub attempts: u32,
    /// When the last attempt was made.
    pub last_attempt_ms: Option<i64>,
    /// When the case party asked to be called.
    pub appointment_ms: Option<i64>,
    /// Whether the case is closed ([`crate::disposition::case_is_closed`]).
    pub closed: bool,
    /// Whether another interviewer holds the case now.
    pub held_by_other: bool,
    /// The case's place in release order, the last tie-break.
    pub seq: u32,
}

/// A stratum's completes against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StratumProgress {
    /// Completes so far.
    pub completes: u32,
    /// Completes wanted.
    pub target: u32,
}

/// Whether a case may be called now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseStatus {
    /// The case party's appointment is due: call first, whatever the window and the gap.
    AppointmentDue {
        /// The appointment, epoch ms.
        at: i64,
    },
    /// The case may be called.
    Callable,
    /// The case is closed.
    Closed,
    /// Another interviewer holds the case.
    HeldByOther,
    /// The case has had its maximum number of attempts.
    MaxAttempts,
    /// The case party asked to be called at `at`, not before.
    Appointment {
        /// The appointment, epoch ms.
        at: i64,
    },
    /// The last attempt was less than the minimum gap ago.
    TooSoon {
        /// When the gap has passed, epoch ms.
        until: i64,
    },
    /// Now is outside every calling window.
    OutsideWindow {
        /// When the next window opens, epoch ms.
        next_window_ms: i64,
    },
}

impl CaseStatus {
    /// Whether the case may be called now.
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            CaseStatus::AppointmentDue { .. } | CaseStatus::Callable
        )
    }
}

/// The case's status, by the first rule that applies: closed; held by another interviewer;
/// `attempts ≥ max_attempts`; an appointment not yet kept — due from 5 minutes before it
/// (whatever the window and the gap), else not before it; the last attempt less than
/// `min_gap_minutes` ago; now outside every window. An appointment counts as kept once an
/// attempt was made at or after its due time.
pub fn status(rules: &CallRules, case: &CaseView, now_ms: i64) -> CaseStatus {
    if case.closed {
        return CaseStatus::Closed;
    }
    if case.held_by_other {
        return CaseStatus::HeldByOther;
    }
    if case.attempts >= rules.max_attempts {
        return CaseStatus::MaxAttempts;
    }
    if let Some(at) = pending_appointment(case) {
        return if now_ms >= at - APPOINTMENT_LEAD_MS {
            CaseStatus::AppointmentDue { at }
        } else {
            CaseStatus::Appointment { at }
        };
    }
    if let Some(last) = case.last_attempt_ms {
        let until = last + i64::from(rules.min_gap_minutes) * MINUTE_MS;
        if now_ms < until {
            return CaseStatus::TooSoon { until };
        }
    }
    match next_window_start(&rules.windows, now_ms) {
        Some(next) if !rules.windows.iter().any(|w| w.contains(now_ms)) => {
            CaseStatus::OutsideWindow {
                next_window_ms: next,
            }
        }
        _ => CaseStatus::Callable,
    }
}

fn pending_appointment(case: &CaseView) -> Option<i64> {
    let at = case.appointment_ms?;
    match case.last_attempt_ms {
        Some(last) if last >= at - APPOINTMENT_LEAD_MS => None,
        _ => Some(at),
    }
}

/// How far a stratum is from its target, ordered from the furthest behind to met: a met
/// stratum (`completes ≥ target`, including a target of 0) ranks after every other, and met
/// strata rank equal. Compared exactly, by cross-multiplication.
#[derive(Debug, Clone, Copy)]
struct Lag {
    completes: u64,
    target: u64,
}

impl Lag {
    /// The rank every stratum shares when the queue is not responsive.
    const NEUTRAL: Lag = Lag {
        completes: 0,
        target: 0,
    };

    fn met(self) -> bool {
        self.completes >= self.target
    }
}

impl Ord for Lag {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.met(), other.met()) {
            (false, false) => (self.completes * other.target).cmp(&(other.completes * self.target)),
            (a, b) => a.cmp(&b),
        }
    }
}

impl PartialOrd for Lag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Lag {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Lag {}

/// The index in `cases` of the case to call next, `None` when no case may be called.
/// Due appointments come first, earliest appointment first. Then the callable cases: when
/// `rules.responsive`, those of the strata with the lowest `completes / target` first (a
/// stratum at or above its target, or without a progress entry, last); then fewest attempts;
/// then the oldest last attempt, never-called first; then `seq`; then the index.
pub fn next_case(
    rules: &CallRules,
    cases: &[CaseView],
    strata: &[StratumProgress],
    now_ms: i64,
) -> Option<usize> {
    let lag = |case: &CaseView| match strata.get(case.stratum) {
        Some(progress) if rules.responsive => Lag {
            completes: u64::from(progress.completes),
            target: u64::from(progress.target),
        },
        _ => Lag::NEUTRAL,
    };
    cases
        .iter()
        .enumerate()
        .filter_map(|(index, case)| {
            // Due appointments first (false < true), by time; the other keys are then neutral.
            let key = match status(rules, case, now_ms) {
                CaseStatus::AppointmentDue { at } => (false, at, Lag::NEUTRAL, 0, None),
                CaseStatus::Callable => (true, 0, lag(case), case.attempts, case.last_attempt_ms),
                _ => return None,
            };
            Some(((key, case.seq, index), index))
        })
        .min_by_key(|(key, _)| *key)
        .map(|(_, index)| index)
}

/// When the stratum would reach `target` completes at the rate so far (completes per
/// millisecond since `first_ms`, the start of fieldwork): `now + (target − completes) ·
/// (now − first) / completes`, rounded up. `Some(now_ms)` when the target is met; `None` with
/// no completes yet or `now_ms` before `first_ms`.
pub fn projected_finish(completes: u32, target: u32, first_ms: i64, now_ms: i64) -> Option<i64> {
    if completes >= target {
        return Some(now_ms);
    }
    if completes == 0 || now_ms < first_ms {
        return None;
    }
    let elapsed = i128::from(now_ms - first_ms);
    let remaining = i128::from(target - completes);
    let completes = i128::from(completes);
    let more = (elapsed * remaining + completes - 1) / completes;
    i64::try_from(i128::from(now_ms) + more).ok()
}
