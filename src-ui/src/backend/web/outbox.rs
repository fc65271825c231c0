//! The page's outbox: reports are queued in IndexedDB first and sent second, and every
//! decision on a server answer is the engine's (`augenmerk-sync`), as in the app and the
//! command line: a 5xx, 429 or no answer keeps the report queued (after the server's
//! `Retry-After`, or a growing pause, for the automatic flushes); a 401 registers this
//! browser again and sends on; a refusal keeps the report with the reason until the
//! citizen corrects or discards it, and it is never sent again by itself. A report leaves
//! the outbox (its photos leave IndexedDB unless another queued report uses them) only once
//! the server accepted it.
//!
//! Exactly once: the report's id is the server's idempotency key, so a report sent twice
//! (a tab closed after sending, before hearing the answer) is stored once. Flushes of all
//! tabs of this origin run one after another under the Web Lock `augenmerk-outbox` where the
//! browser has the Web Locks API; without it two tabs may send the same report at the same
//! time, which the idempotency key makes harmless.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gloo_net::http::Request;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use augenmerk_domain::ReportId;
use augenmerk_domain::device::{ReopenedReport, ReportDraft, SyncStatus};
use augenmerk_domain::public::AnonymizedPhoto;
use augenmerk_sync::{
    DraftError, EntryState, Next, Verdict, after_verdict, is_transient, judge_photo_upload, judge_submit,
};

use super::WebBackend;
use super::store::Entry;
use super::transport::{API, Sent};
use crate::backend::{UiError, UiResult};

/// The Web Lock every tab's flush takes.
const LOCK: &str = "augenmerk-outbox";
/// The first pause after a server error without `Retry-After`; doubled per failed attempt.
const FIRST_PAUSE: Duration = Duration::from_secs(30);
/// The longest pause between automatic attempts.
const MAX_PAUSE: Duration = Duration::from_secs(15 * 60);

thread_local! {
    /// A flush is running in this tab (where there are no Web Locks to queue behind).
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
}

/// Who asked for a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The page itself (start, `online`, visible again, the timer): waits for pauses.
    Auto,
    /// The citizen (or `window.augenmerkSync()`): sends everything queued now.
    Now,
}

/// How a flush went.
#[derive(Default)]
pub struct Flushed {
    /// The server could not be reached, or asked to wait: why.
    pub failed: Option<UiError>,
    /// Reports the server refused in this flush, with its answer.
    pub refused: Vec<(ReportId, UiError)>,
}

impl WebBackend {
    pub async fn create_report(&self, draft: ReportDraft) -> UiResult<ReportId> {
        self.queue_report(draft, None).await
    }

    /// Queues the corrected version of a refused report in its place.
    pub async fn replace_report(&self, refused: &str, draft: ReportDraft) -> UiResult<ReportId> {
        self.queue_report(draft, Some(refused)).await
    }

