-- Schema 6: privacy by law (issue 17).
-- The version of the municipality's privacy notice the citizen agreed to when the report
-- was queued (sent with it; the server keeps it with the consent). NULL for reports
-- queued before.
ALTER TABLE reports ADD COLUMN notice_version INTEGER;
-- Whether a request submitting the report was ever started: until then the report surely
-- never left the device, and withdrawing it is deleting it here. Reports that were
-- tried before this version count as possibly sent.
ALTER TABLE reports ADD COLUMN submit_started INTEGER NOT NULL DEFAULT 0;
UPDATE reports SET submit_started = 1 WHERE attempts > 0 OR sync_state != 'queued';
