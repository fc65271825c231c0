-- Mail and forwarding (issue 16).
--
-- `jobs` is the transactional outbox: a mail or a forwarding is queued in the same
-- transaction as the change that causes it, and a background worker delivers it. A job
-- is claimed by setting `locked_until` (a lease); a worker that dies loses its lease and
-- the job is claimed again. `dedupe_key` makes queuing idempotent (a retried request, a
-- digest run twice). See docs/mail.md.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,             -- mail | open311_forward
    ags          TEXT NOT NULL,
    report_id    TEXT,
    dedupe_key   TEXT NOT NULL UNIQUE,
    tag          TEXT,                      -- the mail's kind (receipt, routed, …)
    recipient    TEXT,                      -- lower-cased address, or the endpoint
    payload      TEXT NOT NULL,             -- JSON
    created_at   TEXT NOT NULL,
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    state        TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed | suppressed
    last_error   TEXT,
    done_at      TEXT
) STRICT;
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_report ON jobs (report_id);
CREATE INDEX jobs_by_recipient ON jobs (recipient, done_at);

-- A citizen's mail updates for one report: the capability link (by its hash), whether
-- the address was confirmed through it, and whether the citizen unsubscribed.
CREATE TABLE report_subscriptions (
    report_id       TEXT PRIMARY KEY REFERENCES reports (id),
    ags             TEXT NOT NULL,
    email           TEXT NOT NULL,
    language        TEXT NOT NULL,
    token           TEXT NOT NULL UNIQUE, -- the status link's secret: every later mail repeats the link
    created_at      TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT
) STRICT;

-- Periodic work (the daily digest): when each runs next.
CREATE TABLE schedules (
    name     TEXT PRIMARY KEY,
    next_run TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Reports forwarded to an authority's Open311 endpoint and what it answered.
CREATE TABLE external_requests (
    report_id          TEXT PRIMARY KEY REFERENCES reports (id),
    ags                TEXT NOT NULL,
    authority          TEXT NOT NULL,
    service_request_id TEXT NOT NULL,
    forwarded_at       TEXT NOT NULL,
    last_status        TEXT,
    last_update_at     TEXT,
    polled_at          TEXT
) STRICT;
CREATE INDEX external_by_authority ON external_requests (ags, authority);

-- Staff notifications.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN mail_prefs TEXT NOT NULL DEFAULT '{}';
