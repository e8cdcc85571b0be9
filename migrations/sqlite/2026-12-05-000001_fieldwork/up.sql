-- Fieldwork on a probability sample (issue #13): a frame of case parties, the draw, the cases
-- an interviewer works, every attempt at them, SMS invitations.
--
-- Who was sampled and who answered must stay unknown to whoever holds this database (the body
-- being assessed, which also holds the case register the frame comes from). So nothing here
-- stores a frame row's identity in the clear: a frame row, a sampled case's frame id and
-- variables, its phone number and name, an attempt's note are sealed with a key kept in the
-- server's key file (XChaCha20-Poly1305), rows a join could order are keyed by random values
-- (WITHOUT ROWID), and the draw's seed is sealed too (with it and the frame, the draw could be
-- repeated). What stays in the clear is what the rates need: strata, counts, dispositions.

-- The `interviewer` role (calls sampled cases; sees nothing else). SQLite cannot change a
-- CHECK constraint: the table is rebuilt, its ids kept; sessions' references are checked at
-- commit, when `users` exists again.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE users_with_interviewers (
    id INTEGER PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'evaluator', 'viewer', 'interviewer')),
    created_at BIGINT NOT NULL
);
INSERT INTO users_with_interviewers (id, username, password_hash, role, created_at)
SELECT id, username, password_hash, role, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_with_interviewers RENAME TO users;

-- How each response was collected: `web` (a QR code or shared link), `sms` (the one-time link
-- of an SMS invitation), `phone` (an interviewer, CATI), `face` (an interviewer, CAPI); the
-- stratum of a sampled case, and the interviewer who keyed it. All three are in the response's
-- log leaf (minyi-leaf/2 when any differs from web / empty / empty).
ALTER TABLE responses ADD COLUMN mode TEXT NOT NULL DEFAULT 'web';
ALTER TABLE responses ADD COLUMN stratum TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN interviewer TEXT NOT NULL DEFAULT '';

-- A case code made for a sampled case (the SMS link) carries its stratum to the response.
ALTER TABLE case_codes ADD COLUMN stratum TEXT NOT NULL DEFAULT '';

