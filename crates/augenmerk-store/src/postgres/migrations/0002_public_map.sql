-- The public map and open data (issue 20; SQLite's 0008_public_map).

-- Staff's publication choice per report: show the exact position instead of the
-- municipality's grid cell; the citizen's text and photos may be published (where the
-- municipality publishes them at all).
ALTER TABLE reports ADD COLUMN public_exact boolean NOT NULL DEFAULT false;
ALTER TABLE reports ADD COLUMN public_approved boolean NOT NULL DEFAULT false;
-- The municipality turned the report down: it is rejected, or closed after a rejection
-- (`augenmerk_domain::public::is_published`). Kept by every report write, so that the
-- public map can leave these out in SQL without reading each report's history.
ALTER TABLE reports ADD COLUMN turned_down boolean NOT NULL DEFAULT false;
UPDATE reports SET turned_down = true WHERE status = 'rejected'
    OR (status = 'closed' AND (
        SELECT e.payload::jsonb ->> 'to' FROM events e
         WHERE e.report_id = reports.id AND e.kind = 'status'
           AND e.payload::jsonb ->> 'to' <> 'closed'
         ORDER BY e.seq DESC LIMIT 1) = 'rejected');
-- The viewport's clustering: a range on position within a municipality, with the
-- filter columns in the index so that the count can be an index-only scan.
CREATE INDEX reports_public_map ON reports
    (ags, lat, lon, status, category, received_at, turned_down, content_erased_at);

-- The daily open-data files, built once per municipality, day (Europe/Berlin) and kind
-- (`geojson`, `csv`), so that every instance serves the same bytes all day.
CREATE TABLE open_data_snapshots (
    ags  text NOT NULL,
    day  text NOT NULL, -- YYYY-MM-DD
    kind text NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (ags, day, kind)
);
