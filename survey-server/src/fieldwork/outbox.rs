//! SMS invitations and reminders: which cases are due a message now, and the messages
//! themselves (phone, text with the case's one-time link). The text is never stored: it is
//! composed from the campaign's text and the case's code, made again from the key file.

use crate::db::campaigns::CampaignContext;
use crate::db::fieldwork::cases;
use crate::db::{DbConn, DbError};
use crate::fieldwork::draw::CaseContact;
use crate::fieldwork::seal::{FieldworkKeys, Purpose};
use crate::fieldwork::sms_gateway::Message;
use crate::fieldwork::status::Fieldwork;

const DAY_MS: i64 = 86_400_000;

/// A message due: the case and its number (0 the invitation, 1… reminders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub case_id: i32,
    pub number: i32,
}

/// The messages due at `now`: an invitation for every released case not yet messaged and not
/// closed; a reminder for a case messaged `reminder_after_days` ago or more, not answered nor
/// closed, with fewer than `max_reminders` reminders so far.
pub fn due(fieldwork: &Fieldwork, now: i64) -> Vec<Due> {
    let s = &fieldwork.settings;
    fieldwork
        .cases
        .iter()
        .filter(|c| !c.closed)
        .filter_map(|c| {
            let sent = i32::try_from(c.sms_sent).unwrap_or(i32::MAX);
            match c.last_sms_ms {
                None => Some(0),
                Some(last)
                    if sent <= s.max_reminders
                        && now - last >= i64::from(s.reminder_after_days) * DAY_MS =>
                {
                    Some(sent)
                }
                Some(_) => None,
            }
            .map(|number| Due {
                case_id: c.record.id,
                number,
            })
        })
        .collect()
}

/// The case's one-time link.
pub fn link(base: &str, ctx: &CampaignContext, unit_code: &str, code: &str) -> String {
    let code = crate::db::case_codes::normalise(code);
    format!(
        "{}/s/{}/{}?code={code}",
        base.trim_end_matches('/'),
        ctx.campaign.slug,
        unit_code
    )
}

/// The messages for `due`, each with its phone number and the campaign's text.
pub fn compose(
    conn: &mut DbConn,
    keys: &FieldworkKeys,
    ctx: &CampaignContext,
    fieldwork: &Fieldwork,
    due: &[Due],
    base: &str,
) -> Result<Vec<Message>, DbError> {
    let campaign_id = ctx.campaign.id;
    let mut out = Vec::with_capacity(due.len());
    for d in due {
        let Some(case) = fieldwork.cases.iter().find(|c| c.record.id == d.case_id) else {
            continue;
        };
        let Some(sealed) = cases::contact(conn, d.case_id)? else {
            continue;
        };
        let contact: CaseContact = keys
            .open(
                Purpose::CaseContact,
                campaign_id,
                case.record.case_ref.as_bytes(),
                &sealed,
            )
            .map_err(|e| DbError::Invalid(format!("a case's contact: {e}")))?;
        let unit = ctx
            .units
            .iter()
            .find(|u| u.id == case.record.unit_id)
            .map_or("", |u| u.code.as_str());
        let code = keys.sms_code(campaign_id, &case.record.case_ref);
        let text = fieldwork
            .settings
            .sms_text
            .replace("{link}", &link(base, ctx, unit, &code));
        out.push(Message {
            phone: contact.phone,
            text,
        });
    }
    Ok(out)
}
