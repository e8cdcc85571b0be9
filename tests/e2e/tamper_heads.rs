//! What someone holding the database can do to the integrity log: drop the append-only
//! triggers, delete or rewrite responses with their leaves, store the frontier that matches,
//! and replace the signed heads — everything but sign with the server's key, which is not in
//! the database.

use minyi_integrity::merkle::Frontier;
use minyi_integrity::{LeafKind, SignedHead, SigningKey};
use survey_server::db::log;

use crate::helpers::{Backend, TestApp, OPEN_CAMPAIGN};

/// Drops (SQLite) or disables (PostgreSQL) the triggers that keep responses and the log
/// append-only.
pub fn drop_append_only_triggers(app: &TestApp) {
    let statements: &[&str] = match app.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER responses_append_only_delete",
            "DROP TRIGGER responses_append_only_update",
            "DROP TRIGGER log_leaves_append_only_delete",
            "DROP TRIGGER log_leaves_append_only_update",
            "DROP TRIGGER tree_heads_append_only_delete",
            "DROP TRIGGER response_flags_append_only_delete",
        ],
        Backend::Postgres => &[
            "ALTER TABLE responses DISABLE TRIGGER responses_append_only",
            "ALTER TABLE log_leaves DISABLE TRIGGER log_leaves_append_only",
            "ALTER TABLE tree_heads DISABLE TRIGGER tree_heads_append_only",
            "ALTER TABLE response_flags DISABLE TRIGGER response_flags_append_only",
        ],
    };
    for sql in statements {
        app.execute(sql);
    }
}

fn campaign_id(app: &TestApp) -> i32 {
    app.context(OPEN_CAMPAIGN).campaign.id
}

fn bytes_literal(app: &TestApp, bytes: &[u8]) -> String {
    match app.backend() {
        Backend::Sqlite => format!("X'{}'", hex::encode(bytes)),
        Backend::Postgres => format!("decode('{}', 'hex')", hex::encode(bytes)),
    }
}

/// Recomputes the open wave's frontier from its leaves as they now are, and stores it: the
/// server then appends to, and signs, the log as the attacker left it.
pub fn store_frontier(app: &TestApp) {
    let id = campaign_id(app);
    let leaves = log::leaf_hashes(&mut app.pool.get().unwrap(), id, i64::MAX).unwrap();
    let mut frontier = Frontier::new();
    for leaf in leaves {
        frontier.push(leaf);
    }
    let bytes = bytes_literal(app, &frontier.to_bytes());
    app.execute(&format!(
        "UPDATE log_state SET frontier = {bytes} WHERE campaign_id = {id}"
    ));
}

/// Deletes responses with their answers, flags and leaves, the heads signed past what is left,
/// and stores the smaller frontier.
pub fn cut_tail(app: &TestApp, removed: &[i32]) {
    drop_append_only_triggers(app);
    for id in removed {
        for table in ["response_flags", "log_leaves"] {
            app.execute(&format!("DELETE FROM {table} WHERE response_id = {id}"));
        }
        app.execute(&format!("DELETE FROM responses WHERE id = {id}"));
    }
    let left = log::leaf_hashes(&mut app.pool.get().unwrap(), campaign_id(app), i64::MAX)
        .unwrap()
        .len();
    app.execute(&format!(
        "DELETE FROM tree_heads WHERE campaign_id = {} AND tree_size > {left}",
        campaign_id(app)
    ));
    store_frontier(app);
}

/// Changes one answer of `response` and writes the leaf that matches it (same salt), so the
/// rows agree with the log; stores the new frontier. The heads already signed do not match.
pub fn rewrite_response(app: &TestApp, response: i32, overall_sat: &str) {
    drop_append_only_triggers(app);
    set_answer(app, response, "overall_sat", overall_sat);
    let ctx = app.context(OPEN_CAMPAIGN);
    let stored = app.stored(OPEN_CAMPAIGN);
    let row = stored.iter().find(|(r, _)| r.id == response).unwrap();
    let leaves = log::leaves(&mut app.pool.get().unwrap(), ctx.campaign.id, i64::MAX).unwrap();
    let mut record = survey_server::integrity::leaf_record(&ctx, row);
    record.salt = leaves
        .iter()
        .find(|l| l.response_id == i64::from(response) && l.kind == LeafKind::Response)
        .unwrap()
        .salt;
    let leaf = bytes_literal(app, &record.hash());
    app.execute(&format!(
        "UPDATE log_leaves SET leaf_hash = {leaf} WHERE response_id = {response} \
         AND kind = 'response'"
    ));
    store_frontier(app);
}

/// Deletes the open wave's stored heads from `min_size` up.
pub fn delete_heads_from(app: &TestApp, min_size: u64) {
    app.execute(&format!(
        "DELETE FROM tree_heads WHERE campaign_id = {} AND tree_size >= {min_size}",
        campaign_id(app)
    ));
}

/// Replaces every stored head of the open wave by one over the log as it now stands, signed
/// with `key` (the attacker's own): what the holder of a key kept in the database could do.
pub fn re_sign_heads(app: &TestApp, key: &SigningKey) -> SignedHead {
    delete_heads_from(app, 0);
    let id = campaign_id(app);
    log::sign_head(&mut app.pool.get().unwrap(), key, id, OPEN_CAMPAIGN).unwrap()
}

/// Rewrites one answer of a stored response in its row (the triggers must be off).
pub fn set_answer(app: &TestApp, response: i32, item: &str, value: &str) {
    let stored = app.stored(OPEN_CAMPAIGN);
    let (_, answers) = stored.iter().find(|(r, _)| r.id == response).unwrap();
    let answers: Vec<(String, String)> = answers
        .iter()
        .map(|(i, v)| {
            (
                i.clone(),
                if i == item {
                    value.to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let hex = hex::encode(minyi_integrity::leaf::encode_answers(&answers));
    let blob = match app.backend() {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    };
    app.execute(&format!(
        "UPDATE responses SET answers = {blob} WHERE id = {response}"
    ));
}
