//! The interviewer's pages (CATI and CAPI, issue #13): a campaign's queue, "next case" (the
//! schedule's choice, held for 30 minutes), a case's page (its phone number, its attempts, the
//! outcome form and the questionnaire as a script), the outcome of a call (an AAPOR code, an
//! appointment, a sealed note) and a keyed interview — stored like a citizen's response, with
//! mode `phone` or `face`, the case's stratum and the interviewer, then recorded as the case's
//! 1.1.
//!
//! A case's phone number and name are personal information: they are opened only to render
//! its page, and never logged, put in a URL or in an error.

// The pages' HTML, in `console/calls_view.rs`: a child of this module (hence the path), so
// that it reads this module's private types. No line in `console/mod.rs` names it.
#[path = "calls_view.rs"]
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use minyi_fieldwork::disposition::Code;
use minyi_fieldwork::schedule::{self, CaseStatus, CaseView, StratumProgress, Window};
use minyi_questionnaire::{answers, Answer, FieldError, FieldProblem, Lang, Questionnaire};
use serde::Deserialize;

use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::auth::Role;
use crate::citizen::form_view::TOKEN_FIELD;
use crate::citizen::strict_form::StrictForm;
use crate::citizen::{check_open, fields};
use crate::db::campaigns::CampaignContext;
use crate::db::fieldwork::cases::{self, NewAttempt};
use crate::db::log::LeafContext;
use crate::db::responses::{self, NewResponse};
use crate::db::schema::case_holds;
use crate::db::{now_ms, write_transaction, DbConn, DbError};
use crate::error::AppError;
use crate::fieldwork::draw::CaseContact;
use crate::fieldwork::seal::Purpose;
use crate::fieldwork::status::{self, Case, Fieldwork};
use crate::startup::AppState;
use crate::token::LinkCheck;

/// How long "next case" holds a case for its interviewer.
const HOLD_MS: i64 = 30 * 60_000;
/// The script's field for the interview's mode (`_…`: not an answer).
const MODE_FIELD: &str = "_mode";
const NOTE_MAX_CHARS: usize = 500;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// How an interview was made: read out over the phone, or face to face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Phone,
    Face,
}

impl Mode {
    fn parse(text: &str) -> Option<Mode> {
        match text.trim() {
            "phone" => Some(Mode::Phone),
            "face" => Some(Mode::Face),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Mode::Phone => "phone",
            Mode::Face => "face",
        }
    }
}

/// What the queue page says above the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// An interview was stored.
    Saved,
    /// A call's outcome was recorded.
    Recorded,
    /// "Next case" found none to call now.
    NoneCallable,
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    done: Option<String>,
}

/// `GET /console/campaigns/{slug}/calls`.
#[tracing::instrument(skip(state, user), fields(user = %user.username))]
pub async fn queue(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match query.done.as_deref() {
        Some("saved") => Some(Notice::Saved),
        Some("outcome") => Some(Notice::Recorded),
        _ => None,
    };
    let slug = slug.into_inner();
    let Some(loaded) = load(&state, &slug).await? else {
        return Ok(view::unknown_campaign(&user));
    };
    let Some(fieldwork) = &loaded.fieldwork else {
        return Ok(view::no_sample(&user, &loaded.ctx, 200));
    };
    let summary = Summary::of(fieldwork, &user.username, now_ms());
    Ok(view::queue(&user, &loaded.ctx, &summary, notice))
}

