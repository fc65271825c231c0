-- Keys of Open311 clients (city systems, third-party apps), one per client and municipality.
-- Only the SHA-256 of a key is stored; the key is shown once when it is created.
CREATE TABLE api_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    ags         TEXT NOT NULL REFERENCES municipalities (ags),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    media_hosts TEXT NOT NULL DEFAULT '[]', -- JSON list: hosts media_url may be fetched from
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;
CREATE INDEX api_keys_by_ags ON api_keys (ags);

-- Open311 `servicerequestupdates` lists status changes of a municipality by time.
CREATE INDEX events_by_time ON events (at);

-- Which device had a photo anonymized by the server, so that it may read the result back
-- before a report references it (the web page shows the blurred photo for review).
CREATE TABLE blob_uploads (
    hash      TEXT NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices (id),
    PRIMARY KEY (hash, device_id)
) STRICT, WITHOUT ROWID;

-- Statistics: seconds from arrival until the municipality first reacted publicly (a
-- message, or a status beyond the automatic received/assigned) and until the report was
-- first resolved or closed; kept on the report when they happen, so that medians over a
-- period are one index scan.
ALTER TABLE reports ADD COLUMN first_response_secs REAL;
ALTER TABLE reports ADD COLUMN resolution_secs REAL;
UPDATE reports SET
    first_response_secs = (julianday((
        SELECT min(t) FROM (
            SELECT e.at AS t FROM events e
             WHERE e.report_id = reports.id AND e.kind = 'status'
               AND json_extract(e.payload, '$.to') NOT IN ('received', 'assigned')
            UNION ALL
            SELECT m.created_at FROM messages m
             WHERE m.report_id = reports.id AND m.author = 'municipality'))) - julianday(received_at)) * 86400.0,
    resolution_secs = (julianday((
        SELECT min(e.at) FROM events e
         WHERE e.report_id = reports.id AND e.kind = 'status'
           AND json_extract(e.payload, '$.to') IN ('resolved', 'closed'))) - julianday(received_at)) * 86400.0;
-- Statistics read these columns of a period's reports straight from the index.
CREATE INDEX reports_for_statistics ON reports
    (ags, received_at, status, category, department, due_at, first_response_secs, resolution_secs);
