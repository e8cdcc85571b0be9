DROP TABLE case_code_uses;
DROP TABLE contacts;
CREATE TABLE contacts (
    id SERIAL PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    contact TEXT NOT NULL,
    consented_at BIGINT NOT NULL
);
INSERT INTO contacts (campaign_id, unit_id, contact, consented_at)
SELECT campaign_id, unit_id, contact, 0 FROM contacts_unsealed;
CREATE INDEX contacts_by_time ON contacts (consented_at);
DROP TABLE contacts_unsealed;
ALTER TABLE device_seen ADD COLUMN first_seen_at BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER response_flags_append_only ON response_flags;
DROP TRIGGER response_flags_no_truncate ON response_flags;
DROP INDEX log_leaves_one_per_response;
DROP INDEX log_leaves_one_per_flag;
ALTER TABLE log_leaves DISABLE TRIGGER log_leaves_append_only;
DELETE FROM log_leaves WHERE kind = 'flag';
ALTER TABLE log_leaves ENABLE TRIGGER log_leaves_append_only;
ALTER TABLE log_leaves ADD CONSTRAINT log_leaves_response_id_key UNIQUE (response_id);
ALTER TABLE log_leaves DROP COLUMN event;
ALTER TABLE log_leaves DROP COLUMN kind;
