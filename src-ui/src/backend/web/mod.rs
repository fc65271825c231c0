//! The web page: the sync server's API, same origin, and an offline client in the
//! browser. Reports wait in IndexedDB until the server accepted them, photos are anonymized
//! in the browser where it can (the server anonymizes them otherwise), and every sync
//! decision is the engine's (`augenmerk-sync`) that the app and the command line run too.
//!
//! - [`idb`]: the IndexedDB database `augenmerk` (`outbox`, `photos`, `meta`);
//! - [`store`]: its typed contents, and the move from the older page's local storage;
//! - [`transport`]: requests, registration, answers as the engine reads them;
//! - [`outbox`]: queueing and flushing reports;
//! - [`photos`]: the browser's anonymizer, the photos' upload, showing them;
//! - [`places`]: the municipalities' configurations kept for finding a place offline;
//! - [`privacy`]: export, withdrawal, erasure.
//!
//! The page flushes on start, when the browser comes `online`, when the page becomes
//! visible again, every minute while something waits, when the service worker relays a
//! Background Sync, and on `window.augenmerkSync()` (a Promise of the number of reports
//! still waiting, for tests and support).

mod idb;
mod outbox;
mod photos;
mod places;
mod privacy;
mod store;
mod transport;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use augenmerk_domain::api::NewMessage;
use augenmerk_domain::device::{
    AppInfo, LocalFollowed, LocalMessage, LocalReport, LocalReportDetail, SyncState, SyncStatus,
};
use augenmerk_domain::public::{CitizenReport, FollowedReport, MunicipalityConfig, NearbyReport, Responsibility};
use augenmerk_domain::{BlobHash, MessageId, ReportId};

use self::outbox::Trigger;
use self::store::{CONFIG_PREFIX, Entry, MY_IDS, SEEN, Store, TOKEN_KEY};
use self::transport::{API, get};
use super::{AnonymizedBy, UiError, UiResult};
use crate::storage;

/// How often the page tries again while something waits.
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

type Listener = Arc<dyn Fn(SyncStatus) + Send + Sync>;
/// When the user last saw each report.
type Seen = HashMap<String, DateTime<Utc>>;

