//! Storage of the public map's e-mail alerts ([`augenmerk_domain::alerts`]): the
//! subscriptions, their confirmation, and their deletion on unsubscribe, on an erasure
//! by address, or when a confirmation never came.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use augenmerk_domain::alerts::{AlertArea, AlertEvents, AlertView};
use augenmerk_domain::{Ags, Language};

use crate::StoreResult;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    /// Its id (the outbox's dedupe keys name it).
    pub id: Uuid,
    /// The secret of its links (confirm, manage, unsubscribe); 32 random bytes.
    pub token: String,
    /// The address, lower case.
    pub email: String,
    /// Language of the mails.
    pub language: Language,
    /// One municipality, or all.
    pub ags: Option<Ags>,
    /// The area.
    pub area: AlertArea,
    /// What is sent.
    pub events: AlertEvents,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When the address was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl AlertRecord {
    /// As its owner sees it.
    pub fn view(&self) -> AlertView {
        AlertView {
            area: self.area.clone(),
            ags: self.ags.clone(),
            events: self.events,
            language: self.language,
            confirmed_at: self.confirmed_at,
            created_at: self.created_at,
        }
    }
}

/// The storage of alerts, a part of [`crate::Store`].
#[async_trait]
pub trait AlertStore: Send + Sync + 'static {
    /// Stores a new, unconfirmed subscription.
    async fn create_alert(&self, alert: AlertRecord) -> StoreResult<()>;
    /// The subscription of a link (`NotFound` for an unknown or deleted one).
    async fn alert_by_token(&self, token: &str) -> StoreResult<AlertRecord>;
    /// Confirms the address (a second confirmation keeps the first time).
    async fn confirm_alert(&self, token: &str, at: DateTime<Utc>) -> StoreResult<AlertRecord>;
    /// Deletes a subscription; false if there was none.
    async fn delete_alert(&self, token: &str) -> StoreResult<bool>;
    /// Every confirmed subscription.
    async fn confirmed_alerts(&self) -> StoreResult<Vec<AlertRecord>>;
    /// How many subscriptions (confirmed or not) an address has.
    async fn count_alerts(&self, email: &str) -> StoreResult<u32>;
    /// Deletes every subscription of an address (an erasure by address); how many.
    async fn delete_alerts_of(&self, email: &str) -> StoreResult<u32>;
    /// Deletes subscriptions asked for before `before` and never confirmed; how many.
    async fn delete_unconfirmed_alerts(&self, before: DateTime<Utc>) -> StoreResult<u32>;
}
