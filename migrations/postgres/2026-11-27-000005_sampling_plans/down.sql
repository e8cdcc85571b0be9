ALTER TABLE responses DROP COLUMN over_quota;
DROP TABLE strata;
DROP TABLE sampling_plans;
