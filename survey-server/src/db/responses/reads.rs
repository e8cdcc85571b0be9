//! Reading responses back: pages in id order for exports and verification, and the counts
//! the progress dashboard shows.

use diesel::prelude::*;

use crate::db::schema::responses;
use crate::db::{DbConn, DbError};

/// A stored response as read back, for tests, exports and verification.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = responses)]
pub struct StoredResponse {
    pub id: i32,
    pub campaign_id: i32,
    pub unit_id: i32,
    pub site_id: Option<i32>,
    pub idempotency_key: String,
    pub respondent_type: Option<String>,
    pub lang: String,
    pub submitted_at: i64,
    pub duration_ms: i64,
    pub link_check: String,
    pub over_quota: bool,
    pub mode: String,
    pub stratum: String,
    pub interviewer: String,
}

impl StoredResponse {
    /// How it was collected, as its leaf commits to it.
    pub fn collection(&self) -> minyi_integrity::Collection {
        minyi_integrity::Collection {
            mode: self.mode.clone(),
            stratum: self.stratum.clone(),
            interviewer: self.interviewer.clone(),
        }
    }
}

/// A stored response and its (item id, value) answers.
pub type ResponseWithAnswers = (StoredResponse, Vec<(String, String)>);

/// Every response of a campaign with its answers, in id order (tests and small campaigns;
/// exports walk [`page`]s instead).
pub fn list_for_campaign(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Vec<ResponseWithAnswers>, DbError> {
    page(conn, campaign_id, 0, i64::MAX)
}

/// Turns a stored answers column back into (item id, value) pairs.
pub fn decode_answers(id: i32, bytes: &[u8]) -> Result<Vec<(String, String)>, DbError> {
    minyi_integrity::leaf::decode_answers(bytes)
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|(item, value)| (item.to_string(), value.to_string()))
                .collect()
        })
        .map_err(|e| DbError::Invalid(format!("the answers of response {id} are malformed: {e}")))
}

/// Responses of a campaign (kept as they arrive in `response_counts`, never recounted).
pub fn count_for_campaign(conn: &mut DbConn, campaign_id: i32) -> Result<i64, DbError> {
    Ok(counts_by_unit(conn, campaign_id)?
        .iter()
        .map(|(_, n)| n)
        .sum())
}

/// Responses per unit of a campaign: (unit id, count).
pub fn counts_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<(i32, i64)>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        unit_id: i32,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT unit_id, CAST(SUM(n) AS BIGINT) AS n FROM response_counts \
         WHERE campaign_id = {campaign_id} GROUP BY unit_id ORDER BY unit_id"
    ))
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.n)).collect())
}

/// One page of a campaign's responses with their answers, ids after `after_id`, in id order:
/// exports walk a campaign page by page and never hold it whole.
pub fn page(
    conn: &mut DbConn,
    campaign_id: i32,
    after_id: i32,
    limit: i64,
) -> Result<Vec<ResponseWithAnswers>, DbError> {
    let rows: Vec<(StoredResponse, Vec<u8>)> = responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .filter(responses::id.gt(after_id))
        .order(responses::id)
        .limit(limit)
        .select((StoredResponse::as_select(), responses::answers))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, answers)| {
            let answers = decode_answers(row.id, &answers)?;
            Ok((row, answers))
        })
        .collect()
}

/// A stored response as the exports read it: the columns they write, and its answers still in
/// their stored encoding, decoded (borrowed) by [`ExportRow::answers`] — a page of these costs
/// a few allocations per response, where [`page`] makes two strings per answer.
#[derive(Debug, Clone, Queryable, PartialEq, Eq)]
pub struct ExportRow {
    pub id: i32,
    pub unit_id: i32,
    pub site_id: Option<i32>,
    pub respondent_type: Option<String>,
    pub lang: String,
    pub submitted_at: i64,
    pub duration_ms: i64,
    pub link_check: String,
    pub over_quota: bool,
    /// `minyi_integrity::leaf::encode_answers` bytes.
    pub answers: Vec<u8>,
    pub mode: String,
    pub stratum: String,
    pub interviewer: String,
}

