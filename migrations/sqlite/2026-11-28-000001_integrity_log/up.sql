-- The tamper-evident log (minyi-integrity): one RFC 6962 Merkle tree per campaign.
-- log_state holds the tree's right edge (the frontier); updating it is what serialises the
-- writers of one campaign, so leaf order is commit order and response ids rise with it.
CREATE TABLE log_state (
    campaign_id INTEGER PRIMARY KEY NOT NULL REFERENCES campaigns (id),
    frontier BLOB NOT NULL
);
INSERT INTO log_state (campaign_id, frontier)
SELECT id, X'0000000000000000' FROM campaigns;

-- One leaf per accepted response, written in the transaction that stores it.
CREATE TABLE log_leaves (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    leaf_index BIGINT NOT NULL,
    response_id INTEGER NOT NULL UNIQUE REFERENCES responses (id),
    salt BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    PRIMARY KEY (campaign_id, leaf_index)
);

-- Signed tree heads, kept as the server made them.
CREATE TABLE tree_heads (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    tree_size BIGINT NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    root BLOB NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (campaign_id, tree_size)
);

-- What collection noticed about a response (device repeat, honeypot, speeder, burst…):
-- evidence for the evaluator, never a silent drop.
CREATE TABLE response_flags (
    response_id INTEGER NOT NULL REFERENCES responses (id),
    flag TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    flagged_at BIGINT NOT NULL,
    PRIMARY KEY (response_id, flag)
);

CREATE TRIGGER log_leaves_append_only_update BEFORE UPDATE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;
CREATE TRIGGER log_leaves_append_only_delete BEFORE DELETE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;
CREATE TRIGGER tree_heads_append_only_update BEFORE UPDATE ON tree_heads
BEGIN
    SELECT RAISE(ABORT, 'tree_heads are append-only');
END;
CREATE TRIGGER tree_heads_append_only_delete BEFORE DELETE ON tree_heads
BEGIN
    SELECT RAISE(ABORT, 'tree_heads are append-only');
END;