/// `POST …/calls/next`: the schedule's next case, held for this interviewer.
#[tracing::instrument(skip(state, user), fields(user = %user.username))]
pub async fn next(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let Some(loaded) = load(&state, &slug).await? else {
        return Ok(view::unknown_campaign(&user));
    };
    let Some(fieldwork) = &loaded.fieldwork else {
        return Ok(view::no_sample(&user, &loaded.ctx, 409));
    };
    let now = now_ms();
    let summary = Summary::of(fieldwork, &user.username, now);
    let Ok(rules) = fieldwork.call_rules() else {
        // The queue page names the broken setting.
        return Ok(view::queue(&user, &loaded.ctx, &summary, None));
    };
    let (mut views, progress) = case_views(fieldwork, &user.username, now);
    let ids: Vec<(i32, String)> = fieldwork
        .cases
        .iter()
        .map(|c| (c.record.id, c.record.case_ref.clone()))
        .collect();
    let (pool, me) = (state.pool.clone(), user.username.clone());
    let taken = web::block(move || -> Result<Option<String>, DbError> {
        let mut conn = pool.get()?;
        while let Some(i) = schedule::next_case(&rules, &views, &progress, now) {
            if cases::take(&mut conn, ids[i].0, &me, now, now + HOLD_MS)? {
                return Ok(Some(ids[i].1.clone()));
            }
            // Another interviewer won the race for it: the next one.
            views[i].held_by_other = true;
        }
        Ok(None)
    })
    .await??;
    Ok(match taken {
        Some(case_ref) => see_other(&format!("/console/campaigns/{slug}/calls/{case_ref}")),
        None => view::queue(&user, &loaded.ctx, &summary, Some(Notice::NoneCallable)),
    })
}

/// `GET …/calls/{case}`: the case's page, for the interviewer holding it (or a supervisor).
#[tracing::instrument(skip(state, user), fields(user = %user.username))]
pub async fn case(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, case_ref) = path.into_inner();
    let found = match find_case(&state, &slug, &case_ref).await? {
        Ok(found) => found,
        Err(missing) => return Ok(view::missing(&user, missing)),
    };
    if !found.is_mine(&user) && !matches!(user.role, Role::Evaluator | Role::Admin) {
        return Ok(view::not_yours(&user, &found, 403));
    }
    let forms = Forms {
        script: Script::fresh(state.signer.issue(now_ms())),
        outcome: &OutcomeInput::default(),
        outcome_errors: &[],
    };
    render_case(&state, &user, &found, &forms, 200).await
}

/// The outcome form as sent. No `Debug`: the note may carry personal information.
#[derive(Default, Deserialize)]
pub struct OutcomeInput {
    #[serde(default)]
    code: String,
    #[serde(default)]
    appointment: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    mode: String,
}

/// An outcome that passed every check.
struct Outcome {
    code: Code,
    appointment: Option<i64>,
    note: Option<String>,
    mode: Mode,
}

/// `POST …/calls/{case}/outcome`: one call's AAPOR code, appointment and note.
#[tracing::instrument(skip(state, user, form), fields(user = %user.username))]
pub async fn outcome(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    form: web::Form<OutcomeInput>,
) -> Result<HttpResponse, AppError> {
    let (slug, case_ref) = path.into_inner();
    let found = match find_case(&state, &slug, &case_ref).await? {
        Ok(found) => found,
        Err(missing) => return Ok(view::missing(&user, missing)),
    };
    if found.case.closed {
        return Ok(view::closed(&user, &found));
    }
    if !found.is_mine(&user) {
        return Ok(view::not_yours(&user, &found, 409));
    }
    let now = now_ms();
    let outcome = match check_outcome(&form, now, &found.ctx.campaign.ends_on) {
        Ok(outcome) => outcome,
        Err(errors) => {
            let forms = Forms {
                script: Script::fresh(state.signer.issue(now)),
                outcome: &form,
                outcome_errors: &errors,
            };
            return render_case(&state, &user, &found, &forms, 422).await;
        }
    };
    let campaign_id = found.ctx.campaign.id;
    let attempt = NewAttempt {
        case_id: found.case.record.id,
        attempted_at: now,
        mode: outcome.mode.as_str().into(),
        interviewer: user.username.clone(),
        code: outcome.code.code().into(),
        appointment_at: outcome.appointment,
        note_sealed: outcome.note.map(|note| {
            let context = found.case.record.case_ref.as_bytes();
            state
                .fieldwork
                .seal(Purpose::AttemptNote, campaign_id, context, &note)
        }),
    };
    let pool = state.pool.clone();
    let recorded = web::block(move || -> Result<bool, DbError> {
        write_transaction(&mut *pool.get()?, |c| {
            // Letting go of the hold first makes a double-sent form record one attempt.
            if !release_hold(c, attempt.case_id, &attempt.interviewer)? {
                return Ok(false);
            }
            cases::record_attempt(c, &attempt)?;
            Ok(true)
        })
    })
    .await??;
    if !recorded {
        return Ok(view::not_yours(&user, &found, 409));
    }
    Ok(see_other(&format!(
        "/console/campaigns/{slug}/calls?done=outcome"
    )))
}

