-- Ämter as tenants, and administrations not on the platform (issue 26).
--
-- A tenant is an administration: an amtsfreie Gemeinde keyed by its AGS (every tenant
-- before this migration), or an Amt keyed by its nine-digit key. Which Gemeinden an
-- administration serves comes from the boundary import (`VWG_ARS`), so it stays as
-- current as the boundaries.
ALTER TABLE boundaries ADD COLUMN administration TEXT; -- nine digits; NULL: the Gemeinde alone

-- The Gemeinde a report lies in. Every tenant so far was one Gemeinde, so its reports
-- lie in it.
ALTER TABLE reports ADD COLUMN gemeinde TEXT NOT NULL DEFAULT '';
UPDATE reports SET gemeinde = ags;
CREATE INDEX reports_by_gemeinde ON reports (ags, gemeinde, received_at);

-- The platform's directory of administrations that are not (yet) on the platform but
-- take reports by e-mail, keyed like tenants.
CREATE TABLE directory (
    key        TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Reports mailed to a directory administration. They belong to no tenant (so they are
-- not in `reports`); the citizen's device sees them, and when the administration joins,
-- they are taken into its inbox (`imported_at`, and then a row in `reports`).
CREATE TABLE mailed_reports (
    id             TEXT NOT NULL PRIMARY KEY, -- the report's id (chosen by the client)
    administration TEXT NOT NULL,             -- directory key at the time of sending
    device_id      TEXT REFERENCES devices (id),
    report         TEXT NOT NULL,             -- JSON Report, as mailed
    mailed_to      TEXT NOT NULL,             -- the administration's name, for the citizen
    created_at     TEXT NOT NULL,
    imported_at    TEXT
) STRICT;
CREATE INDEX mailed_by_administration ON mailed_reports (administration, imported_at);
CREATE INDEX mailed_by_device ON mailed_reports (device_id);

-- The statistics scan stays covered now that it counts per Gemeinde too.
DROP INDEX reports_for_statistics;
CREATE INDEX reports_for_statistics ON reports
    (ags, received_at, status, category, department, due_at, first_response_secs, resolution_secs, gemeinde);
