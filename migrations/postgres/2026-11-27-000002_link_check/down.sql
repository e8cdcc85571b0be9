ALTER TABLE responses DROP COLUMN link_check;
