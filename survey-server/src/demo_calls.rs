//! The demo's interviewers at work: forty released cases called over the last four days, with
//! what a phone wave meets — no answer, a call-back booked, a refusal, a number that does not
//! exist, someone who was never a party — and twelve interviews. Each interview is stored as a
//! response (mode `phone`, the case's stratum, the interviewer), as the calls page stores one,
//! before the case's 1.1 is recorded.

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use chrono::{Datelike, Duration, NaiveDate};
use minyi_fieldwork::disposition::Code;
use minyi_questionnaire::{answers, Answer, ItemKind, Lang, Questionnaire, Role};

use crate::db::campaigns::{self, CampaignContext};
use crate::db::fieldwork::cases::{self, CaseRecord, NewAttempt};
use crate::db::fieldwork::draws;
use crate::db::log::LeafContext;
use crate::db::responses::{self, NewResponse};
use crate::db::{write_transaction, DbConn, DbError};
use crate::fieldwork::draw::CaseFrame;
use crate::fieldwork::seal::{random_bytes, FieldworkKeys, Purpose};
use crate::token::LinkCheck;

const CASES_WORKED: usize = 40;
const INTERVIEWERS: [&str; 2] = ["interviewer1", "interviewer2"];
const CST_OFFSET_MS: i64 = 8 * 3_600_000;
const INTERVIEW_MINUTES: i64 = 11;

/// The attempts at a worked case by its place in a cycle of ten, as (days ago, code), oldest
/// first: three interviews in ten. A 2.21 books a call-back for tomorrow at 19:00.
const CYCLE: [&[(i64, Code)]; 10] = [
    &[(3, Code::NoAnswer), (2, Code::Complete)],
    &[(1, Code::NoAnswer)],
    &[(2, Code::Complete)],
    &[(2, Code::NeverAvailable)],
    &[(3, Code::Refusal)],
    &[(1, Code::Complete)],
    &[(4, Code::NonWorking)],
    &[(4, Code::NoAnswer), (2, Code::NoAnswer)],
    &[(3, Code::NotCaseParty)],
    &[(3, Code::NoAnswer), (1, Code::NeverAvailable)],
];

/// When calls are made (hour, minute, China Standard Time), up to 44 minutes later: inside
/// the default call windows.
const CALL_TIMES: [(u32, u32); 5] = [(9, 40), (10, 55), (14, 25), (16, 10), (19, 35)];

/// Mostly satisfied, as the baseline was.
const LIKERT: [&str; 8] = ["4", "5", "4", "3", "5", "4", "2", "4"];
const SUGGESTIONS: [&str; 4] = ["", "希望执法人员多做解释。", "", "办事流程可以再简化一些。"];

/// Calls the first released cases of every stratum in turn, so that each unit and party type
/// has some: stores the interviews, then records every attempt in one transaction.
pub(super) fn work(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    ctx: &CampaignContext,
    draw_id: i32,
) -> anyhow::Result<()> {
    let q = Questionnaire::parse(&ctx.questionnaire.source)
        .map_err(|e| anyhow!("the open wave's questionnaire: {e}"))?;
    let today = NaiveDate::parse_from_str(&campaigns::today_cst(), "%Y-%m-%d")?;
    let call_back = cst_ms(today + Duration::days(1), 19, 0);
    let (mut interviews, mut attempts) = (Vec::new(), Vec::new());
    for (k, case) in released(conn, draw_id)?
        .iter()
        .take(CASES_WORKED)
        .enumerate()
    {
        // `round` keeps the four rounds of the cycle from repeating each other's calls.
        let round = k / CYCLE.len();
        let interviewer = INTERVIEWERS[(k + round) % INTERVIEWERS.len()];
        for (j, &(days_ago, code)) in CYCLE[k % CYCLE.len()].iter().enumerate() {
            let (hour, minute) = CALL_TIMES[(k + j + round) % CALL_TIMES.len()];
            let at = cst_ms(today - Duration::days(days_ago), hour, minute)
                + (k as i64 * 17 % 45) * 60_000;
            if code == Code::Complete {
                interviews.push(interview(&q, keys, ctx, case, interviewer, at, today, k)?);
            }
            attempts.push(NewAttempt {
                case_id: case.id,
                attempted_at: at,
                mode: "phone".into(),
                interviewer: interviewer.into(),
                code: code.code().into(),
                appointment_at: (code == Code::NeverAvailable).then_some(call_back),
                note_sealed: None,
            });
        }
    }
    // Stored in time order, as they were made (a case's latest attempt is its last).
    interviews.sort_by_key(|r| r.submitted_at);
    for new in &interviews {
        responses::store(conn, new)?;
    }
    attempts.sort_by_key(|a| a.attempted_at);
    write_transaction(conn, |c| {
        attempts
            .iter()
            .try_for_each(|a| cases::record_attempt(c, a).map(drop))
    })?;
    Ok(())
}

