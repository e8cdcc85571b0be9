//! The integrity log in the database: a leaf per response and per flag, appended in the
//! transaction that stores it ([`Appender`]), signed tree heads, and reading the log back.

use diesel::prelude::*;
use minyi_integrity::merkle::Frontier;
use minyi_integrity::{
    EventRecord, Hash, LeafKind, LeafRecord, LogEntry, SignedHead, SigningKey, TreeHead,
};

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

/// A leaf as stored: its place in the log, what it records, its salt and hash.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = log_leaves)]
struct LeafRow {
    campaign_id: i32,
    leaf_index: i64,
    kind: &'static str,
    response_id: i32,
    event: String,
    salt: Vec<u8>,
    leaf_hash: Vec<u8>,
}

/// Rows per multi-row insert: well under SQLite's 32 766 bound parameters.
const ROWS_PER_INSERT: usize = 1000;

/// A campaign's log taken for one transaction: leaves are appended in memory, then inserted
/// and the frontier saved with one statement each by [`Appender::save`].
#[derive(Debug)]
pub struct Appender {
    campaign_id: i32,
    slug: String,
    frontier: Frontier,
    rows: Vec<LeafRow>,
}

impl Appender {
    /// Takes the campaign's log for this transaction (the row lock on PostgreSQL; SQLite's
    /// `BEGIN IMMEDIATE` already serialises writers). Taken before any response is inserted,
    /// so that response ids within a campaign rise in leaf order, and before anything is read
    /// that decides what is stored (keys, quotas, devices): every writer of the campaign, in
    /// any process, waits here for the one before.
    pub fn open(c: &mut DbConn, campaign_id: i32, slug: &str) -> Result<Appender, DbError> {
        let lock = |c: &mut DbConn| {
            diesel::update(log_state::table.find(campaign_id))
                .set(log_state::frontier.eq(log_state::frontier))
                .returning(log_state::frontier)
                .get_result::<Vec<u8>>(c)
                .optional()
        };
        let bytes = match lock(c)? {
            Some(bytes) => bytes,
            None => {
                super::native(
                    c,
                    diesel::insert_into(log_state::table)
                        .values((
                            log_state::campaign_id.eq(campaign_id),
                            log_state::frontier.eq(Frontier::new().to_bytes()),
                        ))
                        .on_conflict_do_nothing(),
                )?;
                lock(c)?.unwrap_or_default()
            }
        };
        Ok(Appender {
            campaign_id,
            slug: slug.to_string(),
            frontier: frontier_of(&bytes, campaign_id)?,
            rows: Vec::new(),
        })
    }

    fn push(&mut self, kind: LeafKind, response_id: i32, event: &str, salt: &[u8], hash: Hash) {
        self.rows.push(LeafRow {
            campaign_id: self.campaign_id,
            leaf_index: self.frontier.size() as i64,
            kind: kind.as_str(),
            response_id,
            event: event.to_string(),
            salt: salt.to_vec(),
            leaf_hash: hash.to_vec(),
        });
        self.frontier.push(hash);
    }

    /// Appends the leaf of a stored response (its salt drawn here).
    pub fn response(&mut self, mut record: LeafRecord) {
        record.salt = rand::random();
        let id = record.response_id as i32;
        self.push(LeafKind::Response, id, "", &record.salt, record.hash());
    }

    /// Appends the event of a flag stored on a response.
    pub fn flag(&mut self, response_id: i32, flag: &str, detail: &str, at_ms: i64) {
        let record = EventRecord {
            salt: rand::random(),
            campaign: self.slug.clone(),
            response_id: response_id.into(),
            name: flag.to_string(),
            detail: detail.to_string(),
            at_ms,
        };
        self.push(
            LeafKind::Flag,
            response_id,
            flag,
            &record.salt,
            record.hash(),
        );
    }

    /// Inserts the appended leaves and stores the frontier, in the open transaction.
    pub fn save(self, c: &mut DbConn) -> Result<(), DbError> {
        for rows in self.rows.chunks(ROWS_PER_INSERT) {
            super::native(c, diesel::insert_into(log_leaves::table).values(rows))?;
        }
        diesel::update(log_state::table.find(self.campaign_id))
            .set(log_state::frontier.eq(self.frontier.to_bytes()))
            .execute(c)?;
        Ok(())
    }
}

/// The campaign's current tree size and root (committed state).
pub fn current(conn: &mut DbConn, campaign_id: i32) -> Result<Frontier, DbError> {
    let bytes: Option<Vec<u8>> = ({
        let c: &mut crate::db::DbConn = conn;
        log_state::table
            .find(campaign_id)
            .select(log_state::frontier)
            .first(c)
            .optional()
    })?;
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
    ({
        let c: &mut crate::db::DbConn = conn;
        crate::db::native(
            c,
            diesel::insert_into(tree_heads::table)
                .values((
                    tree_heads::campaign_id.eq(campaign_id),
                    tree_heads::tree_size.eq(size),
                    tree_heads::timestamp_ms.eq(signed.head.timestamp_ms),
                    tree_heads::root.eq(signed.head.root.to_vec()),
                    tree_heads::public_key.eq(&signed.public_key),
                    tree_heads::signature.eq(&signed.signature),
                ))
                .on_conflict_do_nothing(),
        )
    })?;
    // Another process may have signed this size first: the stored head is the one that counts.
    Ok(load_heads(conn, campaign_id, slug, Some(size))?
        .pop()
        .unwrap_or(signed))
}

/// The size of the campaign's latest signed head, if any.
pub fn last_head_size(conn: &mut DbConn, campaign_id: i32) -> Result<Option<i64>, DbError> {
    Ok(({
        let c: &mut crate::db::DbConn = conn;
        tree_heads::table
            .filter(tree_heads::campaign_id.eq(campaign_id))
            .select(diesel::dsl::max(tree_heads::tree_size))
            .first::<Option<i64>>(c)
    })?)
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
    let rows: Vec<HeadRow> = ({
        let c: &mut crate::db::DbConn = conn;
        {
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
        }
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
    let rows: Vec<Vec<u8>> = ({
        let c: &mut crate::db::DbConn = conn;
        log_leaves::table
            .filter(log_leaves::campaign_id.eq(campaign_id))
            .order(log_leaves::leaf_index.asc())
            .limit(limit)
            .select(log_leaves::leaf_hash)
            .load(c)
    })?;
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
    leaves_from(conn, campaign_id, 0, i64::MAX, limit)
}

/// One page of a campaign's integrity log: leaves `from` (an index) onwards, below `below`, at
/// most `limit`, in order — what a bundle's `log.csv` is written from without holding the log
/// whole.
pub fn leaves_from(
    conn: &mut DbConn,
    campaign_id: i32,
    from: i64,
    below: i64,
    limit: i64,
) -> Result<Vec<LogEntry>, DbError> {
    let query = log_leaves::table
        .filter(log_leaves::campaign_id.eq(campaign_id))
        .filter(log_leaves::leaf_index.ge(from))
        .filter(log_leaves::leaf_index.lt(below))
        .order(log_leaves::leaf_index.asc())
        .limit(limit)
        .select((
            log_leaves::leaf_index,
            log_leaves::kind,
            log_leaves::response_id,
            log_leaves::event,
            log_leaves::salt,
            log_leaves::leaf_hash,
        ));
    type LeafRow = (i64, String, i32, String, Vec<u8>, Vec<u8>);
    let rows: Vec<LeafRow> = crate::db::native_load(conn, query)?;
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
