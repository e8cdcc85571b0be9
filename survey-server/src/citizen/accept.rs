//! Accepting a submission, whatever it came through (the HTML form or the JSON API): check
//! its form token, thank a retry of a stored response again, refuse a closed wave, parse the
//! answers, and store the response — with its quota check and case-code redemption — in one
//! transaction.

use actix_web::web;
use minyi_questionnaire::{answers, Answer, FieldError, FieldProblem, Lang, Questionnaire, Role};

use super::check_open;
use super::form_view::{TOKEN_FIELD, UNIT_FIELD};
use crate::anti_stuffing::flags;
use crate::db::campaigns::{CampaignContext, Unit};
use crate::db::case_codes;
use crate::db::log::LeafContext;
use crate::db::responses::{self, CaseCodeUse, NewResponse, Stored};
use crate::db::{now_ms, DbError};
use crate::error::AppError;
use crate::startup::AppState;

/// The parts of the link a submission came through.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkParts<'a> {
    pub unit: Option<&'a str>,
    pub site: Option<&'a str>,
    pub src: Option<&'a str>,
    pub code: Option<&'a str>,
}

pub struct Submission<'a> {
    pub ctx: &'a CampaignContext,
    pub questionnaire: &'a Questionnaire,
    pub lang: Lang,
    /// The unit the link names; without one, the `_unit` field chooses.
    pub link_unit: Option<&'a Unit>,
    /// Every submitted field: `_t` (the form token), `_unit`, and the answers.
    pub fields: &'a [(String, String)],
    pub link: LinkParts<'a>,
    /// The keyed hash of the request's genuine device cookie.
    pub device_tag: Option<String>,
    /// The client's network (/24 or /64), for burst detection only; never stored.
    pub network: Option<String>,
    /// How it was collected: a citizen's own web response, an SMS invitation's link, or an
    /// interviewer keying a sampled case's answers.
    pub collection: minyi_integrity::Collection,
}

#[derive(Debug)]
pub enum Accepted {
    Stored(i32),
    /// A retry of a response already stored: nothing new was written.
    Duplicate(i32),
    /// The form token is missing, malformed, forged or expired.
    BadToken,
    Invalid(Vec<FieldError>),
}

