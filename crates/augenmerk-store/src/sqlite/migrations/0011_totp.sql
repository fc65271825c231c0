-- The second factor of local staff accounts (TOTP, RFC 6238; issue 24).
CREATE TABLE user_totp (
    user_id    TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- base32. Not hashed: checking a code needs the secret itself.
    secret     TEXT NOT NULL,
    enabled_at TEXT,     -- NULL: set up but not yet confirmed with a code
    last_step  INTEGER   -- the 30-second step of the last accepted code: a code counts once
) STRICT;

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,  -- SHA-256 of the normalised code; deleted when used
    PRIMARY KEY (user_id, code_hash)
) STRICT;

-- 1: a session of an account that must set up its second factor first and may do nothing else.
ALTER TABLE sessions ADD COLUMN enrol_only INTEGER NOT NULL DEFAULT 0;

-- Wrong codes per account, counted from the sign-in log for the attempt limit.
CREATE INDEX login_log_by_user ON login_log (user_id, at);
