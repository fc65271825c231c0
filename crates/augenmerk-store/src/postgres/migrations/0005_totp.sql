-- The second factor of local staff accounts (TOTP, RFC 6238; issue 24; SQLite's 0011_totp).
CREATE TABLE user_totp (
    user_id    text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- base32. Not hashed: checking a code needs the secret itself.
    secret     text NOT NULL,
    enabled_at text,     -- NULL: set up but not yet confirmed with a code
    last_step  bigint    -- the 30-second step of the last accepted code: a code counts once
);

CREATE TABLE recovery_codes (
    user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash text NOT NULL,  -- SHA-256 of the normalised code; deleted when used
    PRIMARY KEY (user_id, code_hash)
);

-- A session of an account that must set up its second factor first and may do nothing else.
ALTER TABLE sessions ADD COLUMN enrol_only boolean NOT NULL DEFAULT false;

-- Wrong codes per account, counted from the sign-in log for the attempt limit.
CREATE INDEX login_log_by_user ON login_log (user_id, at);