    /// A refused report from the outbox, as a draft for the form. Photos kept here show
    /// from IndexedDB; their boxes were not kept.
    pub async fn reopen_report(&self, id: &str) -> UiResult<ReopenedReport> {
        let entry = self.refused_entry(id).await?;
        let r = entry.report;
        let photos = r
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
            id: r.id,
            draft: ReportDraft {
                municipality: None,
                category: r.category,
                answers: r.answers,
                description: r.description,
                location: r.location,
                address_hint: r.address_hint,
                photos: r.photos,
                contact_email: r.contact_email,
                consent: r.consent,
                language: r.language,
                share_contact: r.share_contact,
            },
            photos,
        })
    }

    /// Forgets a refused report (and its photos, unless another report uses them).
    pub async fn discard_report(&self, id: &str) -> UiResult<()> {
        let entry = self.refused_entry(id).await?;
        let store = self.store().await?;
        store
            .remove_entry(&entry.report.id, true)
            .await
            .map_err(UiError::unexpected)?;
        self.refresh_counts().await;
        Ok(())
    }

    async fn refused_entry(&self, id: &str) -> UiResult<Entry> {
        let store = self.store().await?;
        store
            .entry(id)
            .await
            .map_err(UiError::unexpected)?
            .filter(|e| e.refused().is_some())
            .ok_or_else(not_refused)
    }

    async fn queue_report(&self, draft: ReportDraft, replaces: Option<&str>) -> UiResult<ReportId> {
        let store = self.store().await?;
        let notice = match &draft.municipality {
            Some(ags) => self.notice_version(ags).await,
            None => None,
        };
        let id = ReportId::new_random();
        let report = augenmerk_sync::new_report(draft, id, Utc::now(), notice).map_err(|e| match e {
            DraftError::NoMunicipality => UiError::localized("e-choose-place-first"),
            DraftError::Invalid(field) => UiError {
                details: vec![field],
                ..UiError::localized("e-choose-place-first")
            },
        })?;
        let Some(municipality) = report.municipality.clone() else {
            return Err(UiError::localized("e-choose-place-first"));
        };
        let replaced = match replaces {
            Some(refused) => Some(self.refused_entry(refused).await?.report.id),
            None => None,
        };
        let entry = Entry {
            report,
            municipality,
            category_name: None,
            state: EntryState::new_queued(),
            not_before: None,
        };
        // In the same write as the new one: the refused report never outlives it.
        store
            .put_entry(&entry, replaced.as_ref())
            .await
            .map_err(UiError::unexpected)?;
        self.remember_id(&id).await;
        self.refresh_counts().await;
        // Queued first, sent second: a failure on the way leaves it queued, never lost.
        // Only this report's own refusal counts here (an older refused one may wait here).
        let flushed = self.flush(Trigger::Auto).await;
        if let Some((_, e)) = flushed.refused.into_iter().find(|(r, _)| *r == id) {
            // Refused while the citizen is still at the form, which keeps everything
            // (its photos too): no second copy waits here.
            let _ = store.remove_entry(&id, false).await;
            self.refresh_counts().await;
            return Err(e);
        }
        Ok(id)
    }

    /// Sends the queued reports, one flush at a time (see the module comment).
    pub async fn flush(&self, trigger: Trigger) -> Flushed {
        let out: Rc<RefCell<Option<Flushed>>> = Rc::new(RefCell::new(None));
        let (me, slot) = (self.clone(), Rc::clone(&out));
        let work = async move {
            let flushed = me.flush_now(trigger).await;
            *slot.borrow_mut() = Some(flushed);
        };
        if exclusive(work).await.is_err() {
            // No Web Locks (or they failed): one flush at a time in this tab.
            while FLUSHING.with(Cell::get) {
                gloo_timers::future::sleep(Duration::from_millis(100)).await;
            }
            FLUSHING.with(|f| f.set(true));
            let flushed = self.flush_now(trigger).await;
            FLUSHING.with(|f| f.set(false));
            *out.borrow_mut() = Some(flushed);
        }
        out.borrow_mut().take().unwrap_or_default()
    }

    async fn flush_now(&self, trigger: Trigger) -> Flushed {
        self.set_syncing(true);
        let mut flushed = Flushed::default();
        match self.store().await {
            Ok(store) => {
                let entries = store.entries().await.unwrap_or_default();
                let now = Utc::now();
                for entry in augenmerk_sync::to_send(&entries) {
                    if trigger == Trigger::Auto && entry.not_before.is_some_and(|t| t > now) {
                        continue;
                    }
                    let stop = self.send_entry(&store, entry.clone(), &mut flushed).await;
                    if stop {
                        break;
                    }
                }
            }
            Err(e) => flushed.failed = Some(e),
        }
        let mut status = self.current();
        status.syncing = false;
        match &flushed.failed {
            None => {
                status.last_success = Some(Utc::now());
                status.last_error = None;
            }
            Some(e) => status.last_error = Some(e.message.de.clone()),
        }
        status.queued_reports = self.waiting().await;
        self.publish(status.clone());
        if flushed.failed.is_some() && status.queued_reports > 0 {
            request_background_sync();
        }
        flushed
    }

    /// Sends one report (its photos first) until the server has decided; returns whether
    /// the flush should stop (the server is away or asked to wait: the others would fare
    /// the same).
    async fn send_entry(&self, store: &super::store::Store, mut entry: Entry, flushed: &mut Flushed) -> bool {
        let id = entry.report.id;
        let mut round = 0u8;
        let mut registered_again = false;
        loop {
            let photos = self.upload_photos(&entry.report.photos).await;
            let (verdict, sent) = if photos.answer == augenmerk_sync::Answer::Ok {
                let sent = self.submit(&entry).await;
                (judge_submit(&sent.answer, round), sent)
            } else {
                (judge_photo_upload(&photos.answer), photos)
            };
            match after_verdict(&entry.state, &verdict) {
                Next::Remove => {
                    let _ = store.remove_entry(&id, true).await;
                    return false;
                }
                Next::UploadPhotosThenRetry if round + 1 < augenmerk_sync::SUBMIT_ROUNDS => round += 1,
                Next::ReRegisterThenRetry { state } if !registered_again => {
                    registered_again = true;
                    entry.state = state;
                    if let Err(e) = self.register_again().await {
                        return self.keep(store, entry, &verdict, Some(e), flushed).await;
                    }
                }
                // Asked again for what was just done: the report waits for the next flush.
                Next::UploadPhotosThenRetry => {
                    let later = Verdict::RetryLater { after: None };
                    return self.keep(store, entry, &later, sent.error, flushed).await;
                }
                Next::ReRegisterThenRetry { state } => {
                    entry.state = state;
                    let later = Verdict::RetryLater { after: None };
                    return self.keep(store, entry, &later, sent.error, flushed).await;
                }
                Next::Keep(state) => {
                    entry.state = state;
                    let transient = is_transient(&sent.answer);
                    let error = sent.error.unwrap_or_else(UiError::offline);
                    let stop = self.keep(store, entry, &verdict, Some(error), flushed).await;
                    return stop || transient;
                }
            }
        }
    }

    /// Stores the entry after a verdict that keeps it; returns whether the flush stops.
    async fn keep(
        &self,
        store: &super::store::Store,
        mut entry: Entry,
        verdict: &Verdict,
        error: Option<UiError>,
        flushed: &mut Flushed,
    ) -> bool {
        let error = error.unwrap_or_else(UiError::offline);
        let mut stop = false;
        match verdict {
            Verdict::Refused { .. } => flushed.refused.push((entry.report.id, error.clone())),
            Verdict::RetryLater { after } => {
                let attempts = match &entry.state {
                    EntryState::Queued { attempts, .. } => *attempts,
                    EntryState::Refused { .. } => 0,
                };
                entry.not_before = pause(error.offline, *after, attempts, Utc::now());
                entry.state = entry.state.with_error(error.message.de.clone());
                flushed.failed = Some(error);
                stop = true;
            }
            _ => {
                flushed.failed = Some(error);
                stop = true;
            }
        }
        let _ = store.put_entry(&entry, None).await;
        stop
    }

    /// `POST /api/v1/reports` (idempotent by the report's id).
    async fn submit(&self, entry: &Entry) -> Sent {
        self.exchange(|token, signal| {
            Request::post(&format!("{API}/reports"))
                .abort_signal(signal)
                .header("Authorization", &format!("Bearer {token}"))
                .json(&entry.report)
                .map_err(UiError::unexpected)
        })
        .await
    }

    /// Reports still to be sent (refused ones wait for the citizen, not for the network).
    pub(super) async fn waiting(&self) -> u64 {
        match self.store().await {
            Ok(store) => store
                .entries()
                .await
                .map(|e| e.iter().filter(|e| e.state.is_queued()).count() as u64)
                .unwrap_or(0),
            Err(_) => 0,
        }
    }

    pub async fn sync_status(&self) -> UiResult<SyncStatus> {
        Ok(self.current())
    }

    pub async fn sync_now(&self) -> UiResult<()> {
        match self.flush(Trigger::Now).await.failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// When an automatic flush may try a report again: no pause when there was no network
/// (the browser's `online` event says when), the server's `Retry-After`, or a pause that
/// doubles with each failed attempt.
fn pause(offline: bool, after: Option<Duration>, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let wait = match after {
        Some(after) => after,
        None if offline => return None,
        None => {
            let doublings = attempts.saturating_sub(1).min(10);
            FIRST_PAUSE.saturating_mul(1 << doublings).min(MAX_PAUSE)
        }
    };
    chrono::Duration::from_std(wait).ok().map(|d| now + d)
}

/// Runs `work` under the Web Lock [`LOCK`]; `Err` when the browser has no Web Locks (then
/// `work` did not run).
async fn exclusive(work: impl Future<Output = ()> + 'static) -> Result<(), JsValue> {
    let navigator = web_sys::window().ok_or(JsValue::NULL)?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks"))?;
    if locks.is_undefined() || locks.is_null() {
        return Err(JsValue::NULL);
    }
    let request: js_sys::Function = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))?.dyn_into()?;
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        wasm_bindgen_futures::future_to_promise(async move {
            work.await;
            Ok(JsValue::UNDEFINED)
        })
        .into()
    });
    let held: js_sys::Promise = request.call2(&locks, &JsValue::from_str(LOCK), &callback)?.dyn_into()?;
    JsFuture::from(held).await.map(drop)
}

