-- 1. The log holds events as well as responses: a flag is a leaf of its own (kind 'flag',
--    event = the flag's name), so deleting or adding a flag is as visible as a response.
--    SQLite cannot drop the UNIQUE on response_id in place: the table is rebuilt.
DROP TRIGGER log_leaves_append_only_update;
DROP TRIGGER log_leaves_append_only_delete;
CREATE TABLE log_leaves_v2 (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    leaf_index BIGINT NOT NULL,
    response_id INTEGER NOT NULL REFERENCES responses (id),
    salt BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    kind TEXT NOT NULL DEFAULT 'response' CHECK (kind IN ('response', 'flag')),
    event TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, leaf_index)
);
INSERT INTO log_leaves_v2 (campaign_id, leaf_index, response_id, salt, leaf_hash)
SELECT campaign_id, leaf_index, response_id, salt, leaf_hash FROM log_leaves;
DROP TABLE log_leaves;
ALTER TABLE log_leaves_v2 RENAME TO log_leaves;
CREATE UNIQUE INDEX log_leaves_one_per_response ON log_leaves (response_id) WHERE kind = 'response';
CREATE UNIQUE INDEX log_leaves_one_per_flag ON log_leaves (response_id, event) WHERE kind = 'flag';
CREATE TRIGGER log_leaves_append_only_update BEFORE UPDATE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;
CREATE TRIGGER log_leaves_append_only_delete BEFORE DELETE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;

-- Flags are events: never updated or deleted through the database.
CREATE TRIGGER response_flags_append_only_update BEFORE UPDATE ON response_flags
BEGIN
    SELECT RAISE(ABORT, 'response_flags are append-only');
END;
CREATE TRIGGER response_flags_append_only_delete BEFORE DELETE ON response_flags
BEGIN
    SELECT RAISE(ABORT, 'response_flags are append-only');
END;

-- 2. Nothing written beside a response may be joined back to it by time or storage order.
-- Device tags: no time at all (purged with their campaign), stored in tag order (a keyed hash,
-- so an order unrelated to the responses').
CREATE TABLE device_seen_v2 (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    device_tag TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, device_tag)
) WITHOUT ROWID;
INSERT INTO device_seen_v2 (campaign_id, unit_id, device_tag)
SELECT campaign_id, unit_id, device_tag FROM device_seen;
DROP TABLE device_seen;
ALTER TABLE device_seen_v2 RENAME TO device_seen;

-- Contacts: sealed with a key kept outside the database (XChaCha20-Poly1305), no time, a random
-- 16-byte key as the only order. Contacts left before this migration wait, without their time,
-- in contacts_unsealed until the server seals them at its next start.
CREATE TABLE contacts_unsealed (
    campaign_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    contact TEXT NOT NULL
);
INSERT INTO contacts_unsealed (campaign_id, unit_id, contact)
SELECT campaign_id, unit_id, contact FROM contacts ORDER BY contact;
DROP INDEX contacts_by_time;
DROP TABLE contacts;
CREATE TABLE contacts (
    id BLOB PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    sealed BLOB NOT NULL
) WITHOUT ROWID;

-- Case codes: a redemption is a nullifier (a keyed hash of the code, the key outside the
-- database) in a table of its own, with no time; the code's row is no longer touched, so a
-- printed code cannot be followed to the response it admitted. Codes redeemed before keep
-- redeemed_at, set to 0: used, at no recorded time.
CREATE TABLE case_code_uses (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    nullifier TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (campaign_id, nullifier)
) WITHOUT ROWID;
UPDATE case_codes SET redeemed_at = 0 WHERE redeemed_at IS NOT NULL;
