-- E-mail alerts of the public map (issue 20): a citizen hears of new reports or status
-- changes in an area. Unconfirmed rows are deleted after a week, every row on
-- unsubscribe or an erasure by address.
CREATE TABLE alert_subscriptions (
    id             TEXT PRIMARY KEY,
    token          TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,          -- lower case
    language       TEXT NOT NULL,
    ags            TEXT,                   -- NULL: every municipality on the server
    area           TEXT NOT NULL,          -- JSON, augenmerk_domain::alerts::AlertArea
    new_reports    INTEGER NOT NULL,
    status_changes INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    confirmed_at   TEXT
) STRICT;
CREATE INDEX alert_subscriptions_by_email ON alert_subscriptions (email);
CREATE INDEX alert_subscriptions_by_confirmation ON alert_subscriptions (confirmed_at, created_at);
