-- Schema 5: Ämter as tenants, and administrations not on the platform (issue 26).
-- Whether the citizen agreed that their contact address goes with a report that is
-- mailed to an administration not on the platform (0: it does not).
ALTER TABLE reports ADD COLUMN share_contact INTEGER NOT NULL DEFAULT 0;
-- The place as citizens see it ("Wees (Amt Langballig)"): from the cached configuration
-- when queued, then as the server names it. NULL for reports queued before.
ALTER TABLE reports ADD COLUMN place_name TEXT;
-- The administration the server mailed the report to because it is not on the platform
-- ("sent by e-mail to …"); NULL for reports worked on the platform.
ALTER TABLE reports ADD COLUMN mailed_to TEXT;
