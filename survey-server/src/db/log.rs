//! The integrity log in the database: a leaf per response appended in the transaction that
//! stores it ([`log_lock!`], [`log_append!`]), signed tree heads, and reading the log back.

use diesel::prelude::*;
use minyi_integrity::merkle::Frontier;
use minyi_integrity::{LeafKind, LogEntry, SignedHead, SigningKey, TreeHead};

use super::schema::{log_leaves, log_state, tree_heads};
use super::{DbConn, DbError};

/// What a leaf says besides the stored row: the codes the canonical encoding uses.
#[derive(Debug, Clone, Default)]
pub struct LeafContext {
    pub campaign: String,
    pub unit: String,
    pub site: String,
    pub questionnaire: String,
}

pub fn frontier_of(bytes: &[u8], campaign_id: i32) -> Result<Frontier, DbError> {
    Frontier::from_bytes(bytes).ok_or_else(|| {
        DbError::Invalid(format!(
            "the log state of campaign {campaign_id} is not a frontier"
        ))
    })
}

/// Takes the campaign's log for this transaction (the row lock on PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already serialises writers) and returns its frontier. Called before the
/// response is inserted, so that response ids within a campaign rise in leaf order.
#[macro_export]
macro_rules! log_lock {
    ($c:expr, $campaign_id:expr) => {{
        use $crate::db::schema::log_state;
        let c = $c;
        let campaign_id: i32 = $campaign_id;
        let lock = |c: &mut _| {
            diesel::update(log_state::table.find(campaign_id))
                .set(log_state::frontier.eq(log_state::frontier))
                .returning(log_state::frontier)
                .get_result::<Vec<u8>>(c)
                .optional()
        };
        let bytes = match lock(&mut *c)? {
            Some(bytes) => bytes,
            None => {
                diesel::insert_into(log_state::table)
                    .values((
                        log_state::campaign_id.eq(campaign_id),
                        log_state::frontier.eq(minyi_integrity::Frontier::new().to_bytes()),
                    ))
                    .on_conflict_do_nothing()
                    .execute(&mut *c)?;
                lock(&mut *c)?.unwrap_or_default()
            }
        };
        $crate::db::log::frontier_of(&bytes, campaign_id)
    }};
}

/// Appends a leaf (its kind, the response it is or is about, the event's name, its salt and
/// hash) to the campaign's log in the open transaction, after [`log_lock!`] returned
/// `$frontier`; [`log_save!`] stores the frontier. Evaluates to the insert's result.
#[macro_export]
macro_rules! log_push {
    ($c:expr, $campaign_id:expr, $frontier:expr, $kind:expr, $response_id:expr, $event:expr, $salt:expr, $hash:expr) => {{
        use $crate::db::schema::log_leaves;
        let frontier: &mut minyi_integrity::Frontier = $frontier;
        let kind: minyi_integrity::LeafKind = $kind;
        let leaf: minyi_integrity::Hash = $hash;
        let index = frontier.size() as i64;
        frontier.push(leaf);
        diesel::insert_into(log_leaves::table)
            .values((
                log_leaves::campaign_id.eq($campaign_id),
                log_leaves::leaf_index.eq(index),
                log_leaves::kind.eq(kind.as_str()),
                log_leaves::response_id.eq($response_id),
                log_leaves::event.eq($event),
                log_leaves::salt.eq($salt.to_vec()),
                log_leaves::leaf_hash.eq(leaf.to_vec()),
            ))
            .execute($c)
    }};
}

/// Appends the leaf of `$record` (its salt drawn here) to the campaign's log, in the open
/// transaction, after [`log_lock!`] returned `$frontier`; [`log_save!`] stores the frontier.
#[macro_export]
macro_rules! log_append {
    ($c:expr, $campaign_id:expr, $frontier:expr, $record:expr) => {{
        let campaign_id: i32 = $campaign_id;
        let mut record: minyi_integrity::LeafRecord = $record;
        record.salt = rand::random();
        $crate::log_push!(
            $c,
            campaign_id,
            $frontier,
            minyi_integrity::LeafKind::Response,
            record.response_id as i32,
            "",
            record.salt,
            record.hash()
        )
    }};
}

