//! Published assessment reports. Only ever inserted (triggers refuse UPDATE and DELETE); a
//! campaign's latest report is its publication with the highest id.

use diesel::prelude::*;

use super::schema::reports;
use super::{now_ms, DbConn, DbError};
use crate::report::{sha256_hex, Report};

/// A publication without its files: what the campaign page lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Publication {
    pub id: i32,
    pub published_at: i64,
    pub published_by: String,
    /// `met`, `not_met` or `inconclusive` (a CHECK constraint holds it to these).
    pub verdict: String,
    pub sentence_zh: String,
    pub sentence_en: String,
    pub generated_at: i64,
    pub html_sha256: String,
    pub pdf_sha256: Option<String>,
}

/// Stores a checked report as the campaign's latest, with its audit entry, in one
/// transaction; returns the publication's id.
pub fn publish(
    conn: &mut DbConn,
    campaign_id: i32,
    slug: &str,
    report: &Report,
    by: &str,
) -> Result<i32, DbError> {
    let (sentence_zh, sentence_en) = report.sentences();
    let html_sha256 = sha256_hex(report.html());
    let pdf_sha256 = report.pdf().map(sha256_hex);
    let detail = format!(
        "{slug}: {} html {html_sha256}{}",
        report.verdict().as_str(),
        pdf_sha256
            .as_deref()
            .map(|h| format!(" pdf {h}"))
            .unwrap_or_default()
    );
    crate::db::write_transaction(conn, |c| {
        let id = diesel::insert_into(reports::table)
            .values((
                reports::campaign_id.eq(campaign_id),
                reports::published_at.eq(now_ms()),
                reports::published_by.eq(by),
                reports::verdict.eq(report.verdict().as_str()),
                reports::sentence_zh.eq(sentence_zh),
                reports::sentence_en.eq(sentence_en),
                reports::generated_at.eq(report.generated_at()),
                reports::html.eq(report.html()),
                reports::html_sha256.eq(&html_sha256),
                reports::pdf.eq(report.pdf()),
                reports::pdf_sha256.eq(&pdf_sha256),
            ))
            .returning(reports::id)
            .get_result::<i32>(c)?;
        crate::db::accounts::insert_audit(c, by, "report.publish", &format!("#{id} {detail}"))?;
        Ok::<_, DbError>(id)
    })
}

/// A campaign's publications, newest (the one in force) first.
pub fn list(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<Publication>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(reports::table
            .filter(reports::campaign_id.eq(campaign_id))
            .order(reports::id.desc())
            .select(Publication::as_select())
            .load(c)?)
    }
}

/// The HTML of one publication, or of the latest when `id` is `None`.
pub fn html(
    conn: &mut DbConn,
    campaign_id: i32,
    id: Option<i32>,
) -> Result<Option<Vec<u8>>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let mut query = reports::table
                .filter(reports::campaign_id.eq(campaign_id))
                .into_boxed();
            if let Some(id) = id {
                query = query.filter(reports::id.eq(id));
            }
            Ok(query
                .order(reports::id.desc())
                .select(reports::html)
                .first::<Vec<u8>>(c)
                .optional()?)
        }
    }
}

/// The PDF of one publication, or of the latest when `id` is `None`: `None` when there is
/// no such publication, `Some(None)` when it was published without a PDF.
pub fn pdf(
    conn: &mut DbConn,
    campaign_id: i32,
    id: Option<i32>,
) -> Result<Option<Option<Vec<u8>>>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        {
            let mut query = reports::table
                .filter(reports::campaign_id.eq(campaign_id))
                .into_boxed();
            if let Some(id) = id {
                query = query.filter(reports::id.eq(id));
            }
            Ok(query
                .order(reports::id.desc())
                .select(reports::pdf)
                .first::<Option<Vec<u8>>>(c)
                .optional()?)
        }
    }
}