/// Asks the service worker for a Background Sync (`js/boot.js` registers the tag where the
/// browser has `SyncManager`): the browser wakes the page's service worker when the network
/// is back, which tells open pages to flush.
fn request_background_sync() {
    let Some(window) = web_sys::window() else { return };
    if let Ok(f) = js_sys::Reflect::get(&window, &JsValue::from_str("augenmerkBackgroundSync"))
        && let Ok(f) = f.dyn_into::<js_sys::Function>()
    {
        let _ = f.call0(&window);
    }
}

/// No refused report of that id is kept here (sent meanwhile, or given up on another page).
fn not_refused() -> UiError {
    UiError {
        code: Some("not_found".to_owned()),
        ..UiError::localized("e-refused-gone")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_follow_the_server_then_double() {
        let now = Utc::now();
        let secs = |t: Option<DateTime<Utc>>| t.map(|t| (t - now).num_seconds());
        assert_eq!(secs(pause(true, None, 3, now)), None);
        assert_eq!(secs(pause(false, Some(Duration::from_secs(7)), 3, now)), Some(7));
        assert_eq!(secs(pause(false, None, 1, now)), Some(30));
        assert_eq!(secs(pause(false, None, 2, now)), Some(60));
        assert_eq!(secs(pause(false, None, 40, now)), Some(900));
    }
}