pub async fn accept(state: &AppState, s: &Submission<'_>) -> Result<Accepted, AppError> {
    let now = now_ms();
    let token = s
        .fields
        .iter()
        .find(|(k, _)| k == TOKEN_FIELD)
        .map(|(_, v)| v.as_str());
    let token = match token.map(|t| state.signer.verify(t, now)) {
        Some(Ok(token)) => token,
        invalid => {
            tracing::info!(?invalid, "form token refused");
            check_open(s.ctx, s.lang)?;
            return Ok(Accepted::BadToken);
        }
    };
    // A retry of a response already stored is thanked again, even after the wave closed (or
    // were its answers now refused). An open wave's valid retry needs no lookup here: the
    // writer finds its key stored and answers `Duplicate`.
    if let Err(closed) = check_open(s.ctx, s.lang) {
        return match stored_already(state, &token.key).await? {
            Some(id) => Ok(Accepted::Duplicate(id)),
            None => Err(closed),
        };
    }
    let (unit, unit_error) = match s.link_unit {
        Some(unit) => (Some(unit.clone()), None),
        None => pick_unit(&s.ctx.units, s.fields),
    };
    let mut errors: Vec<FieldError> = unit_error.into_iter().collect();
    let contact = match super::contact::parse(s.fields) {
        Ok(contact) => contact,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let answers = match answers::parse_submission(s.questionnaire, s.fields) {
        Ok(answers) => answers,
        Err(mut problems) => {
            errors.append(&mut problems);
            Default::default()
        }
    };
    // A stray `_…` field or a control character is named first, whatever else is wrong.
    let errors = super::fields::merge(super::fields::problems(s.questionnaire, s.fields), errors);
    let Some(unit) = unit.filter(|_| errors.is_empty()) else {
        return Ok(match stored_already(state, &token.key).await? {
            Some(id) => Accepted::Duplicate(id),
            None => Accepted::Invalid(errors),
        });
    };
    let respondent_type = s
        .questionnaire
        .item_with_role(Role::RespondentType)
        .and_then(|item| match answers.get(&item.id) {
            Some(Answer::Choice(code)) => Some(code.clone()),
            _ => None,
        });
    let site = s
        .link
        .site
        .and_then(|code| s.ctx.sites.iter().find(|x| x.code == code));
    let link_check = state.signer.check_link(
        &s.ctx.campaign.slug,
        s.link.unit.unwrap_or_default(),
        s.link.site.unwrap_or_default(),
        s.link.src,
    );
    let new = NewResponse {
        campaign_id: s.ctx.campaign.id,
        unit_id: unit.id,
        site_id: site.map(|x| x.id),
        questionnaire_version_id: s.ctx.questionnaire.id,
        idempotency_key: token.key,
        respondent_type,
        lang: s.lang.code().to_string(),
        form_issued_at: token.issued_at,
        submitted_at: now,
        link_check: link_check.as_str().to_string(),
        answers: answers
            .iter()
            .map(|(k, v)| (k.clone(), v.encode()))
            .collect(),
        case_code: s.link.code.map(|typed| {
            let hash = case_codes::hash(typed);
            CaseCodeUse {
                nullifier: state.anonymity.nullifier(s.ctx.campaign.id, &hash),
                hash,
            }
        }),
        // Sealed here, stored in the response's transaction, never beside its id.
        contact: contact
            .as_deref()
            .map(|c| state.anonymity.seal(s.ctx.campaign.id, unit.id, c)),
        device_tag: s.device_tag.clone(),
        collection: s.collection.clone(),
        flags: flags::of_submission(
            s.questionnaire,
            &answers,
            s.fields,
            now - token.issued_at,
            state.guards.speeder_ms,
        ),
        leaf: LeafContext {
            campaign: s.ctx.campaign.slug.clone(),
            unit: unit.code.clone(),
            site: site.map(|x| x.code.clone()).unwrap_or_default(),
            questionnaire: s.ctx.questionnaire.content_hash.clone(),
        },
    };
    let fingerprint = burst_fingerprint(s.questionnaire, &new.answers);
    let stored = match state.committer.store(new).await {
        Err(DbError::CaseCodeUsed) => return Err(AppError::CaseCodeUsed(s.lang)),
        Err(DbError::CaseCodeUnknown) => return Err(AppError::CaseCodeUnknown(s.lang)),
        Err(DbError::QuotaFull) => return Err(AppError::QuotaFull(s.lang)),
        Err(DbError::DeviceRepeat) => return Err(AppError::DeviceRepeat(s.lang)),
        Err(DbError::CampaignClosed) => return Err(AppError::CampaignClosed(s.lang)),
        Err(DbError::NotYetOpen) => return Err(AppError::NotYetOpen(s.lang)),
        other => other?,
    };
    if let Stored::New(id) = stored {
        let campaign = &s.ctx.campaign.slug;
        let mut sources = vec![format!(
            "site:{campaign}:{}:{}",
            unit.code,
            s.link.site.unwrap_or_default()
        )];
        sources.extend(s.network.iter().map(|n| format!("net:{campaign}:{n}")));
        sources.extend(
            s.device_tag
                .iter()
                .map(|d| format!("device:{campaign}:{d}")),
        );
        let burst = state.guards.bursts.observe(&sources, id, fingerprint, now);
        if let Some(writer) = &state.guards.flag_writer {
            writer.burst(&burst);
        }
    }
    tracing::info!(response = stored.id(), ?stored, "response committed");
    Ok(match stored {
        Stored::New(id) => Accepted::Stored(id),
        Stored::Duplicate(id) => Accepted::Duplicate(id),
    })
}

/// The response stored under a form's key, if any.
async fn stored_already(state: &AppState, key: &str) -> Result<Option<i32>, AppError> {
    let (pool, key) = (state.pool.clone(), key.to_string());
    Ok(web::block(move || responses::find_by_key(&mut *pool.get()?, &key)).await??)
}

/// The answers burst detection compares: every item in questionnaire order, `-` when
/// unanswered, open text left out (two people rarely type the same words; robots do, but the
/// rated answers already give them away).
fn burst_fingerprint(q: &Questionnaire, answers: &[(String, String)]) -> Vec<String> {
    q.items()
        .filter(|(_, item)| !matches!(item.kind, minyi_questionnaire::ItemKind::Text { .. }))
        .map(|(_, item)| {
            answers
                .iter()
                .find(|(k, _)| *k == item.id)
                .map_or_else(|| "-".to_string(), |(_, v)| v.clone())
        })
        .collect()
}

fn pick_unit(units: &[Unit], fields: &[(String, String)]) -> (Option<Unit>, Option<FieldError>) {
    let chosen = fields
        .iter()
        .find(|(k, _)| k == UNIT_FIELD)
        .map(|(_, v)| v.trim());
    let problem = match chosen {
        None | Some("") => FieldProblem::Required,
        Some(code) => match units.iter().find(|u| u.code == code) {
            Some(unit) => return (Some(unit.clone()), None),
            None => FieldProblem::NotAnOption(code.to_string()),
        },
    };
    (
        None,
        Some(FieldError {
            item: UNIT_FIELD.into(),
            problem,
        }),
    )
}
