-- Responses and their answers are append-only: what a citizen sent is never edited or removed
-- through the database, whoever holds it.
CREATE TRIGGER responses_append_only_update BEFORE UPDATE ON responses
BEGIN
    SELECT RAISE(ABORT, 'responses are append-only');
END;
CREATE TRIGGER responses_append_only_delete BEFORE DELETE ON responses
BEGIN
    SELECT RAISE(ABORT, 'responses are append-only');
END;
CREATE TRIGGER answers_append_only_update BEFORE UPDATE ON answers
BEGIN
    SELECT RAISE(ABORT, 'answers are append-only');
END;
CREATE TRIGGER answers_append_only_delete BEFORE DELETE ON answers
BEGIN
    SELECT RAISE(ABORT, 'answers are append-only');
END;
