//! Console accounts, their sessions and the audit log.

use diesel::prelude::*;

use super::schema::{audit_log, sessions, users};
use super::{now_ms, DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub password_hash: String,
    pub role: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i32,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub at: i64,
    pub username: String,
    pub action: String,
    pub detail: String,
}

/// Creates an account; an existing username is refused.
pub fn create_user(
    conn: &mut DbConn,
    username: &str,
    hash: &str,
    role: &str,
) -> Result<i32, DbError> {
    crate::db::write_transaction(conn, |c| {
        let taken: i64 = users::table
            .filter(users::username.eq(username))
            .count()
            .get_result(c)?;
        if taken > 0 {
            return Err(DbError::Invalid(format!(
                "user {username:?} already exists"
            )));
        }
        let id = diesel::insert_into(users::table)
            .values((
                users::username.eq(username),
                users::password_hash.eq(hash),
                users::role.eq(role),
                users::created_at.eq(now_ms()),
            ))
            .returning(users::id)
            .get_result(c)?;
        crate::db::accounts::insert_audit(
            c,
            "cli",
            "user.create",
            &format!("{username} as {role}"),
        )?;
        Ok(id)
    })
}

pub fn find_user(conn: &mut DbConn, username: &str) -> Result<Option<User>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(c)
            .optional()?)
    }
}

/// Starts a session (the caller has made a fresh id: ids are rotated at every login), and
/// removes the user's expired sessions.
pub fn start_session(conn: &mut DbConn, session: &Session, idle_ms: i64) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(session.user_id))
                .filter(sessions::last_seen_at.lt(now_ms() - idle_ms)),
        )
        .execute(c)?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::id_hash.eq(&session.id_hash),
                sessions::user_id.eq(session.user_id),
                sessions::csrf_token.eq(&session.csrf_token),
                sessions::created_at.eq(session.created_at),
                sessions::last_seen_at.eq(session.last_seen_at),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// The session and its user, if the session exists.
pub fn find_session(conn: &mut DbConn, id_hash: &str) -> Result<Option<(Session, User)>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(sessions::table
            .inner_join(users::table)
            .filter(sessions::id_hash.eq(id_hash))
            .select((Session::as_select(), User::as_select()))
            .first(c)
            .optional()?)
    }
}

pub fn touch_session(conn: &mut DbConn, id_hash: &str, at: i64) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        diesel::update(sessions::table.find(id_hash))
            .set(sessions::last_seen_at.eq(at))
            .execute(c)?;
        Ok(())
    })
}

pub fn end_session(conn: &mut DbConn, id_hash: &str) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        diesel::delete(sessions::table.find(id_hash)).execute(c)?;
        Ok(())
    })
}

/// Appends an entry to the audit log, in the caller's transaction.
pub fn insert_audit(
    c: &mut DbConn,
    username: &str,
    action: &str,
    detail: &str,
) -> diesel::QueryResult<usize> {
    use crate::db::schema::audit_log;
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(crate::db::now_ms()),
            audit_log::username.eq(username),
            audit_log::action.eq(action),
            audit_log::detail.eq(detail),
        ))
        .execute(c)
}

/// Records who did what, in a transaction of its own.
pub fn audit(conn: &mut DbConn, username: &str, action: &str, detail: &str) -> Result<(), DbError> {
    crate::db::write_transaction(conn, |c| {
        crate::db::accounts::insert_audit(c, username, action, detail)?;
        Ok(())
    })
}

/// The latest entries, newest first.
pub fn recent_audit(conn: &mut DbConn, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
    {
        let c: &mut crate::db::DbConn = conn;
        Ok(audit_log::table
            .order(audit_log::id.desc())
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(c)?)
    }
}
