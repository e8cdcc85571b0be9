//! The integrity log as the server runs it: heads signed at a cadence and at close, and the
//! verification of the live database (`survey-server verify`). The log itself — encoding, tree,
//! signatures, checks — is the `minyi-integrity` crate; the leaves are appended by
//! `db::responses` in the transaction that stores each response.

pub mod commands;
mod fetch;

use std::sync::Arc;
use std::time::Duration;

use minyi_integrity::{LeafRecord, Problem, PublicKey, Report, SignedHead, SigningKey, TreeHead};

use crate::db::campaigns::{self, CampaignContext};
use crate::db::responses::{self, ExportRow, ResponseWithAnswers};
use crate::db::{log, quality, DbConn, DbError, DbPool};
use crate::keys::Keys;

/// A stored response as its leaf encodes it (without the salt, which the log holds).
pub fn leaf_record(ctx: &CampaignContext, (r, answers): &ResponseWithAnswers) -> LeafRecord {
    let unit = ctx.units.iter().find(|u| u.id == r.unit_id);
    let site = r
        .site_id
        .and_then(|id| ctx.sites.iter().find(|s| s.id == id));
    LeafRecord {
        salt: [0; minyi_integrity::leaf::SALT_LEN],
        campaign: ctx.campaign.slug.clone(),
        response_id: r.id.into(),
        unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        site: site.map(|s| s.code.clone()).unwrap_or_default(),
        respondent_type: r.respondent_type.clone().unwrap_or_default(),
        lang: r.lang.clone(),
        questionnaire: ctx.questionnaire.content_hash.clone(),
        submitted_at_ms: r.submitted_at,
        duration_ms: r.duration_ms,
        link_check: r.link_check.clone(),
        over_quota: r.over_quota,
        collection: r.collection(),
        answers: answers.clone(),
    }
}

/// A response as an export reads it ([`responses::ExportRow`]) as its leaf encodes it: the
/// answers decoded once, straight into the record.
fn row_record(ctx: &CampaignContext, r: &ExportRow) -> Result<LeafRecord, String> {
    let answers = r
        .answers()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(item, value)| (item.to_string(), value.to_string()))
        .collect();
    let unit = ctx.units.iter().find(|u| u.id == r.unit_id);
    let site = r
        .site_id
        .and_then(|id| ctx.sites.iter().find(|s| s.id == id));
    Ok(LeafRecord {
        salt: [0; minyi_integrity::leaf::SALT_LEN],
        campaign: ctx.campaign.slug.clone(),
        response_id: r.id.into(),
        unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        site: site.map(|s| s.code.clone()).unwrap_or_default(),
        respondent_type: r.respondent_type.clone().unwrap_or_default(),
        lang: r.lang.clone(),
        questionnaire: ctx.questionnaire.content_hash.clone(),
        submitted_at_ms: r.submitted_at,
        duration_ms: r.duration_ms,
        link_check: r.link_check.clone(),
        over_quota: r.over_quota,
        collection: r.collection(),
        answers,
    })
}

/// Signs a head for every campaign whose log has grown since its last head.
pub fn sign_due_heads(pool: &DbPool, key: &SigningKey) -> Result<Vec<SignedHead>, DbError> {
    let mut conn = pool.get()?;
    let mut signed = Vec::new();
    for campaign in campaigns::list(&mut conn)? {
        let size = log::current(&mut conn, campaign.id)?.size();
        let last = log::last_head_size(&mut conn, campaign.id)?;
        if last != Some(size as i64) && size > 0 {
            signed.push(log::sign_head(&mut conn, key, campaign.id, &campaign.slug)?);
        }
    }
    Ok(signed)
}

/// Opens or closes a campaign (`campaigns::set_status`); a closed wave's log gets its final
/// signed head at once.
pub fn set_campaign_status(
    conn: &mut DbConn,
    keys: &Keys,
    slug: &str,
    status: &str,
    actor: &str,
) -> Result<bool, DbError> {
    let changed = campaigns::set_status(conn, slug, status, actor)?;
    if changed && status == "closed" {
        if let Some(campaign) = campaigns::find(conn, slug)? {
            log::sign_head(conn, keys.signing_key(), campaign.id, slug)?;
        }
    }
    Ok(changed)
}

