//! Single sign-on's records on PostgreSQL (see [`crate::sso`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use augenmerk_domain::{Ags, UserId};

use super::PgStore;
use super::codec::{bad, text};
use crate::StoreResult;
use crate::codec::ts;
use crate::sso::{SsoPendingKind, SsoStore};

#[async_trait]
impl SsoStore for PgStore {
    async fn put_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: String,
        ags: &Ags,
        payload: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM sso_pending WHERE expires_at <= $1", &[&ts(&Utc::now())])
            .await?;
        client
            .execute(
                "INSERT INTO sso_pending (key_hash, kind, ags, payload, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&key_hash, &kind.as_str(), &ags.as_str(), &payload, &ts(&expires_at)],
            )
            .await?;
        Ok(())
    }

    async fn take_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Ags, String)>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "DELETE FROM sso_pending WHERE key_hash = $1 AND kind = $2 AND expires_at > $3
                 RETURNING ags, payload",
                &[&key_hash, &kind.as_str(), &ts(&now)],
            )
            .await?;
        row.map(|r| {
            let ags = text(&r, "ags")?;
            Ok((Ags::parse(&ags).map_err(|_| bad("ags", ags))?, text(&r, "payload")?))
        })
        .transpose()
    }

    async fn sso_identity(&self, ags: &Ags, issuer: &str, subject: &str) -> StoreResult<Option<UserId>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT user_id FROM sso_identities WHERE ags = $1 AND issuer = $2 AND subject = $3",
                &[&ags.as_str(), &issuer, &subject],
            )
            .await?;
        row.map(|r| {
            let id = text(&r, "user_id")?;
            id.parse().map_err(|_| bad("user_id", id))
        })
        .transpose()
    }

    async fn link_sso_identity(&self, ags: &Ags, issuer: &str, subject: &str, user: &UserId) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO sso_identities (ags, issuer, subject, user_id) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (ags, issuer, subject) DO UPDATE SET user_id = excluded.user_id",
                &[&ags.as_str(), &issuer, &subject, &user.to_string()],
            )
            .await?;
        Ok(())
    }
}
