DROP TRIGGER reports_append_only_delete;
DROP TRIGGER reports_append_only_update;
DROP TABLE reports;
