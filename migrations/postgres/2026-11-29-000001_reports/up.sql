-- Assessment reports published to a campaign: the evaluator's HTML and PDF exactly as the
-- analysis generated them (BYTEA, so the served bytes are the published bytes and match their
-- SHA-256), with the verdict they state. Append-only: a newer publication supersedes an older
-- one (the latest is the highest id); nothing is overwritten or removed.
CREATE TABLE reports (
    id SERIAL PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('met', 'not_met', 'inconclusive')),
    sentence_zh TEXT NOT NULL,
    sentence_en TEXT NOT NULL,
    generated_at BIGINT NOT NULL,
    html BYTEA NOT NULL,
    html_sha256 TEXT NOT NULL,
    pdf BYTEA,
    pdf_sha256 TEXT,
    CHECK ((pdf IS NULL) = (pdf_sha256 IS NULL))
);
CREATE INDEX reports_by_campaign ON reports (campaign_id, id);

-- minyi_append_only() is the responses' trigger function (2026-11-27-000006_append_only).
CREATE TRIGGER reports_append_only BEFORE UPDATE OR DELETE ON reports
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
-- TRUNCATE bypasses row triggers; refuse it too.
CREATE TRIGGER reports_no_truncate BEFORE TRUNCATE ON reports
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