/// `POST …/calls/{case}/interview`: the answers keyed by the interviewer, checked exactly as
/// a citizen's form is, stored as a response, then recorded as the case's 1.1.
#[tracing::instrument(skip(state, user, form), fields(user = %user.username))]
pub async fn interview(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    form: StrictForm,
) -> Result<HttpResponse, AppError> {
    let (slug, case_ref) = path.into_inner();
    let found = match find_case(&state, &slug, &case_ref).await? {
        Ok(found) => found,
        Err(missing) => return Ok(view::missing(&user, missing)),
    };
    let now = now_ms();
    let mode_sent = form
        .0
        .iter()
        .find(|(k, _)| k == MODE_FIELD)
        .map_or(String::new(), |(_, v)| v.clone());
    // The console's own fields are not the questionnaire's: the rest is checked as the
    // citizen's form is (its token, its answers, no stray `_…` field).
    let submitted: Vec<(String, String)> = form
        .0
        .into_iter()
        .filter(|(k, _)| k != CSRF_FIELD && k != MODE_FIELD)
        .collect();
    let sent_token = submitted
        .iter()
        .find(|(k, _)| k == TOKEN_FIELD)
        .map_or("", |(_, v)| v.as_str());
    let token = state.signer.verify(sent_token, now).ok();
    if found.case.closed {
        // A double click: the first click stored the interview and closed the case.
        if let Some(token) = &token {
            if stored_already(&state, &token.key).await?.is_some() {
                return Ok(see_other(&format!(
                    "/console/campaigns/{slug}/calls?done=saved"
                )));
            }
        }
        return Ok(view::closed(&user, &found));
    }
    if !found.is_mine(&user) {
        return Ok(view::not_yours(&user, &found, 409));
    }
    let Some(token) = token else {
        let errors = [FieldError {
            item: TOKEN_FIELD.into(),
            problem: FieldProblem::Required,
        }];
        let script = Script {
            token: state.signer.issue(now),
            mode: &mode_sent,
            submitted: &submitted,
            errors: &errors,
        };
        return render_case(&state, &user, &found, &script.with_blank_outcome(), 400).await;
    };
    let q = &found.questionnaire;
    let mode = Mode::parse(&mode_sent);
    let mut problems: Vec<FieldError> = Vec::new();
    if mode.is_none() {
        problems.push(FieldError {
            item: MODE_FIELD.into(),
            problem: FieldProblem::Required,
        });
    }
    let answers = answers::parse_submission(q, &submitted).unwrap_or_else(|mut errors| {
        problems.append(&mut errors);
        Default::default()
    });
    let problems = fields::merge(fields::problems(q, &submitted), problems);
    let Some(mode) = mode.filter(|_| problems.is_empty()) else {
        let script = Script {
            token: sent_token.to_string(),
            mode: &mode_sent,
            submitted: &submitted,
            errors: &problems,
        };
        return render_case(&state, &user, &found, &script.with_blank_outcome(), 422).await;
    };
    if check_open(&found.ctx, Lang::Zh).is_err() {
        return Ok(view::wave_not_open(&user, &found));
    }
    let new = new_response(
        &state, &found, &user, mode, &token, &answers, &submitted, now,
    )?;
    match state.committer.store(new).await {
        Ok(stored) => tracing::info!(response = stored.id(), "interview stored"),
        Err(DbError::QuotaFull) => return Ok(view::quota_full(&user, &found)),
        Err(DbError::CampaignClosed | DbError::NotYetOpen) => {
            return Ok(view::wave_not_open(&user, &found))
        }
        Err(e) => return Err(e.into()),
    }
    // The key items' answers, sealed, for the verification callback to compare with.
    let encoded: Vec<(String, String)> = answers
        .iter()
        .map(|(k, v)| (k.clone(), v.encode()))
        .collect();
    let key_answers = crate::fieldwork::verify::seal_key_answers(
        &state.fieldwork,
        q,
        found.ctx.campaign.id,
        &found.case.record.case_ref,
        &encoded,
    );
    let (pool, case_id, me) = (
        state.pool.clone(),
        found.case.record.id,
        user.username.clone(),
    );
    web::block(move || {
        record_complete(
            &mut *pool.get()?,
            case_id,
            &me,
            mode,
            now_ms(),
            &key_answers,
        )
    })
    .await??;
    Ok(see_other(&format!(
        "/console/campaigns/{slug}/calls?done=saved"
    )))
}

