// Over 600 lines on purpose: the next issue (the offline web page) rewrites this backend, so it is not split now.
//! The web page: the sync server's API, same origin. The device token, the reports
//! waiting for the network and what the user has seen live in the browser's local storage,
//! so a closed tab loses nothing; photos are anonymized by the server on upload.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use augenmerk_domain::api::{NewDevice, NewMessage, NewReport};
use augenmerk_domain::device::{
    AppInfo, LocalFollowed, LocalMessage, LocalReport, LocalReportDetail, ReopenedReport, ReportDraft, SyncState,
    SyncStatus,
};
use augenmerk_domain::public::{
    AnonymizedPhoto, CitizenReport, DeviceRegistered, FollowedReport, MunicipalityConfig, NearbyReport, Responsibility,
};
use augenmerk_domain::{Ags, BlobHash, ErrorBody, MessageId, ReportId};

use super::{UiError, UiResult};
use crate::storage;

// Export, withdrawal and erasure: their own file, sharing this module's storage.
#[path = "web_privacy.rs"]
mod privacy;

const API: &str = "/api/v1";
const TOKEN_KEY: &str = "augenmerk.device-token";
const OUTBOX_KEY: &str = "augenmerk.outbox";
const SEEN_KEY: &str = "augenmerk.seen";
const IDS_KEY: &str = "augenmerk.my-reports";

/// A report the server has not acknowledged yet.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Queued {
    report: NewReport,
    municipality: Ags,
    category_name: Option<String>,
    last_error: Option<String>,
}

type Listener = Arc<dyn Fn(SyncStatus) + Send + Sync>;

/// The web page's backend.
#[derive(Clone)]
pub struct WebBackend {
    // Arc and Mutex only because Leptos wants its context Send + Sync; the page has one thread.
    listeners: Arc<Mutex<Vec<Listener>>>,
    status: Arc<Mutex<SyncStatus>>,
}

impl WebBackend {
    pub fn new() -> Self {
        let backend = Self {
            listeners: Arc::new(Mutex::new(Vec::new())),
            status: Arc::new(Mutex::new(SyncStatus::default())),
        };
        backend.refresh_counts();
        backend.watch_network();
        backend
    }

    /// Sends a request; an error answer becomes a [`UiError`] (the console shares this).
    pub(crate) async fn send(request: UiResult<Request>) -> UiResult<Response> {
        let response = request?.send().await.map_err(|_| UiError::offline())?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        match response.json::<ErrorBody>().await {
            Ok(body) => Err(body.into()),
            Err(_) if status >= 500 || status == 0 => Err(UiError::offline()),
            Err(e) => Err(UiError::unexpected(format!("{status}: {e}"))),
        }
    }

