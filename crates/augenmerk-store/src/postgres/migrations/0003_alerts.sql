-- E-mail alerts of the public map (issue 20; SQLite's 0009_alerts). Unconfirmed rows
-- are deleted after a week, every row on unsubscribe or an erasure by address.
CREATE TABLE alert_subscriptions (
    id             text PRIMARY KEY,
    token          text NOT NULL UNIQUE,
    email          text NOT NULL,          -- lower case
    language       text NOT NULL,
    ags            text,                   -- NULL: every municipality on the server
    area           text NOT NULL,          -- JSON, augenmerk_domain::alerts::AlertArea
    new_reports    boolean NOT NULL,
    status_changes boolean NOT NULL,
    created_at     text NOT NULL,
    confirmed_at   text
);
CREATE INDEX alert_subscriptions_by_email ON alert_subscriptions (email);
CREATE INDEX alert_subscriptions_by_confirmation ON alert_subscriptions (confirmed_at, created_at);
