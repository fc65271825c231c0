-- Devices that follow someone else's report ("already reported? follow it instead").
-- A follower's feed carries the report's public status changes, never its messages.
CREATE TABLE followers (
    device_id  TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (device_id, report_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX followers_by_report ON followers (report_id);