/// Stores a flag on a response and appends its event to the campaign's log, in the open
/// transaction after [`log_lock!`]: a flag is an event of the log, never an update. A flag the
/// response carries already is left as it is. Evaluates to whether the flag is new.
#[macro_export]
macro_rules! flag_append {
    ($c:expr, $frontier:expr, $slug:expr, $campaign_id:expr, $response_id:expr, $flag:expr, $detail:expr, $at:expr) => {{
        use $crate::db::schema::response_flags;
        let c = $c;
        let (response_id, flag, detail, at): (i32, &str, &str, i64) =
            ($response_id, $flag, $detail, $at);
        let inserted = diesel::insert_into(response_flags::table)
            .values((
                response_flags::response_id.eq(response_id),
                response_flags::flag.eq(flag),
                response_flags::detail.eq(detail),
                response_flags::flagged_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(&mut *c);
        match inserted {
            Ok(1) => {
                let record = minyi_integrity::EventRecord {
                    salt: rand::random(),
                    campaign: $slug.to_string(),
                    response_id: response_id.into(),
                    name: flag.to_string(),
                    detail: detail.to_string(),
                    at_ms: at,
                };
                $crate::log_push!(
                    c,
                    $campaign_id,
                    $frontier,
                    minyi_integrity::LeafKind::Flag,
                    response_id,
                    flag,
                    record.salt,
                    record.hash()
                )
                .map(|_| true)
            }
            Ok(_) => Ok(false),
            Err(e) => Err(e),
        }
    }};
}

/// Stores the campaign's frontier after the leaves of a transaction were appended.
#[macro_export]
macro_rules! log_save {
    ($c:expr, $campaign_id:expr, $frontier:expr) => {{
        use $crate::db::schema::log_state;
        let frontier: &minyi_integrity::Frontier = $frontier;
        diesel::update(log_state::table.find($campaign_id))
            .set(log_state::frontier.eq(frontier.to_bytes()))
            .execute($c)
    }};
}

/// The campaign's current tree size and root (committed state).
pub fn current(conn: &mut DbConn, campaign_id: i32) -> Result<Frontier, DbError> {
    let bytes: Option<Vec<u8>> = crate::with_conn!(conn, |c| log_state::table
        .find(campaign_id)
        .select(log_state::frontier)
        .first(c)
        .optional())?;
    match bytes {
        Some(bytes) => frontier_of(&bytes, campaign_id),
        None => Ok(Frontier::new()),
    }
}

/// Signs a head over the campaign's log as it stands, unless one of that size exists already
/// (then that one is returned).
pub fn sign_head(
    conn: &mut DbConn,
    key: &SigningKey,
    campaign_id: i32,
    slug: &str,
) -> Result<SignedHead, DbError> {
    let frontier = current(conn, campaign_id)?;
    let size = frontier.size() as i64;
    let signed = key.sign(TreeHead {
        campaign: slug.to_string(),
        tree_size: frontier.size(),
        timestamp_ms: super::now_ms(),
        root: frontier.root(),
    });
    crate::with_conn!(conn, |c| diesel::insert_into(tree_heads::table)
        .values((
            tree_heads::campaign_id.eq(campaign_id),
            tree_heads::tree_size.eq(size),
            tree_heads::timestamp_ms.eq(signed.head.timestamp_ms),
            tree_heads::root.eq(signed.head.root.to_vec()),
            tree_heads::public_key.eq(&signed.public_key),
            tree_heads::signature.eq(&signed.signature),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    // Another process may have signed this size first: the stored head is the one that counts.
    Ok(load_heads(conn, campaign_id, slug, Some(size))?
        .pop()
        .unwrap_or(signed))
}

/// The size of the campaign's latest signed head, if any.
pub fn last_head_size(conn: &mut DbConn, campaign_id: i32) -> Result<Option<i64>, DbError> {
    Ok(crate::with_conn!(conn, |c| tree_heads::table
        .filter(tree_heads::campaign_id.eq(campaign_id))
        .select(diesel::dsl::max(tree_heads::tree_size))
        .first::<Option<i64>>(c))?)
}

type HeadRow = (i64, i64, Vec<u8>, String, String);

/// Every signed head of the campaign, oldest first.
pub fn heads(conn: &mut DbConn, campaign_id: i32, slug: &str) -> Result<Vec<SignedHead>, DbError> {
    load_heads(conn, campaign_id, slug, None)
}

/// The campaign's heads, or only the one of `size`.
fn load_heads(
    conn: &mut DbConn,
    campaign_id: i32,
    slug: &str,
    size: Option<i64>,
) -> Result<Vec<SignedHead>, DbError> {
    let rows: Vec<HeadRow> = crate::with_conn!(conn, |c| {
        let mut query = tree_heads::table
            .filter(tree_heads::campaign_id.eq(campaign_id))
            .into_boxed();
        if let Some(size) = size {
            query = query.filter(tree_heads::tree_size.eq(size));
        }
        query
            .order(tree_heads::tree_size.asc())
            .select((
                tree_heads::tree_size,
                tree_heads::timestamp_ms,
                tree_heads::root,
                tree_heads::public_key,
                tree_heads::signature,
            ))
            .load(c)
    })?;
    rows.into_iter()
        .map(|(size, timestamp_ms, root, public_key, signature)| {
            Ok(SignedHead {
                head: TreeHead {
                    campaign: slug.to_string(),
                    tree_size: size as u64,
                    timestamp_ms,
                    root: root.try_into().map_err(|_| {
                        DbError::Invalid(format!("tree head of size {size} has a bad root"))
                    })?,
                },
                public_key,
                signature,
            })
        })
        .collect()
}

/// The hashes of the first `limit` leaves of the campaign's log, in order (every leaf,
/// whatever it records): what consistency proofs are computed from.
pub fn leaf_hashes(
    conn: &mut DbConn,
    campaign_id: i32,
    limit: i64,
) -> Result<Vec<minyi_integrity::Hash>, DbError> {
    let rows: Vec<Vec<u8>> = crate::with_conn!(conn, |c| log_leaves::table
        .filter(log_leaves::campaign_id.eq(campaign_id))
        .order(log_leaves::leaf_index.asc())
        .limit(limit)
        .select(log_leaves::leaf_hash)
        .load(c))?;
    rows.into_iter()
        .enumerate()
        .map(|(i, hash)| {
            hash.try_into().map_err(|_| {
                DbError::Invalid(format!("leaf {i} of campaign {campaign_id} is malformed"))
            })
        })
        .collect()
}

/// The first `limit` leaves of the campaign's log (responses and events), in order.
pub fn leaves(conn: &mut DbConn, campaign_id: i32, limit: i64) -> Result<Vec<LogEntry>, DbError> {
    type LeafRow = (i64, String, i32, String, Vec<u8>, Vec<u8>);
    let rows: Vec<LeafRow> = crate::with_conn!(conn, |c| log_leaves::table
        .filter(log_leaves::campaign_id.eq(campaign_id))
        .order(log_leaves::leaf_index.asc())
        .limit(limit)
        .select((
            log_leaves::leaf_index,
            log_leaves::kind,
            log_leaves::response_id,
            log_leaves::event,
            log_leaves::salt,
            log_leaves::leaf_hash,
        ))
        .load(c))?;
    rows.into_iter()
        .map(|(index, kind, response_id, event, salt, hash)| {
            let bad = || {
                DbError::Invalid(format!(
                    "leaf {index} of campaign {campaign_id} is malformed"
                ))
            };
            Ok(LogEntry {
                leaf_index: index as u64,
                kind: LeafKind::parse(&kind).ok_or_else(bad)?,
                response_id: response_id as i64,
                event,
                salt: salt.try_into().map_err(|_| bad())?,
                leaf_hash: hash.try_into().map_err(|_| bad())?,
            })
        })
        .collect()
}
