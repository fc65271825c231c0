-- Augenmerk server schema, version 1.
--
-- Conventions (see codec.rs): timestamps are RFC 3339 UTC text with exactly nine
-- fractional digits, so text order is time order and equality is exact; ids are text
-- (UUIDs hyphenated, slugs, eight-digit AGS); enums are their wire names; JSON columns
-- hold the serde shape of the augenmerk-domain type named in the comment.
-- Tables are STRICT so that a wrongly typed value fails loudly instead of being coerced.

-- Boundaries of all municipalities of the state, whether or not they take reports here.
CREATE TABLE boundaries (
    ags      TEXT NOT NULL PRIMARY KEY,
    name     TEXT NOT NULL,
    geometry TEXT NOT NULL -- GeoJSON Polygon or MultiPolygon, as imported
) STRICT;

-- Municipalities that take reports on this server.
CREATE TABLE municipalities (
    ags            TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    categories     TEXT NOT NULL, -- JSON CategoryTree
    settings       TEXT NOT NULL, -- JSON MunicipalitySettings
    -- Bumped by every configuration write (categories, settings, departments, areas,
    -- rules); clients refresh their offline copy when it differs.
    config_version INTEGER NOT NULL
) STRICT;

CREATE TABLE departments (
    ags   TEXT NOT NULL REFERENCES municipalities (ags),
    id    TEXT NOT NULL,
    name  TEXT NOT NULL,
    email TEXT,
    PRIMARY KEY (ags, id)
) STRICT, WITHOUT ROWID;

-- Named areas (e.g. Stadtteile) that rules can refer to.
CREATE TABLE areas (
    ags      TEXT NOT NULL REFERENCES municipalities (ags),
    id       TEXT NOT NULL,
    name     TEXT NOT NULL,
    geometry TEXT NOT NULL, -- JSON GeoJSON Polygon or MultiPolygon
    PRIMARY KEY (ags, id)
) STRICT, WITHOUT ROWID;

-- One row per municipality: the rules are evaluated in order, so they are stored as
-- one ordered JSON array and always replaced whole.
CREATE TABLE rules (
    ags   TEXT NOT NULL PRIMARY KEY REFERENCES municipalities (ags),
    rules TEXT NOT NULL -- JSON array of Rule
) STRICT;

CREATE TABLE users (
    id            TEXT NOT NULL PRIMARY KEY,
    ags           TEXT REFERENCES municipalities (ags), -- NULL: a platform admin
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL, -- Role wire name
    department    TEXT,
    active        INTEGER NOT NULL, -- 0: cannot log in, sessions stop working
    password_hash TEXT NOT NULL, -- argon2id PHC string
    CHECK ((ags IS NULL) = (role = 'platform_admin'))
) STRICT;
-- Login names are unique per municipality. NULLs are distinct in a UNIQUE index, so
-- COALESCE makes the platform admins (ags NULL) one namespace of their own.
CREATE UNIQUE INDEX users_login ON users (coalesce(ags, ''), username);
CREATE INDEX users_by_municipality ON users (ags);

-- Staff sessions by the SHA-256 of their bearer token (the token itself is not kept).
CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Citizen devices by the hash of their bearer token.
CREATE TABLE devices (
    id          TEXT NOT NULL PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    platform    TEXT,
    app_version TEXT,
    created_at  TEXT NOT NULL
) STRICT;

-- Metadata of uploaded photos; the bytes live in the blob directory under their hash.
CREATE TABLE blobs (
    hash         TEXT NOT NULL PRIMARY KEY, -- SHA-256, lowercase hex
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE reports (
    id            TEXT NOT NULL PRIMARY KEY, -- chosen by the client: retries are idempotent
    ags           TEXT NOT NULL REFERENCES municipalities (ags),
    device_id     TEXT REFERENCES devices (id), -- NULL: Open311 or entered by staff
    category      TEXT NOT NULL,
    answers       TEXT NOT NULL, -- JSON object question id → Answer
    description   TEXT NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    address_hint  TEXT,
    photos        TEXT NOT NULL, -- JSON array of blob hashes in the citizen's order
    contact_email TEXT,
    consent       INTEGER NOT NULL,
    status        TEXT NOT NULL, -- Status wire name
    priority      TEXT NOT NULL, -- Priority wire name
    due_at        TEXT,
    department    TEXT,
    assignee      TEXT, -- user id
    forwarded_to  TEXT, -- authority slug
    duplicate_of  TEXT, -- report id
    routed_by     TEXT, -- rule slug
    channel       TEXT NOT NULL, -- Channel wire name
    created_at    TEXT NOT NULL, -- on the device
    received_at   TEXT NOT NULL, -- by the server
    updated_at    TEXT NOT NULL  -- the optimistic-concurrency token
) STRICT;
-- The staff inbox filters by municipality and then status, department, assignee or a
-- map section, and sorts by arrival.
CREATE INDEX reports_by_status ON reports (ags, status, received_at);
CREATE INDEX reports_by_received ON reports (ags, received_at);
CREATE INDEX reports_by_department ON reports (ags, department);
CREATE INDEX reports_by_assignee ON reports (ags, assignee);
CREATE INDEX reports_by_position ON reports (ags, lat, lon);
CREATE INDEX reports_by_device ON reports (device_id);

-- Which report references which photo: decides who may download a blob.
CREATE TABLE report_photos (
    hash      TEXT NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    PRIMARY KEY (hash, report_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX report_photos_by_report ON report_photos (report_id);

-- Every change to a report. Append-only; seq orders entries of the same instant.
CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id      TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL, -- JSON Actor (staff names: never shown to citizens)
    action         TEXT NOT NULL, -- JSON AuditAction
    public_comment TEXT
) STRICT;
CREATE INDEX audit_by_report ON audit (report_id, seq);

-- The thread between municipality and citizen.
CREATE TABLE messages (
    id                TEXT NOT NULL PRIMARY KEY, -- client-chosen: retries are idempotent
    report_id         TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author            TEXT NOT NULL, -- MessageAuthor wire name
    staff_author      TEXT, -- user id; staff view only
    staff_author_name TEXT, -- staff view only
    body              TEXT NOT NULL,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX messages_by_report ON messages (report_id, created_at);

-- Internal notes: staff only, never copied into events.
CREATE TABLE notes (
    id          TEXT NOT NULL PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author      TEXT NOT NULL, -- user id
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_report ON notes (report_id, created_at);

-- The public change feed: what devices sync (by device_id and seq) and the public status
-- history of every report (kind 'status', by report_id). Payloads are public types only
-- (PublicStatusChange, PublicMessage), so the feed cannot carry staff data.
-- AUTOINCREMENT: a seq is never reused, so a device's cursor never skips a change even
-- after rows are deleted. There is one writer, so seqs become visible in order.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    device_id TEXT, -- the report's device; NULL keeps the history of reports without one
    kind      TEXT NOT NULL CHECK (kind IN ('status', 'message')),
    payload   TEXT NOT NULL, -- JSON PublicStatusChange or PublicMessage
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_device ON events (device_id, seq);
CREATE INDEX events_by_report ON events (report_id, kind, seq);