/// The response an interview stores: like a citizen's, with the interview's collection (mode,
/// stratum, interviewer), no link tag (an interview comes through no link: `unsigned`), no
/// site, no case code, no contact, no device.
#[allow(clippy::too_many_arguments)]
fn new_response(
    state: &AppState,
    found: &Found,
    user: &CurrentUser,
    mode: Mode,
    token: &crate::token::FormToken,
    answers: &answers::Answers,
    submitted: &[(String, String)],
    now: i64,
) -> Result<NewResponse, AppError> {
    let ctx = &found.ctx;
    let q = &found.questionnaire;
    let unit = ctx
        .units
        .iter()
        .find(|u| u.id == found.case.record.unit_id)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "case's unit {} not in the campaign",
                found.case.record.unit_id
            )
        })?;
    let respondent_type = q
        .item_with_role(minyi_questionnaire::Role::RespondentType)
        .and_then(|item| match answers.get(&item.id) {
            Some(Answer::Choice(code)) => Some(code.clone()),
            _ => None,
        });
    Ok(NewResponse {
        campaign_id: ctx.campaign.id,
        unit_id: unit.id,
        site_id: None,
        questionnaire_version_id: ctx.questionnaire.id,
        idempotency_key: token.key.clone(),
        respondent_type,
        lang: Lang::Zh.code().to_string(),
        form_issued_at: token.issued_at,
        submitted_at: now,
        link_check: LinkCheck::Unsigned.as_str().to_string(),
        answers: answers
            .iter()
            .map(|(k, v)| (k.clone(), v.encode()))
            .collect(),
        case_code: None,
        contact: None,
        device_tag: None,
        collection: minyi_integrity::Collection {
            mode: mode.as_str().into(),
            stratum: found.case.record.stratum.clone(),
            interviewer: user.username.clone(),
        },
        flags: crate::anti_stuffing::flags::of_submission(
            q,
            answers,
            submitted,
            now - token.issued_at,
            state.guards.speeder_ms,
        ),
        leaf: LeafContext {
            campaign: ctx.campaign.slug.clone(),
            unit: unit.code.clone(),
            site: String::new(),
            questionnaire: ctx.questionnaire.content_hash.clone(),
        },
    })
}

/// Records the case's 1.1 once, whatever double click or retry brings it here again.
fn record_complete(
    conn: &mut DbConn,
    case_id: i32,
    me: &str,
    mode: Mode,
    now: i64,
    key_answers: &[u8],
) -> Result<(), DbError> {
    write_transaction(conn, |c| {
        // The hold goes first: a concurrent second request waits for it, then sees the 1.1.
        release_hold(c, case_id, me)?;
        let complete = Code::Complete.code();
        if cases::attempts_of(c, case_id)?
            .iter()
            .any(|a| a.code == complete)
        {
            return Ok(());
        }
        cases::record_attempt(
            c,
            &NewAttempt {
                case_id,
                attempted_at: now,
                mode: mode.as_str().into(),
                interviewer: me.into(),
                code: complete.into(),
                appointment_at: None,
                note_sealed: None,
            },
        )?;
        crate::db::fieldwork::verifications::keep_answers(c, case_id, key_answers)?;
        Ok(())
    })
}

