-- Single sign-on through OpenID Connect (issue 24).

-- Short-lived, single-use records of a sign-in: an attempt under way (keyed by its
-- state; holds the nonce and the PKCE verifier until the provider sends the person
-- back) and a finished sign-in waiting for the console to exchange its one-time code
-- for a session. Taking one deletes it, so a replayed state or code finds nothing.
CREATE TABLE sso_pending (
    key_hash   TEXT NOT NULL PRIMARY KEY, -- SHA-256 of the state or the one-time code
    kind       TEXT NOT NULL,             -- 'attempt' or 'handover'
    ags        TEXT NOT NULL,
    payload    TEXT NOT NULL,             -- JSON, see sync-server/src/oidc
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sso_pending_by_expiry ON sso_pending (expires_at);

-- Which account a person of an identity provider signs in as: the issuer and the ID
-- token's `sub`, which unlike the login name never changes or is given to another.
CREATE TABLE sso_identities (
    ags     TEXT NOT NULL,
    issuer  TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (ags, issuer, subject)
) STRICT;
CREATE INDEX sso_identities_by_user ON sso_identities (user_id);
