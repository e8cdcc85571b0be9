DROP TRIGGER reports_no_truncate ON reports;
DROP TRIGGER reports_append_only ON reports;
DROP TABLE reports;