/// Signs due heads now and then every `interval`, on a thread of its own, for as long as the
/// process runs.
pub fn start_cadence(pool: DbPool, keys: Arc<Keys>, interval: Duration) {
    let spawned = std::thread::Builder::new()
        .name("minyi-tree-heads".into())
        .spawn(move || loop {
            match sign_due_heads(&pool, keys.signing_key()) {
                Ok(heads) => {
                    for h in heads {
                        tracing::info!(campaign = %h.head.campaign, size = h.head.tree_size, "tree head signed");
                    }
                }
                Err(e) => tracing::error!(error = %e, "signing tree heads failed"),
            }
            std::thread::sleep(interval);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the tree-head thread did not start");
    }
}

/// Verifies one campaign in the live database: every response row against its leaf and every
/// leaf against its row (a row without a leaf, after the last leaf or anywhere, is named), every
/// flag against its event leaf and back, the log against every stored head and every head in
/// `held` (the evaluator's own, from `log fetch`), and the whole log against its current root —
/// all with `given`, the evaluator's copies of the public keys (the current one and, after a
/// rotation, the retired ones), or when none are given the server's own current and retired
/// keys.
/// Everything is read in one snapshot, so responses committed meanwhile are neither counted
/// nor missed.
pub fn verify_campaign(
    pool: &DbPool,
    keys: &Keys,
    ctx: &CampaignContext,
    given: &[PublicKey],
    held: &[SignedHead],
) -> Result<Report, DbError> {
    let mut conn = pool.get()?;
    let trusted: Vec<PublicKey> = if given.is_empty() {
        std::iter::once(keys.public_key())
            .chain(keys.retired().iter().map(|r| r.public_key))
            .collect()
    } else {
        given.to_vec()
    };
    let campaign_id = ctx.campaign.id;
    crate::db::read_snapshot(&mut conn, |conn| {
        let frontier = log::current(conn, campaign_id)?;
        let mut stored = log::heads(conn, campaign_id, &ctx.campaign.slug)?;
        let forged = forged_heads(keys, &trusted, &stored);
        // Stored heads count when the given keys verify them; the server's own under a key not
        // given (a retired one) are left aside, the forged ones named above.
        stored.retain(|h| trusted.iter().any(|k| h.verify(k)));
        stored.extend(
            held.iter()
                .filter(|h| h.head.campaign == ctx.campaign.slug)
                .cloned(),
        );
        let log = log::leaves(conn, campaign_id, i64::MAX)?;
        let flags = quality::flags_of(conn, campaign_id)?;
        // The current state as a head (signed here, not stored), so the same check covers the
        // leaves added since the last stored head.
        let now = keys.signing_key().sign(TreeHead {
            campaign: ctx.campaign.slug.clone(),
            tree_size: frontier.size(),
            timestamp_ms: crate::db::now_ms(),
            root: frontier.root(),
        });
        let rows = Pages::new(conn, campaign_id);
        let records = rows.map(|row| row.and_then(|r| row_record(ctx, &r)));
        // Checked with the evaluator's keys: if none is the server's current key, the head
        // fails its signature.
        let mut report = minyi_integrity::verify::check(
            &now,
            &trusted,
            &stored,
            &log,
            records,
            flags.into_iter().map(Ok),
        );
        report.problems.splice(0..0, forged);
        Ok(report)
    })
}

/// Stored heads that neither the `given` keys nor any of the server's keys (current or
/// retired) signed: whoever holds the database wrote them. (A head signed by a retired key is the server's own,
/// only not checkable with the evaluator's current key.)
fn forged_heads(keys: &Keys, given: &[PublicKey], stored: &[SignedHead]) -> Vec<Problem> {
    let mut trusted = given.to_vec();
    trusted.push(keys.public_key());
    trusted.extend(keys.retired().iter().map(|r| r.public_key));
    stored
        .iter()
        .filter(|h| !trusted.iter().any(|k| h.verify(k)))
        .map(|h| Problem::ForgedHead {
            size: h.head.tree_size,
            timestamp_ms: h.head.timestamp_ms,
        })
        .collect()
}

/// Every response of a campaign in id order, read a page at a time on one connection (the
/// export's reader: its answers left encoded until [`row_record`] decodes them).
pub struct Pages<'c> {
    conn: &'c mut DbConn,
    campaign_id: i32,
    after: i32,
    done: bool,
    buffer: std::vec::IntoIter<ExportRow>,
}

impl<'c> Pages<'c> {
    pub fn new(conn: &'c mut DbConn, campaign_id: i32) -> Pages<'c> {
        Pages {
            conn,
            campaign_id,
            after: 0,
            done: false,
            buffer: Vec::new().into_iter(),
        }
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<ExportRow, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.len() == 0 && !self.done {
            match responses::export_page(
                self.conn,
                self.campaign_id,
                self.after,
                crate::export::PAGE_SIZE,
            ) {
                Ok(page) => {
                    self.done = (page.len() as i64) < crate::export::PAGE_SIZE;
                    self.buffer = page.into_iter();
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.to_string()));
                }
            }
        }
        let row = self.buffer.next()?;
        self.after = row.id;
        Some(Ok(row))
    }
}
