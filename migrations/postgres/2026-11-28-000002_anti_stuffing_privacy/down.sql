DROP TABLE contacts;
DROP TABLE device_seen;
ALTER TABLE campaigns DROP COLUMN device_policy;
