//! 回访复核: a share of each interviewer's completes is called back by another interviewer,
//! who asks three key items again; the answers are compared with the interview's, kept sealed
//! for that purpose when the interview was stored. The subsample's size and the mismatch
//! rates are `minyi_fieldwork::verification`.

use std::collections::BTreeMap;

use minyi_fieldwork::disposition::Code;
use minyi_fieldwork::draw::{generator, shuffle_prefix, Purpose as Stream};
use minyi_fieldwork::verification::{mismatch_by_interviewer, sample_size, Mismatch};
use minyi_questionnaire::{ItemKind, Questionnaire, Role};

use super::seal::{random_bytes, FieldworkKeys, Purpose};
use super::status::Fieldwork;
use crate::db::fieldwork::verifications::{self, VerificationRecord};
use crate::db::{DbConn, DbError};

/// The three items a verification asks again: the respondent type, the overall satisfaction
/// item when the questionnaire has one, then its first five-point items.
pub fn key_items(q: &Questionnaire) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(item) = q.item_with_role(Role::RespondentType) {
        ids.push(item.id.clone());
    }
    for id in ["overall_sat", "overall"] {
        if q.item(id)
            .is_some_and(|i| matches!(i.kind, ItemKind::Likert5 { .. }))
        {
            ids.push(id.to_string());
            break;
        }
    }
    for (_, item) in q.items() {
        if ids.len() >= 3 {
            break;
        }
        if matches!(item.kind, ItemKind::Likert5 { .. }) && !ids.contains(&item.id) {
            ids.push(item.id.clone());
        }
    }
    ids
}

/// Seals the interview's answers to the key items for its case.
pub fn seal_key_answers(
    keys: &FieldworkKeys,
    q: &Questionnaire,
    campaign_id: i32,
    case_ref: &str,
    answers: &[(String, String)],
) -> Vec<u8> {
    let kept: BTreeMap<String, String> = key_items(q)
        .into_iter()
        .filter_map(|id| {
            answers
                .iter()
                .find(|(item, _)| *item == id)
                .map(|(_, v)| (id, v.clone()))
        })
        .collect();
    keys.seal(
        Purpose::VerificationAnswers,
        campaign_id,
        case_ref.as_bytes(),
        &kept,
    )
}

/// Queues for verification, per interviewer, as many of their not yet picked completes as
/// bring their verified share to the campaign's setting (at least its minimum): returns the
/// number queued.
pub fn pick(conn: &mut DbConn, fieldwork: &Fieldwork, actor: &str) -> Result<usize, DbError> {
    let picked: Vec<VerificationRecord> = verifications::of_draw(conn, fieldwork.draw.id)?;
    let mut completes: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for case in &fieldwork.cases {
        let by = case.interviewer();
        if case.final_code == Code::Complete && !case.sms_complete && !by.is_empty() {
            completes
                .entry(by.to_string())
                .or_default()
                .push(case.record.id);
        }
    }
    let settings = &fieldwork.settings;
    let seed = u64::from_be_bytes(random_bytes()[..8].try_into().expect("8 bytes"));
    let mut queue = Vec::new();
    for (interviewer, ids) in completes {
        let already = picked
            .iter()
            .filter(|v| v.interviewer == interviewer)
            .count();
        let wanted = sample_size(
            ids.len(),
            settings.verify_share,
            usize::try_from(settings.verify_min).unwrap_or(0),
        )
        .map_err(|e| DbError::Invalid(e.to_string()))?;
        let mut open: Vec<i32> = ids
            .into_iter()
            .filter(|id| !picked.iter().any(|v| v.case_id == *id))
            .collect();
        let k = wanted.saturating_sub(already).min(open.len());
        let mut rng = generator(seed, Stream::Verification, &interviewer);
        shuffle_prefix(&mut rng, &mut open, k);
        queue.extend(open.into_iter().take(k).map(|id| (id, interviewer.clone())));
    }
    if !queue.is_empty() {
        verifications::pick(conn, &queue, actor)?;
    }
    Ok(queue.len())
}

/// Mismatch rates per interviewer from the checked verifications (reached ones only).
pub fn summary(records: &[VerificationRecord]) -> BTreeMap<String, Mismatch> {
    let callbacks = records.iter().filter(|r| r.reached == Some(true)).map(|r| {
        let items = usize::try_from(r.items.unwrap_or(0)).unwrap_or(0);
        let differing = usize::try_from(r.mismatches.unwrap_or(0)).unwrap_or(0);
        let matched: Vec<bool> = (0..items).map(|i| i >= differing).collect();
        (r.interviewer.clone(), matched)
    });
    mismatch_by_interviewer(callbacks)
}
