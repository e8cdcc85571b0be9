//! Where fieldwork stands: every released case with its attempts, final AAPOR code and whether
//! it is closed, read for one campaign at a time; and the outcome rates by stratum, unit, mode
//! and interviewer. A case whose SMS link was answered is complete (mode `sms`): the server
//! recognises its case code's nullifier among the redeemed ones with the key file's keys — the
//! database alone links no response to a case.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use minyi_fieldwork::disposition::{self, Attempt, Code};
use minyi_fieldwork::rates::{self, Counts, Eligibility, Rates};
use minyi_fieldwork::schedule::{self, CallRules};
use serde::Serialize;

use super::seal::FieldworkKeys;
use crate::anonymity::AnonymityKeys;
use crate::db::fieldwork::cases::{self, AttemptRecord, CaseRecord};
use crate::db::fieldwork::draws::{self, DrawRecord, DrawStratum};
use crate::db::fieldwork::settings::{self, Settings};
use crate::db::schema::case_code_uses;
use crate::db::{case_codes, DbConn, DbError};

/// One released case and what happened to it.
#[derive(Debug, Clone)]
pub struct Case {
    pub record: CaseRecord,
    pub attempts: Vec<AttemptRecord>,
    /// Answered through its SMS link.
    pub sms_complete: bool,
    pub final_code: Code,
    pub closed: bool,
    /// (interviewer, until) when someone holds it.
    pub held: Option<(String, i64)>,
    /// SMS messages sent (invitation and reminders) and the last one's time.
    pub sms_sent: u32,
    pub last_sms_ms: Option<i64>,
}

impl Case {
    /// The mode a case's outcome belongs to: how it was completed, else its last attempt's
    /// mode, else `sms` when only messaged, else `none`.
    pub fn mode(&self) -> &str {
        if self.sms_complete {
            return "sms";
        }
        if let Some(a) = self.attempts.iter().rev().find(|a| a.code == "1.1") {
            return &a.mode;
        }
        match self.attempts.last() {
            Some(a) => &a.mode,
            None if self.sms_sent > 0 => "sms",
            None => "none",
        }
    }

    /// The interviewer a case's outcome belongs to: who completed it, else who last called.
    pub fn interviewer(&self) -> &str {
        if self.sms_complete {
            return "";
        }
        if let Some(a) = self.attempts.iter().rev().find(|a| a.code == "1.1") {
            return &a.interviewer;
        }
        self.attempts.last().map_or("", |a| a.interviewer.as_str())
    }

    /// The latest appointment not yet followed by an attempt.
    pub fn appointment(&self) -> Option<i64> {
        let last = self.attempts.last()?;
        last.appointment_at
    }
}

/// A campaign's fieldwork: its draw, strata, settings and released cases.
pub struct Fieldwork {
    pub draw: DrawRecord,
    pub strata: Vec<DrawStratum>,
    pub settings: Settings,
    pub cases: Vec<Case>,
}

