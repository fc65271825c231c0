//! What the page keeps in IndexedDB ([`super::idb`]), as typed values: the outbox's
//! entries, the anonymized photos and the small `meta` values. The device token stays in
//! local storage (`augenmerk.device-token`): it is a few bytes, read before every request,
//! and forgetting the device is a `localStorage.removeItem` for support and tests.
//!
//! Before IndexedDB the page kept the outbox, the seen marks, its report ids and the cached
//! configurations in local storage; [`Store::open`] moves them over once and deletes the
//! old keys, so nothing queued before the update is lost.
//!
//! Stored layout (frozen: a page of an older build reads what a newer one wrote, until the
//! next upgrade): outbox values are [`Entry`] as JSON text under the report's id; photos are
//! the JPEG's bytes (`Uint8Array`) under the hash; meta values are JSON text.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use augenmerk_domain::api::NewReport;
use augenmerk_domain::public::MunicipalityConfig;
use augenmerk_domain::{Ags, BlobHash, ReportId};
use augenmerk_sync::{EntryState, HasEntry};

use super::idb::{Db, IdbError, META, OUTBOX, PHOTOS};
use crate::storage;

/// The device token's local-storage key.
pub const TOKEN_KEY: &str = "augenmerk.device-token";
/// Meta key: when the user last saw each report (id → RFC 3339).
pub const SEEN: &str = "seen";
/// Meta key: the ids of the reports this browser made.
pub const MY_IDS: &str = "my-reports";
/// Meta key prefix of a cached municipality configuration.
pub const CONFIG_PREFIX: &str = "config.";

/// Local-storage keys of the page before IndexedDB.
const OLD_OUTBOX: &str = "augenmerk.outbox";
const OLD_SEEN: &str = "augenmerk.seen";
const OLD_IDS: &str = "augenmerk.my-reports";
const OLD_CONFIG_PREFIX: &str = "augenmerk.config.";

/// A report in the outbox: the request as it will be sent, and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The request (its id is the server's idempotency key).
    pub report: NewReport,
    /// The municipality it was filed under.
    pub municipality: Ags,
    /// The category's name, for the list while it waits.
    pub category_name: Option<String>,
    /// Queued or refused, as the engine decided.
    pub state: EntryState,
    /// Not sent by an automatic flush before this moment (the server's `Retry-After`, or
    /// a backoff after failures); a flush the user asks for sends it anyway.
    #[serde(default)]
    pub not_before: Option<DateTime<Utc>>,
}

impl HasEntry for Entry {
    fn entry_id(&self) -> ReportId {
        self.report.id
    }
    fn created_at(&self) -> DateTime<Utc> {
        self.report.created_at.unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
    fn entry_state(&self) -> &EntryState {
        &self.state
    }
}

impl Entry {
    /// The refusal's reason, if the server refused it.
    pub fn refused(&self) -> Option<&str> {
        match &self.state {
            EntryState::Refused { reason } => Some(reason),
            EntryState::Queued { .. } => None,
        }
    }
}

/// The outbox entry as the page before IndexedDB stored it: a `last_error` meant refused.
#[derive(Deserialize)]
struct OldQueued {
    report: NewReport,
    municipality: Ags,
    category_name: Option<String>,
    last_error: Option<String>,
}

/// The page's storage.
#[derive(Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens the database and moves what an older page left in local storage into it.
    pub async fn open() -> Result<Self, IdbError> {
        let store = Self { db: Db::open().await? };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), IdbError> {
        if let Some(json) = storage::get(OLD_OUTBOX) {
            let old: Vec<OldQueued> = serde_json::from_str(&json).unwrap_or_default();
            let mut puts = Vec::new();
            for q in old {
                let state = match q.last_error {
                    Some(reason) => EntryState::Refused { reason },
                    None => EntryState::new_queued(),
                };
                let entry = Entry {
                    report: q.report,
                    municipality: q.municipality,
                    category_name: q.category_name,
                    state,
                    not_before: None,
                };
                puts.push((entry.report.id.to_string(), to_js(&entry)?));
            }
            // Written before the old key goes: a failure leaves it to the next start.
            self.db.write(OUTBOX, &puts, &[]).await?;
            storage::remove(OLD_OUTBOX);
        }
        for (old, new) in [(OLD_SEEN, SEEN), (OLD_IDS, MY_IDS)] {
            if let Some(json) = storage::get(old) {
                self.db.put(META, new, JsValue::from_str(&json)).await?;
                storage::remove(old);
            }
        }
        for key in storage::keys_with_prefix(OLD_CONFIG_PREFIX) {
            if let (Some(json), Some(ags)) = (storage::get(&key), key.strip_prefix(OLD_CONFIG_PREFIX)) {
                self.db
                    .put(META, &format!("{CONFIG_PREFIX}{ags}"), JsValue::from_str(&json))
                    .await?;
            }
            storage::remove(&key);
        }
        Ok(())
    }

