DROP TRIGGER answers_no_truncate ON answers;
DROP TRIGGER responses_no_truncate ON responses;
DROP TRIGGER answers_append_only ON answers;
DROP TRIGGER responses_append_only ON responses;
DROP FUNCTION minyi_append_only();
