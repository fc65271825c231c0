-- The PostgreSQL schema: the same tables, columns and meanings as SQLite's migrations
-- 0001–0007 taken together (see ../sqlite/migrations), so that `migrate-store` copies
-- row by row and both backends answer every `Store` call alike.
--
-- Types: ids, enums (wire names) and JSON are text, as in SQLite; timestamps are text
-- in the store's fixed-width RFC 3339 format with nine fractional digits (codec::ts),
-- because `updated_at` is the optimistic-concurrency token and must round-trip to the
-- nanosecond (timestamptz keeps microseconds) and text of one width orders as the
-- instants do. Durations for the statistics are precomputed in seconds.

CREATE TABLE boundaries (
    ags            text PRIMARY KEY,
    name           text NOT NULL,
    geometry       text NOT NULL, -- GeoJSON Polygon or MultiPolygon, as imported
    administration text           -- nine digits; NULL: the Gemeinde alone
);

CREATE TABLE municipalities (
    ags            text PRIMARY KEY,
    name           text NOT NULL,
    categories     text NOT NULL, -- JSON CategoryTree
    settings       text NOT NULL, -- JSON MunicipalitySettings
    config_version bigint NOT NULL
);

CREATE TABLE departments (
    ags   text NOT NULL REFERENCES municipalities (ags),
    id    text NOT NULL,
    name  text NOT NULL,
    email text,
    PRIMARY KEY (ags, id)
);

CREATE TABLE areas (
    ags      text NOT NULL REFERENCES municipalities (ags),
    id       text NOT NULL,
    name     text NOT NULL,
    geometry text NOT NULL,
    PRIMARY KEY (ags, id)
);

CREATE TABLE rules (
    ags   text PRIMARY KEY REFERENCES municipalities (ags),
    rules text NOT NULL -- JSON array of Rule
);

CREATE TABLE users (
    id            text PRIMARY KEY,
    ags           text REFERENCES municipalities (ags), -- NULL: a platform admin
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    department    text,
    active        boolean NOT NULL,
    password_hash text NOT NULL,
    email         text,
    mail_prefs    text NOT NULL DEFAULT '{}',
    CHECK ((ags IS NULL) = (role = 'platform_admin'))
);
CREATE UNIQUE INDEX users_login ON users (coalesce(ags, ''), username);
CREATE INDEX users_by_municipality ON users (ags);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at text NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE devices (
    id           text PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    platform     text,
    app_version  text,
    created_at   text NOT NULL,
    last_seen_at text NOT NULL DEFAULT ''
);
CREATE INDEX devices_by_last_seen ON devices (last_seen_at);

CREATE TABLE blobs (
    hash         text PRIMARY KEY, -- SHA-256, lowercase hex
    size         bigint NOT NULL,
    content_type text NOT NULL,
    width        bigint NOT NULL,
    height       bigint NOT NULL,
    created_at   text NOT NULL
);
CREATE INDEX blobs_by_age ON blobs (created_at);

CREATE TABLE reports (
    id                  text PRIMARY KEY, -- chosen by the client: retries are idempotent
    ags                 text NOT NULL REFERENCES municipalities (ags),
    device_id           text REFERENCES devices (id),
    category            text NOT NULL,
    answers             text NOT NULL,
    description         text NOT NULL,
    lat                 double precision NOT NULL,
    lon                 double precision NOT NULL,
    address_hint        text,
    photos              text NOT NULL,
    contact_email       text,
    consent             boolean NOT NULL,
    status              text NOT NULL,
    priority            text NOT NULL,
    due_at              text,
    department          text,
    assignee            text,
    forwarded_to        text,
    duplicate_of        text,
    routed_by           text,
    channel             text NOT NULL,
    created_at          text NOT NULL,
    received_at         text NOT NULL,
    updated_at          text NOT NULL,
    first_response_secs double precision,
    resolution_secs     double precision,
    gemeinde            text NOT NULL DEFAULT '',
    closed_at           text,
    contact_erased_at   text,
    content_erased_at   text,
    consent_version     bigint
);
CREATE INDEX reports_by_status ON reports (ags, status, received_at);
-- The inbox's count with status and category filters is an index-only scan here (at
-- 1,000,000 reports: 0.8 ms instead of 60–95 ms through reports_for_statistics).
CREATE INDEX reports_by_status_category ON reports (ags, status, category);
CREATE INDEX reports_by_received ON reports (ags, received_at);
CREATE INDEX reports_by_updated ON reports (ags, updated_at);
CREATE INDEX reports_by_department ON reports (ags, department);
CREATE INDEX reports_by_assignee ON reports (ags, assignee);
CREATE INDEX reports_by_position ON reports (ags, lat, lon);
CREATE INDEX reports_by_device ON reports (device_id);
CREATE INDEX reports_by_gemeinde ON reports (ags, gemeinde, received_at);
CREATE INDEX reports_by_closing ON reports (ags, closed_at);
CREATE INDEX reports_by_contact ON reports (lower(contact_email)) WHERE contact_email IS NOT NULL;
CREATE INDEX reports_for_statistics ON reports
    (ags, received_at, status, category, department, due_at, first_response_secs, resolution_secs, gemeinde);

CREATE TABLE report_photos (
    hash      text NOT NULL,
    report_id text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    PRIMARY KEY (hash, report_id)
);
CREATE INDEX report_photos_by_report ON report_photos (report_id);

