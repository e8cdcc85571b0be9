DROP TABLE case_codes;
