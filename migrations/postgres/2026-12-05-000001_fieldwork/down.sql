-- The users' role check keeps 'interviewer' (an account of that role may exist).
DROP TABLE quarantines;
DROP TABLE verification_answers;
DROP TABLE verifications;
DROP TABLE sms_sends;
DROP TABLE fieldwork_settings;
DROP TABLE case_holds;
DROP TABLE case_attempts;
DROP TABLE case_contacts;
DROP TABLE sample_cases;
DROP TABLE releases;
DROP TABLE draw_strata;
DROP TABLE draws;
DROP TABLE frame_rows;
DROP TABLE frames;
ALTER TABLE case_codes DROP COLUMN stratum;
ALTER TABLE responses DROP COLUMN interviewer;
ALTER TABLE responses DROP COLUMN stratum;
ALTER TABLE responses DROP COLUMN mode;