impl ExportRow {
    /// How it was collected, as its leaf commits to it.
    pub fn collection(&self) -> minyi_integrity::Collection {
        minyi_integrity::Collection {
            mode: self.mode.clone(),
            stratum: self.stratum.clone(),
            interviewer: self.interviewer.clone(),
        }
    }

    /// The (item id, value) answers, sorted by item id, borrowed from the stored bytes.
    pub fn answers(&self) -> Result<Vec<(&str, &str)>, DbError> {
        minyi_integrity::leaf::decode_answers(&self.answers).map_err(|e| {
            DbError::Invalid(format!(
                "the answers of response {} are malformed: {e}",
                self.id
            ))
        })
    }
}

/// One page of a campaign's responses for an export, ids after `after_id`, in id order; run
/// on the backend's own connection (not through the multi-backend row type).
pub fn export_page(
    conn: &mut DbConn,
    campaign_id: i32,
    after_id: i32,
    limit: i64,
) -> Result<Vec<ExportRow>, DbError> {
    let query = responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .filter(responses::id.gt(after_id))
        .order(responses::id)
        .limit(limit)
        .select((
            responses::id,
            responses::unit_id,
            responses::site_id,
            responses::respondent_type,
            responses::lang,
            responses::submitted_at,
            responses::duration_ms,
            responses::link_check,
            responses::over_quota,
            responses::answers,
            responses::mode,
            responses::stratum,
            responses::interviewer,
        ));
    Ok(crate::db::native_load(conn, query)?)
}

/// How many responses a campaign has and its highest response id (0 when none), read
/// together: an export that must state its size before its rows (an XLSX sheet's dimension)
/// writes exactly the responses up to that id.
pub fn export_extent(conn: &mut DbConn, campaign_id: i32) -> Result<(i64, i32), DbError> {
    let (count, last): (i64, Option<i32>) = responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .select((diesel::dsl::count_star(), diesel::dsl::max(responses::id)))
        .first(conn)?;
    Ok((count, last.unwrap_or(0)))
}

#[derive(diesel::QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    /// Days since 1970-01-01 in China Standard Time.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub day: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Responses per day (China Standard Time) of a campaign.
pub fn counts_by_day(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<DayCount>, DbError> {
    let sql = format!(
        "SELECT day, CAST(SUM(n) AS BIGINT) AS n FROM response_counts \
         WHERE campaign_id = {campaign_id} GROUP BY day ORDER BY day"
    );
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(diesel::sql_query(&sql).load::<DayCount>(c)?)
    }
}

/// Responses per link check (`signed`, `unsigned`, `invalid`) of a campaign.
pub fn counts_by_link_check(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Vec<(String, i64)>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        link_check: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT link_check, CAST(SUM(n) AS BIGINT) AS n FROM response_counts \
         WHERE campaign_id = {campaign_id} GROUP BY link_check ORDER BY link_check"
    ))
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.link_check, r.n)).collect())
}

#[derive(diesel::QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFlags {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub over_quota: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub invalid_link: i64,
}

/// Flagged responses per unit: past the quota, and through a link edited by hand.
pub fn flags_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<UnitFlags>, DbError> {
    let sql = format!(
        "SELECT unit_id, \
           CAST(COALESCE(SUM(CASE WHEN over_quota THEN n ELSE 0 END), 0) AS BIGINT) AS over_quota, \
           CAST(COALESCE(SUM(CASE WHEN link_check = 'invalid' THEN n ELSE 0 END), 0) AS BIGINT) \
             AS invalid_link \
         FROM response_counts WHERE campaign_id = {campaign_id} GROUP BY unit_id ORDER BY unit_id"
    );
    Ok(diesel::sql_query(&sql).load::<UnitFlags>(conn)?)
}

/// Responses of one unit (by id) and respondent type ('' when none).
pub type CellCount = ((i32, String), i64);

/// Responses per unit × respondent type of a campaign.
pub fn counts_by_unit_type(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<CellCount>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        unit_id: i32,
        #[diesel(sql_type = diesel::sql_types::Text)]
        respondent_type: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT unit_id, respondent_type, CAST(SUM(n) AS BIGINT) AS n FROM response_counts \
         WHERE campaign_id = {campaign_id} GROUP BY unit_id, respondent_type \
         ORDER BY unit_id, respondent_type"
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.unit_id, r.respondent_type), r.n))
        .collect())
}