/// Deletes `me`'s hold on a case (expired or not): true if there was one. (A query of
/// `db::fieldwork::cases` by rights; it returns what `record_attempt`'s own delete does not.)
fn release_hold(c: &mut DbConn, case_id: i32, me: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        case_holds::table
            .filter(case_holds::case_id.eq(case_id))
            .filter(case_holds::interviewer.eq(me)),
    )
    .execute(c)?;
    Ok(deleted > 0)
}

async fn stored_already(state: &AppState, key: &str) -> Result<Option<i32>, AppError> {
    let (pool, key) = (state.pool.clone(), key.to_string());
    Ok(web::block(move || responses::find_by_key(&mut *pool.get()?, &key)).await??)
}

/// The outcome form's fields checked, each problem as (field, message).
fn check_outcome(
    input: &OutcomeInput,
    now: i64,
    ends_on: &str,
) -> Result<Outcome, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let code = match Code::parse(&input.code) {
        _ if input.code.trim().is_empty() => Err("请选择本次联系的结果".to_string()),
        None => Err(format!("“{}”不是可选的结果代码", input.code.trim())),
        Some(Code::Complete) => Err("完成访问（1.1）只能通过提交问卷记录".to_string()),
        Some(code) if !code.is_attempt_outcome() => Err(format!(
            "“{} {}”不能作为一次联系的结果",
            code.code(),
            code.label_zh()
        )),
        Some(code) => Ok(code),
    };
    let code = code.map_err(|e| errors.push(("code", e))).ok();
    let appointment = match parse_cst(&input.appointment) {
        Ok(None) => None,
        Ok(Some(at)) if at <= now => {
            errors.push(("appointment", "预约时间须晚于现在".into()));
            None
        }
        Ok(Some(at)) if cst_date(at).as_str() > ends_on => {
            errors.push((
                "appointment",
                format!("预约时间晚于本期测评的结束日期（{ends_on}）"),
            ));
            None
        }
        Ok(Some(at)) => Some(at),
        Err(()) => {
            errors.push((
                "appointment",
                "预约时间无法识别，请按“2025-06-01 18:30”的格式填写（北京时间）".into(),
            ));
            None
        }
    };
    if let (Some(code), Some(_)) = (code, appointment) {
        if code.ends_case() {
            errors.push((
                "appointment",
                format!("“{}”会结束该案件，不能再预约回访", code.label_zh()),
            ));
        }
    }
    let note = input.note.trim();
    let chars = note.chars().count();
    if chars > NOTE_MAX_CHARS {
        errors.push((
            "note",
            format!("备注请不超过 {NOTE_MAX_CHARS} 字（现为 {chars} 字）"),
        ));
    }
    let mode = Mode::parse(&input.mode);
    if mode.is_none() {
        errors.push(("mode", "请选择联系方式：电话或面访".into()));
    }
    match (code, mode) {
        (Some(code), Some(mode)) if errors.is_empty() => Ok(Outcome {
            code,
            appointment,
            note: Some(note.to_string()).filter(|n| !n.is_empty()),
            mode,
        }),
        _ => Err(errors),
    }
}

/// A `datetime-local` value (or `YYYY-MM-DD HH:MM`, typed where the browser has no picker) as
/// China Standard Time, in epoch milliseconds; `Ok(None)` when empty.
fn parse_cst(text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|local| Some(local.and_utc().timestamp_millis() - CST_OFFSET_MS))
        .ok_or(())
}

/// The CST date of a time, `YYYY-MM-DD` (campaign dates are written so).
fn cst_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + CST_OFFSET_MS)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
}

/// A campaign and its fieldwork (`None` before the draw).
struct Loaded {
    ctx: Arc<CampaignContext>,
    fieldwork: Option<Fieldwork>,
}

async fn load(state: &AppState, slug: &str) -> Result<Option<Loaded>, AppError> {
    let Some(ctx) = state.campaign(slug).await? else {
        return Ok(None);
    };
    let (pool, keys, anonymity, id) = (
        state.pool.clone(),
        state.fieldwork.clone(),
        state.anonymity.clone(),
        ctx.campaign.id,
    );
    let fieldwork =
        web::block(move || status::load(&mut *pool.get()?, &keys, &anonymity, id)).await??;
    Ok(Some(Loaded { ctx, fieldwork }))
}

