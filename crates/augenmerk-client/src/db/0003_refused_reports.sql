-- Schema 3: the category's name and questions as they were when a report was written,
-- for reports whose category the municipality withdrew later (it leaves the citizens'
-- tree, and with it the labels of the report's answers);
ALTER TABLE reports ADD COLUMN category_name TEXT;
ALTER TABLE reports ADD COLUMN questions TEXT; -- JSON list of Question

-- and the size of the upright original a photo was anonymized from, the space its
-- blurred boxes are in, so that a refused report's photos can be shown in the form again
-- with their boxes. Unknown (NULL) for photos captured before.
ALTER TABLE photos ADD COLUMN source_width INTEGER;
ALTER TABLE photos ADD COLUMN source_height INTEGER;
