-- Schema 1 of the device's database. Everything the user entered stays here until the
-- server acknowledged it; nothing is ever deleted by a migration.

-- Small settings: device credentials, the change-feed cursor, the staff session.
CREATE TABLE meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Public configuration of the municipalities the server serves (categories, questions,
-- boundary), for reporting offline.
CREATE TABLE municipalities (
    ags        TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    config     TEXT NOT NULL, -- JSON MunicipalityConfig
    fetched_at TEXT NOT NULL
) STRICT;

-- Anonymized photos, content-addressed: the file is photos/<hash>.jpg.
CREATE TABLE photos (
    hash       TEXT NOT NULL PRIMARY KEY,
    size       INTEGER NOT NULL,
    width      INTEGER,
    height     INTEGER,
    blurred    TEXT NOT NULL DEFAULT '[]', -- JSON boxes that were obscured
    origin     TEXT NOT NULL CHECK (origin IN ('captured', 'downloaded')),
    on_server  INTEGER NOT NULL DEFAULT 0, -- known to be stored on the server
    created_at TEXT NOT NULL
) STRICT;

-- The citizen's reports: the outbox (queued), then the server's view of them.
CREATE TABLE reports (
    id            TEXT NOT NULL PRIMARY KEY, -- chosen here: retries are idempotent
    municipality  TEXT NOT NULL,
    category      TEXT NOT NULL,
    answers       TEXT NOT NULL, -- JSON object, as submitted
    description   TEXT NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    address_hint  TEXT,
    contact_email TEXT,
    consent       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    sync_state    TEXT NOT NULL CHECK (sync_state IN ('queued', 'sent', 'rejected')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    sent_at       TEXT,
    status        TEXT, -- the server's status once sent
    history       TEXT NOT NULL DEFAULT '[]', -- JSON PublicStatusChange list
    unseen        INTEGER NOT NULL DEFAULT 0 -- something changed since the user last looked
) STRICT;

CREATE TABLE report_photos (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    hash      TEXT NOT NULL REFERENCES photos (hash),
    PRIMARY KEY (report_id, position)
) STRICT, WITHOUT ROWID;

-- The thread of each report: the citizen's replies (queued until sent) and the
-- municipality's messages (from the change feed).
CREATE TABLE messages (
    id         TEXT NOT NULL PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author     TEXT NOT NULL, -- MessageAuthor wire name
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'rejected')),
    last_error TEXT
) STRICT;
CREATE INDEX messages_by_report ON messages (report_id, created_at);

-- A field worker's cases as last pulled from the server.
CREATE TABLE cases (
    id         TEXT NOT NULL PRIMARY KEY,
    detail     TEXT NOT NULL, -- JSON StaffReportDetail
    updated_at TEXT NOT NULL, -- the server's updated_at of the report
    fetched_at TEXT NOT NULL
) STRICT;

-- A field worker's offline actions, sent in order. Conflicted ones stay until dismissed.
CREATE TABLE actions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE, -- idempotency key, also the note's or message's id
    case_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('transition', 'note', 'message')),
    payload    TEXT NOT NULL, -- JSON of the request
    state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'conflicted', 'dismissed')),
    error      TEXT,
    created_at TEXT NOT NULL,
    done_at    TEXT
) STRICT;
CREATE INDEX actions_by_state ON actions (state, seq);
