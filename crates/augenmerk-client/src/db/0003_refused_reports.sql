-- Schema 3: the category's name as it was when a report was written, for reports whose
-- category the municipality withdrew later (it leaves the citizens' tree);
ALTER TABLE reports ADD COLUMN category_name TEXT;

-- and the size of the upright original a photo was anonymized from, the space its
-- blurred boxes are in, so that a refused report's photos can be shown in the form again
-- with their boxes. Unknown (NULL) for photos captured before.
ALTER TABLE photos ADD COLUMN source_width INTEGER;
ALTER TABLE photos ADD COLUMN source_height INTEGER;
