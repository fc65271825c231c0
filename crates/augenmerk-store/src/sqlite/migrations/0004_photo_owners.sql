-- Photos belong to whoever uploaded them: a photo's hash is no capability. A device may
-- attach (and see) only photos it uploaded itself or that one of its reports uses; staff
-- only photos uploaded by staff of their municipality or used by its reports. Each upload
-- keeps its size and time, so that a device's uploads per day can be bounded.
ALTER TABLE blob_uploads ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE blob_uploads ADD COLUMN uploaded_at TEXT NOT NULL DEFAULT '';
CREATE INDEX blob_uploads_by_device ON blob_uploads (device_id, uploaded_at);

CREATE TABLE blob_staff_uploads (
    hash        TEXT NOT NULL,
    ags         TEXT NOT NULL, -- also the platform admins' placeholder
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (hash, ags)
) STRICT, WITHOUT ROWID;
