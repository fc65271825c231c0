-- Single sign-on through OpenID Connect (issue 24; SQLite's 0012_oidc, the same tables
-- and columns, so that migrate-store copies them).

-- Short-lived, single-use records of a sign-in: an attempt under way (keyed by its
-- state; holds the nonce and the PKCE verifier until the provider sends the person
-- back) and a finished sign-in waiting for the console to exchange its one-time code
-- for a session. Taking one deletes it, so a replayed state or code finds nothing.
CREATE TABLE sso_pending (
    key_hash   text NOT NULL PRIMARY KEY, -- SHA-256 of the state or the one-time code
    kind       text NOT NULL,             -- 'attempt' or 'handover'
    ags        text NOT NULL,
    payload    text NOT NULL,             -- JSON, see sync-server/src/oidc
    expires_at text NOT NULL
);
CREATE INDEX sso_pending_by_expiry ON sso_pending (expires_at);

-- Which account a person of an identity provider signs in as: the issuer and the ID
-- token's `sub`, which unlike the login name never changes or is given to another.
CREATE TABLE sso_identities (
    ags     text NOT NULL,
    issuer  text NOT NULL,
    subject text NOT NULL,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (ags, issuer, subject)
);
CREATE INDEX sso_identities_by_user ON sso_identities (user_id);
