DROP TABLE case_code_uses;
DROP TABLE contacts;
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    contact TEXT NOT NULL,
    consented_at BIGINT NOT NULL
);
INSERT INTO contacts (campaign_id, unit_id, contact, consented_at)
SELECT campaign_id, unit_id, contact, 0 FROM contacts_unsealed;
CREATE INDEX contacts_by_time ON contacts (consented_at);
DROP TABLE contacts_unsealed;
CREATE TABLE device_seen_v1 (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    device_tag TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, device_tag)
);
INSERT INTO device_seen_v1 SELECT campaign_id, unit_id, device_tag, 0 FROM device_seen;
DROP TABLE device_seen;
ALTER TABLE device_seen_v1 RENAME TO device_seen;
DROP TRIGGER response_flags_append_only_update;
DROP TRIGGER response_flags_append_only_delete;
DROP TRIGGER log_leaves_append_only_update;
DROP TRIGGER log_leaves_append_only_delete;
DROP INDEX log_leaves_one_per_response;
DROP INDEX log_leaves_one_per_flag;
DELETE FROM log_leaves WHERE kind = 'flag';
CREATE TABLE log_leaves_v1 (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    leaf_index BIGINT NOT NULL,
    response_id INTEGER NOT NULL UNIQUE REFERENCES responses (id),
    salt BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    PRIMARY KEY (campaign_id, leaf_index)
);
INSERT INTO log_leaves_v1 SELECT campaign_id, leaf_index, response_id, salt, leaf_hash FROM log_leaves;
DROP TABLE log_leaves;
ALTER TABLE log_leaves_v1 RENAME TO log_leaves;
CREATE TRIGGER log_leaves_append_only_update BEFORE UPDATE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;
CREATE TRIGGER log_leaves_append_only_delete BEFORE DELETE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'log_leaves are append-only');
END;