thread_local! {
    /// The open database (a JS handle: the page has one thread, Leptos wants Send + Sync).
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// What the page remembers while it runs.
#[derive(Default)]
struct Shared {
    listeners: Vec<Listener>,
    status: SyncStatus,
    /// Where each photo shown on this page was anonymized.
    anonymized: HashMap<BlobHash, AnonymizedBy>,
}

/// The web page's backend.
#[derive(Clone)]
pub struct WebBackend {
    // Arc and Mutex only because Leptos wants its context Send + Sync; the page has one thread.
    inner: Arc<Mutex<Shared>>,
}

impl WebBackend {
    pub fn new() -> Self {
        let backend = Self::passive();
        let me = backend.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Opening the database moves an older page's outbox over; then what waits is sent.
            me.refresh_counts().await;
            me.flush(Trigger::Auto).await;
        });
        let me = backend.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // For finding places when the network is gone later.
            me.refresh_configs_if_due().await;
        });
        backend.watch();
        backend
    }

    /// A backend that starts no background work (no outbox flushes, no configuration
    /// refresh, no listeners): for the public map embedded in a municipality's website,
    /// which only reads the public API and must not write to the visitor's outbox.
    pub fn passive() -> Self {
        Self {
            inner: Arc::new(Mutex::new(Shared::default())),
        }
    }

    /// The database, opened on first use.
    async fn store(&self) -> UiResult<Store> {
        if let Some(store) = STORE.with(|s| s.borrow().clone()) {
            return Ok(store);
        }
        let store = Store::open().await.map_err(|e| {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("what", e.to_string());
            UiError::localized_with("e-storage", &args)
        })?;
        STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    pub async fn app_info(&self) -> UiResult<AppInfo> {
        let mut info: AppInfo = Self::json(get("/ui/config.json")).await?;
        // The server cannot know whether this browser runs the anonymizer.
        info.anonymizes_on_device = photos::on_device();
        Ok(info)
    }

    pub async fn locate(&self, lat: f64, lon: f64) -> UiResult<Responsibility> {
        match Self::json(get(&format!("{API}/responsibility?lat={lat}&lon={lon}"))).await {
            // Without network the page answers from the configurations it keeps.
            Err(e) if e.offline => self.locate_offline(lat, lon, e).await,
            answer => answer,
        }
    }

    pub async fn nearby_reports(&self, lat: f64, lon: f64, category: &str) -> UiResult<Vec<NearbyReport>> {
        let category = js_sys::encode_uri_component(category);
        let request = self
            .authed(Request::get(&format!(
                "{API}/reports/nearby?lat={lat}&lon={lon}&category={category}"
            )))
            .await?;
        Self::json(request.build().map_err(UiError::unexpected)).await
    }

    pub async fn municipality_config(&self, ags: &str) -> UiResult<MunicipalityConfig> {
        let key = format!("{CONFIG_PREFIX}{ags}");
        match Self::json::<MunicipalityConfig>(get(&format!("{API}/municipalities/{ags}/config"))).await {
            Ok(config) => {
                // Kept for the next visit without network.
                if let Ok(store) = self.store().await {
                    let _ = store.set_meta(&key, &config).await;
                    places::forget_built();
                }
                Ok(config)
            }
            Err(e) if e.offline => match self.store().await {
                Ok(store) => store.meta(&key).await.ok_or(e),
                Err(_) => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    pub async fn reports(&self) -> UiResult<Vec<LocalReport>> {
        let store = self.store().await?;
        let mut list: Vec<LocalReport> = store
            .entries()
            .await
            .map_err(UiError::unexpected)?
            .iter()
            .map(entry_to_local)
            .collect();
        if storage::get(TOKEN_KEY).is_some() {
            let request = self.authed(Request::get(&format!("{API}/reports"))).await?;
            match Self::json::<Vec<CitizenReport>>(request.build().map_err(UiError::unexpected)).await {
                Ok(reports) => {
                    let seen = self.seen().await;
                    for r in reports {
                        if !list.iter().any(|l| l.id == r.id) {
                            let unseen = seen_at(&seen, &r.id).is_none_or(|at| r.updated_at > at);
                            list.push(citizen_to_local(&r, unseen));
                        }
                    }
                }
                Err(e) if e.offline => {}
                Err(e) => return Err(e),
            }
        }
        list.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(list)
    }

    pub async fn report(&self, id: &str) -> UiResult<LocalReportDetail> {
        let store = self.store().await?;
        if let Some(entry) = store.entry(id).await.map_err(UiError::unexpected)? {
            return Ok(LocalReportDetail {
                report: entry_to_local(&entry),
                answers: entry.report.answers.clone(),
                address_hint: entry.report.address_hint.clone(),
                history: Vec::new(),
                messages: Vec::new(),
                questions: Vec::new(),
                mail_updates: Default::default(),
            });
        }
        let request = self.authed(Request::get(&format!("{API}/reports/{id}"))).await?;
        let r: CitizenReport = Self::json(request.build().map_err(UiError::unexpected)).await?;
        let unseen = seen_at(&self.seen().await, &r.id).is_none_or(|at| r.updated_at > at);
        Ok(LocalReportDetail {
            report: citizen_to_local(&r, unseen),
            answers: serde_json::to_value(&r.answers)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default(),
            address_hint: r.address_hint.clone(),
            history: r.history.clone(),
            messages: r
                .messages
                .iter()
                .map(|m| LocalMessage {
                    id: m.id,
                    author: m.author,
                    body: m.body.clone(),
                    created_at: m.created_at,
                    sync_state: SyncState::Sent,
                })
                .collect(),
            questions: Vec::new(),
            mail_updates: r.mail_updates,
        })
    }

    pub async fn mark_seen(&self, id: &str) -> UiResult<()> {
        let mut seen = self.seen().await;
        seen.insert(id.to_owned(), Utc::now());
        self.save_seen(&seen).await;
        Ok(())
    }

    pub async fn follow_report(&self, id: &str) -> UiResult<LocalFollowed> {
        let request = self.authed(Request::put(&format!("{API}/reports/{id}/follow"))).await?;
        let report: FollowedReport = Self::json(request.build().map_err(UiError::unexpected)).await?;
        // Seen as it is now: only later changes are news.
        self.mark_seen_at([&report.id], Utc::now()).await;
        Ok(LocalFollowed {
            report,
            followed_at: Utc::now(),
            unseen: false,
        })
    }

    pub async fn unfollow_report(&self, id: &str) -> UiResult<()> {
        let request = self
            .authed(Request::delete(&format!("{API}/reports/{id}/follow")))
            .await?;
        match Self::send(request.build().map_err(UiError::unexpected)).await {
            Ok(_) => Ok(()),
            Err(e) if e.code.as_deref() == Some("not_found") => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn followed_reports(&self) -> UiResult<Vec<LocalFollowed>> {
        if storage::get(TOKEN_KEY).is_none() {
            return Ok(Vec::new());
        }
        let request = self.authed(Request::get(&format!("{API}/reports/followed"))).await?;
        let reports: Vec<FollowedReport> = Self::json(request.build().map_err(UiError::unexpected)).await?;
        let seen = self.seen().await;
        Ok(reports
            .into_iter()
            .map(|report| {
                let unseen = seen_at(&seen, &report.id).is_some_and(|at| report.updated_at > at);
                LocalFollowed {
                    followed_at: report.created_at,
                    report,
                    unseen,
                }
            })
            .collect())
    }

    pub async fn mark_followed_seen(&self, ids: &[ReportId]) -> UiResult<()> {
        // One read and one write of the stored marks for all of them.
        self.mark_seen_at(ids, Utc::now()).await;
        Ok(())
    }

    pub async fn reply(&self, id: &str, body: &str) -> UiResult<()> {
        let request = self
            .authed(Request::post(&format!("{API}/reports/{id}/messages")))
            .await?
            .json(&NewMessage {
                // The same id on a retry: the server adds the message once.
                id: Some(MessageId::new_random()),
                body: body.to_owned(),
            })
            .map_err(UiError::unexpected);
        Self::send(request).await.map(|_| ())
    }

    pub fn on_sync_change(&self, on_change: impl Fn(SyncStatus) + Send + Sync + 'static) {
        self.lock().listeners.push(Arc::new(on_change));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn current(&self) -> SyncStatus {
        self.lock().status.clone()
    }

    fn set_syncing(&self, syncing: bool) {
        let mut status = self.current();
        status.syncing = syncing;
        self.publish(status);
    }

    async fn refresh_counts(&self) {
        let queued = self.waiting().await;
        let mut status = self.current();
        status.queued_reports = queued;
        self.publish(status);
    }

    fn publish(&self, status: SyncStatus) {
        self.lock().status = status.clone();
        // Called outside the lock: a listener may trigger work that publishes again.
        let listeners: Vec<Listener> = self.lock().listeners.clone();
        for listener in listeners {
            listener(status.clone());
        }
    }

    async fn seen(&self) -> Seen {
        match self.store().await {
            Ok(store) => store.meta(SEEN).await.unwrap_or_default(),
            Err(_) => Seen::new(),
        }
    }

    async fn save_seen(&self, seen: &Seen) {
        if let Ok(store) = self.store().await {
            let _ = store.set_meta(SEEN, seen).await;
        }
    }

    async fn mark_seen_at<'a>(&self, ids: impl IntoIterator<Item = &'a ReportId>, at: DateTime<Utc>) {
        let mut seen = self.seen().await;
        for id in ids {
            seen.insert(id.to_string(), at);
        }
        self.save_seen(&seen).await;
    }

    async fn remember_id(&self, id: &ReportId) {
        if let Ok(store) = self.store().await {
            let mut ids: Vec<String> = store.meta(MY_IDS).await.unwrap_or_default();
            ids.push(id.to_string());
            let _ = store.set_meta(MY_IDS, &ids).await;
        }
    }

    /// Flushes when the browser comes back online, when the page is shown again, every
    /// minute while something waits, and on `window.augenmerkSync()`.
    fn watch(&self) {
        let Some(window) = web_sys::window() else { return };
        let on = |event: &str, target: &web_sys::EventTarget, me: Self, only_visible: bool| {
            let handler = Closure::<dyn FnMut()>::new(move || {
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                if only_visible && !visible {
                    return;
                }
                let me = me.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    me.flush(Trigger::Auto).await;
                });
            });
            let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
            handler.forget();
        };
        on("online", &window, self.clone(), false);
        if let Some(document) = window.document() {
            on("visibilitychange", &document, self.clone(), true);
        }

        let me = self.clone();
        let sync_now = Closure::<dyn FnMut() -> js_sys::Promise>::new(move || {
            let me = me.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                me.flush(Trigger::Now).await;
                Ok(JsValue::from_f64(me.waiting().await as f64))
            })
        });
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str("augenmerkSync"), sync_now.as_ref());
        sync_now.forget();

        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                gloo_timers::future::sleep(RETRY_EVERY).await;
                me.refresh_configs_if_due().await;
                if me.waiting().await > 0 {
                    me.flush(Trigger::Auto).await;
                }
            }
        });
    }
}

