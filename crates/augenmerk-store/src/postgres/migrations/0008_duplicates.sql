-- Duplicates merged into their original (issue 21; SQLite's 0014_duplicates).
-- `reports.duplicate_of` is the public link; a row here means the merge happened too: the
-- duplicate's followers and its reporter's mail updates follow the original, its photos
-- show with the original. Reports merged into a report that is then merged itself are
-- moved to the new original, so an original is never a duplicate.
CREATE TABLE report_merges (
    duplicate_id text NOT NULL PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    original_id  text NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    ags          text NOT NULL,
    merged_at    text NOT NULL
);
CREATE INDEX report_merges_by_original ON report_merges (original_id, merged_at);