/// A released case of a campaign, with what its pages need.
struct Found {
    ctx: Arc<CampaignContext>,
    questionnaire: Arc<Questionnaire>,
    case: Case,
    max_attempts: i32,
}

impl Found {
    fn holder(&self) -> Option<&str> {
        self.case.held.as_ref().map(|(who, _)| who.as_str())
    }

    /// Held by this user: a hold past its time still is, until someone else takes the case.
    fn is_mine(&self, user: &CurrentUser) -> bool {
        self.holder() == Some(user.username.as_str())
    }
}

/// Why there is no case to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Campaign,
    Sample,
    Case,
}

async fn find_case(
    state: &AppState,
    slug: &str,
    case_ref: &str,
) -> Result<Result<Found, Missing>, AppError> {
    let Some(loaded) = load(state, slug).await? else {
        return Ok(Err(Missing::Campaign));
    };
    let Some(fieldwork) = loaded.fieldwork else {
        return Ok(Err(Missing::Sample));
    };
    let Some(case) = fieldwork
        .cases
        .into_iter()
        .find(|c| c.record.case_ref == case_ref)
    else {
        return Ok(Err(Missing::Case));
    };
    Ok(Ok(Found {
        questionnaire: state.questionnaire(&loaded.ctx.questionnaire)?,
        ctx: loaded.ctx,
        case,
        max_attempts: fieldwork.settings.max_attempts,
    }))
}

/// The two forms of a case page as they are to be shown again.
struct Forms<'a> {
    script: Script<'a>,
    outcome: &'a OutcomeInput,
    outcome_errors: &'a [(&'static str, String)],
}

/// The script's form: its token, the mode and answers sent, their problems.
struct Script<'a> {
    token: String,
    mode: &'a str,
    submitted: &'a [(String, String)],
    errors: &'a [FieldError],
}

impl<'a> Script<'a> {
    fn fresh(token: String) -> Script<'a> {
        Script {
            token,
            mode: Mode::Phone.as_str(),
            submitted: &[],
            errors: &[],
        }
    }

    fn with_blank_outcome(self) -> Forms<'a> {
        Forms {
            script: self,
            outcome: &BLANK_OUTCOME,
            outcome_errors: &[],
        }
    }
}

static BLANK_OUTCOME: OutcomeInput = OutcomeInput {
    code: String::new(),
    appointment: String::new(),
    note: String::new(),
    mode: String::new(),
};

/// What the case page shows of the case party.
enum Contact {
    Open(CaseContact),
    /// Deleted by `purge` after fieldwork.
    Purged,
    /// Sealed under another key file, or altered.
    Unreadable,
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    found: &Found,
    forms: &Forms<'_>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let (pool, case_id) = (state.pool.clone(), found.case.record.id);
    let sealed = web::block(move || cases::contact(&mut *pool.get()?, case_id)).await??;
    let campaign_id = found.ctx.campaign.id;
    let context = found.case.record.case_ref.as_bytes();
    let contact = match sealed {
        None => Contact::Purged,
        Some(bytes) => {
            match state.fieldwork.open::<CaseContact>(
                Purpose::CaseContact,
                campaign_id,
                context,
                &bytes,
            ) {
                Ok(contact) => Contact::Open(contact),
                Err(_) => {
                    // Never the error itself: a malformed value's message could quote it.
                    tracing::error!(case = %found.case.record.case_ref, "a case's contact does not open");
                    Contact::Unreadable
                }
            }
        }
    };
    let notes: Vec<Option<String>> = found
        .case
        .attempts
        .iter()
        .map(|a| {
            a.note_sealed.as_ref().map(|sealed| {
                state
                    .fieldwork
                    .open::<String>(Purpose::AttemptNote, campaign_id, context, sealed)
                    .unwrap_or_else(|_| "（备注无法解密）".into())
            })
        })
        .collect();
    let page = view::CasePage {
        user,
        found,
        contact: &contact,
        notes: &notes,
        forms,
        now: now_ms(),
    };
    Ok(view::case_page(&page, status))
}

