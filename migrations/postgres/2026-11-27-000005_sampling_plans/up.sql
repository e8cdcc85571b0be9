-- A wave's sampling plan: the precision asked for, how the sample is spread over the strata
-- (the rated units), and what happens past a stratum's quota.
CREATE TABLE sampling_plans (
    campaign_id INTEGER PRIMARY KEY NOT NULL REFERENCES campaigns (id),
    confidence DOUBLE PRECISION NOT NULL,
    margin DOUBLE PRECISION NOT NULL,
    allocation TEXT NOT NULL CHECK (allocation IN ('proportional', 'equal', 'neyman')),
    min_per_unit INTEGER NOT NULL,
    quota_policy TEXT NOT NULL CHECK (quota_policy IN ('accept_and_mark', 'close_stratum')),
    -- Strata are units, or units × respondent type when this is set.
    by_respondent_type BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE strata (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    -- '' for the whole unit; else the respondent type code of a unit × type stratum.
    respondent_type TEXT NOT NULL DEFAULT '',
    population BIGINT NOT NULL,
    sd DOUBLE PRECISION,
    target INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, respondent_type)
);

-- Past its stratum's quota, under the policy 'accept_and_mark'.
ALTER TABLE responses ADD COLUMN over_quota BOOLEAN NOT NULL DEFAULT FALSE;