    /// Sends a request and reads its JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(request: UiResult<Request>) -> UiResult<T> {
        Self::send(request)
            .await?
            .json::<T>()
            .await
            .map_err(UiError::unexpected)
    }

    async fn token(&self) -> UiResult<String> {
        if let Some(token) = storage::get(TOKEN_KEY) {
            return Ok(token);
        }
        let meta = NewDevice {
            platform: Some("web".into()),
            app_version: Some(env!("CARGO_PKG_VERSION").into()),
        };
        let request = Request::post(&format!("{API}/devices"))
            .json(&meta)
            .map_err(UiError::unexpected);
        let registered: DeviceRegistered = Self::json(request).await?;
        storage::set(TOKEN_KEY, &registered.token);
        Ok(registered.token)
    }

    async fn authed(&self, builder: RequestBuilder) -> UiResult<RequestBuilder> {
        Ok(builder.header("Authorization", &format!("Bearer {}", self.token().await?)))
    }

    pub async fn app_info(&self) -> UiResult<AppInfo> {
        Self::json(get("/ui/config.json")).await
    }

    pub async fn locate(&self, lat: f64, lon: f64) -> UiResult<Responsibility> {
        Self::json(get(&format!("{API}/responsibility?lat={lat}&lon={lon}"))).await
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
        let key = format!("augenmerk.config.{ags}");
        match Self::json::<MunicipalityConfig>(get(&format!("{API}/municipalities/{ags}/config"))).await {
            Ok(config) => {
                // Kept for the next visit without network.
                if let Ok(json) = serde_json::to_string(&config) {
                    storage::set(&key, &json);
                }
                Ok(config)
            }
            Err(e) if e.offline => storage::get(&key)
                .and_then(|json| serde_json::from_str(&json).ok())
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    pub async fn add_photo(&self, bytes: Vec<u8>, blur: &[[f32; 4]]) -> UiResult<AnonymizedPhoto> {
        let mut url = format!("{API}/photos");
        if !blur.is_empty() {
            url.push_str("?blur=");
            url.push_str(&augenmerk_domain::blur::BlurBoxes::drawn(blur).to_string());
        }
        let body = js_sys::Uint8Array::from(bytes.as_slice());
        let request = self
            .authed(Request::post(&url).header("Content-Type", "application/octet-stream"))
            .await?
            .body(body)
            .map_err(UiError::unexpected);
        Self::json(request).await
    }

    pub async fn photo_src(&self, hash: &BlobHash) -> UiResult<String> {
        // `<img>` cannot send the bearer token: fetch the photo and show it from memory.
        let request = self
            .authed(Request::get(&format!("{API}/blobs/{}", hash.as_str())))
            .await?;
        let response = Self::send(request.build().map_err(UiError::unexpected)).await?;
        let bytes = response.binary().await.map_err(UiError::unexpected)?;
        let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("image/jpeg");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options)
            .map_err(|e| UiError::unexpected(format!("{e:?}")))?;
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| UiError::unexpected(format!("{e:?}")))
    }

    pub async fn create_report(&self, draft: ReportDraft) -> UiResult<ReportId> {
        self.queue_report(draft, None).await
    }

    /// Queues the corrected version of a refused report in its place.
    pub async fn replace_report(&self, refused: &str, draft: ReportDraft) -> UiResult<ReportId> {
        self.queue_report(draft, Some(refused)).await
    }

    /// A refused report from the outbox, as a draft for the form. Its photos are on the
    /// server already; their sizes and boxes were not kept here.
    pub async fn reopen_report(&self, id: &str) -> UiResult<ReopenedReport> {
        let q = refused_in_outbox(id)?;
        let photos = q
            .report
            .photos
            .iter()
            .map(|hash| AnonymizedPhoto {
                hash: hash.clone(),
                width: 0,
                height: 0,
                source_width: 0,
                source_height: 0,
                blurred: Vec::new(),
                suggested_location: None,
            })
            .collect();
        Ok(ReopenedReport {
            id: q.report.id,
            draft: ReportDraft {
                municipality: None,
                category: q.report.category,
                answers: q.report.answers,
                description: q.report.description,
                location: q.report.location,
                address_hint: q.report.address_hint,
                photos: q.report.photos,
                contact_email: q.report.contact_email,
                consent: q.report.consent,
                language: q.report.language,
                share_contact: q.report.share_contact,
            },
            photos,
        })
    }

    /// Forgets a refused report from the outbox.
    pub async fn discard_report(&self, id: &str) -> UiResult<()> {
        let q = refused_in_outbox(id)?;
        remove_from_outbox(&q.report.id);
        self.refresh_counts();
        Ok(())
    }

    async fn queue_report(&self, draft: ReportDraft, replaces: Option<&str>) -> UiResult<ReportId> {
        let Some(municipality) = draft.municipality.clone() else {
            return Err(UiError::localized("e-choose-place-first"));
        };
        let id = ReportId::new_random();
        let report = NewReport {
            id,
            municipality: draft.municipality,
            category: draft.category,
            answers: draft.answers,
            description: draft.description,
            location: draft.location,
            address_hint: draft.address_hint,
            photos: draft.photos,
            contact_email: draft.contact_email,
            consent: draft.consent,
            created_at: Some(Utc::now()),
            language: draft.language,
            share_contact: draft.share_contact,
            notice_version: privacy::notice_version(&municipality),
        };
        let mut outbox = outbox();
        if let Some(refused) = replaces {
            // In the same write as the new one: the refused report never outlives it.
            let before = outbox.len();
            outbox.retain(|q| !(q.report.id.to_string() == refused && q.last_error.is_some()));
            if outbox.len() == before {
                return Err(not_refused());
            }
        }
        outbox.push(Queued {
            report,
            municipality,
            category_name: None,
            last_error: None,
        });
        save_outbox(&outbox);
        remember_id(&id);
        self.refresh_counts();
        // Queued first, sent second: a failure on the way leaves it queued, never lost. Only
        // this report's own refusal counts here (an older refused one may be in the outbox).
        let (_, refused) = self.flush_reports().await;
        if let Some((_, e)) = refused.into_iter().find(|(r, _)| *r == id) {
            // Refused while the citizen is still at the form, which keeps everything: no
            // second copy waits here.
            remove_from_outbox(&id);
            self.refresh_counts();
            return Err(e);
        }
        Ok(id)
    }

    /// Sends the queued reports; a report the server refuses is kept with the reason. Fails
    /// only when the server cannot be reached.
    async fn flush(&self) -> UiResult<()> {
        self.flush_reports().await.0
    }

    /// [`Self::flush`], with the reports refused on the way and why.
    async fn flush_reports(&self) -> (UiResult<()>, Vec<(ReportId, UiError)>) {
        self.set_syncing(true);
        let mut result = Ok(());
        let mut refused = Vec::new();
        for mut queued in outbox() {
            let request = match self.authed(Request::post(&format!("{API}/reports"))).await {
                Ok(b) => b.json(&queued.report).map_err(UiError::unexpected),
                Err(e) => Err(e),
            };
            let sent = Self::json::<CitizenReport>(request).await;
            match sent {
                Ok(_) => remove_from_outbox(&queued.report.id),
                Err(e) if e.offline => {
                    result = Err(e);
                    break;
                }
                Err(e) => {
                    // The code first: it says what the citizen can do about it.
                    queued.last_error = Some(match &e.code {
                        Some(code) => format!("{code}: {}", e.message.de),
                        None => e.message.de.clone(),
                    });
                    // A verdict on that report, not a failed sync: the others go on,
                    // and the pages reload as after any sync that reached the server.
                    refused.push((queued.report.id, e));
                    update_in_outbox(queued);
                }
            }
        }
        let mut status = self.current();
        status.syncing = false;
        match &result {
            Ok(()) => {
                status.last_success = Some(Utc::now());
                status.last_error = None;
            }
            Err(e) => status.last_error = Some(e.message.de.clone()),
        }
        status.queued_reports = waiting_reports();
        self.publish(status);
        (result, refused)
    }

    pub async fn reports(&self) -> UiResult<Vec<LocalReport>> {
        let mut list: Vec<LocalReport> = outbox().iter().map(queued_to_local).collect();
        if storage::get(TOKEN_KEY).is_some() {
            let request = self.authed(Request::get(&format!("{API}/reports"))).await?;
            match Self::json::<Vec<CitizenReport>>(request.build().map_err(UiError::unexpected)).await {
                Ok(reports) => {
                    let seen = seen();
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
        if let Some(queued) = outbox().into_iter().find(|q| q.report.id.to_string() == id) {
            return Ok(LocalReportDetail {
                report: queued_to_local(&queued),
                answers: queued.report.answers.clone(),
                address_hint: queued.report.address_hint.clone(),
                history: Vec::new(),
                messages: Vec::new(),
                questions: Vec::new(),
                mail_updates: Default::default(),
            });
        }
        let request = self.authed(Request::get(&format!("{API}/reports/{id}"))).await?;
        let r: CitizenReport = Self::json(request.build().map_err(UiError::unexpected)).await?;
        let unseen = seen_at(&seen(), &r.id).is_none_or(|at| r.updated_at > at);
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
        let mut seen = seen();
        seen.insert(id.to_owned(), serde_json::Value::String(Utc::now().to_rfc3339()));
        storage::set(SEEN_KEY, &serde_json::Value::Object(seen).to_string());
        Ok(())
    }

    pub async fn follow_report(&self, id: &str) -> UiResult<LocalFollowed> {
        let request = self.authed(Request::put(&format!("{API}/reports/{id}/follow"))).await?;
        let report: FollowedReport = Self::json(request.build().map_err(UiError::unexpected)).await?;
        // Seen as it is now: only later changes are news.
        mark_seen_at([&report.id], Utc::now());
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
        let seen = seen();
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
        mark_seen_at(ids, Utc::now());
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

    pub async fn sync_status(&self) -> UiResult<SyncStatus> {
        Ok(self.current())
    }

    pub async fn sync_now(&self) -> UiResult<()> {
        self.flush().await
    }

    pub fn on_sync_change(&self, on_change: impl Fn(SyncStatus) + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(on_change));
    }

    fn current(&self) -> SyncStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_syncing(&self, syncing: bool) {
        let mut status = self.current();
        status.syncing = syncing;
        self.publish(status);
    }

    fn refresh_counts(&self) {
        let mut status = self.current();
        status.queued_reports = waiting_reports();
        self.publish(status);
    }

    fn publish(&self, status: SyncStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
        // Called outside the lock: a listener may trigger work that publishes again.
        let listeners: Vec<Listener> = self.listeners.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for listener in listeners {
            listener(status.clone());
        }
    }

    /// Sends the queue when the browser comes back online, and every minute while it waits.
    fn watch_network(&self) {
        let Some(window) = web_sys::window() else { return };
        let me = self.clone();
        let online = Closure::<dyn FnMut()>::new(move || {
            let me = me.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = me.flush().await;
            });
        });
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                gloo_timers::future::sleep(std::time::Duration::from_secs(60)).await;
                if !outbox().is_empty() {
                    let _ = me.flush().await;
                }
            }
        });
    }
}

