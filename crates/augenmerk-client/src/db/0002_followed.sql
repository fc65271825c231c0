-- Schema 2: other people's reports this device follows ("already reported? follow it
-- instead"). The feed updates their status like the device's own reports.
CREATE TABLE followed (
    id          TEXT NOT NULL PRIMARY KEY,
    report      TEXT NOT NULL, -- JSON FollowedReport as last known
    followed_at TEXT NOT NULL,
    unseen      INTEGER NOT NULL DEFAULT 0 -- its status changed since the user last looked
) STRICT;
