-- Staff sessions as their owner sees them, and each municipality's sign-in log (issue 24).
ALTER TABLE sessions ADD COLUMN created_at TEXT;  -- NULL for sessions from before
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN address TEXT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_log (
    id       INTEGER PRIMARY KEY,
    ags      TEXT,           -- NULL: the platform's own accounts
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    user_id  TEXT,           -- the account, where the name is one
    outcome  TEXT NOT NULL,  -- augenmerk_domain::sessions::LoginOutcome
    address  TEXT
) STRICT;
CREATE INDEX login_log_by_ags ON login_log (ags, at);
CREATE INDEX login_log_by_time ON login_log (at);
