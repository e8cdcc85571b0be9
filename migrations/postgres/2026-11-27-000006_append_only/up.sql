-- Responses and their answers are append-only: what a citizen sent is never edited or removed
-- through the database, whoever holds it.
CREATE FUNCTION minyi_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER responses_append_only BEFORE UPDATE OR DELETE ON responses
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER answers_append_only BEFORE UPDATE OR DELETE ON answers
FOR EACH ROW EXECUTE FUNCTION minyi_append_only();
-- TRUNCATE bypasses row triggers; refuse it too.
CREATE TRIGGER responses_no_truncate BEFORE TRUNCATE ON responses
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
CREATE TRIGGER answers_no_truncate BEFORE TRUNCATE ON answers
FOR EACH STATEMENT EXECUTE FUNCTION minyi_append_only();
