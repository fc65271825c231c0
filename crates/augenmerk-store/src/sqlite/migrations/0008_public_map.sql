-- The public map and open data (issue 20).

-- Staff's publication choice per report: show the exact position instead of the
-- municipality's grid cell; the citizen's text and photos may be published (where the
-- municipality publishes them at all).
ALTER TABLE reports ADD COLUMN public_exact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN public_approved INTEGER NOT NULL DEFAULT 0;
-- The municipality turned the report down: it is rejected, or closed after a rejection
-- (`augenmerk_domain::public::is_published`). Kept by every report write, so that the
-- public map can leave these out in SQL without reading each report's history.
ALTER TABLE reports ADD COLUMN turned_down INTEGER NOT NULL DEFAULT 0;
UPDATE reports SET turned_down = 1 WHERE status = 'rejected'
    OR (status = 'closed' AND (
        SELECT json_extract(e.payload, '$.to') FROM events e
         WHERE e.report_id = reports.id AND e.kind = 'status'
           AND json_extract(e.payload, '$.to') <> 'closed'
         ORDER BY e.seq DESC LIMIT 1) = 'rejected');
-- The viewport's clustering: a range on position within a municipality, with the
-- filter columns in the index so that the count never reads the table.
CREATE INDEX reports_public_map ON reports
    (ags, lat, lon, status, category, received_at, turned_down, content_erased_at);

-- The daily open-data files, built once per municipality, day (Europe/Berlin) and kind
-- (`geojson`, `csv`), so that every instance serves the same bytes all day.
CREATE TABLE open_data_snapshots (
    ags  TEXT NOT NULL,
    day  TEXT NOT NULL, -- YYYY-MM-DD
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (ags, day, kind)
) STRICT;
