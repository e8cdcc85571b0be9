-- 1. The log holds events as well as responses: a flag is a leaf of its own (kind 'flag',
--    event = the flag's name), so deleting or adding a flag is as visible as a response.
ALTER TABLE log_leaves ADD COLUMN kind TEXT NOT NULL DEFAULT 'response'
    CHECK (kind IN ('response', 'flag'));
ALTER TABLE log_leaves ADD COLUMN event TEXT NOT NULL DEFAULT '';
ALTER TABLE log_leaves DROP CONSTRAINT log_leaves_response_id_key;
CREATE UNIQUE INDEX log_leaves_one_per_response ON log_leaves (response_id) WHERE kind = 'response';
CREATE UNIQUE INDEX log_leaves_one_per_flag ON log_leaves (response_id, event) WHERE kind = 'flag';

-- Flags are events: never updated or deleted through the database.
CREATE TRIGGER response_flags_append_only BEFORE UPDATE OR DELETE ON response_flags
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER response_flags_no_truncate BEFORE TRUNCATE ON response_flags
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();

-- 2. Nothing written beside a response may be joined back to it by time. (Storage order and
--    the writing transaction's id are visible on PostgreSQL whatever the schema: what is
--    written there is unreadable or meaningless without keys kept outside the database —
--    SECURITY.md.)
ALTER TABLE device_seen DROP COLUMN first_seen_at;

CREATE TABLE contacts_unsealed (
    campaign_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    contact TEXT NOT NULL
);
INSERT INTO contacts_unsealed (campaign_id, unit_id, contact)
SELECT campaign_id, unit_id, contact FROM contacts ORDER BY contact;
DROP TABLE contacts;
CREATE TABLE contacts (
    id BYTEA PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    sealed BYTEA NOT NULL
);

CREATE TABLE case_code_uses (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    nullifier TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (campaign_id, nullifier)
);
UPDATE case_codes SET redeemed_at = 0 WHERE redeemed_at IS NOT NULL;
