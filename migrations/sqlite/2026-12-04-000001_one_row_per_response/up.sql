-- One row per response (issue #12). A response's answers move into its own row, in the
-- canonical encoding its leaf in the integrity log commits to (fields 14… of minyi-leaf/1: the
-- answer count, then item id and value per answer, each a 4-byte big-endian length and its
-- bytes, sorted by item id): one insert per response instead of one per answer.
ALTER TABLE responses ADD COLUMN answers BLOB NOT NULL DEFAULT X'';

DROP TRIGGER responses_append_only_update;
UPDATE responses SET answers = CAST(
    unhex(printf('%08X', length(CAST(CAST(
        (SELECT COUNT(*) FROM answers a WHERE a.response_id = responses.id) AS TEXT) AS BLOB))))
    || CAST(CAST((SELECT COUNT(*) FROM answers a WHERE a.response_id = responses.id) AS TEXT) AS BLOB)
    || COALESCE((
        SELECT group_concat(
            unhex(printf('%08X', length(CAST(a.item_id AS BLOB)))) || CAST(a.item_id AS BLOB)
            || unhex(printf('%08X', length(CAST(a.value AS BLOB)))) || CAST(a.value AS BLOB),
            X'' ORDER BY CAST(a.item_id AS BLOB))
        FROM answers a WHERE a.response_id = responses.id), X'')
    AS BLOB);
CREATE TRIGGER responses_append_only_update BEFORE UPDATE ON responses
BEGIN
    SELECT RAISE(ABORT, 'responses are append-only');
END;

DROP TRIGGER answers_append_only_update;
DROP TRIGGER answers_append_only_delete;
DROP TABLE answers;

-- Quota counts and the per-unit count now come from response_counts.
DROP INDEX responses_by_campaign_unit;

-- Counts kept as responses arrive (the writer adds each batch's counts in its transaction), so
-- the progress page and the quota check never count a campaign's rows. A day is counted in
-- China Standard Time (days since 1970-01-01, UTC+8). Derived data: the integrity log, not this
-- table, is the evidence.
CREATE TABLE response_counts (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    respondent_type TEXT NOT NULL,
    day BIGINT NOT NULL,
    link_check TEXT NOT NULL,
    over_quota BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, respondent_type, day, link_check, over_quota)
) WITHOUT ROWID;
INSERT INTO response_counts
    (campaign_id, unit_id, respondent_type, day, link_check, over_quota, n)
SELECT campaign_id, unit_id, COALESCE(respondent_type, ''), (submitted_at + 28800000) / 86400000,
       link_check, over_quota, COUNT(*)
  FROM responses
 GROUP BY campaign_id, unit_id, COALESCE(respondent_type, ''),
          (submitted_at + 28800000) / 86400000, link_check, over_quota;

-- Flagged responses per unit, day (China Standard Time, the response's submission) and flag,
-- kept as flags are stored (at submission and afterwards), so the quality panel never counts
-- a campaign's flags either. Derived data, like response_counts.
CREATE TABLE flag_counts (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    day BIGINT NOT NULL,
    flag TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, day, flag)
) WITHOUT ROWID;
INSERT INTO flag_counts (campaign_id, unit_id, day, flag, n)
SELECT r.campaign_id, r.unit_id, (r.submitted_at + 28800000) / 86400000, f.flag, COUNT(*)
  FROM responses r JOIN response_flags f ON f.response_id = r.id
 GROUP BY r.campaign_id, r.unit_id, (r.submitted_at + 28800000) / 86400000, f.flag;