CREATE TABLE frames (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    -- JSON array of the frame variables' names (the mapped columns besides id, unit, phone, name)
    variables TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE INDEX frames_by_campaign ON frames (campaign_id);

-- One row per frame row, in an order unrelated to the file's: the key is random, the content
-- (frame id, unit, variables, phone, name) sealed. Deleted by `purge`.
CREATE TABLE frame_rows (
    frame_id INTEGER NOT NULL REFERENCES frames (id),
    row_key BLOB NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (frame_id, row_key)
) WITHOUT ROWID;

-- The draw: one per campaign. `strata_by` is the JSON array of the frame variables that
-- stratify within each unit; the seed is sealed.
CREATE TABLE draws (
    id INTEGER PRIMARY KEY NOT NULL,
    campaign_id INTEGER NOT NULL UNIQUE REFERENCES campaigns (id),
    frame_id INTEGER NOT NULL REFERENCES frames (id),
    method TEXT NOT NULL,
    strata_by TEXT NOT NULL,
    expected_rate DOUBLE PRECISION NOT NULL,
    reserve DOUBLE PRECISION NOT NULL,
    seed_sealed BLOB NOT NULL,
    drawn_at BIGINT NOT NULL,
    drawn_by TEXT NOT NULL
);

CREATE TABLE draw_strata (
    draw_id INTEGER NOT NULL REFERENCES draws (id),
    stratum TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    n_frame INTEGER NOT NULL,
    target INTEGER NOT NULL,
    n_selected INTEGER NOT NULL,
    PRIMARY KEY (draw_id, stratum)
);

-- Replicates: the cases of a stratum are released in draw order, a replicate at a time (the
-- first at the draw, more as top-ups). A released case's inclusion probability is the
-- stratum's released count over its frame count.
CREATE TABLE releases (
    draw_id INTEGER NOT NULL REFERENCES draws (id),
    stratum TEXT NOT NULL,
    replicate INTEGER NOT NULL,
    released_to INTEGER NOT NULL,
    released_at BIGINT NOT NULL,
    released_by TEXT NOT NULL,
    PRIMARY KEY (draw_id, stratum, replicate)
);

-- The selected cases, in draw order within each stratum (`seq`). `case_ref` is random: the
-- console's name for a case. `sealed` holds the frame id and variables.
CREATE TABLE sample_cases (
    id INTEGER PRIMARY KEY NOT NULL,
    draw_id INTEGER NOT NULL REFERENCES draws (id),
    case_ref TEXT NOT NULL UNIQUE,
    stratum TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    seq INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX sample_cases_by_draw ON sample_cases (draw_id, stratum, seq);

-- A case's phone number and name, sealed; deleted by `purge` with the retention period.
CREATE TABLE case_contacts (
    case_id INTEGER PRIMARY KEY NOT NULL REFERENCES sample_cases (id),
    sealed BLOB NOT NULL
);

-- Every attempt at a case: when, how, by whom, its AAPOR outcome code, a callback appointment,
-- a sealed note. Append-only.
CREATE TABLE case_attempts (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES sample_cases (id),
    attempted_at BIGINT NOT NULL,
    mode TEXT NOT NULL,
    interviewer TEXT NOT NULL,
    code TEXT NOT NULL,
    appointment_at BIGINT,
    note_sealed BLOB
);
CREATE INDEX case_attempts_by_case ON case_attempts (case_id);

-- Which interviewer is working a case now (so two never dial the same party); expires.
CREATE TABLE case_holds (
    case_id INTEGER PRIMARY KEY NOT NULL REFERENCES sample_cases (id),
    interviewer TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);

-- Each campaign's fieldwork settings: call windows, attempts, the SMS text and reminders,
-- responsive ordering.
CREATE TABLE fieldwork_settings (
    campaign_id INTEGER PRIMARY KEY NOT NULL REFERENCES campaigns (id),
    call_windows TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    min_gap_minutes INTEGER NOT NULL,
    responsive BOOLEAN NOT NULL,
    sms_text TEXT NOT NULL,
    reminder_after_days INTEGER NOT NULL,
    max_reminders INTEGER NOT NULL,
    verify_share DOUBLE PRECISION NOT NULL,
    verify_min INTEGER NOT NULL
);

-- SMS sent (or put in the outbox) per case: the invitation is number 0, reminders 1, 2, …
-- The text is not stored: it is rebuilt from the campaign's text and the case's link.
CREATE TABLE sms_sends (
    case_id INTEGER NOT NULL REFERENCES sample_cases (id),
    number INTEGER NOT NULL,
    channel TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (case_id, number)
);

-- Verification callbacks (回访复核): a share of each interviewer's completes, re-asked by another.
CREATE TABLE verifications (
    case_id INTEGER PRIMARY KEY NOT NULL REFERENCES sample_cases (id),
    interviewer TEXT NOT NULL,
    picked_at BIGINT NOT NULL,
    checked_by TEXT,
    checked_at BIGINT,
    items INTEGER,
    mismatches INTEGER,
    reached BOOLEAN
);

-- The three key items a verification re-asks: their answers at the interview, sealed (the
-- callback compares; nobody else reads them).
CREATE TABLE verification_answers (
    case_id INTEGER PRIMARY KEY NOT NULL REFERENCES sample_cases (id),
    sealed BLOB NOT NULL
);

-- Quarantined interviewers: their completes are flagged (each an event of the log) and kept.
CREATE TABLE quarantines (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    interviewer TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    PRIMARY KEY (campaign_id, interviewer)
);

CREATE TRIGGER sample_cases_append_only BEFORE UPDATE ON sample_cases
BEGIN SELECT RAISE(ABORT, 'sample_cases is append-only'); END;
CREATE TRIGGER sample_cases_no_delete BEFORE DELETE ON sample_cases
BEGIN SELECT RAISE(ABORT, 'sample_cases is append-only'); END;
CREATE TRIGGER case_attempts_append_only BEFORE UPDATE ON case_attempts
BEGIN SELECT RAISE(ABORT, 'case_attempts is append-only'); END;
CREATE TRIGGER case_attempts_no_delete BEFORE DELETE ON case_attempts
BEGIN SELECT RAISE(ABORT, 'case_attempts is append-only'); END;
CREATE TRIGGER releases_append_only BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'releases is append-only'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'releases is append-only'); END;