/// Loads the campaign's fieldwork, `None` before a draw.
pub fn load(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    anonymity: &AnonymityKeys,
    campaign_id: i32,
) -> Result<Option<Fieldwork>, DbError> {
    let Some(draw) = draws::of_campaign(conn, campaign_id)? else {
        return Ok(None);
    };
    let strata = draws::strata(conn, draw.id)?;
    let settings = settings::get(conn, campaign_id)?;
    let released: HashMap<&str, i32> = strata
        .iter()
        .map(|s| (s.stratum.as_str(), s.released))
        .collect();
    let mut attempts: HashMap<i32, Vec<AttemptRecord>> = HashMap::new();
    for a in cases::attempts(conn, draw.id)? {
        attempts.entry(a.case_id).or_default().push(a);
    }
    let holds: HashMap<i32, (String, i64)> = cases::holds(conn, draw.id)?
        .into_iter()
        .map(|(id, who, until)| (id, (who, until)))
        .collect();
    let mut sms: HashMap<i32, (u32, i64)> = HashMap::new();
    for (case_id, _, at, _) in cases::sms_sent(conn, draw.id)? {
        let entry = sms.entry(case_id).or_insert((0, 0));
        entry.0 += 1;
        entry.1 = entry.1.max(at);
    }
    let redeemed: HashSet<String> = case_code_uses::table
        .filter(case_code_uses::campaign_id.eq(campaign_id))
        .select(case_code_uses::nullifier)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let max_attempts = u32::try_from(settings.max_attempts).unwrap_or(0);
    let cases = cases::of_draw(conn, draw.id)?
        .into_iter()
        .filter(|c| c.seq < released.get(c.stratum.as_str()).copied().unwrap_or(0))
        .map(|record| {
            let attempts = attempts.remove(&record.id).unwrap_or_default();
            let sms_complete = sms.contains_key(&record.id) && {
                let code = keys.sms_code(campaign_id, &record.case_ref);
                redeemed.contains(&anonymity.nullifier(campaign_id, &case_codes::hash(&code)))
            };
            let mut outcomes: Vec<Attempt> = attempts
                .iter()
                .filter_map(|a| {
                    Code::parse(&a.code).map(|code| Attempt {
                        at_ms: a.attempted_at,
                        code,
                    })
                })
                .collect();
            if sms_complete {
                outcomes.push(Attempt {
                    at_ms: i64::MAX,
                    code: Code::Complete,
                });
            }
            let (sms_sent, last_sms_ms) = sms
                .get(&record.id)
                .map_or((0, None), |&(n, at)| (n, Some(at)));
            Case {
                final_code: disposition::final_code(&outcomes),
                closed: sms_complete || disposition::case_is_closed(&outcomes, max_attempts),
                held: holds.get(&record.id).cloned(),
                record,
                attempts,
                sms_complete,
                sms_sent,
                last_sms_ms,
            }
        })
        .collect();
    Ok(Some(Fieldwork {
        draw,
        strata,
        settings,
        cases,
    }))
}

impl Fieldwork {
    pub fn call_rules(&self) -> Result<CallRules, String> {
        Ok(CallRules {
            windows: schedule::parse_windows(&self.settings.call_windows)
                .map_err(|e| e.to_string())?,
            max_attempts: u32::try_from(self.settings.max_attempts).unwrap_or(0),
            min_gap_minutes: u32::try_from(self.settings.min_gap_minutes).unwrap_or(0),
            responsive: self.settings.responsive,
        })
    }

    /// Completes per stratum name.
    pub fn completes(&self) -> BTreeMap<&str, u32> {
        let mut out: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &self.strata {
            out.insert(&s.stratum, 0);
        }
        for c in &self.cases {
            if c.final_code == Code::Complete {
                *out.entry(&c.record.stratum).or_insert(0) += 1;
            }
        }
        out
    }

    /// The outcome rates overall and by stratum, unit (code), mode and interviewer.
    pub fn rates(&self, unit_code: impl Fn(i32) -> String, e: Option<Eligibility>) -> RatesReport {
        let overall = {
            let mut counts = Counts::default();
            counts.extend(self.cases.iter().map(|c| c.final_code));
            (counts, rates::rates(&counts, e))
        };
        let group = |key: &dyn Fn(&Case) -> String| {
            rates::by_group(self.cases.iter().map(|c| (key(c), c.final_code)), e)
                .into_iter()
                .map(|(k, (counts, rates))| GroupRates {
                    group: k,
                    counts,
                    rates,
                })
                .collect()
        };
        RatesReport {
            cases: self.cases.len(),
            overall: GroupRates {
                group: "all".into(),
                counts: overall.0,
                rates: overall.1,
            },
            by_stratum: group(&|c| c.record.stratum.clone()),
            by_unit: group(&|c| unit_code(c.record.unit_id)),
            by_mode: group(&|c| c.mode().to_string()),
            by_interviewer: group(&|c| c.interviewer().to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRates {
    pub group: String,
    pub counts: Counts,
    pub rates: Rates,
}

#[derive(Debug, Clone, Serialize)]
pub struct RatesReport {
    /// Released cases.
    pub cases: usize,
    pub overall: GroupRates,
    pub by_stratum: Vec<GroupRates>,
    pub by_unit: Vec<GroupRates>,
    pub by_mode: Vec<GroupRates>,
    pub by_interviewer: Vec<GroupRates>,
}
