-- Duplicates merged into their original (issue 21). `reports.duplicate_of` is the public
-- link; a row here means the merge happened too: the duplicate's followers and its
-- reporter's mail updates follow the original, its photos show with the original.
-- One row per duplicate (a report is merged once); reports merged into a report that is
-- then merged itself are moved to the new original, so an original is never a duplicate.
CREATE TABLE report_merges (
    duplicate_id TEXT NOT NULL PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    original_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    ags          TEXT NOT NULL,
    merged_at    TEXT NOT NULL
) STRICT;
CREATE INDEX report_merges_by_original ON report_merges (original_id, merged_at);
