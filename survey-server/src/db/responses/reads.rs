//! Reading responses back: pages in id order for exports and verification, and the counts
//! the progress dashboard shows.

use diesel::prelude::*;

use crate::db::schema::{answers, responses};
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

/// Pairs each response with its answers (`all` in response order).
fn attach(rows: Vec<StoredResponse>, all: Vec<(i32, String, String)>) -> Vec<ResponseWithAnswers> {
    let mut by_response: std::collections::HashMap<i32, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for (id, item, value) in all {
        by_response.entry(id).or_default().push((item, value));
    }
    rows.into_iter()
        .map(|r| {
            let mine = by_response.remove(&r.id).unwrap_or_default();
            (r, mine)
        })
        .collect()
}

pub fn count_for_campaign(conn: &mut DbConn, campaign_id: i32) -> Result<i64, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .count()
        .get_result(c)?))
}

/// Responses per unit of a campaign: (unit id, count).
pub fn counts_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<(i32, i64)>, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by(responses::unit_id)
        .select((responses::unit_id, diesel::dsl::count_star()))
        .load(c)?))
}

/// One page of a campaign's responses with their answers, ids after `after_id`, in id order:
/// exports walk a campaign page by page and never hold it whole.
pub fn page(
    conn: &mut DbConn,
    campaign_id: i32,
    after_id: i32,
    limit: i64,
) -> Result<Vec<ResponseWithAnswers>, DbError> {
    crate::with_conn!(conn, |c| {
        let rows = responses::table
            .filter(responses::campaign_id.eq(campaign_id))
            .filter(responses::id.gt(after_id))
            .order(responses::id)
            .limit(limit)
            .select(StoredResponse::as_select())
            .load(c)?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(Vec::new());
        };
        let all: Vec<(i32, String, String)> = answers::table
            .filter(answers::response_id.between(first.id, last.id))
            .inner_join(responses::table)
            .filter(responses::campaign_id.eq(campaign_id))
            .order((answers::response_id, answers::item_id))
            .select((answers::response_id, answers::item_id, answers::value))
            .load(c)?;
        Ok(attach(rows, all))
    })
}

#[derive(diesel::QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    /// Days since 1970-01-01 in China Standard Time.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub day: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// Responses per day (China Standard Time) of a campaign. Integer arithmetic on the stored
/// milliseconds, so the same SQL runs on both backends.
pub fn counts_by_day(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<DayCount>, DbError> {
    let sql = format!(
        "SELECT (submitted_at + 28800000) / 86400000 AS day, COUNT(*) AS n FROM responses \
         WHERE campaign_id = {campaign_id} GROUP BY day ORDER BY day"
    );
    crate::with_conn!(conn, |c| Ok(diesel::sql_query(&sql).load::<DayCount>(c)?))
}

/// Responses per link check (`signed`, `unsigned`, `invalid`) of a campaign.
pub fn counts_by_link_check(
    conn: &mut DbConn,
    campaign_id: i32,
) -> Result<Vec<(String, i64)>, DbError> {
    crate::with_conn!(conn, |c| Ok(responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by(responses::link_check)
        .select((responses::link_check, diesel::dsl::count_star()))
        .load(c)?))
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
           COALESCE(SUM(CASE WHEN over_quota THEN 1 ELSE 0 END), 0) AS over_quota, \
           COALESCE(SUM(CASE WHEN link_check = 'invalid' THEN 1 ELSE 0 END), 0) AS invalid_link \
         FROM responses WHERE campaign_id = {campaign_id} GROUP BY unit_id"
    );
    crate::with_conn!(conn, |c| Ok(diesel::sql_query(&sql).load::<UnitFlags>(c)?))
}

/// Responses of one unit (by id) and respondent type ('' when none).
pub type CellCount = ((i32, String), i64);

/// Responses per unit × respondent type of a campaign.
pub fn counts_by_unit_type(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<CellCount>, DbError> {
    let rows: Vec<(i32, Option<String>, i64)> = crate::with_conn!(conn, |c| responses::table
        .filter(responses::campaign_id.eq(campaign_id))
        .group_by((responses::unit_id, responses::respondent_type))
        .select((
            responses::unit_id,
            responses::respondent_type,
            diesel::dsl::count_star()
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(u, t, n)| ((u, t.unwrap_or_default()), n))
        .collect())
}