/// The queue as one interviewer sees it now.
struct Summary {
    /// The call windows, or why the setting does not parse.
    windows: Result<Vec<Window>, String>,
    in_window: bool,
    next_window: Option<i64>,
    released: usize,
    callable: usize,
    /// (case ref, time, due now), earliest first.
    appointments: Vec<(String, i64, bool)>,
    /// (case ref, held until) of this interviewer's open cases.
    mine: Vec<(String, i64)>,
    /// The earliest time a case not callable now becomes callable.
    earliest: Option<i64>,
    now: i64,
}

impl Summary {
    fn of(fieldwork: &Fieldwork, me: &str, now: i64) -> Summary {
        let rules = fieldwork.call_rules();
        let mine = fieldwork
            .cases
            .iter()
            .filter(|c| !c.closed)
            .filter_map(|c| match &c.held {
                Some((who, until)) if who == me => Some((c.record.case_ref.clone(), *until)),
                _ => None,
            })
            .collect();
        let mut summary = Summary {
            windows: rules
                .as_ref()
                .map(|r| r.windows.clone())
                .map_err(Clone::clone),
            in_window: false,
            next_window: None,
            released: fieldwork.cases.len(),
            callable: 0,
            appointments: Vec::new(),
            mine,
            earliest: None,
            now,
        };
        let Ok(rules) = rules else {
            return summary;
        };
        summary.in_window =
            rules.windows.is_empty() || rules.windows.iter().any(|w| w.contains(now));
        summary.next_window = schedule::next_window_start(&rules.windows, now);
        let (views, _) = case_views(fieldwork, me, now);
        for (case, view) in fieldwork.cases.iter().zip(&views) {
            let status = schedule::status(&rules, view, now);
            summary.callable += usize::from(status.is_callable());
            let later = match status {
                CaseStatus::AppointmentDue { at } | CaseStatus::Appointment { at } => {
                    let due = status.is_callable();
                    summary
                        .appointments
                        .push((case.record.case_ref.clone(), at, due));
                    (!due).then_some(at - schedule::APPOINTMENT_LEAD_MS)
                }
                CaseStatus::TooSoon { until } => Some(until),
                CaseStatus::OutsideWindow { next_window_ms } => Some(next_window_ms),
                _ => None,
            };
            if let Some(at) = later {
                summary.earliest = Some(summary.earliest.map_or(at, |e| e.min(at)));
            }
        }
        summary.appointments.sort_by_key(|(_, at, _)| *at);
        summary
    }
}

/// The schedule's view of every released case and of each stratum's progress.
fn case_views(fieldwork: &Fieldwork, me: &str, now: i64) -> (Vec<CaseView>, Vec<StratumProgress>) {
    let completes = fieldwork.completes();
    let index: HashMap<&str, usize> = fieldwork
        .strata
        .iter()
        .enumerate()
        .map(|(i, s)| (s.stratum.as_str(), i))
        .collect();
    let progress = fieldwork
        .strata
        .iter()
        .map(|s| StratumProgress {
            completes: completes.get(s.stratum.as_str()).copied().unwrap_or(0),
            target: u32::try_from(s.target).unwrap_or(0),
        })
        .collect();
    let views = fieldwork
        .cases
        .iter()
        .enumerate()
        .map(|(key, c)| CaseView {
            key,
            // A stratum the draw does not list gets no progress entry: neutral.
            stratum: index
                .get(c.record.stratum.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            attempts: u32::try_from(c.attempts.len()).unwrap_or(u32::MAX),
            // A case's appointment is always the last attempt's, so it is pending until the
            // next attempt: the attempt that booked it must not count as keeping it (the queue
            // would drop a call-back booked for less than five minutes ahead), and the minimum
            // gap does not apply to an appointment anyway.
            last_attempt_ms: match c.appointment() {
                Some(_) => None,
                None => c.attempts.last().map(|a| a.attempted_at),
            },
            appointment_ms: c.appointment(),
            closed: c.closed,
            held_by_other: matches!(&c.held, Some((who, until)) if who != me && *until > now),
            seq: u32::try_from(c.record.seq).unwrap_or(u32::MAX),
        })
        .collect();
    (views, progress)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