fn get(url: &str) -> UiResult<Request> {
    Request::get(url).build().map_err(UiError::unexpected)
}

fn outbox() -> Vec<Queued> {
    storage::get(OUTBOX_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn save_outbox(outbox: &[Queued]) {
    if let Ok(json) = serde_json::to_string(outbox) {
        storage::set(OUTBOX_KEY, &json);
    }
}

/// Reports still to be sent (refused ones wait for the citizen, not for the network).
fn waiting_reports() -> u64 {
    outbox().iter().filter(|q| q.last_error.is_none()).count() as u64
}

/// The outbox entry of a report the server refused.
fn refused_in_outbox(id: &str) -> UiResult<Queued> {
    outbox()
        .into_iter()
        .find(|q| q.report.id.to_string() == id && q.last_error.is_some())
        .ok_or_else(not_refused)
}

/// No refused report of that id is kept here (sent meanwhile, or given up on another page).
fn not_refused() -> UiError {
    UiError {
        code: Some("not_found".to_owned()),
        ..UiError::localized("e-refused-gone")
    }
}

fn remove_from_outbox(id: &ReportId) {
    let mut list = outbox();
    list.retain(|q| &q.report.id != id);
    save_outbox(&list);
}

fn update_in_outbox(queued: Queued) {
    let mut list = outbox();
    if let Some(slot) = list.iter_mut().find(|q| q.report.id == queued.report.id) {
        *slot = queued;
    }
    save_outbox(&list);
}

fn remember_id(id: &ReportId) {
    let mut ids: Vec<String> = storage::get(IDS_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    ids.push(id.to_string());
    if let Ok(json) = serde_json::to_string(&ids) {
        storage::set(IDS_KEY, &json);
    }
}

fn seen() -> serde_json::Map<String, serde_json::Value> {
    storage::get(SEEN_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn mark_seen_at<'a>(ids: impl IntoIterator<Item = &'a ReportId>, at: DateTime<Utc>) {
    let mut seen = seen();
    for id in ids {
        seen.insert(id.to_string(), serde_json::Value::String(at.to_rfc3339()));
    }
    storage::set(SEEN_KEY, &serde_json::Value::Object(seen).to_string());
}

fn seen_at(seen: &serde_json::Map<String, serde_json::Value>, id: &ReportId) -> Option<DateTime<Utc>> {
    seen.get(&id.to_string())
        .and_then(|v| v.as_str())
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn queued_to_local(q: &Queued) -> LocalReport {
    LocalReport {
        id: q.report.id,
        municipality: q.municipality.clone(),
        category: q.report.category.clone(),
        category_name: q.category_name.clone(),
        description: q.report.description.clone(),
        location: q.report.location,
        photos: q.report.photos.clone(),
        created_at: q.report.created_at.unwrap_or_else(Utc::now),
        sync_state: if q.last_error.is_some() {
            SyncState::Rejected
        } else {
            SyncState::Queued
        },
        status: None,
        last_error: q.last_error.clone(),
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