/// The draw's released cases, the first of every stratum, then the second of every stratum…
fn released(conn: &mut DbConn, draw_id: i32) -> Result<Vec<CaseRecord>, DbError> {
    let released: HashMap<String, i32> = draws::strata(conn, draw_id)?
        .into_iter()
        .map(|s| (s.stratum, s.released))
        .collect();
    let mut cases: Vec<CaseRecord> = cases::of_draw(conn, draw_id)?
        .into_iter()
        .filter(|c| c.seq < released.get(&c.stratum).copied().unwrap_or(0))
        .collect();
    cases.sort_by(|a, b| (a.seq, &a.stratum).cmp(&(b.seq, &b.stratum)));
    Ok(cases)
}

/// The response an interview stores, as the calls page builds it: no site, link tag, case
/// code, contact or device; a fresh idempotency key (one naming the case would link the
/// response to it).
#[allow(clippy::too_many_arguments)]
fn interview(
    q: &Questionnaire,
    keys: &FieldworkKeys,
    ctx: &CampaignContext,
    case: &CaseRecord,
    interviewer: &str,
    at: i64,
    today: NaiveDate,
    k: usize,
) -> anyhow::Result<NewResponse> {
    let frame: CaseFrame = keys
        .open(
            Purpose::CaseFrame,
            ctx.campaign.id,
            case.case_ref.as_bytes(),
            &case.sealed,
        )
        .context("opening a sampled case")?;
    let unit = (ctx.units.iter())
        .find(|u| u.id == case.unit_id)
        .context("a sampled case's unit is not in the wave")?;
    let fields = answers_of(q, &frame, &unit.code, today, k);
    let answers = answers::parse_submission(q, &fields)
        .map_err(|problems| anyhow!("the demo's answers are refused: {problems:?}"))?;
    let respondent_type =
        (q.item_with_role(Role::RespondentType)).and_then(|item| match answers.get(&item.id) {
            Some(Answer::Choice(code)) => Some(code.clone()),
            _ => None,
        });
    Ok(NewResponse {
        campaign_id: ctx.campaign.id,
        unit_id: unit.id,
        site_id: None,
        questionnaire_version_id: ctx.questionnaire.id,
        idempotency_key: hex::encode(random_bytes()),
        respondent_type,
        lang: Lang::Zh.code().to_string(),
        form_issued_at: at - INTERVIEW_MINUTES * 60_000,
        submitted_at: at,
        link_check: LinkCheck::Unsigned.as_str().to_string(),
        answers: answers
            .iter()
            .map(|(k, v)| (k.clone(), v.encode()))
            .collect(),
        case_code: None,
        contact: None,
        leaf: LeafContext {
            campaign: ctx.campaign.slug.clone(),
            unit: unit.code.clone(),
            site: String::new(),
            questionnaire: ctx.questionnaire.content_hash.clone(),
        },
        device_tag: None,
        flags: Vec::new(),
        collection: minyi_integrity::Collection {
            mode: "phone".into(),
            stratum: case.stratum.clone(),
            interviewer: interviewer.into(),
        },
    })
}

