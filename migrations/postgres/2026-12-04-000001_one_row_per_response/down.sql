-- Not reversible: the answers of a response are no longer kept one row per item, and SQL alone
-- cannot split the encoding back. Restore a backup taken before the upgrade instead.
DO $$ BEGIN
    RAISE EXCEPTION 'the one-row-per-response migration cannot be reverted: restore a backup taken before it';
END $$;