    /// Every entry of the outbox (unreadable ones are skipped, not deleted).
    pub async fn entries(&self) -> Result<Vec<Entry>, IdbError> {
        Ok(self
            .db
            .all(OUTBOX)
            .await?
            .into_iter()
            .filter_map(|(_, v)| v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
            .collect())
    }

    /// One entry.
    pub async fn entry(&self, id: &str) -> Result<Option<Entry>, IdbError> {
        Ok(self
            .db
            .get(OUTBOX, id)
            .await?
            .and_then(|v| v.as_string())
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Adds `entry` and removes `replaced` in one transaction: a corrected report never
    /// exists beside the refused one it replaces.
    pub async fn put_entry(&self, entry: &Entry, replaced: Option<&ReportId>) -> Result<(), IdbError> {
        let deletes: Vec<String> = replaced.map(ToString::to_string).into_iter().collect();
        self.db
            .write(OUTBOX, &[(entry.report.id.to_string(), to_js(entry)?)], &deletes)
            .await
    }

    /// Removes an entry and, with `drop_photos`, the photos that no other entry uses
    /// (without it they stay for the form, which still shows them).
    pub async fn remove_entry(&self, id: &ReportId, drop_photos: bool) -> Result<(), IdbError> {
        let entry = self.entry(&id.to_string()).await?;
        self.db.delete(OUTBOX, &[id.to_string()]).await?;
        if let Some(entry) = entry.filter(|_| drop_photos) {
            self.drop_unused_photos(&entry.report.photos).await?;
        }
        Ok(())
    }

    /// Deletes those of `photos` that no entry of the outbox refers to.
    pub async fn drop_unused_photos(&self, photos: &[BlobHash]) -> Result<(), IdbError> {
        let used: Vec<BlobHash> = self
            .entries()
            .await?
            .into_iter()
            .flat_map(|e| e.report.photos)
            .collect();
        let unused: Vec<String> = photos
            .iter()
            .filter(|h| !used.contains(h))
            .map(|h| h.as_str().to_owned())
            .collect();
        if unused.is_empty() {
            return Ok(());
        }
        self.db.delete(PHOTOS, &unused).await
    }

    /// Forgets the outbox, the photos and the marks of own reports (erasure); the cached
    /// configurations stay, they are public.
    pub async fn clear_personal(&self) -> Result<(), IdbError> {
        for store in [OUTBOX, PHOTOS] {
            self.db.clear(store).await?;
        }
        self.db.delete(META, &[SEEN.to_owned(), MY_IDS.to_owned()]).await
    }

    /// Keeps an anonymized photo.
    pub async fn put_photo(&self, hash: &BlobHash, jpeg: &[u8]) -> Result<(), IdbError> {
        let bytes = js_sys::Uint8Array::from(jpeg);
        self.db.put(PHOTOS, hash.as_str(), bytes.into()).await
    }

    /// An anonymized photo kept here, if it is.
    pub async fn photo(&self, hash: &BlobHash) -> Result<Option<Vec<u8>>, IdbError> {
        Ok(self
            .db
            .get(PHOTOS, hash.as_str())
            .await?
            .map(|v| js_sys::Uint8Array::new(&v).to_vec()))
    }

    /// A meta value.
    pub async fn meta<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.db
            .get(META, key)
            .await
            .ok()
            .flatten()
            .and_then(|v| v.as_string())
            .and_then(|s| serde_json::from_str(&s).ok())
    }

    /// The cached municipality configurations (unreadable ones are skipped).
    pub async fn configs(&self) -> Result<Vec<MunicipalityConfig>, IdbError> {
        Ok(self
            .db
            .all(META)
            .await?
            .into_iter()
            .filter(|(k, _)| k.starts_with(CONFIG_PREFIX))
            .filter_map(|(_, v)| v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
            .collect())
    }

    /// Deletes meta values.
    pub async fn forget_meta(&self, keys: &[String]) -> Result<(), IdbError> {
        self.db.delete(META, keys).await
    }

    /// Stores a meta value.
    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), IdbError> {
        let json = serde_json::to_string(value).map_err(|e| IdbError(e.to_string()))?;
        self.db.put(META, key, JsValue::from_str(&json)).await
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, IdbError> {
    serde_json::to_string(value)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| IdbError(e.to_string()))
}
