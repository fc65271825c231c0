//! Single sign-on's records on SQLite (see [`crate::sso`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use augenmerk_domain::{Ags, UserId};

use super::SqliteStore;
use crate::codec::ts;
use crate::sso::{SsoPendingKind, SsoStore};
use crate::{StoreError, StoreResult};

#[async_trait]
impl SsoStore for SqliteStore {
    async fn put_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: String,
        ags: &Ags,
        payload: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let ags = ags.as_str().to_owned();
        let now = ts(&Utc::now());
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sso_pending WHERE expires_at <= ?1")?
                .execute([now])?;
            tx.prepare_cached(
                "INSERT INTO sso_pending (key_hash, kind, ags, payload, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![key_hash, kind.as_str(), ags, payload, ts(&expires_at)])?;
            Ok(())
        })
        .await
    }

    async fn take_sso_pending(
        &self,
        kind: SsoPendingKind,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Ags, String)>> {
        let key_hash = key_hash.to_owned();
        let found: Option<(String, String)> = self
            .write(move |tx| {
                Ok(tx
                    .prepare_cached(
                        "DELETE FROM sso_pending WHERE key_hash = ?1 AND kind = ?2 AND expires_at > ?3
                         RETURNING ags, payload",
                    )?
                    .query_row(params![key_hash, kind.as_str(), ts(&now)], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?)
            })
            .await?;
        found
            .map(|(ags, payload)| {
                Ok((
                    Ags::parse(&ags).map_err(|_| StoreError::Database(format!("bad ags {ags}")))?,
                    payload,
                ))
            })
            .transpose()
    }

    async fn sso_identity(&self, ags: &Ags, issuer: &str, subject: &str) -> StoreResult<Option<UserId>> {
        let (ags, issuer, subject) = (ags.as_str().to_owned(), issuer.to_owned(), subject.to_owned());
        let id: Option<String> = self
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT user_id FROM sso_identities WHERE ags = ?1 AND issuer = ?2 AND subject = ?3",
                )?
                .query_row([ags, issuer, subject], |r| r.get(0))
                .optional()?)
            })
            .await?;
        id.map(|id| {
            id.parse()
                .map_err(|_| StoreError::Database(format!("bad user id {id}")))
        })
        .transpose()
    }

    async fn link_sso_identity(&self, ags: &Ags, issuer: &str, subject: &str, user: &UserId) -> StoreResult<()> {
        let (ags, issuer, subject, user) = (
            ags.as_str().to_owned(),
            issuer.to_owned(),
            subject.to_owned(),
            user.to_string(),
        );
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO sso_identities (ags, issuer, subject, user_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (ags, issuer, subject) DO UPDATE SET user_id = excluded.user_id",
            )?
            .execute([ags, issuer, subject, user])?;
            Ok(())
        })
        .await
    }
}