/// A party's answers to every item (those a condition hides are dropped by the parser): the
/// profile from the case's frame variables (案件类型, 当事人类型, 办结月份), ratings varied by `k`.
fn answers_of(
    q: &Questionnaire,
    frame: &CaseFrame,
    unit: &str,
    today: NaiveDate,
    k: usize,
) -> Vec<(String, String)> {
    let var = |i: usize| frame.vars.get(i).map_or("", String::as_str);
    let party = if var(1) == "企业" {
        "business"
    } else {
        "party"
    };
    let contact = match var(0) {
        "行政许可" => "permit",
        "行政检查" => "inspection",
        _ => "penalty",
    };
    let mut fields = Vec::new();
    for (j, (_, item)) in q.items().enumerate() {
        let value = match &item.kind {
            ItemKind::Single { options } | ItemKind::Multi { options, .. } => {
                let preferred = match item.id.as_str() {
                    "respondent_type" => party,
                    "township" => unit,
                    "contact_kind" => contact,
                    "contact_when" => contact_when(var(2), today),
                    _ => "",
                };
                (options.iter())
                    .find(|o| o.code == preferred)
                    .or_else(|| options.get(k % options.len()))
                    .map_or(String::new(), |o| o.code.clone())
            }
            ItemKind::Likert5 { .. } => LIKERT[(k + j) % LIKERT.len()].into(),
            ItemKind::YesNo { .. } if item.id.starts_with("sys_") => "yes".into(),
            ItemKind::YesNo { .. } if (k + j).is_multiple_of(7) => "yes".into(),
            ItemKind::YesNo { .. } => "no".into(),
            ItemKind::Scale10 { .. } => (5 + k % 6).to_string(),
            ItemKind::Text { .. } => SUGGESTIONS[k % SUGGESTIONS.len()].into(),
        };
        if !value.is_empty() {
            fields.push((item.id.clone(), value));
        }
    }
    fields
}

/// How long ago a case closed in `YYYY-MM` was, as the questionnaire's `contact_when` codes it.
fn contact_when(closed: &str, today: NaiveDate) -> &'static str {
    let months = NaiveDate::parse_from_str(&format!("{closed}-01"), "%Y-%m-%d")
        .map(|d| (today.year() - d.year()) * 12 + today.month() as i32 - d.month() as i32);
    match months {
        Ok(..=1) => "m1",
        Ok(2..=6) => "m6",
        Ok(7..=12) => "m12",
        _ => "older",
    }
}

/// `date` at `hour:minute` China Standard Time, in epoch milliseconds.
fn cst_ms(date: NaiveDate, hour: u32, minute: u32) -> i64 {
    let local = date
        .and_hms_opt(hour, minute, 0)
        .expect("a valid time of day");
    local.and_utc().timestamp_millis() - CST_OFFSET_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_answers_pass_the_default_questionnaire_for_both_party_types() {
        let q = Questionnaire::default_questionnaire();
        let today = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
        for (k, party) in ["个人", "企业"].into_iter().enumerate() {
            let frame = CaseFrame {
                id: "WTS-2025-00001".into(),
                vars: vec!["行政许可".into(), party.into(), "2025-10".into()],
            };
            let fields = answers_of(&q, &frame, "market", today, k);
            let answers = answers::parse_submission(&q, &fields).unwrap();
            assert_eq!(
                answers.get("contact_when"),
                Some(&Answer::Choice("m1".into()))
            );
        }
    }

    #[test]
    fn twelve_of_the_forty_worked_cases_are_interviews() {
        let completes = (0..CASES_WORKED)
            .filter(|k| CYCLE[k % CYCLE.len()].iter().any(|a| a.1 == Code::Complete))
            .count();
        assert_eq!(completes, 12);
    }
}
