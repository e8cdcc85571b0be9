-- One-time case codes (当事人回访): handed to the party of an enforcement case afterwards.
-- Only a SHA-256 of each code is stored; a code leads to a unit, never to a person, and the
-- response it admits does not record it.
CREATE TABLE case_codes (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    code_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    redeemed_at BIGINT
);
CREATE INDEX case_codes_by_campaign_unit ON case_codes (campaign_id, unit_id);