fn seen_at(seen: &Seen, id: &ReportId) -> Option<DateTime<Utc>> {
    seen.get(&id.to_string()).copied()
}

fn entry_to_local(e: &Entry) -> LocalReport {
    let (sync_state, last_error) = match &e.state {
        augenmerk_sync::EntryState::Refused { reason } => (SyncState::Rejected, Some(reason.clone())),
        augenmerk_sync::EntryState::Queued { last_error, .. } => (SyncState::Queued, last_error.clone()),
    };
    LocalReport {
        id: e.report.id,
        municipality: e.municipality.clone(),
        category: e.report.category.clone(),
        category_name: e.category_name.clone(),
        description: e.report.description.clone(),
        location: e.report.location,
        photos: e.report.photos.clone(),
        created_at: e.report.created_at.unwrap_or_else(Utc::now),
        sync_state,
        status: None,
        last_error,
        unseen: false,
        place_name: None,
        mailed_to: None,
    }
}

fn citizen_to_local(r: &CitizenReport, unseen: bool) -> LocalReport {
    LocalReport {
        id: r.id,
        municipality: r.municipality.clone(),
        category: r.category.clone(),
        category_name: Some(r.category_name.clone()),
        description: r.description.clone(),
        location: r.location,
        photos: r.photos.clone(),
        created_at: r.created_at,
        sync_state: SyncState::Sent,
        status: Some(r.status),
        last_error: None,
        unseen,
        place_name: r.place_name.clone(),
        mailed_to: r.mailed_to.clone(),
    }
}
