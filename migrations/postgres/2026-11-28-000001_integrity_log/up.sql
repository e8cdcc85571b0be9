-- The tamper-evident log (minyi-integrity): one RFC 6962 Merkle tree per campaign.
-- log_state holds the tree's right edge (the frontier); updating it takes the row lock that
-- serialises the writers of one campaign — across server instances too — so leaf order is
-- commit order and response ids rise with it.
CREATE TABLE log_state (
    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns (id),
    frontier BYTEA NOT NULL
);
INSERT INTO log_state (campaign_id, frontier)
SELECT id, '\x0000000000000000'::bytea FROM campaigns;

-- One leaf per accepted response, written in the transaction that stores it.
CREATE TABLE log_leaves (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    leaf_index BIGINT NOT NULL,
    response_id INTEGER NOT NULL UNIQUE REFERENCES responses (id),
    salt BYTEA NOT NULL,
    leaf_hash BYTEA NOT NULL,
    PRIMARY KEY (campaign_id, leaf_index)
);

-- Signed tree heads, kept as the server made them.
CREATE TABLE tree_heads (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    tree_size BIGINT NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    root BYTEA NOT NULL,
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

CREATE TRIGGER log_leaves_append_only BEFORE UPDATE OR DELETE ON log_leaves
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER log_leaves_no_truncate BEFORE TRUNCATE ON log_leaves
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER tree_heads_append_only BEFORE UPDATE OR DELETE ON tree_heads
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON tree_heads
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
