-- Triage in the staff inbox (issue 21).

-- Since when the citizen's latest messages wait for an answer: set by a citizen message
-- (kept if already set), cleared by a message of the municipality; internal notes do not
-- count. A column, not a subquery over `messages`, so that the inbox filters on it.
ALTER TABLE reports ADD COLUMN awaiting_reply_since TEXT;
CREATE INDEX reports_awaiting_reply ON reports (ags, awaiting_reply_since)
    WHERE awaiting_reply_since IS NOT NULL;
-- Reports whose thread already waits when this migration runs.
UPDATE reports SET awaiting_reply_since = (
    SELECT min(m.created_at) FROM messages m
     WHERE m.report_id = reports.id AND m.author = 'citizen'
       AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.report_id = reports.id
                        AND a.author = 'municipality' AND a.created_at >= m.created_at));

-- A staff member's saved inbox filters.
CREATE TABLE saved_filters (
    id         TEXT PRIMARY KEY,
    ags        TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,  -- augenmerk_domain::api::ReportQuery as JSON
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX saved_filters_by_user ON saved_filters (ags, user_id, created_at);
