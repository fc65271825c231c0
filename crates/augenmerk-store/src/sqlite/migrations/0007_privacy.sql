-- Privacy by law (issue 17): retention periods count from a report's closing and a
-- device's last request; erasures are marked on the report (so that retention never
-- runs twice), withdrawals leave a tombstone, and every erasure leaves a log line that
-- says what kind of data went, when, why and by whom, never what it was.

-- A device's last authenticated request (marked at most hourly). Devices registered
-- before count from their registration.
ALTER TABLE devices ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE devices SET last_seen_at = created_at;
CREATE INDEX devices_by_last_seen ON devices (last_seen_at);

-- When the report was closed (NULL while it is not), and when its contact address and
-- its content (free text, messages, notes, photos, the device link) were removed.
-- Content erased implies contact erased.
ALTER TABLE reports ADD COLUMN closed_at TEXT;
ALTER TABLE reports ADD COLUMN contact_erased_at TEXT;
ALTER TABLE reports ADD COLUMN content_erased_at TEXT;
-- The privacy notice version the citizen consented to (NULL: before versions existed).
ALTER TABLE reports ADD COLUMN consent_version INTEGER;
-- Closed reports close when their history says so (the last status always recorded an
-- event; the update time is the fallback for a history that lacks it).
UPDATE reports SET closed_at = coalesce(
    (SELECT min(e.at) FROM events e
      WHERE e.report_id = reports.id AND e.kind = 'status' AND json_extract(e.payload, '$.to') = 'closed'),
    updated_at)
WHERE status = 'closed';
CREATE INDEX reports_by_closing ON reports (ags, closed_at);
-- Erasure requests look reports up by address; without an index every request (the
-- public one too) would scan all reports. Partial: only reports that still have one.
CREATE INDEX reports_by_contact ON reports (lower(contact_email)) WHERE contact_email IS NOT NULL;

-- The daily search for unused photos looks at the old ones only.
CREATE INDEX blobs_by_age ON blobs (created_at);

-- Reports withdrawn by their citizen: the id is refused if a device sends it again.
CREATE TABLE withdrawn_reports (
    id           TEXT NOT NULL PRIMARY KEY,
    ags          TEXT NOT NULL,
    withdrawn_at TEXT NOT NULL,
    actor        TEXT NOT NULL -- JSON Actor
) STRICT;

-- One line per erasure run (retention, withdrawal, request): never the data itself.
CREATE TABLE erasure_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ags        TEXT NOT NULL,
    at         TEXT NOT NULL,
    reason     TEXT NOT NULL, -- ErasureReason wire name
    scope      TEXT NOT NULL, -- ErasureScope wire name
    actor      TEXT NOT NULL, -- JSON Actor
    staff_name TEXT,          -- the staff member's name at the time (staff actors)
    reference  TEXT,          -- the written request's reference (staff requests)
    reports    INTEGER NOT NULL
) STRICT;
CREATE INDEX erasure_log_by_ags ON erasure_log (ags, at);

-- Single-use links of erasure by e-mail, by the SHA-256 of their token.
CREATE TABLE erasure_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    email      TEXT NOT NULL, -- lower case; blanked once the token is used
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;
