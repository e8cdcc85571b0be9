-- The collection schema: questionnaires, units, campaigns and their sites, responses, answers.
-- Timestamps are milliseconds since the Unix epoch (UTC), BIGINT on both backends.

CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE questionnaire_versions (
    id INTEGER PRIMARY KEY NOT NULL,
    questionnaire_id TEXT NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (questionnaire_id, version)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('township', 'department'))
);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    wave TEXT NOT NULL,
    questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_at BIGINT NOT NULL
);

CREATE TABLE campaign_units (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (campaign_id, unit_id)
);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    UNIQUE (campaign_id, code)
);

CREATE TABLE responses (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    site_id INTEGER REFERENCES sites (id),
    questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    respondent_type TEXT,
    lang TEXT NOT NULL,
    form_issued_at BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX responses_by_campaign_unit ON responses (campaign_id, unit_id);

CREATE TABLE answers (
    response_id INTEGER NOT NULL REFERENCES responses (id),
    item_id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, item_id)
);

-- A questionnaire version is frozen once any response references it.
CREATE TRIGGER questionnaire_versions_frozen_update
BEFORE UPDATE ON questionnaire_versions
WHEN EXISTS (SELECT 1 FROM responses WHERE questionnaire_version_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'questionnaire version is frozen: responses reference it');
END;

CREATE TRIGGER questionnaire_versions_frozen_delete
BEFORE DELETE ON questionnaire_versions
WHEN EXISTS (SELECT 1 FROM responses WHERE questionnaire_version_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'questionnaire version is frozen: responses reference it');
END;

-- Nor may a campaign switch questionnaires under its responses.
CREATE TRIGGER campaigns_questionnaire_frozen
BEFORE UPDATE OF questionnaire_version_id ON campaigns
WHEN NEW.questionnaire_version_id <> OLD.questionnaire_version_id
 AND EXISTS (SELECT 1 FROM responses WHERE campaign_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'campaign questionnaire is frozen: responses reference it');
END;
