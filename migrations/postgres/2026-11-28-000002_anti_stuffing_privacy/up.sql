-- What a second response from one device (signed cookie) to one unit of a campaign does:
-- 'flag' keeps it, marked; 'reject' refuses it with a clear page.
ALTER TABLE campaigns ADD COLUMN device_policy TEXT NOT NULL DEFAULT 'flag'
    CHECK (device_policy IN ('flag', 'reject'));

-- Devices seen per campaign and unit: a keyed hash of the device cookie (not the cookie, not
-- an address), with no link to any response. Purged with the retention setting.
CREATE TABLE device_seen (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    device_tag TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, device_tag)
);

-- Contact details a respondent chose to leave (explicit consent, an unticked box), kept
-- apart from the responses: no response id, never exported with them.
CREATE TABLE contacts (
    id SERIAL PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    contact TEXT NOT NULL,
    consented_at BIGINT NOT NULL
);
CREATE INDEX contacts_by_time ON contacts (consented_at);
