-- Staff sessions as their owner sees them, and each municipality's sign-in log (issue 24;
-- SQLite's 0010_sessions).
ALTER TABLE sessions ADD COLUMN created_at text;  -- NULL for sessions from before
ALTER TABLE sessions ADD COLUMN user_agent text;
ALTER TABLE sessions ADD COLUMN address text;
-- (sessions_by_user exists since 0001 here.)

CREATE TABLE login_log (
    id       bigserial PRIMARY KEY,
    ags      text,           -- NULL: the platform's own accounts
    at       text NOT NULL,
    username text NOT NULL,
    user_id  text,           -- the account, where the name is one
    outcome  text NOT NULL,  -- augenmerk_domain::sessions::LoginOutcome
    address  text
);
CREATE INDEX login_log_by_ags ON login_log (ags, at);
CREATE INDEX login_log_by_time ON login_log (at);
