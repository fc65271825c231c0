-- Keys of Open311 clients (city systems, third-party apps), one per client and municipality.
-- Only the SHA-256 of a key is stored; the key is shown once when it is created.
CREATE TABLE api_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    ags         TEXT NOT NULL REFERENCES municipalities (ags),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    media_hosts TEXT NOT NULL DEFAULT '[]', -- JSON list: hosts media_url may be fetched from
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;
CREATE INDEX api_keys_by_ags ON api_keys (ags);

-- Open311 `servicerequestupdates` lists status changes of a municipality by time.
CREATE INDEX events_by_time ON events (at);

-- Which device had a photo anonymized by the server, so that it may read the result back
-- before a report references it (the web page shows the blurred photo for review).
CREATE TABLE blob_uploads (
    hash      TEXT NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices (id),
    PRIMARY KEY (hash, device_id)
) STRICT, WITHOUT ROWID;
