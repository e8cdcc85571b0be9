-- Assessment reports published to a campaign: the evaluator's HTML and PDF exactly as the
-- analysis generated them (BLOB, so the served bytes are the published bytes and match their
-- SHA-256), with the verdict they state. Append-only: a newer publication supersedes an older
-- one (the latest is the highest id); nothing is overwritten or removed.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('met', 'not_met', 'inconclusive')),
    sentence_zh TEXT NOT NULL,
    sentence_en TEXT NOT NULL,
    generated_at BIGINT NOT NULL,
    html BLOB NOT NULL,
    html_sha256 TEXT NOT NULL,
    pdf BLOB,
    pdf_sha256 TEXT,
    CHECK ((pdf IS NULL) = (pdf_sha256 IS NULL))
);
CREATE INDEX reports_by_campaign ON reports (campaign_id, id);

CREATE TRIGGER reports_append_only_update BEFORE UPDATE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are append-only');
END;
CREATE TRIGGER reports_append_only_delete BEFORE DELETE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are append-only');
END;