CREATE TABLE audit (
    seq            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    report_id      text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at             text NOT NULL,
    actor          text NOT NULL, -- JSON Actor
    action         text NOT NULL, -- JSON AuditAction
    public_comment text
);
CREATE INDEX audit_by_report ON audit (report_id, seq);

-- `seq` orders messages and notes of the same instant as they were written (SQLite's rowid).
CREATE TABLE messages (
    seq               bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    id                text PRIMARY KEY,
    report_id         text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author            text NOT NULL,
    staff_author      text,
    staff_author_name text,
    body              text NOT NULL,
    created_at        text NOT NULL
);
CREATE INDEX messages_by_report ON messages (report_id, created_at);

CREATE TABLE notes (
    seq         bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    id          text PRIMARY KEY,
    report_id   text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author      text NOT NULL,
    author_name text NOT NULL,
    body        text NOT NULL,
    created_at  text NOT NULL
);
CREATE INDEX notes_by_report ON notes (report_id, created_at);

CREATE TABLE events (
    seq       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    report_id text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    device_id text,
    kind      text NOT NULL CHECK (kind IN ('status', 'message')),
    payload   text NOT NULL, -- JSON PublicStatusChange or PublicMessage
    at        text NOT NULL
);
CREATE INDEX events_by_device ON events (device_id, seq);
CREATE INDEX events_by_report ON events (report_id, kind, seq);
CREATE INDEX events_by_time ON events (at);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    ags         text NOT NULL REFERENCES municipalities (ags),
    name        text NOT NULL,
    key_hash    text NOT NULL UNIQUE,
    media_hosts text NOT NULL DEFAULT '[]',
    created_at  text NOT NULL,
    revoked_at  text
);
CREATE INDEX api_keys_by_ags ON api_keys (ags);

CREATE TABLE blob_uploads (
    hash        text NOT NULL,
    device_id   text NOT NULL REFERENCES devices (id),
    size        bigint NOT NULL DEFAULT 0,
    uploaded_at text NOT NULL DEFAULT '',
    PRIMARY KEY (hash, device_id)
);
CREATE INDEX blob_uploads_by_device ON blob_uploads (device_id, uploaded_at);

CREATE TABLE blob_staff_uploads (
    hash        text NOT NULL,
    ags         text NOT NULL, -- also the platform admins' placeholder
    uploaded_at text NOT NULL,
    PRIMARY KEY (hash, ags)
);

CREATE TABLE followers (
    device_id  text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    report_id  text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    created_at text NOT NULL,
    PRIMARY KEY (device_id, report_id)
);
CREATE INDEX followers_by_report ON followers (report_id);

CREATE TABLE jobs (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    ags          text NOT NULL,
    report_id    text,
    dedupe_key   text NOT NULL UNIQUE,
    tag          text,
    recipient    text,
    payload      text NOT NULL,
    created_at   text NOT NULL,
    run_at       text NOT NULL,
    attempts     bigint NOT NULL DEFAULT 0,
    locked_until text,
    state        text NOT NULL DEFAULT 'pending',
    last_error   text,
    done_at      text
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_report ON jobs (report_id);
CREATE INDEX jobs_by_recipient ON jobs (recipient, done_at);

CREATE TABLE report_subscriptions (
    report_id       text PRIMARY KEY REFERENCES reports (id),
    ags             text NOT NULL,
    email           text NOT NULL,
    language        text NOT NULL,
    token           text NOT NULL UNIQUE,
    created_at      text NOT NULL,
    confirmed_at    text,
    unsubscribed_at text
);

CREATE TABLE schedules (
    name     text PRIMARY KEY,
    next_run text NOT NULL
);

CREATE TABLE external_requests (
    report_id          text PRIMARY KEY REFERENCES reports (id),
    ags                text NOT NULL,
    authority          text NOT NULL,
    service_request_id text NOT NULL,
    forwarded_at       text NOT NULL,
    last_status        text,
    last_update_at     text,
    polled_at          text
);
CREATE INDEX external_by_authority ON external_requests (ags, authority);

CREATE TABLE directory (
    key        text PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL,
    updated_at text NOT NULL
);

CREATE TABLE mailed_reports (
    id             text PRIMARY KEY,
    administration text NOT NULL,
    device_id      text REFERENCES devices (id),
    report         text NOT NULL,
    mailed_to      text NOT NULL,
    created_at     text NOT NULL,
    imported_at    text
);
CREATE INDEX mailed_by_administration ON mailed_reports (administration, imported_at);
CREATE INDEX mailed_by_device ON mailed_reports (device_id);

CREATE TABLE withdrawn_reports (
    id           text PRIMARY KEY,
    ags          text NOT NULL,
    withdrawn_at text NOT NULL,
    actor        text NOT NULL
);

CREATE TABLE erasure_log (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ags        text NOT NULL,
    at         text NOT NULL,
    reason     text NOT NULL,
    scope      text NOT NULL,
    actor      text NOT NULL,
    staff_name text,
    reference  text,
    reports    bigint NOT NULL
);
CREATE INDEX erasure_log_by_ags ON erasure_log (ags, at);

CREATE TABLE erasure_tokens (
    token_hash text PRIMARY KEY,
    email      text NOT NULL,
    expires_at text NOT NULL,
    used_at    text
);

-- Rate limits shared by every instance (GCRA): per key, the theoretical arrival time in
-- microseconds since the epoch. Rows whose time has passed carry no state and are swept.
CREATE TABLE rate_limits (
    key text PRIMARY KEY, -- limiter name and the 16-byte key, hex
    tat bigint NOT NULL
);
CREATE INDEX rate_limits_by_tat ON rate_limits (tat);
